"""Comparing two partitions of the same zones: our layers, other methods, official tables.

Every measure works from one sparse contingency table. Unassigned zones (missing labels)
count as singletons: they agree with nobody, in either partition.

- :func:`compare` gives everything a planner needs at once (:class:`Comparison`);
- :func:`adjusted_rand_index`, :func:`normalized_mutual_info` and
  :func:`variation_of_information` score the agreement of two labelings of the zones;
- :func:`best_match` pairs every area with the area of the other partition that holds most
  of it; :func:`contingency` is the table behind them all.

The module is callable: ``rz.compare(...)`` is :func:`compare`.

Examples
--------
Zone c is in area Y on one side and in P (with a and b) on the other:

>>> import pandas as pd
>>> ids = ["a", "b", "c", "d", "e"]
>>> ours = pd.Series(["X", "X", "Y", "Y", "Y"], index=ids)
>>> official = pd.Series(["P", "P", "P", "Q", "Q"], index=ids)
>>> rz.compare(ours, official)
<Comparison of 5 zones: ARI 0.167, NMI 0.433, weighted overlap 0.800; 1 zones differ>
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._callable import make_module_callable

if TYPE_CHECKING:
    from .flows import FlowGraph


__all__ = [
    "adjusted_rand_index",
    "normalized_mutual_info",
    "variation_of_information",
    "best_match",
    "compare",
    "contingency",
    "Comparison",
]


def _codes(labels) -> np.ndarray:
    s = pd.Series(labels, copy=False)
    codes, _ = pd.factorize(s, use_na_sentinel=True)
    # unassigned zones (NA) each form a class of their own: they agree with nobody
    na = codes < 0
    codes = codes.astype(np.int64)
    codes[na] = codes.max() + 1 + np.arange(int(na.sum())) if len(codes) else codes[na]
    return codes


def contingency(a, b) -> sp.csr_array:
    """Sparse contingency table of two labelings of the same zones (NA = own singleton).

    Parameters
    ----------
    a, b : array-like
        One label per zone, in the same zone order; any hashable values. A missing label
        (None, NaN: an unassigned zone) is a class of its own.

    Returns
    -------
    scipy.sparse.csr_array
        ``n_a x n_b``: cell ``[i, j]`` counts the zones in the ``i``-th class of ``a`` and
        the ``j``-th class of ``b`` (classes in order of first appearance, then one per
        unassigned zone).

    Raises
    ------
    ValueError
        If ``a`` and ``b`` have different lengths.

    Examples
    --------
    >>> rz.compare.contingency(["X", "X", "Y", "Y", "Y"], ["P", "P", "P", "Q", "Q"]).toarray()
    array([[2., 0.],
           [1., 2.]])
    """
    ca, cb = _codes(a), _codes(b)
    if len(ca) != len(cb):
        raise ValueError("The two partitions must label the same zones.")
    return sp.csr_array((np.ones(len(ca)), (ca, cb)), shape=(ca.max() + 1, cb.max() + 1))


def adjusted_rand_index(a, b) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) of two labelings of the same zones.

    The share of zone pairs on which the two partitions agree (both together, or both
    apart), corrected for chance: 1 for identical partitions, about 0 for unrelated ones,
    negative for less agreement than chance. With ``n_ij`` the cells of the
    :func:`contingency` table, ``a_i`` and ``b_j`` its row and column sums and
    ``C(x) = x (x - 1) / 2``::

        ARI = (sum C(n_ij) - E) / ((sum C(a_i) + sum C(b_j)) / 2 - E),
        E = sum C(a_i) * sum C(b_j) / C(n)

    Parameters
    ----------
    a, b : array-like
        One label per zone, in the same order. Labels may be any hashable values; missing
        labels (unassigned zones) count as singletons.

    Returns
    -------
    float
        The index (1.0 when both partitions have nothing to compare, e.g. one zone).

    See Also
    --------
    regionalize.compare.compare : ARI with the other measures and the zones that differ.

    References
    ----------
    .. [1] Hubert, L. and Arabie, P. (1985). Comparing partitions. Journal of
       Classification 2, 193-218.

    Examples
    --------
    >>> from regionalize.compare import adjusted_rand_index
    >>> adjusted_rand_index(["x", "x", "y", "y"], [1, 1, 2, 2])
    1.0
    >>> round(adjusted_rand_index(["x", "x", "y", "y"], [1, 2, 1, 2]), 3)
    -0.5
    """
    c = contingency(a, b)
    n = c.sum()

    def comb2(x):
        x = np.asarray(x, dtype=float)
        return (x * (x - 1) / 2).sum()

    sum_cells = comb2(c.data)
    sum_a = comb2(np.asarray(c.sum(axis=1)).ravel())
    sum_b = comb2(np.asarray(c.sum(axis=0)).ravel())
    expected = sum_a * sum_b / (n * (n - 1) / 2) if n > 1 else 0.0
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return float((sum_cells - expected) / (maximum - expected))


