"""The TTWA engine's kernels: numba and numpy twins, and results equal to the engine before
its speed-up (issue 18).

The digests below were taken from the engine as it was before the kernels (numpy on each
zone's small arrays, no numba) on seeded random graphs that reach every reserve-list case
("A" to "F", "initial", "piece"), with integer and fractional flows, contiguity, starting
clusters and ``istat_quirks=False``, and on small synthetic countries. Both kernel paths
must give them: the iteration count, labels, history, reserve list, area table and moves,
every float to the last bit.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import regionalize as rz
from regionalize.contiguity import Contiguity
from regionalize.methods import _ttwa_kernels
from regionalize.methods.ttwa import LabourMarketAreas

TOY = dict(min_size=100, min_sc=0.6, target_size=200, target_sc=0.75)

try:
    import numba  # noqa: F401

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - numba is the optional extra "fast"
    HAVE_NUMBA = False

PATHS = [
    pytest.param(False, id="numpy"),
    pytest.param(
        True, id="numba", marks=pytest.mark.skipif(not HAVE_NUMBA, reason="numba missing")
    ),
]

# digests of the engine before the speed-up, seeds 0..149 and 276 of random_graph
RANDOM = """
a89dcad4d48a 10b684b6a5b9 256fbd38f2c4 d1b4b3c6fba1 2ca6c355587e f51cf2332246 07479f6847ed
a4c4e15646ce 5cccc9955584 fc765db75f3c 4d6cb79c01c5 bfad0cc95ad5 73d41c979771 35ffe8854023
0af3cb64eb47 d2c78c27507f 9d7c204f2e53 83c6862e4971 e449aad7f2fc 8647a4f0b2d0 3498258c6e5e
6d94490afa43 2d2633f22854 4443e362d588 37f726ce68a0 2f0c51f6edd6 fefacef16c21 96f638b0a9ff
26a947ffd864 fc78fdcd51da c160411d1fb8 b4245599286b 61cf04ef53d2 7eaf9c9a6ee6 97a58d1041fe
914c7b37315c ef0d67b52187 acc54840cdbf 9d72a7d96546 19bf23503a0d 8d415d858617 fdf731cc4443
25ab495daf4f a77702071cf9 6da171709c6f 844cc1b20eff 3487d0254067 8a27affc6d80 8fac70ba270c
3bfcb6f49820 1567837b49de b53f56ca4620 fa8cbddbd35e 6ae9c69166d5 c663d2d1b9f3 383dfea59963
6239ac064ca9 afb7e64cc967 7e222c4c2453 adc1c290908c 01c25f394fb5 5c877cb8a8c7 406507cf4363
799545802520 e311162af708 c959f933050b 71c7882ac694 e34da69c464b 5f43d1de15ad 29d84bad4a8e
19be5a3e19ff 9b8f0ced4f52 03fa8fe45b24 07153d73a630 703ad74f56a9 3e08229b044b b6c36134fe6c
5dfed4ac8720 f991fedeb6ed cdcf2a88c8ec 49477a2f94d1 97a7e5f39cf9 da9f7c2cc343 4afaf8b2497b
5c3561e3b487 bdb26219c887 97f2ab537520 cc22b1271657 c957dc71339a d1e91480a097 10e59bf18732
6c2f0082d65d 2d5ecc03e76e 06d5e1e0892e 1fc19e73a5df 2e60a39dd63f f75810f03d22 cd44e8906c61
7ea8633377ed 5d4076702aee 36ada15528f9 164a57ff99ed 80d5df61e0b5 fde9371179ff 80ad59d62294
5e342885abe0 579f3a8d4b33 6a656f19d5c1 c3300166aff8 33e359eeb492 26ef0dccdb35 8773793d16e5
bb44e6f62947 e2679a9beadf 76aeaf3f8bfe bb42c8de38c7 b3e340e4a82d 9c001660b1a0 51a02125206a
ba869dd1d866 17885ef3f030 207bae3292b3 a68b2f27a70c 1a09e6544027 e7f357a9e36e fa45914ccb1a
039afa8a7756 70f0261cdcdf 803661659643 dbdf504f5d93 f5212d3ffad5 32c60d1f75bd 11981314ee9d
1204a318bd93 b0ef731cf0de c295af766743 4ead98238098 a276935028ee 16a4923622ae e5b516ff8c56
c60fd7e8d6e1 b6233a4a7961 92d9ec18d12e a41451865aff 54aaf5cb3364 26171b87d589 d745807622c3
4f095f1941ff 8a67277dcca8 182beda982bf bc4b89cc3b7c
""".split()
SEEDS = [*range(150), 276]

# synthetic_country(600, seed) for seeds 0, 1, 2; Istat 2011 with and without the quirks
SYNTHETIC = [
    "7288e9072d39",
    "923abfe7dc86",
    "e255c7488daf",
    "6ebe1e07423d",
    "cc580ea2179e",
    "b292e648e9c4",
]


def random_graph(seed):
    """4 to 44 zones, heavy-tailed flows (fractional for seeds 1 mod 3), contiguity for
    seeds 2 mod 5, starting clusters for 3 mod 7, no quirks for 3 mod 4."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 45))
    k = max(1, int(rng.uniform(0.05, 0.4) * n * n))
    i, j = rng.integers(0, n, k), rng.integers(0, n, k)
    v = np.floor(rng.pareto(1.2, k) * 20) + 1
    d = np.floor(rng.uniform(0, 150, n))
    rows = np.concatenate([i, np.arange(n)])
    cols = np.concatenate([j, np.arange(n)])
    m = sp.coo_array((np.concatenate([v, d]), (rows, cols)), shape=(n, n)).tocsr()
    m.sum_duplicates()
    if seed % 3 == 1:
        m.data = m.data * rng.uniform(0.3, 1.7, len(m.data))
    ids = [f"z{x:02d}" for x in range(n)]
    g = rz.FlowGraph.from_matrix(m, ids)
    kw = {}
    if seed % 5 == 2:
        a = sp.random_array((n, n), density=0.25, random_state=seed, format="csr")
        a = ((a + a.T) > 0).astype(float)
        a.setdiag(0)
        a.eliminate_zeros()
        kw["contiguity"] = Contiguity.from_sparse(a, ids)
    if seed % 7 == 3:
        lab = rng.integers(0, max(2, n // 4), n).astype(object)
        lab[rng.random(n) < 0.15] = None
        kw["initial"] = pd.Series(lab, index=ids).dropna()
    if seed % 4 == 3:
        kw["istat_quirks"] = False
    return g, kw


def digest(m):
    """Everything a fit returns, floats in hex, hashed."""
    rows = [repr(m.n_iterations_), repr(tuple(m.labels_.items()))]
    for t in (m.history_, m.reserve_, m.partition_.areas, m.moves_.to_frame()):
        t = t.reset_index()
        rows.append(repr(list(t.columns)))
        for r in t.itertuples(index=False):
            rows.append(repr(tuple(x.hex() if isinstance(x, float) else x for x in r)))
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:12]


@pytest.fixture
def path(request, monkeypatch):
    monkeypatch.delenv("REGIONALIZE_NO_NUMBA", raising=False)
    monkeypatch.setattr(_ttwa_kernels, "USE_NUMBA", request.param)
    return request.param


@pytest.mark.parametrize("path", PATHS, indirect=True)
def test_random_graphs_equal_the_engine_before(path):
    got = []
    for seed in SEEDS:
        g, kw = random_graph(seed)
        got.append(digest(LabourMarketAreas(**TOY, **kw).fit(g)))
    bad = [s for s, a, b in zip(SEEDS, got, RANDOM, strict=True) if a != b]
    assert not bad, f"seeds whose result changed: {bad}"


@pytest.mark.parametrize("path", PATHS, indirect=True)
def test_synthetic_countries_equal_the_engine_before(path):
    got = []
    for s in range(3):
        g = rz.synthetic_country(600, seed=s)
        for quirks in (True, False):
            m = LabourMarketAreas(preset="istat2011", istat_quirks=quirks).fit(g)
            got.append(digest(m))
    assert got == SYNTHETIC


def test_the_switch_picks_the_kernels(monkeypatch):
    monkeypatch.delenv("REGIONALIZE_NO_NUMBA", raising=False)
    assert _ttwa_kernels.kernels(False, 10**6) is _ttwa_kernels
    monkeypatch.setattr(_ttwa_kernels, "USE_NUMBA", False)
    assert _ttwa_kernels.kernels(None, 10**6) is _ttwa_kernels
    monkeypatch.setattr(_ttwa_kernels, "USE_NUMBA", None)  # by size
    assert _ttwa_kernels.kernels(None, _ttwa_kernels.NUMBA_MIN_ZONES - 1) is _ttwa_kernels
    if HAVE_NUMBA:
        from regionalize.methods import _ttwa_numba

        assert _ttwa_kernels.kernels(None, _ttwa_kernels.NUMBA_MIN_ZONES) is _ttwa_numba
        assert _ttwa_kernels.kernels(True, 1) is _ttwa_numba


def test_without_numba_the_numpy_kernels_run(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
    assert _ttwa_kernels.kernels(True) is _ttwa_kernels
    g, kw = random_graph(2)
    assert digest(LabourMarketAreas(**TOY, **kw).fit(g)) == RANDOM[2]


def test_the_environment_switch(monkeypatch):
    monkeypatch.setenv("REGIONALIZE_NO_NUMBA", "1")
    assert _ttwa_kernels.kernels(True) is _ttwa_kernels


def test_importing_regionalize_does_not_import_numba():
    code = "import sys, regionalize.methods.ttwa; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.skipif(not HAVE_NUMBA, reason="numba missing")
def test_compiled_sum_is_numpys_pairwise_sum():
    from regionalize.methods._ttwa_numba import psum

    rng = np.random.default_rng(0)
    lengths = [*range(300), 511, 512, 1000, 1031, 4097, 8193, 20000]
    for n in lengths:
        x = rng.random(n + 5) * 10 ** rng.uniform(-3, 6, n + 5)
        lo = int(rng.integers(0, 5))
        assert psum(x, lo, n) == x[lo : lo + n].sum(), n
    # the order matters: one after the other would differ somewhere
    x = rng.random(1000) * 10 ** rng.uniform(-3, 6, 1000)
    assert any(sum(x[:n].tolist()) != x[:n].sum() for n in range(8, 1000))


@pytest.mark.skipif(not HAVE_NUMBA, reason="numba missing")
def test_kernel_twins_on_one_state():
    """detach_choose, order_zone and stale_range of both paths (and the numba source run as
    Python), from the same engine state, with fractional flows and the scratch arrays left
    clean."""
    from regionalize.methods import _ttwa_numba
    from regionalize.methods.ttwa_engine import Engine

    as_python = SimpleNamespace(  # the numba source run as Python
        **{
            k: getattr(_ttwa_numba, k).py_func
            for k in ("detach_choose", "order_zone", "stale_range")
        }
    )
    f = sp.csr_array(rz.synthetic_country(80, seed=1).matrix) * 1.37  # no empty row or column
    n = f.shape[0]
    for z in range(n):
        results = []
        for twin in (_ttwa_kernels, _ttwa_numba, as_python):
            eng = Engine(f, TOY, use_numba=False)
            # a cluster of 5 zones (with z in it for even z), the others alone
            zones = np.array(sorted({(z + k * 3) % n for k in range(z % 2, 6)}), np.int64)
            a = int(eng.label[zones[0]])
            eng.label[zones] = a
            eng.rc[a], eng.wc[a] = eng.rz[zones].sum(), eng.wz[zones].sum()
            o = twin.order_zone(a, zones, eng.tptr, eng.tind, eng.tdat, eng.label, eng.rz, eng.d)
            s = twin.stale_range(
                a, zones, eng.ptr, eng.ind, eng.dat, eng.label, eng.rz, eng.wz, eng.consts
            )
            r = twin.detach_choose(z, a if z % 2 == 0 else -1, *eng.dargs)
            assert (eng.mark == -1).all()
            results.append(
                (
                    int(o),
                    float(s[0]),
                    float(s[1]),
                    *map(float, r),
                    eng.cc.tolist(),
                    eng.label.tolist(),
                )
            )
        assert results[1] == results[0]
        assert results[2] == results[0]
