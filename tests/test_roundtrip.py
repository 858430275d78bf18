"""Round trips without loss: Hierarchy -> GeoPackage / GeoParquet / CSV -> Hierarchy.

tests/test_hierarchy.py checks what the files hold; here they are read back with
:func:`read_hierarchy` (``Hierarchy.read``) and compared with the Hierarchy that wrote them:
labels, names, central zones, roles, orders, shares, strength classes, via, reasons, layer
and run parameters, and the library version. Writes are atomic: a writer interrupted midway
leaves no file under the final name.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyogrio
import pytest

import regionalize as rz
from regionalize import DataNotFoundError, InvalidParameterError, InvalidZonesError
from regionalize.hierarchy import Hierarchy
from regionalize.io import writers
from regionalize.io.hierarchy_files import read_hierarchy


@pytest.fixture(scope="module")
def graph():
    g = rz.synthetic_country(120, seed=3)
    # a name column with text that CSV readers like to turn into NaN, and leading zeros
    names = [f"Zone {i}" for i in range(g.n_zones)]
    names[1] = "NA"
    return g.with_zones(pd.DataFrame({"name": names}, index=g.ids))


@pytest.fixture(scope="module")
def h(graph):
    return rz.delineate(graph, tau=0.1, max_order=3, urban={"min_zones": 2})


def as_json(params) -> dict:
    """Parameters as the files hold them (numpy arrays as lists, tuples as lists)."""
    return json.loads(writers._dumps(dict(params)))


def assert_same(a: Hierarchy, b: Hierarchy) -> None:
    assert a.layers == b.layers
    assert list(a.graph.ids) == list(b.graph.ids)
    pd.testing.assert_frame_equal(a.labels(), b.labels())
    for layer in a.layers:
        pa, pb = a[layer], b[layer]
        da, db = pa.details, pb.details
        for col in ("area", "role", "via", "reason"):
            assert da[col].tolist() == db[col].tolist(), (layer, col)
        assert da["order"].astype("Float64").tolist() == db["order"].astype("Float64").tolist()
        for col in ("share", "strength"):
            np.testing.assert_allclose(
                da[col].to_numpy(float), db[col].to_numpy(float), err_msg=f"{layer} {col}"
            )
        aa, ab = pa.areas, pb.areas
        assert list(aa.index) == list(ab.index)
        assert aa["name"].tolist() == ab["name"].tolist()
        assert aa["centres"].tolist() == ab["centres"].tolist()  # tuples of zone ids
        assert aa["kind"].tolist() == ab["kind"].tolist()
        assert aa["n_zones"].tolist() == ab["n_zones"].tolist()
        assert as_json(pa.params) == as_json(pb.params)
        pd.testing.assert_frame_equal(a.summary(layer), b.summary(layer), check_dtype=False)
    pa_ = {k: v for k, v in a.params.items() if k != "source"}
    pb_ = {k: v for k, v in b.params.items() if k != "source"}
    assert as_json(pa_) == as_json(pb_)


@pytest.mark.parametrize("fmt", ["gpkg", "parquet", "csv"])
def test_round_trip_with_the_graph(h, graph, tmp_path, fmt):
    target = tmp_path / "run.gpkg" if fmt == "gpkg" else tmp_path / "run"
    getattr(h, f"to_{fmt}")(target)
    back = Hierarchy.read(target, graph)
    assert_same(h, back)
    assert back.params["source"] == {"path": str(target), "version": rz.__version__}
    if fmt != "csv":
        assert back.graph.geometry is not None


@pytest.mark.parametrize("fmt", ["gpkg", "parquet", "csv"])
def test_round_trip_from_the_file_alone(h, tmp_path, fmt):
    target = tmp_path / "run.gpkg" if fmt == "gpkg" else tmp_path / "run"
    getattr(h, f"to_{fmt}")(target, flows=True)
    back = read_hierarchy(target)
    assert_same(h, back)
    np.testing.assert_allclose(back.graph.matrix.toarray(), h.graph.matrix.toarray())
    assert back.graph.zones["name"].tolist() == h.graph.zones["name"].tolist()
    np.testing.assert_allclose(back.graph.zones["population"], h.graph.zones["population"])


def test_run_records_parameters_and_version(h, tmp_path):
    h.to_gpkg(tmp_path / "run.gpkg")
    h.to_csv(tmp_path / "csv")
    run = pyogrio.read_dataframe(tmp_path / "run.gpkg", layer="run")
    record = json.loads(run.at[0, "record"])
    assert record["version"] == rz.__version__ == run.at[0, "version"]
    assert record["params"]["metropolitan"]["tau"] == 0.1
    assert record["params"]["metropolitan"]["max_order"] == 3
    assert record["layer_params"]["urban"]["min_zones"] == 2
    assert record["zones"] == h.graph.n_zones and record["flows"] is False
    on_disk = json.loads((tmp_path / "csv" / "run.json").read_text("utf-8"))
    assert on_disk["version"] == rz.__version__ and on_disk["layers"] == list(h.layers)


def test_leading_zeros_and_text_ids_survive(tmp_path):
    df = pd.DataFrame(
        {
            "origin": ["001", "001", "002", "0A"],
            "destination": ["001", "002", "002", "001"],
            "flow": [50, 30, 80, 40],
        }
    )
    g = rz.FlowGraph.from_dataframe(df)
    h = rz.delineate(g, ["002"], megaregions=False)
    h.to_csv(tmp_path, flows=True)
    back = read_hierarchy(tmp_path)
    assert list(back.graph.ids) == ["001", "002", "0A"]
    assert_same(h, back)


def test_without_flows_or_graph_the_error_says_what_to_pass(h, tmp_path):
    h.to_csv(tmp_path)
    with pytest.raises(InvalidParameterError, match="graph=.*flows=True"):
        read_hierarchy(tmp_path)


def test_wrong_graph_is_named(h, tmp_path):
    h.to_parquet(tmp_path)
    other = rz.synthetic_country(30, seed=1)
    with pytest.raises(InvalidZonesError, match="graph zones not in the file|zones of the file"):
        read_hierarchy(tmp_path, other)


def test_missing_files(tmp_path):
    with pytest.raises(DataNotFoundError, match="No such file"):
        read_hierarchy(tmp_path / "nope.gpkg")
    with pytest.raises(DataNotFoundError, match="No run.json"):
        read_hierarchy(tmp_path)


def test_round_trip_twice_is_stable(h, graph, tmp_path):
    h.to_gpkg(tmp_path / "a.gpkg")
    once = read_hierarchy(tmp_path / "a.gpkg", graph)
    once.to_gpkg(tmp_path / "b.gpkg")
    assert_same(h, read_hierarchy(tmp_path / "b.gpkg", graph))


# ---------------------------------------------------------------- atomic writes
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_interrupted_folder_write_leaves_no_partial_file(h, tmp_path, monkeypatch, fmt):
    """A writer that fails midway leaves no file pretending to be complete, and no run.json."""
    import geopandas as gpd

    calls = {"n": 0}
    originals = {cls: getattr(cls, f"to_{fmt}") for cls in (pd.DataFrame, gpd.GeoDataFrame)}

    def fail_second(self, target, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            with open(target, "wb") as fh:  # half a file, then Ctrl-C
                fh.write(b"partial")
            raise KeyboardInterrupt
        original = originals[
            gpd.GeoDataFrame if isinstance(self, gpd.GeoDataFrame) else pd.DataFrame
        ]
        return original(self, target, *args, **kwargs)

    for cls in originals:
        monkeypatch.setattr(cls, f"to_{fmt}", fail_second)
    with pytest.raises(KeyboardInterrupt):
        getattr(writers, f"write_{fmt}")(h, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"zones.{fmt}"]  # the first file is complete; nothing else, no run.json
    assert not any(".partial" in n for n in names)
    with pytest.raises(DataNotFoundError, match="No run.json"):
        read_hierarchy(tmp_path)


def test_interrupted_gpkg_write_leaves_no_file(h, tmp_path, monkeypatch):
    original = pyogrio.write_dataframe

    def fail(df, target, layer=None, **kwargs):
        if layer == "flows":
            raise KeyboardInterrupt
        return original(df, target, layer=layer, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", fail)
    with pytest.raises(KeyboardInterrupt):
        h.to_gpkg(tmp_path / "run.gpkg", flows=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["gpkg", "parquet", "csv"])
def test_method_layers_and_their_own_area_columns(graph, tmp_path, fmt):
    """Layers of other methods (no centres, extra area columns, some named like summary
    columns such as TTWA's residents or a life zone's population) come back unchanged."""
    from regionalize.methods import flowbca, intramax, labour_market_areas

    layers = [
        labour_market_areas(graph, min_size=1000, target_size=10000),
        intramax(graph, k=8),
        flowbca(graph),
        rz.life_zones(graph, "work", flows=graph, population="residents"),
    ]
    h = Hierarchy(graph, layers, params={"note": "methods", "pair": (1, 2)})
    target = tmp_path / "run.gpkg" if fmt == "gpkg" else tmp_path / "run"
    getattr(h, f"to_{fmt}")(target)
    back = read_hierarchy(target, graph)
    assert_same(h, back)
    for layer in h.layers:
        a, b = h[layer].areas, back[layer].areas
        assert list(a.columns) == list(b.columns), layer
        for col in a.columns:
            want = [v if not isinstance(v, float) else round(v, 9) for v in a[col].tolist()]
            got = [v if not isinstance(v, float) else round(v, 9) for v in b[col].tolist()]
            assert [str(v) for v in got] == [str(v) for v in want], (layer, col)
    assert back.params["pair"] == [1, 2]  # JSON: a tuple comes back as a list