def _entropies(c: sp.csr_array):
    n = c.sum()
    pa = np.asarray(c.sum(axis=1)).ravel() / n
    pb = np.asarray(c.sum(axis=0)).ravel() / n
    pab = c.data / n

    def h(p):
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())

    ha, hb, hab = h(pa), h(pb), h(pab)
    return ha, hb, hab, ha + hb - hab  # H(A), H(B), H(A,B), I(A;B)


def normalized_mutual_info(a, b, average: str = "arithmetic") -> float:
    """Normalised mutual information ``I(A;B) / mean(H(A), H(B))`` of two labelings.

    ``H(A) = -sum_i p_i log p_i`` is the entropy of the share of zones ``p_i`` in each area
    of ``A`` and ``I(A;B) = H(A) + H(B) - H(A, B)`` what knowing a zone's area in one
    partition tells about its area in the other (natural logs). 1 for identical
    partitions, 0 for independent ones.

    Parameters
    ----------
    a, b : array-like
        One label per zone, in the same order; missing labels count as singletons.
    average : {"arithmetic", "geometric", "min", "max"}
        The mean of ``H(A)`` and ``H(B)`` in the denominator.

    Returns
    -------
    float
        In ``[0, 1]`` (1.0 when both entropies are 0, i.e. one area each).

    See Also
    --------
    regionalize.compare.variation_of_information : A distance on the same entropies.

    References
    ----------
    .. [1] Vinh, N. X., Epps, J. and Bailey, J. (2010). Information theoretic measures for
       clusterings comparison. Journal of Machine Learning Research 11, 2837-2854.

    Examples
    --------
    >>> from regionalize.compare import normalized_mutual_info
    >>> normalized_mutual_info(["x", "x", "y", "y"], [7, 7, 8, 8])
    1.0
    >>> normalized_mutual_info(["x", "x", "y", "y"], [7, 8, 7, 8])
    0.0
    """
    ha, hb, _, mi = _entropies(contingency(a, b))
    denom = {
        "arithmetic": (ha + hb) / 2,
        "geometric": np.sqrt(ha * hb),
        "min": min(ha, hb),
        "max": max(ha, hb),
    }[average]
    if denom == 0:
        return 1.0 if ha == hb else 0.0
    return float(max(0.0, min(1.0, mi / denom)))


def variation_of_information(a, b) -> float:
    """Variation of information ``H(A|B) + H(B|A)`` (Meila 2007), in nats; 0 when equal.

    ``H(A|B) = H(A, B) - H(B)`` is what remains unknown about a zone's area in ``A`` once its
    area in ``B`` is known (entropies as in :func:`normalized_mutual_info`). A true distance
    between partitions: 0 for identical ones, at most ``log(n)`` for ``n`` zones.

    Parameters
    ----------
    a, b : array-like
        One label per zone, in the same order; missing labels count as singletons.

    Returns
    -------
    float
        The variation of information in nats (divide by ``log(2)`` for bits).

    References
    ----------
    .. [1] Meila, M. (2007). Comparing clusterings - an information based distance.
       Journal of Multivariate Analysis 98 (5), 873-895.

    Examples
    --------
    Merging two areas of two zones each loses ``log(2)`` nats:

    >>> from regionalize.compare import variation_of_information
    >>> variation_of_information(["x", "x", "y", "y"], [7, 7, 8, 8])
    0.0
    >>> round(variation_of_information(["x", "x", "y", "y"], [7, 7, 7, 7]), 4)
    0.6931
    """
    ha, hb, hab, mi = _entropies(contingency(a, b))
    return float(max(0.0, ha + hb - 2 * mi))


