"""How stable is a delineation? Resampled flows, parameter sweeps and consensus areas.

Commuting flows are estimates (the ACS publishes a 90% margin of error for every county
pair) or counts that could have come out a little differently. This module redraws the
flows many times, delineates every draw, and reports per zone and per area how often the
result stays the same:

- :func:`resample` draws one perturbed :class:`~regionalize.flows.FlowGraph`
  (Poisson counts, or normal draws from the margins of error);
- :func:`stability` delineates ``runs`` draws and compares each with the baseline (the
  delineation of the unperturbed graph);
- :func:`sweep` delineates the graph over a grid of parameters and builds a consensus
  partition from the co-assignment of zones across the grid.

Runs are independent and seeded from one :class:`numpy.random.SeedSequence`, so they can be
spread over processes (:class:`ProcessExecutor`) or a Dask cluster (:class:`DaskExecutor`)
with results identical to a sequential run.

The module is callable: ``rz.stability(...)`` is :func:`stability`.

Examples
--------
Zone B sends 12 of its 112 workers to the centre S, just above ``tau=0.10``: in one of
three Poisson redraws it falls below and B is left out of the area.

>>> from functools import partial
>>> import pandas as pd
>>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
...         ("B", "B", 90), ("B", "A", 10), ("B", "S", 12)]
>>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
...                                                             "flow"]))
>>> fn = partial(rz.metropolitan_areas, centres=["S"], tau=0.10)
>>> res = rz.stability(g, fn, runs=3, seed=4)
>>> res
<StabilityResult: 3 runs (poisson) of 1 areas over 3 zones; mean zone stability 0.889>
>>> res.zones.loc["B", ["stability", "unassigned"]].round(3).to_dict()
{'stability': 0.667, 'unassigned': 0.333}
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ._callable import make_module_callable
from ._checks import check_graph
from ._executors import (
    MAX_WORKERS,
    DaskExecutor,
    Executor,
    ProcessExecutor,
    SequentialExecutor,
    resolve_executor,
)
from ._memory import check_dense
from .errors import (
    InvalidParameterError,
    RegionalizeError,
    check_parameter,
    check_seed,
    plain_scalar,
)
from .flows import FlowGraph
from .partition import Partition
from .soft_membership import SoftMembership

__all__ = [
    "resample",
    "stability",
    "sweep",
    "StabilityResult",
    "SweepResult",
    "Executor",
    "SequentialExecutor",
    "ProcessExecutor",
    "DaskExecutor",
    "resolve_executor",
    "MAX_WORKERS",
    "UNASSIGNED",
    "UNMATCHED",
]

#: code of an unassigned zone in the ``labels`` of a
#: :class:`~regionalize.stability.StabilityResult`
UNASSIGNED = -1
#: code of a zone in a run area that matches no baseline area
UNMATCHED = -2

_OWNER = "stability"


def _check_callable(owner: str, name: str, fn, form: str, *, allow_none: bool = False):
    if fn is None and allow_none:
        return
    if not callable(fn):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a callable {form}"
            f"{' or None' if allow_none else ''}. Got {type(fn).__name__} instead."
        )


def _check_layer_name(owner: str, layer) -> None:
    if layer is not None and not isinstance(layer, str):
        raise InvalidParameterError(
            f"The 'layer' parameter of {owner} must be a layer name (str) or None. Got "
            f"{layer!r} instead."
        )


def _check_random_seed(owner: str, seed, *, generator: bool = False):
    """A seed numpy takes: None, a non-negative int, a list of them, a SeedSequence (and,
    with ``generator``, a Generator); returned with numpy integers as Python ints."""
    seed = plain_scalar(seed)
    if (
        seed is None
        or isinstance(seed, np.random.SeedSequence)
        or (generator and isinstance(seed, np.random.Generator))
    ):
        return seed
    if isinstance(seed, (list, tuple)) and seed:
        return [check_seed(owner, s, high=None) for s in seed]
    if isinstance(seed, int) and not isinstance(seed, bool):
        return check_seed(owner, seed, high=None)
    also = ", a numpy.random.Generator" if generator else ""
    raise InvalidParameterError(
        f"The 'seed' parameter of {owner} must be a non-negative int, a list of them, a "
        f"numpy.random.SeedSequence{also} or None. Got {seed!r} instead."
    )


# ============================================================================ resampling
def _moe_at(graph: FlowGraph) -> np.ndarray:
    """The margins of error at the stored flows of ``graph.matrix`` (0 where none)."""
    m, moe = graph.matrix, graph.moe
    if (
        moe.shape == m.shape
        and np.array_equal(moe.indptr, m.indptr)
        and np.array_equal(moe.indices, m.indices)
    ):
        return np.asarray(moe.data, float)
    n = m.shape[1]
    moe = sp.csr_array(moe)
    moe.sum_duplicates()  # canonical: sorted indices, so the keys below are sorted
    key_m = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr)) * n + m.indices
    key_e = (
        np.repeat(np.arange(moe.shape[0], dtype=np.int64), np.diff(moe.indptr)) * n + moe.indices
    )
    pos = np.searchsorted(key_e, key_m)
    pos_ok = np.minimum(pos, max(len(key_e) - 1, 0))
    found = (
        (pos < len(key_e)) & (key_e[pos_ok] == key_m) if len(key_e) else np.zeros(len(key_m), bool)
    )
    out = np.zeros(len(key_m))
    out[found] = moe.data[pos_ok[found]]
    return out


#: the largest mean numpy's Poisson generator accepts (a 64-bit count, with a margin)
POISSON_MAX_MEAN = float(np.iinfo(np.int64).max) - 10 * float(np.iinfo(np.int64).max) ** 0.5


def resample(
    graph: FlowGraph, *, method: str = "poisson", seed=None, moe_level: float = 0.90
) -> FlowGraph:
    """One random redraw of the flows of ``graph``.

    Parameters
    ----------
    graph : FlowGraph
    method : {"poisson", "moe"}
        ``"poisson"``: every stored flow ``f`` is replaced by a Poisson count of mean ``f``
        (integer counts; a draw of 0 removes the pair). ``"moe"``: every stored flow is
        replaced by a normal draw of mean ``f`` and standard deviation ``MOE / z``, where
        ``MOE`` is the graph's margin of error for the pair and ``z`` the normal quantile of
        ``moe_level`` (1.645 for the ACS 90% margins); negative draws are clipped to 0 and
        the draws are not rounded.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Passed to :func:`numpy.random.default_rng`.
    moe_level : float in (0, 1)
        Confidence level of the published margins (ACS: 0.90).

    Returns
    -------
    FlowGraph
        Same ids, zone table, geometry, totals columns, margins of error, name and metadata;
        only the matrix changes. Its stored pairs are a subset of those of ``graph``.

    Notes
    -----
    Pairs with no flow stay at zero in both methods: the sources publish no row (and no
    margin) for them, so there is nothing to draw from. A pair with a flow but no margin
    (MOE 0 or missing) keeps its flow under ``"moe"``. The draws are vectorised over the
    stored pairs; the matrix is never densified. Residents/jobs columns supplied as zone
    attributes are kept as they are (they are not flows).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"origin": ["a", "a", "b"], "destination": ["a", "b", "b"],
    ...                    "flow": [100, 20, 50], "moe": [10, 8, 0]})
    >>> g = rz.FlowGraph.from_dataframe(df, moe="moe")
    >>> r = rz.stability.resample(g, method="poisson", seed=1)
    >>> r.ids.equals(g.ids), bool((r.matrix.data == r.matrix.data.round()).all())
    (True, True)
    >>> float(rz.stability.resample(g, method="moe", seed=1).matrix[[1], [1]][0])  # no MOE
    50.0
    """
    check_graph("resample", graph)
    check_parameter("resample", "method", method, allowed=["poisson", "moe"])
    check_parameter("resample", "moe_level", moe_level, interval=(0, 1), closed="neither")
    rng = np.random.default_rng(_check_random_seed("resample", seed, generator=True))
    m = graph.matrix
    flows = np.asarray(m.data, float)
    if method == "poisson":
        # numpy draws Poisson counts as 64-bit integers: means beyond about 9.2e18 cannot be
        # drawn (it raises a bare ValueError "lam value too large")
        if len(flows) and float(flows.max()) > POISSON_MAX_MEAN:
            raise InvalidParameterError(
                f"resample(method='poisson') draws each flow as a count of people, and the "
                f"largest flow ({float(flows.max()):.3g}) is beyond what a Poisson draw can "
                f"hold ({POISSON_MAX_MEAN:.3g}). Check the units of the flows (rescale them "
                "to counts of people), or use method='moe' with margins of error."
            )
        data = rng.poisson(flows).astype(np.float64)
    else:
        if graph.moe is None:
            raise InvalidParameterError(
                "resample(method='moe') needs margins of error, and this graph has none "
                "(build it with FlowGraph.from_dataframe(..., moe='column'), or use "
                "method='poisson')."
            )
        from scipy.stats import norm

        sd = _moe_at(graph) / norm.ppf(0.5 + moe_level / 2)
        data = np.clip(flows + sd * rng.standard_normal(len(flows)), 0.0, None)
    out = sp.csr_array((data, m.indices.copy(), m.indptr.copy()), shape=m.shape)
    out.eliminate_zeros()
    return graph.replace(matrix=out)


# ============================================================================ executors


#: the most worker processes a pool on this machine may start: 32 per core (each is a
#: Python process with its own copy of the graph; far more would exhaust memory and the
#: process table before doing any work)


# ============================================================================ one run
def _as_partition(out, layer: str | None) -> Partition:
    if isinstance(out, Partition):
        return out
    if hasattr(out, "layers") and hasattr(out, "__getitem__"):  # a Hierarchy
        if layer is None:
            raise InvalidParameterError(
                f"delineate_fn returned a Hierarchy with layers {list(out.layers)}: pass "
                "layer= to say which one to assess."
            )
        try:
            return out[layer]
        except KeyError:
            raise InvalidParameterError(
                f"The 'layer' parameter names no layer of the Hierarchy returned by "
                f"delineate_fn ({layer!r}); its layers are {list(out.layers)}."
            ) from None
    raise RegionalizeError(
        f"delineate_fn must return a Partition (or a Hierarchy with layer=). Got "
        f"{type(out).__name__}."
    )


@dataclass(frozen=True)
class _Run:
    """What a worker sends back: area codes per zone (-1 unassigned) and the centre mask."""

    codes: np.ndarray
    centre: np.ndarray
    summary: dict = field(default_factory=dict)


def _run_of(part: Partition, summary=None) -> _Run:
    codes = part.codes().astype(np.int32)
    centre = (part.details["role"] == "centre").to_numpy(dtype=bool)
    extra = dict(summary(part)) if summary is not None else {}
    return _Run(codes, centre, extra)


def _stability_task(seed, *, graph, delineate_fn, method, moe_level, layer):
    g = resample(graph, method=method, seed=seed, moe_level=moe_level)
    return _run_of(_as_partition(delineate_fn(g), layer))


def _sweep_task(params, *, graph, delineate_fn, layer, summary):
    return _run_of(_as_partition(delineate_fn(graph, **params), layer), summary)


# ============================================================================ matching
def _first_per_row(rows, cols, score, n_rows):
    """For each row, the column of highest score (ties: lowest column); -1 for no entry."""
    out = np.full(n_rows, -1, np.int64)
    if len(rows):
        order = np.lexsort((cols, -score, rows))
        r = rows[order]
        first = np.ones(len(r), bool)
        first[1:] = r[1:] != r[:-1]
        out[r[first]] = cols[order][first]
    return out


def _match(run: _Run, base: _Run, n_base: int) -> np.ndarray:
    """Baseline area code of each zone of ``run`` (-1 unassigned, -2 unmatched area).

    A run area is matched to the baseline area that holds most of its central zones as
    central zones, then (ties, or no shared centre) most of its zones; remaining ties go to
    the first baseline area. A run area that shares no zone with any baseline area is
    unmatched.
    """
    rc, bc = run.codes.astype(np.int64), base.codes.astype(np.int64)
    k_run = int(rc.max()) + 1 if len(rc) and rc.max() >= 0 else 0
    both = (rc >= 0) & (bc >= 0)
    n = len(rc) + 1
    score = sp.coo_array(
        (np.where(run.centre & base.centre, n, 1)[both], (rc[both], bc[both])),
        shape=(k_run, max(n_base, 1)),
    ).tocsr()
    score.sum_duplicates()
    coo = score.tocoo()
    best = _first_per_row(
        coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.int64), k_run
    )
    best = np.where(best >= 0, best, UNMATCHED)
    return np.where(rc >= 0, best[np.maximum(rc, 0)] if k_run else UNMATCHED, UNASSIGNED)


def _modal(labels: np.ndarray, n_base: int, prefer: np.ndarray):
    """Per column: the most frequent state and its share. Ties go to ``prefer`` (the
    baseline state), then to the lowest code."""
    runs, n = labels.shape
    shift = 2  # states -2, -1, 0..k-1 -> 0..k+1
    zone = np.tile(np.arange(n), runs)
    counts = sp.coo_array(
        (np.ones(runs * n, np.int64), (zone, labels.ravel() + shift)), shape=(n, n_base + shift)
    ).tocsr()
    counts.sum_duplicates()
    coo = counts.tocoo()
    r, c, v = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.int64)
    tie = (c != prefer[r] + shift).astype(np.int64)
    order = np.lexsort((c, tie, -v, r))
    first = np.ones(len(order), bool)
    first[1:] = r[order][1:] != r[order][:-1]
    modal = np.empty(n, np.int64)
    share = np.empty(n)
    modal[r[order][first]] = c[order][first] - shift
    share[r[order][first]] = v[order][first] / runs
    return modal, share


# ============================================================================ stability
@dataclass
class StabilityResult(SoftMembership):
    """The outcome of :func:`regionalize.stability.stability`.

    Attributes
    ----------
    zones : pandas.DataFrame
        Per zone (graph order): ``baseline`` (baseline area id or None), ``modal`` (the area
        the zone is most often in; None when most often unassigned or in unmatched areas),
        ``stability`` (share of runs in the modal state), ``same`` (share of runs in its
        baseline area; for baseline-unassigned zones, share of runs unassigned),
        ``unassigned`` (share of runs unassigned), ``unmatched`` (share of runs in an area
        matching no baseline area) and ``n_states`` (distinct outcomes seen).
    areas : pandas.DataFrame
        Per baseline area: ``name``, ``n_zones``, ``stability`` and ``same`` (means over its
        baseline zones), ``exists`` (share of runs with a run area matched to it),
        ``jaccard`` (mean over runs of the Jaccard index between its baseline zones and the
        run's zones matched to it; 0 in runs where it does not exist) and ``mean_zones``.
    labels : numpy.ndarray
        ``runs x zones`` baseline area codes (positions in ``areas``) of every zone in
        every run; :data:`UNASSIGNED` (-1) or :data:`UNMATCHED` (-2) otherwise.
    run_codes : numpy.ndarray
        ``runs x zones`` raw area codes of each run's own partition (-1 unassigned).
    baseline : Partition
        The delineation of the unperturbed graph.
    params : dict
        ``runs``, ``method``, ``seed``, ``moe_level``, ``layer``, ``executor``.

    See Also
    --------
    regionalize.plot.plot_choropleth : Map ``zones["stability"]``.

    Examples
    --------
    B, tied to the centre S by a share just above ``tau``, leaves the area in one redraw
    of three:

    >>> from functools import partial
    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
    ...         ("B", "B", 90), ("B", "A", 10), ("B", "S", 12)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                             "flow"]))
    >>> fn = partial(rz.metropolitan_areas, centres=["S"], tau=0.10)
    >>> res = rz.stability(g, fn, runs=3, seed=4)
    >>> res.zones[["baseline", "stability", "unassigned"]]  # doctest: +NORMALIZE_WHITESPACE
         baseline  stability  unassigned
    zone
    A           S   1.000000    0.000000
    B           S   0.666667    0.333333
    S           S   1.000000    0.000000
    >>> res.areas[["n_zones", "exists", "jaccard", "mean_zones"]]  # doctest: +NORMALIZE_WHITESPACE
          n_zones  exists   jaccard  mean_zones
    area
    S           3     1.0  0.888889    2.666667
    >>> res.labels  # one row per run: 0 is area S, -1 unassigned
    array([[ 0,  0,  0],
           [ 0,  0,  0],
           [ 0, -1,  0]], dtype=int32)
    """

    zones: pd.DataFrame
    areas: pd.DataFrame
    labels: np.ndarray
    run_codes: np.ndarray
    baseline: Partition
    params: dict

    def least_stable(self, k: int = 10, *, assigned_only: bool = False) -> pd.DataFrame:
        """The ``k`` zones of lowest stability (ties: lowest ``same``, zone order).

        Parameters
        ----------
        k : int
            How many zones.
        assigned_only : bool
            Only zones in an area of the baseline (leave out the zones that are unassigned
            there, however often they move).

        Returns
        -------
        pandas.DataFrame
            The first ``k`` rows of the ``zones`` table, least stable first.

        Examples
        --------
        >>> from functools import partial
        >>> import pandas as pd
        >>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
        ...         ("B", "B", 90), ("B", "A", 10), ("B", "S", 12)]
        >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
        ...                                                             "destination", "flow"]))
        >>> res = rz.stability(g, partial(rz.metropolitan_areas, centres=["S"]), runs=3, seed=4)
        >>> res.least_stable(2)[["stability", "same", "n_states"]]  # doctest: +NORMALIZE_WHITESPACE
              stability      same  n_states
        zone
        B      0.666667  0.666667         2
        A      1.000000  1.000000         1
        """
        z = self.zones
        if assigned_only:
            z = z[z["baseline"].notna()]
        return z.sort_values(["stability", "same"], kind="stable").head(k)

    def __repr__(self) -> str:
        return (
            f"<StabilityResult: {self.params['runs']} runs ({self.params['method']}) of "
            f"{len(self.areas)} areas over {len(self.zones)} zones; mean zone stability "
            f"{self.zones['stability'].mean():.3f}>"
        )


def _check_runs(runs):
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise InvalidParameterError(
            f"The 'runs' parameter of stability must be a positive int. Got {runs!r} instead."
        )


def stability(
    graph: FlowGraph,
    delineate_fn: Callable,
    *,
    runs: int = 100,
    method: str = "poisson",
    seed=0,
    executor=None,
    layer: str | None = None,
    moe_level: float = 0.90,
) -> StabilityResult:
    """Delineate ``runs`` redraws of the flows and measure how often each zone stays put.

    Parameters
    ----------
    graph : FlowGraph
    delineate_fn : callable
        ``delineate_fn(graph) -> Partition`` (or a Hierarchy, with ``layer``); for instance
        ``functools.partial(rz.metropolitan_areas, centres=..., tau=0.25)``. Must pickle for
        process or Dask executors (no lambdas there).
    runs : int
        Number of redraws.
    method : {"poisson", "moe"}
        How flows are redrawn; see :func:`resample`.
    seed : int or numpy.random.SeedSequence
        Run ``i`` uses the ``i``-th child of ``numpy.random.SeedSequence(seed).spawn(runs)``,
        so the result does not depend on the executor or the number of workers.
    executor : None, "sequential", int, dask.distributed.Client or Executor
        Where runs are computed; see :func:`resolve_executor`.
    layer : str, optional
        The layer to assess when ``delineate_fn`` returns a Hierarchy.
    moe_level : float
        Confidence level of the margins of error (``method="moe"``).

    Returns
    -------
    StabilityResult
        Per-zone and per-area tables, the ``runs x zones`` label matrices and the baseline.

    Notes
    -----
    Area identity across runs. Each run's areas are matched to the baseline areas: a run
    area goes to the baseline area that holds most of its central zones *as central zones*
    (so with given centres an area keeps its identity however its members change), and
    otherwise (no shared centre, e.g. methods without centres) to the baseline area that
    holds most of its zones; remaining ties go to the first baseline area. Several run
    areas may match one baseline area (a split); a run area sharing no zone with any
    baseline area is *unmatched* (code -2). Every zone then has one state per run: a
    baseline area, unassigned, or unmatched. Its *modal* state is the most frequent one
    (ties: the baseline state, then the lowest code), and its stability the share of runs
    in that state; a zone unassigned in every run is stable (stability 1).

    Examples
    --------
    With margins of error of zero every redraw equals the data, so every zone is stable:

    >>> from functools import partial
    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
    ...         ("B", "B", 90), ("B", "A", 10)]
    >>> df = pd.DataFrame(rows, columns=["origin", "destination", "flow"]).assign(moe=0)
    >>> g = rz.FlowGraph.from_dataframe(df, moe="moe")
    >>> fn = partial(rz.metropolitan_areas, centres=["S"], tau=0.05)
    >>> res = rz.stability.stability(g, fn, runs=5, method="moe", seed=0)
    >>> res.zones[["baseline", "stability", "same", "unassigned"]]  # doctest: +NORMALIZE_WHITESPACE
         baseline  stability  same  unassigned
    zone
    A           S        1.0   1.0         0.0
    B           S        1.0   1.0         0.0
    S           S        1.0   1.0         0.0
    >>> res.labels.shape
    (5, 3)
    """
    check_graph(_OWNER, graph)
    _check_callable(_OWNER, "delineate_fn", delineate_fn, "delineate_fn(graph) -> Partition")
    _check_runs(runs)
    runs = int(runs)
    check_parameter(_OWNER, "method", method, allowed=["poisson", "moe"])
    check_parameter(_OWNER, "moe_level", moe_level, interval=(0, 1), closed="neither")
    seed = _check_random_seed(_OWNER, seed)
    _check_layer_name(_OWNER, layer)
    check_dense(
        runs,
        graph.n_zones,
        what=f"stability with runs={runs:,}",
        itemsize=4,
        copies=3,
        fix="Use fewer runs.",
    )
    if method == "moe" and graph.moe is None:
        resample(graph, method="moe")  # raises the explanatory error
    ex = resolve_executor(executor)
    base_part = _as_partition(delineate_fn(graph), layer)
    base = _run_of(base_part)
    n_base = base_part.n_areas
    seeds = (
        seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    ).spawn(runs)
    out = ex.map(
        _stability_task,
        seeds,
        graph=graph,
        delineate_fn=delineate_fn,
        method=method,
        moe_level=moe_level,
        layer=layer,
    )
    run_codes = np.vstack([r.codes for r in out]).astype(np.int32)
    labels = np.vstack([_match(r, base, n_base) for r in out]).astype(np.int32)
    n = graph.n_zones
    bcodes = base.codes.astype(np.int64)

    modal, share = _modal(labels, n_base, bcodes)
    same = (labels == bcodes[None, :]).mean(axis=0)
    unassigned = (labels == UNASSIGNED).mean(axis=0)
    unmatched = (labels == UNMATCHED).mean(axis=0)
    n_states = _n_states(labels)
    area_ids = np.asarray(base_part.areas.index, dtype=object)

    def area_of(codes):
        out = np.full(len(codes), None, dtype=object)
        out[codes >= 0] = area_ids[codes[codes >= 0]]
        return out

    zones = pd.DataFrame(
        {
            "baseline": pd.Series(area_of(bcodes), dtype=object, index=graph.ids),
            "modal": pd.Series(area_of(modal), dtype=object, index=graph.ids),
            "stability": share,
            "same": same,
            "unassigned": unassigned,
            "unmatched": unmatched,
            "n_states": n_states,
        },
        index=pd.Index(graph.ids, name="zone"),
    )

    # per area
    member = bcodes >= 0
    sizes = np.bincount(bcodes[member], minlength=n_base).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_stab = np.bincount(bcodes[member], weights=share[member], minlength=n_base) / sizes
        mean_same = np.bincount(bcodes[member], weights=same[member], minlength=n_base) / sizes
    flat_run = np.repeat(np.arange(runs), n)
    lab = labels.ravel().astype(np.int64)
    assigned = lab >= 0
    key = flat_run[assigned] * n_base + lab[assigned]
    run_size = np.bincount(key, minlength=runs * n_base).reshape(runs, n_base)
    hit = assigned & (lab == np.tile(bcodes, runs))
    inter = np.bincount(flat_run[hit] * n_base + lab[hit], minlength=runs * n_base).reshape(
        runs, n_base
    )
    union = sizes[None, :] + run_size - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union > 0, inter / union, 0.0)
    areas = pd.DataFrame(
        {
            "name": base_part.areas["name"].to_numpy(),
            "n_zones": sizes.astype(np.int64),
            "stability": mean_stab,
            "same": mean_same,
            "exists": (run_size > 0).mean(axis=0) if runs else np.zeros(n_base),
            "jaccard": jac.mean(axis=0),
            "mean_zones": run_size.mean(axis=0),
        },
        index=base_part.areas.index,
    )
    params = {
        "runs": runs,
        "method": method,
        "seed": seed,
        "moe_level": moe_level,
        "layer": layer,
        "executor": repr(ex),
    }
    return StabilityResult(zones, areas, labels, run_codes, base_part, params)


def _n_states(labels: np.ndarray) -> np.ndarray:
    s = np.sort(labels, axis=0)
    return 1 + (s[1:] != s[:-1]).sum(axis=0)


# ============================================================================ sweep
@dataclass
class SweepResult(SoftMembership):
    """The outcome of :func:`regionalize.stability.sweep`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per parameter combination: the parameters, ``n_areas``, ``n_assigned``,
        ``n_unassigned``, ``zones_per_area`` (assigned zones per area, NaN without areas)
        and the columns of the ``summary`` callable.
    consensus : Partition
        Zones grouped by co-assignment across the runs (see :func:`sweep`).
    codes : numpy.ndarray
        ``combinations x zones`` area codes of every run (-1 unassigned).
    coassignment : scipy.sparse.csr_array
        ``zones x zones`` number of runs in which two zones share an area (the diagonal:
        runs in which the zone is assigned).

    Examples
    --------
    At ``tau=0.15`` zone B (12 of its 112 workers go to S) drops out; it still shares the
    area of A and S in two runs of three, enough for the consensus:

    >>> from functools import partial
    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
    ...         ("B", "B", 90), ("B", "A", 10), ("B", "S", 12)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                             "flow"]))
    >>> fn = partial(rz.metropolitan_areas, centres=["S"])
    >>> res = rz.stability.sweep(g, fn, {"tau": [0.05, 0.10, 0.15]})
    >>> res
    <SweepResult: 3 runs; consensus of 1 areas>
    >>> res.coassignment.toarray()  # zones A, B, S
    array([[3, 2, 3],
           [2, 2, 2],
           [3, 2, 3]])
    >>> res.consensus.labels.to_dict()
    {'A': 'S', 'B': 'S', 'S': 'S'}
    """

    table: pd.DataFrame
    consensus: Partition
    codes: np.ndarray
    coassignment: sp.csr_array

    def __repr__(self) -> str:
        return f"<SweepResult: {len(self.table)} runs; consensus of {self.consensus.n_areas} areas>"


def _grid(grid: Mapping[str, Sequence]) -> list[dict]:
    if not isinstance(grid, Mapping) or not grid:
        raise InvalidParameterError(
            "The 'grid' parameter of sweep must be a non-empty mapping {parameter: values}."
        )
    names = list(grid)
    values = []
    for name in names:
        v = grid[name]
        if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
            raise InvalidParameterError(
                f"The grid values of {name!r} must be a list of values. Got {v!r} instead."
            )
        v = list(v)
        if not v:
            raise InvalidParameterError(f"The grid lists no value for {name!r}.")
        values.append(v)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def _consensus(graph, codes, centre, threshold, layer):
    """Consensus partition from the run codes (runs x zones) and centre masks."""
    runs, n = codes.shape
    cols, offset = [], 0
    rows_idx = []
    for r in range(runs):
        c = codes[r].astype(np.int64)
        m = c >= 0
        rows_idx.append(np.flatnonzero(m))
        cols.append(c[m] + offset)
        offset += int(c.max()) + 1 if m.any() else 0
    rr = np.concatenate(rows_idx) if rows_idx else np.zeros(0, np.int64)
    cc = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    h = sp.csr_array((np.ones(len(rr)), (rr, cc)), shape=(n, max(offset, 1)))
    co = (h @ h.T).tocsr()
    co.sum_duplicates()
    need = threshold * runs
    strong = co.copy()
    strong.data = (strong.data >= need - 1e-9).astype(np.float64)
    strong.eliminate_zeros()
    assigned = np.asarray(co.diagonal()) >= need - 1e-9
    _, comp = connected_components(strong, directed=False)
    out = np.where(assigned, comp, -1)
    is_centre = centre.mean(axis=0) >= threshold if runs else np.zeros(n, bool)
    used = np.unique(out[out >= 0])
    groups = [np.flatnonzero((out == u) & is_centre) for u in used]
    centres = groups if all(len(g) for g in groups) else None
    reasons = np.full(n, f"in an area in fewer than {threshold:.0%} of the runs", dtype=object)
    part = Partition.from_codes(
        graph,
        out,
        layer=layer,
        kind="consensus",
        centres=centres,
        reasons=reasons,
        params={"threshold": threshold, "runs": runs},
    )
    co.data = co.data.astype(np.int64)
    return part, co


def sweep(
    graph: FlowGraph,
    delineate_fn: Callable,
    grid: Mapping[str, Sequence],
    *,
    executor=None,
    summary: Callable[[Partition], Mapping] | None = None,
    layer: str | None = None,
    consensus: float = 0.5,
) -> SweepResult:
    """Delineate ``graph`` for every combination of parameters in ``grid``.

    Parameters
    ----------
    graph : FlowGraph
    delineate_fn : callable
        ``delineate_fn(graph, **params) -> Partition`` (or a Hierarchy, with ``layer``),
        e.g. ``functools.partial(rz.metropolitan_areas, centres=[...], max_order=2)``.
    grid : mapping of str to list
        Parameter values; every combination is run (``itertools.product``, in the order of
        the mapping).
    executor : None, "sequential", int, dask.distributed.Client or Executor
        See :func:`resolve_executor`. ``delineate_fn`` and ``summary`` must pickle for
        process or Dask executors.
    summary : callable, optional
        ``summary(partition) -> mapping`` of extra columns for the table (run on the worker).
    layer : str, optional
        The layer to use when ``delineate_fn`` returns a Hierarchy.
    consensus : float in (0, 1]
        Co-assignment share for the consensus partition.

    Returns
    -------
    SweepResult
        ``table`` (one row per combination), ``consensus`` (a Partition), ``codes`` and
        the sparse ``coassignment`` counts.

    Notes
    -----
    Consensus. Two zones are linked when they are in the same area in at least
    ``consensus`` of the runs (counted on the sparse zone x zone co-assignment matrix, which
    only holds pairs that share an area at least once; its size is the sum over runs of the
    squared area sizes). Consensus areas are the connected components of these links among
    the zones assigned in at least ``consensus`` of the runs; the other zones are
    unassigned. Linking is transitive (single linkage), so a chain of strong pairs makes one
    area. Central zones are the zones that are centres in at least ``consensus`` of the runs;
    when some consensus area has none, the consensus has no centres and areas are named
    after their zone with the most jobs.

    Examples
    --------
    >>> from functools import partial
    >>> import pandas as pd
    >>> rows = [("S", "S", 900), ("S", "A", 60), ("A", "A", 130), ("A", "S", 60),
    ...         ("B", "B", 90), ("B", "A", 10)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin", "destination",
    ...                                                             "flow"]))
    >>> fn = partial(rz.metropolitan_areas, centres=["S"])
    >>> res = rz.stability.sweep(g, fn, {"tau": [0.05, 0.10, 0.20]})
    >>> res.table
        tau  n_areas  n_assigned  n_unassigned  zones_per_area
    0  0.05        1           3             0             3.0
    1  0.10        1           3             0             3.0
    2  0.20        1           2             1             2.0
    >>> res.consensus.labels.to_dict()
    {'A': 'S', 'B': 'S', 'S': 'S'}
    """
    check_graph("sweep", graph)
    _check_callable(
        "sweep", "delineate_fn", delineate_fn, "delineate_fn(graph, **params) -> Partition"
    )
    combos = _grid(grid)
    check_parameter("sweep", "consensus", consensus, interval=(0, 1), closed="right")
    _check_callable("sweep", "summary", summary, "summary(partition) -> mapping", allow_none=True)
    _check_layer_name("sweep", layer)
    ex = resolve_executor(executor)
    out = ex.map(
        _sweep_task, combos, graph=graph, delineate_fn=delineate_fn, layer=layer, summary=summary
    )
    codes = np.vstack([r.codes for r in out]).astype(np.int32)
    centre = np.vstack([r.centre for r in out])
    rows = []
    for params, r in zip(combos, out, strict=True):
        k = len(np.unique(r.codes[r.codes >= 0]))
        n_assigned = int((r.codes >= 0).sum())
        rows.append(
            {
                **params,
                "n_areas": k,
                "n_assigned": n_assigned,
                "n_unassigned": len(r.codes) - n_assigned,
                "zones_per_area": n_assigned / k if k else np.nan,
                **r.summary,
            }
        )
    table = pd.DataFrame(rows)
    for name in combos[0]:  # keep None (e.g. max_order=None) as None, not NaN
        values = [c[name] for c in combos]
        if any(v is None for v in values):
            table[name] = pd.Series(values, dtype=object)
    part, co = _consensus(graph, codes, centre, consensus, "consensus")
    return SweepResult(table, part, codes, co)


# calling the module calls its main function: rz.stability(...)
make_module_callable(__name__)
