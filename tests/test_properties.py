"""Property-based tests (hypothesis) on small random OD tables, for every method.

For each method (``rz.delineate`` and its layers, ``metropolitan_areas``, ``urban_areas``,
``life_zones``, ``dominant_flows`` and ``ttwa``, ``intramax``, ``flowbca``,
``commuting_zones``, ``leiden`` from ``rz.methods``) on 3-25 zones:

- every layer is a valid partition: every zone once, in an area or unassigned with a reason;
- the layers of a Hierarchy nest;
- the same input gives the same output (twice, on rebuilt graphs);
- the result does not depend on the order of the zones, nor on their ids;
- share rules do not change when every flow is multiplied by a constant (methods with
  absolute size thresholds get them scaled too);
- ``FlowGraph.aggregate`` conserves totals, residents, jobs and internal flows.

Invariance tests use flows with a small fractional jitter, so that no two shares are equal:
ties go to zone order by design (DESIGN.md, "never to chance"), and a tie broken by order
is not expected to survive a reordering. Scaling uses powers of two, so that every share is
computed exactly and no rounding flips a comparison.

Budget: see tests/_hypothesis_profiles.py (``HYPOTHESIS_PROFILE=long`` for a longer run).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _hypothesis_profiles import budget
from hypothesis import example, given
from hypothesis import strategies as st

import regionalize as rz
from regionalize.errors import RegionalizeError
from regionalize.methods import commuting_zones, flowbca, intramax, labour_market_areas, leiden


# ---------------------------------------------------------------- random OD tables
@st.composite
def od_tables(draw, *, ties: bool = True, min_n: int = 3, max_n: int = 25):
    """(matrix, ids): a random commuting table, diagonal mostly present, some zones possibly
    without any flow. With ``ties=False`` every flow has a distinct fractional part."""
    n = draw(st.integers(min_n, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    density = draw(st.sampled_from([0.1, 0.25, 0.5, 0.9]))
    isolated = draw(st.integers(0, 2))
    rng = np.random.default_rng(seed)
    m = np.where(rng.random((n, n)) < density, rng.integers(1, 200, (n, n)), 0).astype(float)
    # people working where they live: most zones, often the largest flow
    diag = rng.integers(0, 800, n) * (rng.random(n) < 0.9)
    m[np.arange(n), np.arange(n)] = diag
    # a few hubs attract many commuters
    hubs = rng.choice(n, size=max(1, n // 6), replace=False)
    m[:, hubs] += np.where(
        rng.random((n, len(hubs))) < 0.5, rng.integers(0, 300, (n, len(hubs))), 0
    )
    if isolated:
        gone = rng.choice(n, size=min(isolated, n - 2), replace=False)
        m[gone, :] = 0
        m[:, gone] = 0
    if not ties:
        m = np.where(m > 0, m + rng.permutation(n * n).reshape(n, n) / (4.0 * n * n), 0)
    ids = [f"{i:03d}" for i in range(n)]
    return m, ids


def graph_of(m, ids) -> rz.FlowGraph:
    return rz.FlowGraph.from_matrix(np.array(m, dtype=float), list(ids))


# ---------------------------------------------------------------- the methods
def _layers(h) -> list[rz.Partition]:
    return [h[layer] for layer in h.layers]


def _biggest(g) -> list[str]:
    """The zone with the most jobs (ties: the smallest id): a centre chosen by identity.

    With ties (an all-zero table: every zone has 0 jobs) the choice follows the ids, so a
    test that changes the ids must hand the *same zone* to both runs (see
    :func:`test_zone_ids_do_not_matter`), not choose again on the new ids."""
    jobs = pd.Series(g.jobs, index=g.ids)
    return [str(jobs[jobs == jobs.max()].index.min())]


#: name -> function(graph, scale, centres) -> list of Partitions; ``scale`` multiplies any
#: absolute size threshold (1 unless the flows were scaled); ``centres`` are the given
#: centres of methods that take them (None: chosen by :func:`_biggest`)
METHODS = {
    "delineate": lambda g, c, centres: _layers(rz.delineate(g, tau=0.1)),
    "delineate_given_centre": lambda g, c, centres: _layers(
        rz.delineate(g, centres or _biggest(g), tau=0.05, max_order=2, urban={"min_zones": 2})
    ),
    "metropolitan_areas": lambda g, c, centres: [rz.metropolitan_areas(g, tau=0.1)],
    "urban_areas": lambda g, c, centres: [rz.urban_areas(g, tau=0.2)],
    "life_zones": lambda g, c, centres: [
        rz.life_zones(g, "work", flows=g, population="residents", tau=0.1)
    ],
    "dominant_flows": lambda g, c, centres: [rz.dominant_flows(g)],
    "ttwa": lambda g, c, centres: [labour_market_areas(g, min_size=100 * c, target_size=1000 * c)],
    "intramax": lambda g, c, centres: [intramax(g, k=3)],
    "flowbca": lambda g, c, centres: [flowbca(g)],
    "commuting_zones": lambda g, c, centres: [commuting_zones(g, cutoff=0.9)],
    "leiden": lambda g, c, centres: [leiden(g, seed=0)],
}


def run(name: str, g, scale: float = 1.0, centres: list[str] | None = None):
    """The method's layers, or the RegionalizeError it raised (a clear refusal is a result)."""
    with warnings.catch_warnings():
        # e.g. "Intramax cannot reach k=3 regions: the flows form 5 groups": deliberate
        warnings.simplefilter("ignore", UserWarning)
        try:
            return METHODS[name](g, scale, centres)
        except RegionalizeError as exc:
            return exc