def best_match(a, b, weights=None) -> pd.DataFrame:
    """For every area of ``a``: the area of ``b`` sharing most of its weight, and the overlap.

    Parameters
    ----------
    a, b : array-like
        One label per zone, in the same order. Unassigned zones (missing labels) of ``a``
        are not an area; in ``b`` they never match.
    weights : array-like, optional
        Weight of every zone (e.g. residents or population); default 1 (zone counts).

    Returns
    -------
    pandas.DataFrame
        Indexed by the areas of ``a`` (sorted; ``area``): ``best_match`` (the area of ``b``
        sharing most weight; ties: the first in sort order; None when the area lies in
        unassigned zones of ``b`` only), ``overlap`` (share of the ``a`` area's weight
        inside its best match), ``reverse`` (share of the best match's weight inside the
        ``a`` area) and ``weight`` (the ``a`` area's weight).

    See Also
    --------
    regionalize.compare.compare : Best matches both ways, with the zones that differ.

    Examples
    --------
    By zone counts Y matches Q; weighted by residents, most of Y lives in zone c, in P:

    >>> from regionalize.compare import best_match
    >>> a, b = ["X", "X", "Y", "Y", "Y"], ["P", "P", "P", "Q", "Q"]
    >>> best_match(a, b)  # doctest: +NORMALIZE_WHITESPACE
         best_match   overlap   reverse  weight
    area
    X             P  1.000000  0.666667     2.0
    Y             Q  0.666667  1.000000     3.0
    >>> best_match(a, b, weights=[10, 10, 50, 20, 20])  # doctest: +NORMALIZE_WHITESPACE
         best_match   overlap   reverse  weight
    area
    X             P  1.000000  0.285714    20.0
    Y             P  0.555556  0.714286    90.0
    """
    sa = pd.Series(np.asarray(a, dtype=object))
    sb = pd.Series(np.asarray(b, dtype=object))
    w = np.ones(len(sa)) if weights is None else np.asarray(weights, dtype=float)
    ok = sa.notna().to_numpy()
    table = pd.DataFrame({"a": sa[ok].to_numpy(), "b": sb[ok].to_numpy(), "w": w[ok]})
    size_a = table.groupby("a")["w"].sum()
    size_b = pd.Series(w, index=sb.index).groupby(sb.to_numpy()).sum()
    cross = table.dropna(subset=["b"]).groupby(["a", "b"])["w"].sum().reset_index()
    cross = cross.sort_values(["a", "w", "b"], ascending=[True, False, True])
    best = cross.drop_duplicates("a").set_index("a")
    out = pd.DataFrame(index=size_a.index)
    out["best_match"] = best["b"].reindex(out.index).astype(object)
    shared = best["w"].reindex(out.index).fillna(0.0)
    out["overlap"] = shared / size_a
    out["reverse"] = shared / size_b.reindex(out["best_match"]).to_numpy()
    out["weight"] = size_a
    out.index.name = "area"
    return out


class Comparison:
    """The result of :func:`regionalize.compare.compare`: summary figures and tables.

    Attributes
    ----------
    summary : dict
        ``zones``, ``areas_a``, ``areas_b``, ``ari`` (:func:`adjusted_rand_index`),
        ``nmi`` (:func:`normalized_mutual_info`), ``vi``
        (:func:`variation_of_information`), ``overlap`` (weighted mean share of each area
        of ``a`` inside its best match in ``b``), ``overlap_reverse`` (the same from ``b``),
        ``zones_differ``, ``zones_only_a`` and ``zones_only_b``.
    areas : pandas.DataFrame
        The :func:`best_match` in ``b`` of every area of ``a``.
    reverse : pandas.DataFrame
        The :func:`best_match` in ``a`` of every area of ``b``.
    differ : pandas.DataFrame
        Zones whose area in ``b`` is not the best match of their area in ``a`` (or assigned
        on one side only), indexed by zone: ``a``, ``b`` and ``a_best_match_in_b``.

    Examples
    --------
    >>> import pandas as pd
    >>> ids = ["a", "b", "c", "d", "e"]
    >>> c = rz.compare(pd.Series(["X", "X", "Y", "Y", "Y"], index=ids),
    ...                pd.Series(["P", "P", "P", "Q", "Q"], index=ids))
    >>> round(c.summary["ari"], 3), c.summary["zones_differ"]
    (0.167, 1)
    >>> c.differ  # doctest: +NORMALIZE_WHITESPACE
          a  b a_best_match_in_b
    zone
    c     Y  P                 Q
    """

    def __init__(
        self, summary: dict, areas: pd.DataFrame, reverse: pd.DataFrame, differ: pd.DataFrame
    ):
        self.summary = summary
        self.areas = areas
        self.reverse = reverse
        self.differ = differ

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<Comparison of {s['zones']} zones: ARI {s['ari']:.3f}, NMI {s['nmi']:.3f}, "
            f"weighted overlap {s['overlap']:.3f}; {s['zones_differ']} zones differ>"
        )


