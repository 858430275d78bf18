"""The sparse average linkage of commuting zones against scipy's dense one, bit for bit."""

from __future__ import annotations

import importlib
import importlib.util

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.cluster.hierarchy import linkage

import regionalize as rz
from regionalize.methods import _average_linkage as al
from regionalize.methods._average_linkage import average_linkage, nn_chain_python

cz_mod = importlib.import_module("regionalize.methods.commuting_zones")

HAS_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(not HAS_NUMBA, reason="numba is not installed")
PATHS = [pytest.param(True, id="numba", marks=needs_numba), pytest.param(False, id="python")]


def dense_linkage(n, rows, cols, dist):
    """The old path: the condensed matrix, 1 where no pair is given, and scipy."""
    rows, cols = np.minimum(rows, cols), np.maximum(rows, cols)
    d = np.ones(n * (n - 1) // 2)
    d[n * rows - rows * (rows + 1) // 2 + (cols - rows - 1)] = dist
    return linkage(d, method="average")


def random_pairs(rng, n):
    """Pairs i < j with distances in [0, 1], ties forced in most draws."""
    iu, ju = np.triu_indices(n, 1)
    density = rng.choice([0.02, 0.1, 0.3, 0.7, 1.0])
    keep = rng.random(len(iu)) < density
    i, j = iu[keep], ju[keep]
    kind = rng.integers(5)
    if kind == 0:  # continuous: few ties
        d = rng.random(len(i))
    elif kind == 1:  # quarters: ties, 0 and 1 included
        d = rng.integers(0, 5, len(i)) / 4.0
    elif kind == 2:  # 1 - PF from small integers, clipped (PF >= 1 gives 0)
        d = np.clip(1.0 - rng.integers(1, 6, len(i)) / rng.integers(1, 8, len(i)), 0.0, 1.0)
    elif kind == 3:  # a handful of values
        d = rng.choice([0.0, 0.3, 0.5, 0.9, 0.99, 1.0], len(i))
    else:  # all equal: every merge a tie
        d = np.full(len(i), rng.choice([0.0, 0.5, 1.0]))
    if rng.random() < 0.5:  # either order of each pair
        flip = rng.random(len(i)) < 0.5
        i, j = np.where(flip, j, i), np.where(flip, i, j)
    return i, j, d


@pytest.mark.parametrize("numba", PATHS)
def test_equals_scipy_on_random_graphs(numba):
    rng = np.random.default_rng(18)
    for _ in range(1500):
        n = int(rng.integers(2, 80)) if rng.random() < 0.8 else int(rng.integers(80, 201))
        i, j, d = random_pairs(rng, n)
        z = average_linkage(n, i, j, d, numba=numba)
        assert np.array_equal(z, dense_linkage(n, i, j, d)), (n, len(i))


@needs_numba
def test_numba_kernel_repacks_its_pool_and_agrees():
    from regionalize.methods._average_linkage_jit import nn_chain_jit

    rng = np.random.default_rng(7)
    repacked = 0
    for _ in range(60):
        n = int(rng.integers(20, 150))
        i, j, d = random_pairs(rng, n)
        zx, zy, zh, repacks = nn_chain_jit(n, i.astype(np.int32), j.astype(np.int32), d, 1.0)
        repacked += repacks > 0
        keep = d != 1.0
        sym = sp.csr_array(
            (np.r_[d[keep], d[keep]], (np.r_[i[keep], j[keep]], np.r_[j[keep], i[keep]])),
            shape=(n, n),
        )
        px, py, ph = nn_chain_python(n, sym.indptr, sym.indices, sym.data)
        assert zx.tolist() == px and zy.tolist() == py and zh.tolist() == ph
    assert repacked > 10


@pytest.mark.parametrize("numba", PATHS)
def test_hand_checked_toy(numba):
    # 0-1 and 2-3 at 0.2 (a tie), 1-2 at 0.6, the rest at 1. The chain from 0 merges 0, 1
    # (slot 1 lives on: d(1, 2) = (1 + 0.6) / 2 = 0.8); from 1 it goes to 2, then to 3
    # (0.2 < 0.8) and merges 2, 3 (slot 3: d(1, 3) = (0.8 + 1) / 2 = 0.9), then the two.
    z = average_linkage(
        4, np.array([0, 2, 1]), np.array([1, 3, 2]), np.array([0.2, 0.2, 0.6]), numba=numba
    )
    assert z.tolist() == [[0, 1, 0.2, 2], [2, 3, 0.2, 2], [4, 5, 0.9, 4]]
    # nothing given: every pair at 1, merged in slot order
    z = average_linkage(3, np.array([], int), np.array([], int), np.array([]), numba=numba)
    assert z.tolist() == [[0, 1, 1.0, 2], [2, 3, 1.0, 3]]


def random_graph(rng, n):
    """Flows with ties (small integers) or without, zones without residents or flows."""
    density = rng.choice([0.05, 0.2, 0.5])
    if rng.random() < 0.7:
        m = rng.integers(1, 5, (n, n)) * (rng.random((n, n)) < density)
        m[np.diag_indices(n)] = rng.integers(0, 6, n)
    else:
        m = rng.exponential(50.0, (n, n)) * (rng.random((n, n)) < density)
        m[np.diag_indices(n)] = rng.exponential(500.0, n)
    no_residents = rng.random(n) < 0.1  # they only receive
    m[no_residents] = 0
    no_flows = rng.random(n) < 0.05
    m[no_flows] = 0
    m[:, no_flows] = 0
    return rz.FlowGraph.from_matrix(m.astype(float), [f"z{k:03d}" for k in range(n)])


def old_linkage(g):
    """The linkage of the old CommutingZones.fit: proportional_flow, dense, scipy."""
    pos = np.flatnonzero(~((g.inflows == 0) & (g.outflows == 0)))
    pf = cz_mod.proportional_flow(g)[pos][:, pos].tocoo()
    upper = pf.row < pf.col
    d = np.clip(1.0 - pf.data[upper], 0.0, 1.0)
    return dense_linkage(len(pos), pf.row[upper], pf.col[upper], d) if len(pos) > 1 else None


@pytest.mark.parametrize("numba", PATHS)
def test_commuting_zones_equal_the_dense_path(monkeypatch, numba):
    monkeypatch.setattr(al, "use_numba", lambda: numba)
    rng = np.random.default_rng(1990)
    checked = 0
    for _ in range(80):
        g = random_graph(rng, int(rng.integers(3, 60)))
        cutoff = float(rng.choice([0.5, 0.9, 0.977, 1.0]))
        z = old_linkage(g)
        if z is None:  # fewer than two zones with flows: refused
            with pytest.raises(rz.InvalidParameterError):
                cz_mod.CommutingZones(cutoff).fit(g)
            continue
        new = cz_mod.CommutingZones(cutoff).fit(g)
        assert np.array_equal(new.linkage_, z)
        with monkeypatch.context() as m:
            m.setattr(cz_mod, "average_linkage", lambda *args, z=z, **kwargs: z)
            old = cz_mod.CommutingZones(cutoff).fit(g)
        assert new.partition_.equals(old.partition_)
        assert new.tree_.merges.equals(old.tree_.merges)
        assert new.cut(3).equals(old.cut(3))
        checked += 1
    assert checked > 60


def test_runs_on_30k_synthetic_zones_both_paths_agree():
    g = rz.synthetic_country(30_000, seed=1)
    pf = cz_mod.proportional_flow(g).tocoo()
    upper = pf.row < pf.col
    d = np.clip(1.0 - pf.data[upper], 0.0, 1.0)
    slow = average_linkage(g.n_zones, pf.row[upper], pf.col[upper], d, numba=False)
    if HAS_NUMBA:
        fast = average_linkage(g.n_zones, pf.row[upper], pf.col[upper], d, numba=True)
        assert np.array_equal(fast, slow)
    cz = rz.methods.CommutingZones().fit(g)
    assert cz.linkage_.shape == (g.n_zones - 1, 4)
    assert 1 < cz.partition_.n_areas < g.n_zones


def test_environment_switches_numba_off(monkeypatch):
    monkeypatch.setenv("REGIONALIZE_NO_NUMBA", "1")
    assert not al.use_numba()
    monkeypatch.setenv("REGIONALIZE_NO_NUMBA", "0")
    assert al.use_numba() == HAS_NUMBA