def canon(p: rz.Partition, back: dict[str, str] | None = None):
    """A partition as sets, with ids mapped back to the original ones: (areas with their
    centres, unassigned zones)."""
    back = back or {}
    lab = p.labels
    areas = p.areas
    groups = set()
    for area, members in lab.dropna().groupby(lab.dropna()).groups.items():
        ids = frozenset(back.get(z, z) for z in members)
        centres = frozenset(back.get(z, z) for z in areas.at[area, "centres"])
        groups.add((ids, centres))
    unassigned = frozenset(back.get(z, z) for z in lab.index[lab.isna()])
    return frozenset(groups), unassigned


def outcome(result, back=None):
    if isinstance(result, Exception):
        return type(result).__name__
    return [canon(p, back) for p in result]


NAMES = list(METHODS)

#: methods whose result follows the zone order on purpose, and why
ORDER_DEPENDENT = {
    "ttwa": "TTWA reproduces the reference R code (LabourMarketAreas), whose cluster numbers, "
    "reserve-list order and stale-validity quirk follow the zone order (its sorted "
    "codes): it is invariant to the row order of a long table, which is sorted by id, "
    "but not to the zone order of a matrix or to ids that sort differently",
    "leiden": "Leiden visits the nodes in a random order drawn from its seed over node "
    "positions: a seeded run is reproducible, but another zone order is another "
    "random run (and may find another partition of equal quality)",
}


def _clipped_pairs(g) -> bool:
    """Commuting zones clip ``1 - PF`` at 0 when a pair exchanges more than the smaller
    zone's workers (PF > 1): such pairs tie at distance 0, and average linkage breaks ties
    by zone position (scipy), so the merge order, and the later averages, follow the zones'
    order. Found by the long hypothesis run; expected, not a bug."""
    from regionalize.methods.commuting_zones import proportional_flow

    return bool((proportional_flow(g).data >= 1).any())


#: methods with ties of their own (beyond equal flows) that they break by zone order
TIES_BY_ORDER = {"commuting_zones": _clipped_pairs}


def long_table(m, ids, rng) -> pd.DataFrame:
    """The matrix as a long OD table in random row order."""
    r, c = np.nonzero(m)
    ids = np.asarray(ids, dtype=object)
    df = pd.DataFrame({"origin": ids[r], "destination": ids[c], "flow": m[r, c]})
    return df.iloc[rng.permutation(len(df))].reset_index(drop=True)


# ---------------------------------------------------------------- properties
@pytest.mark.parametrize("name", NAMES)
@given(table=od_tables())
@budget(15)
def test_every_zone_once_in_an_area_or_unassigned_with_a_reason(name, table):
    m, ids = table
    g = graph_of(m, ids)
    result = run(name, g)
    if isinstance(result, Exception):
        assert name == "commuting_zones", result  # needs two zones with flows between them
        return
    for p in result:
        p.validate()
        assert list(p.ids) == ids
        lab = p.labels
        assert list(lab.index) == ids  # every zone once
        un = lab.isna()
        reasons = p.details["reason"]
        assert reasons[un].map(lambda r: isinstance(r, str) and r.strip() != "").all()
        assert reasons[~un].isna().all()
        assert (p.details.loc[~un, "area"].isin(p.areas.index)).all()
        assert p.areas["n_zones"].sum() == int((~un).sum())


@pytest.mark.parametrize("name", ["delineate", "delineate_given_centre"])
@given(table=od_tables())
@budget(20)
def test_hierarchy_layers_nest(name, table):
    m, ids = table
    g = graph_of(m, ids)
    centres = _biggest(g) if name == "delineate_given_centre" else None
    with warnings.catch_warnings():  # an empty layer (all-zero tables) warns, saying why
        warnings.simplefilter("ignore", UserWarning)
        h = rz.delineate(g, centres, tau=0.1)
    assert h.is_nested, h.nesting()
    h.check_nesting()