def _strip_dot0(x: str) -> str:
    return x[:-2] if x.endswith(".0") and x[:-2].isdigit() else x


def _id_key(x: str) -> str:
    """An id without a trailing ``.0`` and leading zeros (how codes read as numbers differ
    from the same codes read as text)."""
    x = _strip_dot0(x)
    return (x.lstrip("0") or "0") if x.isdigit() else x


def id_format_hint(only_x, only_y) -> str:
    """A hint when ids found on one side only differ from those on the other only by leading
    zeros or a trailing ``.0`` (codes read as numbers), else ``""``.

    Examples
    --------
    >>> id_format_hint(["1001.0"], ["01001"]).split(":")[0]
    " The ids differ only by a trailing '.0' and leading zeros (e.g. '1001.0' and '01001')"
    """
    by_key = {_id_key(v): v for v in (str(v) for v in list(only_y)[:10_000])}
    pairs = [
        (v, by_key[_id_key(v)])
        for v in (str(v) for v in list(only_x)[:10_000])
        if _id_key(v) in by_key
    ]
    if not pairs:
        return ""
    x, y = pairs[0]
    dot = _strip_dot0(x) != x or _strip_dot0(y) != y
    zeros = any(_strip_dot0(v).lstrip("0") != _strip_dot0(v) for v in (x, y))
    what = " and ".join(w for w, on in (("a trailing '.0'", dot), ("leading zeros", zeros)) if on)
    return (
        f" The ids differ only by {what} (e.g. {x!r} and {y!r}): codes were read as "
        "numbers; read the zone columns as text (dtype=str)"
        + (", padded to their width (str.zfill)." if zeros else ".")
    )


def _check_overlap(
    x: pd.Index, name_x: str, y: pd.Index, name_y: str, min_overlap: float, both: bool = True
) -> int:
    """Refuse two zone sets that share less than ``min_overlap`` of ``x`` (and of ``y`` when
    ``both``): the ids are then almost surely of another form or another zone system."""
    from .errors import InvalidZonesError

    shared = int(x.isin(y).sum())
    low_x = shared < min_overlap * len(x) or len(x) == 0
    low_y = both and (shared < min_overlap * len(y) or len(y) == 0)
    if not (low_x or low_y):
        return shared
    only_x, only_y = x[~x.isin(y)], y[~y.isin(x)]

    def pct(n, d):
        return f"{n / d:.0%}" if d else "none"

    raise InvalidZonesError(
        f"Cannot compare {name_x} and {name_y}: they share {shared:,} zone ids, "
        f"{pct(shared, len(x))} of the {len(x):,} of {name_x}"
        + (f" and {pct(shared, len(y))} of the {len(y):,} of {name_y}" if both else "")
        + f" (compare needs at least {min_overlap:.0%}). Only in {name_x}: "
        f"{len(only_x):,} (first: {', '.join(map(repr, only_x[:3])) or '-'}); only in "
        f"{name_y}: {len(only_y):,} (first: {', '.join(map(repr, only_y[:3])) or '-'})."
        + id_format_hint(only_x, only_y)
        + " Map recoded zones with crosswalk=, or pass min_overlap= to compare anyway."
    )


def _warn_same_zones_written_apart(ia: pd.Index, ib: pd.Index, zones: pd.Index) -> None:
    """Warn when ids that match nothing look like other ids written another way (leading
    zeros lost, a trailing ``.0``): those zones would silently count as unassigned."""
    import warnings

    for idx, side in ((ia, "a"), (ib, "b")):
        only = idx[~idx.isin(zones)]
        if not len(only):
            continue
        others = zones[~zones.isin(idx)]
        hint = id_format_hint(only, others)
        if hint:
            warnings.warn(
                f"compare: {len(only):,} zone ids of {side} match no zone of the reference "
                f"(first: {', '.join(map(repr, only[:3]))}) and count as unassigned, but "
                f"they look like zones written another way.{hint}",
                UserWarning,
                stacklevel=3,
            )


