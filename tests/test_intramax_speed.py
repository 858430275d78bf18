"""The compiled Intramax merge loop (numba) against the pure-Python engine: bit for bit."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import regionalize as rz
from regionalize.methods.intramax import intramax_merges

pytest.importorskip("numba")


def same(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def both(matrix, adjacency=None):
    pc, vc = intramax_merges(matrix, adjacency, compiled=True)
    pp, vp = intramax_merges(matrix, adjacency, compiled=False)
    assert same(pc, pp)
    assert same(vc, vp)
    return pc, vc


def random_case(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 70))
    density = rng.uniform(0.01, 0.6)
    # small integer flows: many exact ties
    m = sp.random_array(
        (n, n),
        density=density,
        rng=rng,
        data_sampler=lambda size: rng.integers(1, 4, size).astype(float),
    ).tocsr()
    if seed % 3 == 0:
        m = m + m.T
    if seed % 4 == 0:
        m.setdiag(rng.integers(0, 3, n).astype(float))
    if seed % 7 == 0:
        m = m * 1e-5  # non-integer flows, other float roundings
    adjacency = None
    if seed % 2 == 1:
        a = sp.random_array((n, n), density=rng.uniform(0.02, 0.5), rng=rng).tocsr()
        if seed % 5 != 0:  # else one-sided adjacency: made symmetric by the engines
            a = a + a.T
        adjacency = sp.csr_array((a != 0).astype(float))
    return m, adjacency


@pytest.mark.parametrize("start", range(0, 400, 50))
def test_compiled_equals_python_on_random_graphs_with_ties(start):
    for seed in range(start, start + 50):
        m, adjacency = random_case(seed)
        both(m, None)
        if adjacency is not None:
            both(m, adjacency)


def test_toy_by_hand():
    # C and D exchange most for their size, then A and B, then the two pairs
    m = np.array([[40, 10, 0, 0], [10, 30, 0, 10], [0, 0, 20, 20], [0, 10, 20, 10]], float)
    pairs, values = both(m)
    assert pairs.tolist() == [[2, 3], [0, 1], [0, 2]]
    o, d = m.sum(axis=1), m.sum(axis=0)
    assert values[0, 0] == 20 / (o[2] * d[3]) + 20 / (o[3] * d[2])
    assert values[:, 1:].tolist() == [[2, 3], [2, 2], [4, 1]]
    # under contiguity A-B, B-C, C-D (a path) A and B still merge second, then AB with CD
    path = sp.csr_array(np.eye(4, k=1) + np.eye(4, k=-1))
    assert both(m, path)[0].tolist() == [[2, 3], [0, 1], [0, 2]]
    # without the edge B-C the two pairs never merge
    cut = sp.csr_array(np.diag([1.0, 0, 1], k=1) + np.diag([1.0, 0, 1], k=-1))
    assert both(m, cut)[0].tolist() == [[2, 3], [0, 1]]


def test_degenerate_inputs():
    for m in (np.zeros((0, 0)), np.zeros((1, 1)), np.ones((1, 1)), np.zeros((3, 3)), np.eye(3)):
        pairs, values = both(m)
        assert pairs.shape == (0, 2) and values.shape == (0, 3)
    pairs, _ = both(np.array([[0.0, 1.0], [0.0, 0.0]]))
    assert pairs.tolist() == [[0, 1]]


def test_duplicate_and_unsorted_entries_summed_in_order():
    # a CSR with repeated, unsorted column indices: both engines add them in stored order
    indptr = np.array([0, 4, 6, 8])
    indices = np.array([2, 1, 2, 1, 0, 0, 1, 0])
    data = np.array([0.1, 0.7, 0.2, 1e-17, 0.3, 0.3, 0.5, 1.0])
    m = sp.csr_array((data, indices, indptr), shape=(3, 3))
    assert not m.has_canonical_format
    both(m)
    both(m, sp.csr_array(np.ones((3, 3))))


def test_units_of_flows_do_not_matter():
    m, adjacency = random_case(11)
    base = both(m, adjacency)
    for scale in (2.0**-600, 3.0, 2.0**600):
        pairs, values = both(m * scale, adjacency)
        assert same(pairs, base[0])


@pytest.mark.parametrize("seed", [0, 1])
def test_synthetic_country_fit_identical(seed, monkeypatch):
    g = rz.synthetic_country(2_000, seed=seed)
    contiguity = g.build_contiguity(islands="nearest")
    for contig in (None, contiguity):
        monkeypatch.setenv("REGIONALIZE_NO_NUMBA", "1")
        slow = rz.methods.Intramax(contiguity=contig).fit(g)
        monkeypatch.delenv("REGIONALIZE_NO_NUMBA")
        fast = rz.methods.Intramax(contiguity=contig).fit(g)
        pd.testing.assert_frame_equal(fast.merges_, slow.merges_, check_exact=True)
        assert same(fast.linkage_, slow.linkage_)
        for k in (1, 10, 200):
            assert fast.cut(k).equals(slow.cut(k))


def test_import_does_not_load_numba_kernel():
    code = (
        "import sys, regionalize, regionalize.methods.intramax; "
        "assert 'regionalize.methods._intramax_kernel' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_input_matrix_left_untouched():
    m, _ = random_case(3)
    m = sp.csr_array(m)
    data, indices = m.data.copy(), m.indices.copy()
    both(m)
    assert same(m.data, data) and same(m.indices, indices)