@pytest.mark.parametrize("name", NAMES)
@given(table=od_tables())
@budget(10)
def test_same_input_same_output(name, table):
    m, ids = table
    a = run(name, graph_of(m, ids))
    b = run(name, graph_of(m.copy(), list(ids)))
    if isinstance(a, Exception):
        assert type(a) is type(b) and str(a) == str(b)
        return
    assert len(a) == len(b)
    for pa, pb in zip(a, b, strict=True):
        assert pa.equals(pb), pa.name


@pytest.mark.parametrize("name", NAMES)
@given(table=od_tables(ties=False), perm_seed=st.integers(0, 2**16))
@budget(10)
def test_zone_order_does_not_matter(name, table, perm_seed):
    m, ids = table
    rng = np.random.default_rng(perm_seed)
    perm = rng.permutation(len(ids))
    g = graph_of(m, ids)
    expected = outcome(run(name, g))
    # the rows of a long table in any order (zones without flows are not in it)
    active = (m.sum(axis=0) + m.sum(axis=1)) > 0
    if active.all():
        from_rows = rz.FlowGraph.from_dataframe(long_table(m, ids, rng))
        assert outcome(run(name, from_rows)) == expected
    if name in ORDER_DEPENDENT:
        return  # see ORDER_DEPENDENT
    if name in TIES_BY_ORDER and TIES_BY_ORDER[name](g):
        return  # see TIES_BY_ORDER
    shuffled = graph_of(m[np.ix_(perm, perm)], [ids[i] for i in perm])
    assert outcome(run(name, shuffled)) == expected


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.skip(reason=ORDER_DEPENDENT[n])) if n == "ttwa" else n
        for n in NAMES
    ],
)  # TTWA: new ids sort in another order (see ORDER_DEPENDENT)
@given(table=od_tables(ties=False))
# found by a random run: all zones tie at 0 jobs, so the given centre is chosen by id
@example(table=(np.zeros((4, 4)), ["000", "001", "002", "003"]))
@budget(10)
def test_zone_ids_do_not_matter(name, table):
    m, ids = table
    # new ids that sort in the opposite order, with other text and no leading zeros
    new = [f"Z{len(ids) - k}" for k in range(len(ids))]
    back = dict(zip(new, ids, strict=True))
    g = graph_of(m, ids)
    # a given centre is the same zone under its new id: choosing it again on the new ids
    # would break a tie (equal jobs) by the new ids and pick another zone
    given = _biggest(g) if name == "delineate_given_centre" else None
    renamed = [new[ids.index(z)] for z in given] if given else None
    assert outcome(run(name, g, centres=given)) == outcome(
        run(name, graph_of(m, new), centres=renamed), back
    )


@pytest.mark.parametrize("name", NAMES)
@given(table=od_tables(ties=False), power=st.sampled_from([-3, -1, 1, 2, 10]))
@budget(10)
def test_scaling_every_flow_changes_nothing(name, table, power):
    m, ids = table
    c = 2.0**power
    # TTWA's minimum and target sizes are numbers of residents: they scale with the flows
    assert outcome(run(name, graph_of(m, ids))) == outcome(run(name, graph_of(m * c, ids), c))


@given(table=od_tables(), k=st.integers(1, 6), seed=st.integers(0, 2**16))
@budget(30)
def test_aggregate_conserves_flows(table, k, seed):
    m, ids = table
    g = graph_of(m, ids)
    groups = np.random.default_rng(seed).integers(0, k, len(ids))
    labels = [f"g{c}" for c in groups]
    q = g.aggregate(labels)
    assert q.total == pytest.approx(g.total)
    assert q.n_zones == len(set(labels))
    by = pd.Series(labels, index=g.ids)
    for attr in ("residents", "jobs"):
        expected = pd.Series(getattr(g, attr), index=g.ids).groupby(by).sum()
        np.testing.assert_allclose(getattr(q, attr), expected.reindex(q.ids).to_numpy())
    same = groups[:, None] == groups[None, :]
    inside = pd.Series((m * same).sum(axis=1), index=g.ids).groupby(by).sum()
    np.testing.assert_allclose(q.internal, inside.reindex(q.ids).to_numpy())
    assert q.zones["n_members"].sum() == g.n_zones
    # aggregating again to one zone keeps everything on its diagonal
    one = q.aggregate(["all"] * q.n_zones)
    assert one.internal[0] == pytest.approx(g.total)
    assert one.zones["n_members"].tolist() == [g.n_zones]  # zones of the original graph


def test_aggregate_of_an_aggregate_counts_original_zones():
    """Regression (found by test_aggregate_conserves_flows): aggregating an aggregated graph
    raised "cannot insert n_members, already exists"."""
    g = graph_of(np.eye(4) * 10, ["a", "b", "c", "d"])
    q = g.aggregate(["x", "x", "y", "y"]).aggregate(["all", "all"])
    assert q.zones["n_members"].tolist() == [4] and q.total == 40