def compare(
    a,
    b,
    *,
    graph: FlowGraph | None = None,
    weights="residents",
    crosswalk=None,
    min_overlap: float = 0.5,
) -> Comparison:
    """Compare two partitions of the same zones (or of zones mapped by a crosswalk).

    Use it to check a layer against an official delineation, another method or an earlier
    run: how much the two agree overall (ARI, NMI, VI), how much of every area lies in its
    best match on the other side (weighted by residents by default), and which zones differ.

    Parameters
    ----------
    a, b : Partition, Series (zone id -> label) or array aligned with ``graph.ids``
        Zone ids are text (integers become their decimal text); a zone listed twice is an
        error.
    graph : FlowGraph, optional
        Gives the zones and the weights; without it, ``a`` and ``b`` must be Series, and
        the zones compared are those of ``a``.
    weights : "residents", "jobs", str, array-like or None
        Weight of every zone in the best-match overlaps: the graph's employed residents or
        jobs, a column of its zone table, one value per zone, or None for zone counts.
        Without a graph, zones count 1 each.
    crosswalk : Series or mapping, optional
        Maps ``b``'s zone ids to ``a``'s (e.g. renamed or recoded zones); zones of ``a``
        with no counterpart in ``b`` are unassigned in ``b``. Zones of ``b`` mapped onto
        one zone of ``a`` must carry the same label.
    min_overlap : float in [0, 1]
        The share of each side's zone ids that must be found on the other side (with a
        graph: among the graph's zones; without: ``a`` against ``b`` both ways). Below it,
        the ids are almost surely of another form (leading zeros lost, codes read as
        ``1001.0``) or of another zone system, and
        :class:`~regionalize.InvalidZonesError` says so with the counts and examples.
        Zones found on one side only are counted in the summary (``zones_only_a``,
        ``zones_only_b``).

    Returns
    -------
    Comparison
        ``summary`` (zones, ARI, NMI, VI, weighted best-match overlap both ways, zones that
        differ, zones found on one side only), ``areas`` (best match of each area of ``a``
        in ``b``), ``reverse`` (each area of ``b`` in ``a``) and ``differ`` (zones whose area
        in ``b`` is not the best match of their area in ``a``, with both labels).

    Raises
    ------
    InvalidZonesError
        Duplicated zone ids, too few shared ids (see ``min_overlap``), or a crosswalk that
        maps zones with different labels onto one zone.

    Warns
    -----
    UserWarning
        When ids that match no zone look like zones written another way (leading zeros
        lost, a trailing ``.0``): they would silently count as unassigned.

    See Also
    --------
    regionalize.compare.best_match : The best match of every area, on its own.
    regionalize.quality.quality : How self-contained one partition is.
    regionalize.evaluate_grouping : Score a proposed grouping against the flows.

    Examples
    --------
    Our metropolitan area takes all three zones; the official table puts c apart. Weighted
    by employed residents, 77% of our area lies in its best match, North:

    >>> import numpy as np
    >>> import pandas as pd
    >>> f = np.array([[80, 15, 5], [10, 60, 0], [5, 5, 40]])
    >>> g = rz.FlowGraph.from_matrix(f, ["a", "b", "c"])
    >>> ours = rz.metropolitan_areas(g, ["a"], tau=0.1)
    >>> official = pd.Series({"a": "North", "b": "North", "c": "South"})
    >>> c = rz.compare(ours, official, graph=g)
    >>> c
    <Comparison of 3 zones: ARI 0.000, NMI 0.000, weighted overlap 0.773; 1 zones differ>
    >>> c.differ  # doctest: +NORMALIZE_WHITESPACE
          a      b a_best_match_in_b
    zone
    c     a  South             North

    Official tables often use other codes: a crosswalk maps them onto our zones (without
    a graph, zones count 1 each):

    >>> codes = pd.Series({"01": "North", "02": "North", "03": "South"})
    >>> rz.compare(ours, codes, crosswalk={"01": "a", "02": "b", "03": "c"})
    <Comparison of 3 zones: ARI 0.000, NMI 0.000, weighted overlap 0.667; 1 zones differ>
    """
    from ._ids import check_unique, normalise_ids
    from .errors import InvalidParameterError, InvalidZonesError, check_parameter
    from .partition import Partition

    min_overlap = check_parameter("compare", "min_overlap", min_overlap, interval=(0, 1))

    def series(x, side: str) -> pd.Series:
        if isinstance(x, Partition):
            return x.labels
        if isinstance(x, pd.Series):
            idx = normalise_ids(x.index, what=f"zone ids of {side}")
            check_unique(idx, f"zone ids of {side}")
            return pd.Series(x.to_numpy(dtype=object), index=idx)
        if graph is None:
            raise InvalidParameterError(
                f"The {side!r} parameter of compare is neither a Partition nor a Series "
                "(zone id -> label); pass graph= to give the zones of a plain array."
            )
        values = np.asarray(x, dtype=object)
        if values.shape != (graph.n_zones,):
            raise InvalidParameterError(
                f"The {side!r} parameter of compare must hold one label per zone of the "
                f"graph ({graph.n_zones:,}) in graph order. Got shape {values.shape} instead."
            )
        return pd.Series(values, index=graph.ids)

    sa, sb = series(a, "a"), series(b, "b")
    if crosswalk is not None:
        cw = pd.Series(crosswalk)
        cw = pd.Series(
            normalise_ids(cw.to_numpy(), what="crosswalk ids (A)").to_numpy(),
            index=normalise_ids(cw.index, what="crosswalk ids (B)"),
        )
        check_unique(cw.index, "crosswalk ids (B)")
        mapped = cw.reindex(sb.index)
        new = np.where(mapped.notna(), mapped.to_numpy(dtype=object), sb.index.to_numpy())
        sb = pd.Series(sb.to_numpy(), index=pd.Index(new, dtype=object))
        if sb.index.has_duplicates:
            labels = sb.astype(object).where(sb.notna(), None)
            conflict = labels.groupby(level=0, sort=False).nunique(dropna=False) > 1
            if conflict.any():
                bad = conflict.index[conflict]
                raise InvalidZonesError(
                    f"Invalid crosswalk: it maps zones of b with different labels onto the "
                    f"same zone of a ({len(bad):,} zones, first: "
                    f"{', '.join(map(repr, bad[:3]))}); compare cannot choose one label. "
                    "Aggregate b's labels to a's zones first."
                )
            sb = sb[~sb.index.duplicated()]
    if graph is not None:
        zones = graph.ids
        for s_, side in ((sa, "a"), (sb, "b")):
            _check_overlap(s_.index, side, zones, "the graph", min_overlap, both=False)
    else:
        zones = sa.index
        _check_overlap(sa.index, "a", sb.index, "b", min_overlap)
    _warn_same_zones_written_apart(sa.index, sb.index, zones)
    la = sa.reindex(zones).astype(object)
    lb = sb.reindex(zones).astype(object)
    la = la.where(la.notna(), None)
    lb = lb.where(lb.notna(), None)
    if weights is None or graph is None:
        w = np.ones(len(zones))
    elif isinstance(weights, str):
        w = np.asarray(
            graph.residents
            if weights == "residents"
            else graph.jobs
            if weights == "jobs"
            else graph.zones[weights],
            dtype=float,
        )
    else:
        w = np.asarray(weights, dtype=float)
    fwd = best_match(la.to_numpy(), lb.to_numpy(), w)
    back = best_match(lb.to_numpy(), la.to_numpy(), w)
    mapped = la.map(fwd["best_match"])
    differ_mask = la.notna() & (mapped.astype(object) != lb.astype(object))
    differ_mask |= la.isna() != lb.isna()
    differ = pd.DataFrame(
        {"a": la[differ_mask], "b": lb[differ_mask], "a_best_match_in_b": mapped[differ_mask]}
    )
    wa = fwd["weight"].sum()
    wb = back["weight"].sum()
    summary = {
        "zones": int(len(zones)),
        "areas_a": int(la.dropna().nunique()),
        "areas_b": int(lb.dropna().nunique()),
        "ari": adjusted_rand_index(la.to_numpy(), lb.to_numpy()),
        "nmi": normalized_mutual_info(la.to_numpy(), lb.to_numpy()),
        "vi": variation_of_information(la.to_numpy(), lb.to_numpy()),
        "overlap": float((fwd["overlap"] * fwd["weight"]).sum() / wa) if wa else float("nan"),
        "overlap_reverse": float((back["overlap"] * back["weight"]).sum() / wb)
        if wb
        else float("nan"),
        "zones_differ": int(differ_mask.sum()),
        "zones_only_a": int((~sa.index.isin(sb.index)).sum()),
        "zones_only_b": int((~sb.index.isin(sa.index)).sum()),
    }
    return Comparison(summary, fwd, back, differ)


# calling the module calls its main function: rz.compare(...)
make_module_callable(__name__)
