"""Comparison methods: commuting zones, CBSA/CSA, FUA/AAV/UEA, community detection."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import regionalize as rz
from regionalize.compare import adjusted_rand_index
from regionalize.contiguity import Contiguity
from regionalize.methods.community import MissingExtraError, infomap, leiden
from regionalize.methods.fua import functional_urban_areas, urban_employment_areas

# the package re-exports functions with the modules' names: load the modules themselves
cbsa_mod = importlib.import_module("regionalize.methods.cbsa")
cz_mod = importlib.import_module("regionalize.methods.commuting_zones")


def graph(rows, **kw):
    return rz.FlowGraph.from_dataframe(
        pd.DataFrame(rows, columns=["origin", "destination", "flow"]), **kw
    )


def line_contiguity(g):
    ids = list(g.ids)
    n = len(ids)
    adj = sp.csr_array(
        (
            np.ones(2 * (n - 1)),
            (list(range(n - 1)) + list(range(1, n)), list(range(1, n)) + list(range(n - 1))),
        ),
        shape=(n, n),
    )
    return Contiguity.from_sparse(adj, ids)


class TestCommutingZones:
    def test_proportional_flow_by_hand(self):
        m = np.array([[80, 20, 0], [15, 85, 0], [0, 1, 99]], float)
        g = rz.FlowGraph.from_matrix(m, ["a", "b", "c"])
        pf = cz_mod.proportional_flow(g).toarray()
        # a-b: (20 + 15) / min(100, 100) = 0.35; b-c: 1 / min(100, 100) = 0.01
        assert pf[0, 1] == pytest.approx(0.35) and pf[1, 2] == pytest.approx(0.01)
        p = rz.methods.commuting_zones(g)
        # distances 0.65 (a-b) < 0.977 join; c is at 0.99 from b: alone
        assert p.labels.to_dict() == {"a": "b", "b": "b", "c": "c"}
        assert p.areas["centres"].tolist() == [(), ()]

    def test_cutoff_changes_the_cut(self):
        m = np.array([[80, 20, 0], [15, 85, 0], [0, 1, 99]], float)
        g = rz.FlowGraph.from_matrix(m, ["a", "b", "c"])
        # average linkage height of c with {a, b}: (1 + 0.99) / 2 = 0.995
        assert rz.methods.commuting_zones(g, cutoff=0.999).n_areas == 1
        assert rz.methods.commuting_zones(g, cutoff=0.5).n_areas == 3

    def test_runs_above_the_old_limit_without_a_dense_matrix(self):
        # 25,000 zones (the method refused above 20,000): pairs along a ring, each zone
        # keeping 90 of 100 workers; the dense condensed matrix would be 2.5 GB, the sparse
        # linkage traces a few MB (numpy's allocations are traced, numba's are not)
        import tracemalloc

        n = 25_000
        i = np.arange(n)
        m = sp.csr_array(
            (np.r_[np.full(n, 90.0), np.full(n, 10.0)], (np.r_[i, i], np.r_[i, (i + 1) % n])),
            shape=(n, n),
        )
        g = rz.FlowGraph.from_matrix(m, [f"z{k:05d}" for k in range(n)])
        tracemalloc.start()
        try:
            cz = rz.methods.CommutingZones().fit(g)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 200e6
        assert cz.linkage_.shape == (n - 1, 4)
        # neighbours on the ring at PF = 0.1: pairs merge at 0.9, pairs of pairs at
        # (0.9 + 3) / 4 = 0.975 < 0.977, then (0.9 + 15) / 16 = 0.99375: areas of 4 zones
        assert cz.linkage_[: n // 2, 2].tolist() == [0.9] * (n // 2)
        assert cz.linkage_[n // 2 : 3 * n // 4, 2].tolist() == [0.975] * (n // 4)
        assert cz.partition_.areas["n_zones"].tolist() == [4] * (n // 4)

    def test_us_against_1990(self, data_dir):
        g = rz.datasets.load_us_counties(geometry=False)
        p = rz.methods.commuting_zones(g)
        cz = rz.datasets.load_us_commuting_zones_1990()
        common = g.ids.intersection(cz.index)
        ari = adjusted_rand_index(
            p.labels.reindex(common).to_numpy(), cz.reindex(common).to_numpy()
        )
        # 1990 zones from 1990 flows: 741 zones; 2009-2013 flows give fewer, larger ones
        assert 550 <= p.labels.reindex(common).nunique() <= 741
        assert ari > 0.6


class TestCBSA:
    def test_interchange_by_hand(self):
        # areas 0 = {A}, 1 = {B}; A: 100 residents (90 stay, 10 to B), B: 300 (280, 20 to A)
        g = graph([("A", "A", 90), ("A", "B", 10), ("B", "B", 280), ("B", "A", 20)])
        e = cbsa_mod.interchange_between(g, np.array([0, 1]), 2).toarray()
        # A is smaller (100 residents): 10/100 of its residents work in B, and 20 of its
        # 110 jobs are held by B residents: 0.1 + 20/110
        assert e[0, 1] == e[1, 0] == pytest.approx(0.1 + 20 / 110)

    def test_csa_best_tie_only(self):
        # three CBSAs in a row X - Y - Z; Y qualifies with both (X 30%, Z 20%) but combines
        # only with its strongest tie X; Z's only qualifying tie is Y, so Z joins X+Y too
        rows = [
            ("X", "X", 1000),
            ("Y", "Y", 70),
            ("Y", "X", 30),
            ("Z", "Z", 800),
            ("Z", "Y", 5),
            ("Y", "Z", 0.001),
        ]
        g = graph(rows)
        c = line_contiguity(g)
        m = cbsa_mod.CoreBasedAreas(["X", "Y", "Z"], contiguity=c).fit(g)
        table = m.interchange_.set_index(["cbsa_a", "cbsa_b"])
        assert table.loc[("X", "Y"), "interchange"] == pytest.approx(0.30 + 0 / 70, abs=1e-3)
        assert bool(table.loc[("Y", "Z"), "combined"]) is False  # Z: 5/800 + ~0 < 15%
        assert m.csa_.labels.to_dict() == {"X": "X+Y", "Y": "X+Y", "Z": None}
        assert m.csa_.unassigned["Z"] == "its CBSA combines with no adjacent CBSA"

    def test_us_csas_against_2013(self, data_dir):
        g = rz.datasets.load_us_counties()
        official = rz.datasets.load_us_cbsa_2013()
        official = official[official.index.isin(g.ids)]
        m = cbsa_mod.CoreBasedAreas(rz.datasets.us_cbsa_centres(official)).fit(g)
        to_code = {a: official.loc[c[0], "cbsa"] for a, c in m.cbsa_.areas["centres"].items()}
        ours = {code: m.csa_.labels[m.cbsa_.members(a)[0]] for a, code in to_code.items()}
        off = official.drop_duplicates("cbsa").set_index("cbsa")["csa"]

        def partners(mapping):
            groups = {}
            for code, csa in mapping.items():
                if isinstance(csa, str):
                    groups.setdefault(csa, set()).add(code)
            return {
                code: groups[csa] - {code} if isinstance(csa, str) else set()
                for code, csa in mapping.items()
            }

        a, b = partners(ours), partners({c: off.get(c) for c in ours})
        same = np.mean([a[c] == b[c] for c in ours])
        assert len(ours) == 929
        assert same >= 0.70  # 71.3% of CBSAs have exactly their official CSA partners


class TestParameterisations:
    @pytest.fixture
    def region(self):
        # cities P and Q exchange 20% (one polycentric city); V sends 30% to P; W sends
        # 30% to V (second order: not in a FUA, in a UEA)
        rows = [
            ("P", "P", 80),
            ("P", "Q", 20),
            ("Q", "Q", 90),
            ("Q", "P", 10),
            ("V", "V", 70),
            ("V", "P", 30),
            ("W", "W", 70),
            ("W", "V", 30),
        ]
        return graph(rows)

    def test_fua_polycentric_no_chaining(self, region):
        p = functional_urban_areas(region, ["P", "Q"], contiguity=None)
        assert p.labels.to_dict() == {"P": "P+Q", "Q": "P+Q", "V": "P+Q", "W": None}
        apart = functional_urban_areas(region, ["P", "Q"], merge_tau=0.25, contiguity=None)
        assert apart.n_areas == 2

    def test_uea_higher_orders(self, region):
        p = urban_employment_areas(region, [["P", "Q"]])
        assert p.labels["W"] == "P+Q" and p.details.loc["W", "order"] == 2


class TestCommunity:
    @pytest.fixture
    def two_blocks(self):
        rows = [
            (a, b, 10 if (a < "d") == (b < "d") else 1)
            for a in "abcdef"
            for b in "abcdef"
            if a != b
        ]
        return graph(rows)

    @pytest.mark.parametrize("method", [leiden, infomap])
    def test_two_blocks_and_seeds(self, two_blocks, method):
        pytest.importorskip("leidenalg" if method is leiden else "infomap")
        for seed in (0, 3):
            p = method(two_blocks, seed=seed)
            labels = p.labels
            assert labels["a"] == labels["b"] == labels["c"] != labels["d"] == labels["e"]
            assert method(two_blocks, seed=seed).equals(p)

    def test_missing_extra_message(self, two_blocks, monkeypatch):
        import sys

        monkeypatch.setitem(sys.modules, "leidenalg", None)  # import now fails
        with pytest.raises(MissingExtraError, match=r"pip install 'regionalize\[community\]'"):
            leiden(two_blocks)
