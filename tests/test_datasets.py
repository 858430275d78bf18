"""Loading checks on the real national data (skipped when the data folder is absent)."""

from __future__ import annotations

import numpy as np
import pytest

from regionalize import datasets
from regionalize.errors import DataNotFoundError, InvalidParameterError


def test_data_dir_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv("REGIONALIZE_DATA", str(tmp_path))
    assert datasets.data_dir() == tmp_path
    monkeypatch.setenv("REGIONALIZE_DATA", str(tmp_path / "missing"))
    with pytest.raises(DataNotFoundError, match="REGIONALIZE_DATA points to"):
        datasets.data_dir()
    assert datasets.data_dir(required=False) is None


def test_missing_folder_message(tmp_path):
    with pytest.raises(DataNotFoundError, match="'korea-sigun-ktdb-od' not found"):
        datasets.load_korea_ktdb(tmp_path)


def test_unknown_dataset():
    with pytest.raises(InvalidParameterError, match="Unknown data set 'mars'"):
        datasets.load("mars")


def test_list_datasets(data_dir):
    table = datasets.list_datasets()
    assert table["available"].all()
    assert table.loc["korea-ktdb-sigun", "zones"] == 159


def test_korea_ktdb(data_dir):
    g = datasets.load_korea_ktdb()
    assert g.n_zones == 159
    assert round(g.total) == 22_376_808
    assert not g.has_diagonal  # intra-unit trips are absent from the KTDB table
    assert g.geometry.geometry.notna().all()
    assert g.zones.loc["11", "name"] == "Seoul"
    assert "31010" in g.ids  # Suwon, five-digit KOSTAT census code


def test_us_counties(data_dir):
    g = datasets.load_us_counties()
    assert 3200 <= g.n_zones < 3300  # 3,221 residence counties incl. 78 Puerto Rico municipios
    assert g.n_zones == 3221
    assert g.has_diagonal and g.moe is not None
    assert g.moe.nnz == g.matrix.nnz
    states_only = g.subgraph([i for i in g.ids if not i.startswith("72")])
    assert states_only.total == pytest.approx(139.68e6, rel=1e-3)
    # nothing lost: matrix + workers outside the graph = every worker in the file
    assert g.total + g.zones["outside"].sum() == 140_843_659
    geom = g.geometry.geometry
    # 51515 has no polygon; 51610 (Falls Church) is empty at 1:10m and is treated as missing
    assert geom.isna().sum() == 2 and geom.loc["51515"] is None and geom.loc["51610"] is None
    assert geom.loc["46113"] is not None and geom.is_valid[geom.notna()].all()
    assert g.zones.loc["06037", "name"] == "Los Angeles"
    without_pr = datasets.load_us_counties(include_puerto_rico=False, geometry=False)
    assert without_pr.n_zones == 3143


def test_us_official_tables(data_dir):
    cbsa = datasets.load_us_cbsa_2013()
    per_cbsa = cbsa.drop_duplicates("cbsa")
    assert (per_cbsa["kind"] == "metropolitan").sum() == 388
    assert (per_cbsa["kind"] == "micropolitan").sum() == 541
    assert cbsa["csa"].dropna().nunique() == 169
    assert (cbsa.index.str.len() == 5).all() and "01001" in cbsa.index
    cz = datasets.load_us_commuting_zones_1990()
    assert len(cz) == 3141 and cz.nunique() == 741


def test_sardinia(data_dir):
    g = datasets.load_sardinia()
    assert g.n_zones == 377
    assert g.total == 391_395
    assert g.internal.sum() == 248_469
    assert g.zones["population"].sum() > 1.6e6
    assert g.crs.to_epsg() == 4326


def test_sardinia_grid_2011(data_dir):
    g = datasets.load_sardinia_grid_2011()
    assert (g.n_zones, g.n_flows, g.total) == (3566, 55_066, 292_413)
    assert g.internal.sum() == 60_224
    assert g.crs.to_epsg() == 3035
    # each polygon is the 1 km cell its id names (south-west corner in km)
    cell = g.geometry.loc["1kmN1756E4220"].geometry
    assert cell.bounds == (4_220_000.0, 1_756_000.0, 4_221_000.0, 1_757_000.0)
    assert np.allclose(g.geometry.area, 1e6)
    assert (g.zones["east"] % 1000 == 0).all() and (g.zones["north"] % 1000 == 0).all()
    # the same island as the 2001 municipalities: nearly every cell overlaps one
    towns = datasets.load_sardinia().geometry.to_crs(3035)
    hit = g.geometry.sindex.query(towns.geometry, predicate="intersects")[1]
    assert len(np.unique(hit)) >= 0.98 * g.n_zones


def test_ew_ltla(data_dir):
    g = datasets.load_ew_ltla()
    assert g.n_zones == 363
    assert g.total == 27_680_850
    assert g.internal.sum() == 20_897_610
    scottish = [i for i in g.ids if i.startswith("S")]
    assert len(scottish) == 32
    assert g.subgraph(scottish, keep_totals=True).residents.sum() == 0
    assert g.zones.loc["E06000001", "name"] == "Hartlepool"
