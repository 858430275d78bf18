"""FlowGraph: construction, validation, totals, aggregation, conversions."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from shapely.geometry import box

from regionalize import FlowGraph, InvalidODError, InvalidZonesError
from regionalize.errors import InvalidParameterError


@pytest.fixture
def toy_df():
    # Three zones; "01" and "02" exchange commuters, "03" sends 20 to "02" and keeps nobody.
    #   residents (row sums incl. diagonal): 01 = 50+30 = 80, 02 = 80+10 = 90, 03 = 20
    #   jobs (column sums):                  01 = 50+10 = 60, 02 = 30+80+20 = 130, 03 = 0
    return pd.DataFrame(
        {
            "origin": ["01", "01", "02", "02", "03"],
            "destination": ["01", "02", "02", "01", "02"],
            "flow": [50, 30, 80, 10, 20],
        }
    )


@pytest.fixture
def toy(toy_df):
    return FlowGraph.from_dataframe(toy_df)


def random_graph(n=12, density=0.4, seed=0):
    rng = np.random.default_rng(seed)
    dense = rng.integers(0, 50, size=(n, n)) * (rng.random((n, n)) < density)
    np.fill_diagonal(dense, rng.integers(50, 200, size=n))
    ids = [f"{i:03d}" for i in range(n)]
    return dense.astype(float), ids


class TestTotals:
    def test_sums_and_diagonal(self, toy):
        np.testing.assert_array_equal(toy.residents, [80, 90, 20])
        np.testing.assert_array_equal(toy.jobs, [60, 130, 0])
        np.testing.assert_array_equal(toy.internal, [50, 80, 0])
        np.testing.assert_array_equal(toy.outflows, [30, 10, 20])
        np.testing.assert_array_equal(toy.inflows, [10, 50, 0])
        assert toy.has_diagonal
        assert toy.total == 190
        assert toy.n_flows == 5
        assert list(toy.ids) == ["01", "02", "03"]

    def test_repr_is_structural(self, toy):
        assert repr(toy) == "<FlowGraph of 3 zones and 5 flows (total 190; diagonal present)>"
        assert "<table>" in toy._repr_html_()

    def test_no_diagonal_reported(self, toy_df):
        off = toy_df[toy_df.origin != toy_df.destination]
        g = FlowGraph.from_dataframe(off)
        assert not g.has_diagonal
        assert "no diagonal" in repr(g)
        # a stored zero on the diagonal is not a diagonal
        g0 = FlowGraph.from_dataframe(
            pd.concat([off, pd.DataFrame({"origin": ["01"], "destination": ["01"], "flow": [0]})])
        )
        assert not g0.has_diagonal and g0.n_flows == 3

    def test_supplied_residents_and_jobs(self, toy_df):
        zones = pd.DataFrame(
            {"employed": [100, 95, 25], "workplaces": [70, 140, 5]}, index=["01", "02", "03"]
        )
        g = FlowGraph.from_dataframe(toy_df, zones=zones, residents="employed", jobs="workplaces")
        np.testing.assert_array_equal(g.residents, [100, 95, 25])
        np.testing.assert_array_equal(g.jobs, [70, 140, 5])
        with pytest.raises(InvalidZonesError, match="residents column not in the zone table"):
            FlowGraph.from_dataframe(toy_df, zones=zones, residents="nope")

    def test_summary_table(self, toy):
        s = toy.summary()
        assert s.loc["02", "job_ratio"] == pytest.approx(130 / 90)
        assert list(s.columns) == [
            "residents",
            "jobs",
            "internal",
            "outflows",
            "inflows",
            "job_ratio",
        ]

    def test_isolates(self, toy_df):
        zones = pd.DataFrame({"population": [1, 2, 3, 4]}, index=["01", "02", "03", "04"])
        g = FlowGraph.from_dataframe(toy_df, zones=zones, extra_zones="keep")
        assert list(g.isolates) == ["04"]
        assert "1 isolated" in repr(g)


class TestIds:
    def test_leading_zeros_kept_and_sorted(self):
        df = pd.DataFrame(
            {
                "origin": ["0010", "010", "10"],
                "destination": ["10", "0010", "010"],
                "flow": [1, 2, 3],
            }
        )
        g = FlowGraph.from_dataframe(df)
        assert list(g.ids) == ["0010", "010", "10"]  # three different zones

    def test_numeric_ids_become_text(self):
        df = pd.DataFrame(
            {"origin": [90001, 90002], "destination": [90002, 90001], "flow": [1.0, 2.0]}
        )
        assert list(FlowGraph.from_dataframe(df).ids) == ["90001", "90002"]
        df_f = df.astype({"origin": float, "destination": float})
        assert list(FlowGraph.from_dataframe(df_f).ids) == ["90001", "90002"]

    def test_id_width_restores_zeros(self):
        df = pd.DataFrame({"origin": [1001, 6037], "destination": [6037, 1001], "flow": [5, 7]})
        g = FlowGraph.from_dataframe(df, id_width=5)
        assert list(g.ids) == ["01001", "06037"]

    def test_non_integral_numeric_ids_rejected(self):
        df = pd.DataFrame({"origin": [1.5, 2.0], "destination": [2.0, 1.5], "flow": [1, 1]})
        with pytest.raises(InvalidZonesError, match="non-integral numeric ids"):
            FlowGraph.from_dataframe(df)


class TestBadInput:
    def test_all_problems_in_one_error(self):
        df = pd.DataFrame(
            {
                "origin": ["A", "A", "B", "C", None],
                "destination": ["B", "B", "C", "A", "A"],
                "flow": [1, 2, -3, np.nan, 4],
            }
        )
        with pytest.raises(InvalidODError) as err:
            FlowGraph.from_dataframe(df)
        msg = str(err.value)
        for part in [
            "1 rows without an origin or destination id",
            "1 NaN flows (first: C → A)",
            "1 negative flows (first: B → C)",
            "1 duplicated origin-destination pairs (first: A → B)",
            "duplicates='sum'",
        ]:
            assert part in msg

    @pytest.mark.parametrize(
        "flows, match",
        [
            (["-", "3"], r"1 non-numeric flows \(first: -\)"),
            (["<3", "*"], r"2 non-numeric flows \(first: <3, \*\)"),
            ([np.inf, 1], "1 infinite flows"),
        ],
    )
    def test_bad_flow_values(self, flows, match):
        df = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": flows})
        with pytest.raises(InvalidODError, match=match):
            FlowGraph.from_dataframe(df)

    def test_duplicates_summed_when_asked(self):
        df = pd.DataFrame({"origin": ["A", "A"], "destination": ["B", "B"], "flow": [1, 2]})
        g = FlowGraph.from_dataframe(df, duplicates="sum")
        assert g.matrix[0, 1] == 3
        assert "summed 1 repeated rows" in g.meta["repairs"][0]

    def test_missing_columns(self, toy_df):
        with pytest.raises(InvalidODError, match=r"missing columns \('count'\)"):
            FlowGraph.from_dataframe(toy_df, flow="count")

    def test_empty_table(self, toy_df):
        with pytest.raises(InvalidODError, match="the table is empty"):
            FlowGraph.from_dataframe(toy_df.iloc[:0])

    def test_ids_not_in_zone_table_and_reverse(self, toy_df):
        zones = pd.DataFrame({"population": [1, 2, 9]}, index=["01", "02", "99"])
        with pytest.raises(InvalidODError) as err:
            FlowGraph.from_dataframe(toy_df, zones=zones)
        assert "1 origin/destination ids not in the zone table (first: 03)" in str(err.value)
        assert "1 zone-table ids with no flow (first: 99)" in str(err.value)

    def test_extra_zones_policies(self, toy_df):
        zones = pd.DataFrame({"population": [1, 2, 3, 9]}, index=["01", "02", "03", "99"])
        kept = FlowGraph.from_dataframe(toy_df, zones=zones, extra_zones="keep")
        assert list(kept.ids) == ["01", "02", "03", "99"] and kept.residents[-1] == 0
        dropped = FlowGraph.from_dataframe(toy_df, zones=zones, extra_zones="drop")
        assert list(dropped.ids) == ["01", "02", "03"]

    def test_bad_policy_parameter(self, toy_df):
        with pytest.raises(
            InvalidParameterError,
            match="'duplicates' parameter of FlowGraph.from_dataframe must be one of",
        ):
            FlowGraph.from_dataframe(toy_df, duplicates="mean")

    def test_inputs_not_modified(self, toy_df):
        before = toy_df.copy()
        zones = pd.DataFrame({"population": [1, 2, 3]}, index=["01", "02", "03"])
        zones_before = zones.copy()
        FlowGraph.from_dataframe(toy_df, zones=zones).aggregate(["a", "a", "b"])
        pd.testing.assert_frame_equal(toy_df, before)
        pd.testing.assert_frame_equal(zones, zones_before)


class TestFromMatrix:
    def test_dense_sparse_and_frame_agree(self):
        dense, ids = random_graph()
        a = FlowGraph.from_matrix(dense, ids)
        b = FlowGraph.from_matrix(sp.csr_matrix(dense), ids)
        frame = pd.DataFrame(dense, index=ids, columns=ids)
        shuffled = frame[list(reversed(ids))]  # columns in another order: reordered to rows
        c = FlowGraph.from_matrix(shuffled)
        assert a.equals(b) and a.equals(c)
        np.testing.assert_array_equal(a.matrix.toarray(), dense)

    def test_non_square(self):
        with pytest.raises(InvalidODError, match="must be square, got 2 rows and 3 columns"):
            FlowGraph.from_matrix(np.ones((2, 3)), ["a", "b"])

    def test_frame_with_different_row_and_column_zones(self):
        frame = pd.DataFrame([[1, 2], [3, 4]], index=["a", "b"], columns=["a", "c"])
        with pytest.raises(InvalidODError, match="1 row ids missing from the columns"):
            FlowGraph.from_matrix(frame)

    def test_wrong_number_of_ids_and_negative_values(self):
        with pytest.raises(InvalidODError, match="3 ids for a 2 x 2 matrix"):
            FlowGraph.from_matrix(np.ones((2, 2)), ["a", "b", "c"])
        with pytest.raises(InvalidODError, match="1 negative flows"):
            FlowGraph.from_matrix(np.array([[1, -1], [0, 2]]), ["a", "b"])

    def test_non_numeric_cells(self):
        frame = pd.DataFrame([["1", "x"], ["3", "4"]], index=["a", "b"], columns=["a", "b"])
        with pytest.raises(InvalidODError, match=r"1 non-numeric cells \(first: x\)"):
            FlowGraph.from_matrix(frame)

    def test_zone_table_must_match(self):
        dense, ids = random_graph(n=3)
        with pytest.raises(InvalidZonesError, match="1 zone-table ids not in the matrix"):
            FlowGraph.from_matrix(
                dense, ids, zones=pd.DataFrame({"p": [1, 2, 3, 4]}, index=ids + ["zzz"])
            )


class TestAggregate:
    def test_against_dense_product(self):
        dense, ids = random_graph(n=15, seed=3)
        g = FlowGraph.from_matrix(dense, ids)
        labels = np.array([i % 4 for i in range(15)])
        p = np.zeros((15, 4))
        p[np.arange(15), labels] = 1
        expected = p.T @ dense @ p
        q = g.aggregate(labels)
        np.testing.assert_allclose(q.matrix.toarray(), expected)
        assert q.total == pytest.approx(g.total)  # totals conserved
        np.testing.assert_allclose(q.residents, p.T @ g.residents)
        np.testing.assert_allclose(q.jobs, p.T @ g.jobs)
        assert list(q.ids) == ["0", "1", "2", "3"]
        np.testing.assert_array_equal(q.zones["n_members"], [4, 4, 4, 3])

    def test_labels_as_mapping_in_any_order(self, toy):
        by_series = toy.aggregate(pd.Series({"03": "B", "01": "A", "02": "A"}))
        by_list = toy.aggregate(["A", "A", "B"])
        assert by_series.equals(by_list)
        # A = {01, 02}: internal 50+30+80+10 = 170; B = {03} sends 20 to A
        np.testing.assert_array_equal(by_list.matrix.toarray(), [[170, 0], [20, 0]])

    def test_every_zone_needs_a_label(self, toy):
        with pytest.raises(InvalidZonesError, match="1 zones have no label"):
            toy.aggregate({"01": "A", "02": "A"})
        with pytest.raises(InvalidZonesError, match="1 missing labels"):
            toy.aggregate(["A", None, "B"])

    def test_attributes_summed_and_moe_combined(self):
        df = pd.DataFrame(
            {"o": ["a", "a", "b"], "d": ["a", "b", "c"], "f": [10, 20, 30], "m": [3.0, 4.0, 12.0]}
        )
        zones = pd.DataFrame(
            {"population": [100, 200, 300], "name": ["x", "y", "z"]}, index=["a", "b", "c"]
        )
        g = FlowGraph.from_dataframe(df, "o", "d", "f", moe="m", zones=zones)
        q = g.aggregate({"a": "G", "b": "G", "c": "H"})
        assert q.zones.loc["G", "population"] == 300
        assert "name" not in q.zones.columns  # text attributes do not add up
        # a->a (3) and a->b (4) both fall inside G: sqrt(3^2 + 4^2) = 5
        assert q.moe[0, 0] == pytest.approx(5.0)
        assert q.moe[0, 1] == pytest.approx(12.0)

    def test_geometry_dissolved(self, toy_df):
        geo = gpd.GeoDataFrame(
            {"geometry": [box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)]},
            index=["01", "02", "03"],
            crs="EPSG:3857",
        )
        g = FlowGraph.from_dataframe(toy_df, geometry=geo)
        q = g.aggregate(["A", "A", "B"])
        assert q.geometry.loc["A"].geometry.area == pytest.approx(2.0)
        assert q.crs == geo.crs


class TestSubgraph:
    def test_order_external_flows_and_totals(self, toy):
        s = toy.subgraph(["02", "01"])
        assert list(s.ids) == ["02", "01"]
        # 02 receives 20 from 03, outside the subset
        assert s.zones.loc["02", "inflow_external"] == 20
        # residents stay those of the full graph
        np.testing.assert_array_equal(s.residents, [90, 80])
        assert s.total == 170

    def test_unknown_ids(self, toy):
        with pytest.raises(InvalidZonesError, match="1 ids not in the graph"):
            toy.subgraph(["01", "zz"])


class TestGeometry:
    @pytest.fixture
    def squares(self):
        return gpd.GeoDataFrame(
            {
                "code": ["01", "02", "03"],
                "geometry": [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
            },
            crs="EPSG:4326",
        )

    def test_attach_by_column(self, toy, squares):
        g = toy.with_geometry(squares, id_column="code")
        assert list(g.geometry.index) == ["01", "02", "03"]
        assert "geometry EPSG:4326" in repr(g)

    def test_missing_id_column(self, toy, squares):
        with pytest.raises(InvalidZonesError, match="no id column 'zone_code'"):
            toy.with_geometry(squares, id_column="zone_code")

    def test_missing_crs_and_other_crs(self, toy, squares):
        with pytest.raises(InvalidZonesError, match="missing CRS"):
            toy.with_geometry(squares.set_crs(None, allow_override=True), id_column="code")
        with pytest.raises(InvalidZonesError, match=r"layer in another CRS.*to_crs\('EPSG:5179'\)"):
            toy.with_geometry(squares, id_column="code", crs="EPSG:5179")

    def test_mismatched_ids(self, toy, squares):
        odd = squares.assign(code=["01", "02", "99"])
        with pytest.raises(InvalidZonesError) as err:
            toy.with_geometry(odd, id_column="code")
        assert "1 layer ids not in the graph (first: 99)" in str(err.value)
        assert "1 graph zones without geometry (first: 03)" in str(err.value)
        g = toy.with_geometry(odd, id_column="code", extra="drop", missing="keep")
        assert g.geometry.loc["03"].geometry is None

    def test_repairs_are_recorded_on_the_new_graph_only(self, toy, squares):
        before = toy.replace(meta={**toy.meta, "repairs": ["read 2 suppressed flows as 0"]})
        odd = squares.assign(code=["01", "02", "99"])
        after = before.with_geometry(odd, id_column="code", extra="drop", missing="keep")
        assert before.meta["repairs"] == ["read 2 suppressed flows as 0"]
        assert after.meta["repairs"][0] == "read 2 suppressed flows as 0"
        assert any(r.startswith("dropped 1 zone-layer rows") for r in after.meta["repairs"])
        plain = toy.with_geometry(squares, id_column="code")
        assert "repairs" not in plain.meta or plain.meta["repairs"] == toy.meta.get("repairs")

    def test_to_crs(self, toy, squares):
        g = toy.with_geometry(squares, id_column="code").to_crs(3857)
        assert g.crs.to_epsg() == 3857


class TestConversions:
    def test_networkx(self, toy):
        g = toy.to_networkx()
        assert g.number_of_nodes() == 3 and g.number_of_edges() == 5
        assert g["03"]["02"]["weight"] == 20
        assert toy.to_networkx(self_loops=False).number_of_edges() == 3

    def test_igraph(self, toy):
        g = toy.to_igraph()
        assert g.is_directed() and g.vcount() == 3 and g.ecount() == 5
        assert sum(g.es["weight"]) == 190
        assert g.vs["name"] == ["01", "02", "03"]

    def test_to_frame_round_trip(self, toy):
        assert FlowGraph.from_dataframe(toy.to_frame()).equals(toy)


class TestInvariants:
    def test_immutable(self, toy):
        with pytest.raises(ValueError):
            toy.matrix.data[0] = 1
        z = toy.zones
        z["x"] = 1
        assert "x" not in toy.zones.columns

    def test_row_order_does_not_matter(self, toy_df):
        shuffled = toy_df.sample(frac=1, random_state=7)
        assert FlowGraph.from_dataframe(shuffled).equals(FlowGraph.from_dataframe(toy_df))
