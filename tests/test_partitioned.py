"""Partitioned OD tables aggregated to zones with Dask (regionalize.io.partitioned)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("dask.dataframe")

from regionalize.errors import (  # noqa: E402
    DataNotFoundError,
    InvalidODError,
    InvalidParameterError,
    InvalidZonesError,
)
from regionalize.io import aggregate_flows  # noqa: E402
from regionalize.synthetic import write_synthetic_od  # noqa: E402


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """30,000 rows in 5 Parquet files, 400 fine ids in 25 zones."""
    return write_synthetic_od(
        tmp_path_factory.mktemp("od"), 30_000, n_fine=400, n_zones=25, partitions=5, seed=7
    )


@pytest.fixture(scope="module")
def full(table):
    """The whole table in memory, with the zone of each id."""
    df = pd.read_parquet(table.flows)
    cw = pd.read_parquet(table.crosswalk).set_index("fine")["zone"]
    return df.assign(o_zone=df["origin"].map(cw), d_zone=df["destination"].map(cw)), cw


def _pairs(graph) -> pd.Series:
    f = graph.to_frame()
    return f.set_index(["origin", "destination"])["flow"].sort_index()


def _expected(df: pd.DataFrame, o: str = "o_zone", d: str = "d_zone") -> pd.Series:
    s = df.groupby([o, d])["flow"].sum().astype(float)
    s.index.names = ["origin", "destination"]
    return s.sort_index()


# ============================================================================ results
def test_equals_pandas_groupby_of_the_whole_table(table, full):
    df, _ = full
    g = aggregate_flows(table.flows, crosswalk=table.crosswalk)
    got, want = _pairs(g), _expected(df)
    pd.testing.assert_index_equal(got.index, want.index)
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())  # exact totals
    assert g.total == table.total == df["flow"].sum()
    assert g.meta["rows"] == 30_000 and g.meta["partitions"] == 5
    assert g.n_zones == 25 and g.ids[0] == "00001"


def test_schedulers_glob_list_and_row_groups_agree(table, full, tmp_path):
    ref = _pairs(aggregate_flows(table.flows, crosswalk=table.crosswalk))
    files = sorted(table.flows.glob("*.parquet"))
    for source, kwargs in [
        (str(table.flows / "part-*.parquet"), {"scheduler": "synchronous"}),
        (files, {"scheduler": "threads", "split_every": 2}),
    ]:
        pd.testing.assert_series_equal(
            _pairs(aggregate_flows(source, crosswalk=table.crosswalk, **kwargs)), ref
        )
    # one file of many row groups, split into several partitions by blocksize
    one = tmp_path / "one.parquet"
    pq.write_table(pq.read_table(table.flows), one, row_group_size=2_000)
    g = aggregate_flows(one, crosswalk=table.crosswalk, blocksize=20_000)
    assert g.meta["partitions"] > 5
    pd.testing.assert_series_equal(_pairs(g), ref)


def test_csv_input_in_blocks(table, full, tmp_path):
    df, _ = full
    folder = tmp_path / "csv"
    folder.mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(df)), 3)):
        df.iloc[part][["origin", "destination", "flow"]].to_csv(folder / f"od{i}.csv", index=False)
    g = aggregate_flows(folder, crosswalk=table.crosswalk, blocksize=100_000)
    assert g.meta["format"] == "csv" and g.meta["partitions"] > 3
    np.testing.assert_array_equal(_pairs(g).to_numpy(), _expected(df).to_numpy())
    # compressed files: one partition per file
    df[["origin", "destination", "flow"]].to_csv(tmp_path / "all.csv.gz", index=False)
    g = aggregate_flows(tmp_path / "all.csv.gz", crosswalk=table.crosswalk)
    assert g.meta["partitions"] == 1 and g.total == table.total


def test_crosswalk_leading_zeros_in_every_form(tmp_path):
    od = pd.DataFrame(
        {
            "home": ["0101", "0102", "0201", "0201", " 0202 "],
            "work": ["0102", "0201", "0201", "0101", "0101"],
            "n": [1, 2, 3, 4, 5],
        }
    )
    od.to_csv(tmp_path / "od.csv", index=False)
    cw = {"0101": "01", "0102": "01", "0201": "02", "0202": "02"}
    pd.DataFrame({"block": list(cw), "county": list(cw.values())}).to_csv(
        tmp_path / "cw.csv", index=False
    )
    forms = [
        cw,
        pd.Series(cw),
        pd.DataFrame({"x": 0, "block": list(cw), "county": list(cw.values())}),
        tmp_path / "cw.csv",
    ]
    for form in forms:
        cols = ("block", "county") if isinstance(form, pd.DataFrame) else None
        g = aggregate_flows(
            tmp_path / "od.csv", "home", "work", "n", crosswalk=form, crosswalk_columns=cols
        )
        assert g.ids.tolist() == ["01", "02"]
        np.testing.assert_array_equal(g.matrix.toarray(), [[1, 2], [9, 3]])


def test_numeric_ids_and_id_width(tmp_path):
    pq.write_table(
        pa.table({"o": [1001, 1001, 2001], "d": [2001, 1001, 2001], "f": [1.5, 2.0, 3.0]}),
        tmp_path / "od.parquet",
    )
    g = aggregate_flows(
        tmp_path / "od.parquet", "o", "d", "f", crosswalk={"01001": "A", "02001": "B"}, id_width=5
    )
    assert g.ids.tolist() == ["A", "B"] and g.total == 6.5
    g = aggregate_flows(tmp_path / "od.parquet", "o", "d", "f")  # no crosswalk: ids are zones
    assert g.ids.tolist() == ["1001", "2001"]
    np.testing.assert_array_equal(g.matrix.toarray(), [[2.0, 1.5], [0, 3.0]])


def test_separate_origin_and_destination_crosswalks(table, full):
    df, cw = full
    coarse = cw.str[:4]  # destinations to groups of ten zones
    g = aggregate_flows(table.flows, origin_crosswalk=table.crosswalk, destination_crosswalk=coarse)
    want = _expected(df.assign(d_zone=df["destination"].map(coarse)))
    np.testing.assert_array_equal(_pairs(g).to_numpy(), want.to_numpy())
    with pytest.raises(InvalidParameterError, match="both sides"):
        aggregate_flows(table.flows, origin_crosswalk=table.crosswalk)


# ============================================================================ unmatched ids
@pytest.fixture()
def partial_crosswalk(full):
    _, cw = full
    missing = cw.index[[3, 50, 51]]
    return cw.drop(missing), list(missing)


def test_unmatched_error_names_count_and_first_ids(table, full, partial_crosswalk):
    df, _ = full
    cw, missing = partial_crosswalk
    lost = df["origin"].isin(missing) | df["destination"].isin(missing)
    with pytest.raises(InvalidODError) as err:
        aggregate_flows(table.flows, crosswalk=cw)
    msg = str(err.value)
    assert (
        f"{lost.sum():,} rows (flow {df.loc[lost, 'flow'].sum():,}) with ids not in the "
        "crosswalk" in msg
    )
    n_o = df.loc[df["origin"].isin(missing), "origin"].nunique()
    first = df.loc[df["origin"].isin(missing), "origin"].drop_duplicates().iloc[0]
    assert f"{n_o:,} origin ids (first: {first}" in msg
    assert "unmatched='drop'" in msg


def test_unmatched_drop_reports_what_was_dropped(table, full, partial_crosswalk):
    df, _ = full
    cw, missing = partial_crosswalk
    lost = df["origin"].isin(missing) | df["destination"].isin(missing)
    g = aggregate_flows(table.flows, crosswalk=cw, unmatched="drop")
    assert g.total == df.loc[~lost, "flow"].sum()
    info = g.meta["unmatched"]
    assert info["rows"] == lost.sum() and info["flow"] == df.loc[lost, "flow"].sum()
    assert info["policy"] == "drop" and set(info["first_origin_ids"]) <= set(missing)
    assert "left out" in g.meta["repairs"][-1]
    np.testing.assert_array_equal(_pairs(g).to_numpy(), _expected(df[~lost]).to_numpy())


def test_unmatched_keep_makes_each_id_a_zone(table, full, partial_crosswalk):
    df, _ = full
    cw, missing = partial_crosswalk
    g = aggregate_flows(table.flows, crosswalk=cw, unmatched="keep")
    assert g.total == table.total
    assert set(missing) <= set(g.ids) and g.n_zones == 25 + 3
    kept = df.assign(
        o_zone=df["o_zone"].where(~df["origin"].isin(missing), df["origin"]),
        d_zone=df["d_zone"].where(~df["destination"].isin(missing), df["destination"]),
    )
    np.testing.assert_array_equal(_pairs(g).to_numpy(), _expected(kept).to_numpy())


# ============================================================================ bad input
def test_missing_column_is_reported_before_reading(table):
    with pytest.raises(
        InvalidODError,
        match=r"missing columns 'workers'; it has 'origin', "
        r"'destination', 'flow'",
    ):
        aggregate_flows(table.flows, flow="workers", crosswalk=table.crosswalk)


def test_every_bad_row_in_one_error(tmp_path):
    (tmp_path / "a.csv").write_text("o,d,f\n01,02,3\n01,,1\n02,01,-2\n")
    (tmp_path / "b.csv").write_text("o,d,f\n02,02,*\n01,01,\n")
    with pytest.raises(InvalidODError) as err:
        aggregate_flows(tmp_path, "o", "d", "f")
    msg = str(err.value)
    for part in [
        "1 rows without an origin or destination id (first: partition 0, row 1)",
        "1 negative flows (first: 02 → 01)",
        "1 non-numeric flows (first: *)",
        "1 NaN flows (first: 01 → 01)",
    ]:
        assert part in msg


def test_nothing_left_after_dropping(table):
    with pytest.raises(
        InvalidODError,
        match=r"no flows left \(30,000 rows read, 30,000 "
        r"dropped as not in the crosswalk\)",
    ):
        aggregate_flows(table.flows, crosswalk={"x": "1"}, unmatched="drop")


def test_hive_partitioned_dataset(tmp_path, full):
    df, cw = full
    years = pd.DataFrame({"year": np.arange(len(df)) % 2 + 2019})
    pq.write_to_dataset(
        pa.Table.from_pandas(
            pd.concat([df[["origin", "destination", "flow"]], years], axis=1), preserve_index=False
        ),
        tmp_path / "hive",
        partition_cols=["year"],
    )
    g = aggregate_flows(tmp_path / "hive", crosswalk=cw)
    assert g.meta["partitions"] == 2
    np.testing.assert_array_equal(_pairs(g).to_numpy(), _expected(df).to_numpy())


def test_bad_crosswalk_and_parameters(table, tmp_path):
    with pytest.raises(InvalidZonesError, match="1 fine ids mapped to several zones"):
        aggregate_flows(table.flows, crosswalk=pd.DataFrame({"f": ["a", "a"], "z": ["1", "2"]}))
    with pytest.raises(InvalidZonesError, match="fine ids without a zone"):
        aggregate_flows(table.flows, crosswalk={"a": None})
    with pytest.raises(InvalidParameterError, match="'unmatched'"):
        aggregate_flows(table.flows, crosswalk=table.crosswalk, unmatched="ignore")
    with pytest.raises(InvalidParameterError, match="'scheduler'"):
        aggregate_flows(table.flows, crosswalk=table.crosswalk, scheduler=3)
    with pytest.raises(DataNotFoundError):
        aggregate_flows(tmp_path / "nothing-*.parquet")
    with pytest.raises(DataNotFoundError, match="No Parquet or CSV files"):
        aggregate_flows(tmp_path)


# ============================================================================ generator
def test_generator_is_deterministic(tmp_path):
    a = write_synthetic_od(tmp_path / "a", 5_000, n_fine=100, n_zones=10, partitions=2, seed=3)
    b = write_synthetic_od(tmp_path / "b", 5_000, n_fine=100, n_zones=10, partitions=2, seed=3)
    c = write_synthetic_od(tmp_path / "c", 5_000, n_fine=100, n_zones=10, partitions=2, seed=4)
    ta, tb, tc = (pq.read_table(x.flows) for x in (a, b, c))
    assert ta.equals(tb) and not ta.equals(tc) and a.total == b.total
    assert pq.read_table(a.crosswalk).equals(pq.read_table(b.crosswalk))
    ids = ta.column("origin").to_pylist()
    assert all(len(i) == 15 for i in ids) and ids[0].startswith("0000")
    # distance decay: more flow stays in its zone than a uniform draw would keep
    g = aggregate_flows(a.flows, crosswalk=a.crosswalk)
    assert g.internal.sum() / g.total > 0.3
    with pytest.raises(InvalidParameterError, match="overwrite=True"):
        write_synthetic_od(tmp_path / "a", 5_000, n_fine=100, n_zones=10, seed=3)
    with pytest.raises(InvalidParameterError, match="one fine unit per zone"):
        write_synthetic_od(tmp_path / "d", 100, n_fine=5, n_zones=10)


# ============================================================================ distributed
def test_distributed_local_cluster(table):
    distributed = pytest.importorskip("distributed")
    ref = _pairs(aggregate_flows(table.flows, crosswalk=table.crosswalk))
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        with distributed.Client(cluster) as client:
            g = aggregate_flows(table.flows, crosswalk=table.crosswalk, scheduler=client)
        pd.testing.assert_series_equal(_pairs(g), ref)
        g = aggregate_flows(
            table.flows, crosswalk=table.crosswalk, scheduler=cluster.scheduler_address
        )
        pd.testing.assert_series_equal(_pairs(g), ref)


def test_lookup_of_fixed_width_digit_ids_agrees_with_the_hash_lookup():
    # census-style codes (same length, digits only) are searched as sorted integers
    import pyarrow as pa
    import pyarrow.compute as pc

    from regionalize.io._od_tasks import Lookup as _Lookup

    rng = np.random.default_rng(5)
    fine = pa.array(
        [f"{v:06d}" for v in rng.choice(10**6, 5000, replace=False)], type=pa.large_string()
    )
    codes = rng.integers(0, 40, len(fine)).astype(np.int64)
    lk = _Lookup(fine, codes)
    assert lk.width == 6
    known = fine.to_pylist()
    queries = pa.array(
        known[::3] + ["12345", "0123456", "00a000", None, "999999", known[0], "000000"],
        type=pa.large_string(),
    )
    pos = pc.index_in(queries, value_set=fine).fill_null(-1).to_numpy()
    expected = np.where(pos >= 0, codes[pos], -1)
    np.testing.assert_array_equal(lk.zone_codes(queries), expected)
    # mixed widths or letters: the hash lookup
    assert _Lookup(pa.array(["01", "002"], type=pa.large_string()), np.arange(2)).width is None
    assert _Lookup(pa.array(["0a", "02"], type=pa.large_string()), np.arange(2)).width is None
