"""Several vintages (census years) of flows between the same zones, aligned for one delineation.

A :class:`Vintages` holds one :class:`~regionalize.FlowGraph` per vintage, all on one target
zone set in one order. A vintage whose zones changed is brought onto the target zones with a
crosswalk: a table of weights ``W`` (old zone -> target zone, the weights of one old zone
summing to 1, by area or population as the user computed them), applied to the flows as
``W^T F W`` (and to a residents / jobs column as ``W^T R``), which keeps the total.

The methods then combine the vintages each by its own rule: :meth:`Vintages.combine` sums or
averages the flows, optionally keeping only the links seen in at least ``min_years`` of the
vintages (the "link in k of n years" rule for the constraint layers), and
:class:`~regionalize.methods.CommutingZones` averages the dissimilarity ``1 - PF`` over the
vintages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._flow_values import canonical
from ._ids import normalise_ids
from .errors import InvalidParameterError, InvalidZonesError, check_int, check_parameter
from .flows import FlowGraph

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["Vintages", "crosswalk_weights"]

#: tolerance on the sum of the weights of one old zone
WEIGHT_TOLERANCE = 1e-9


def _crosswalk_matrix(
    name: str, graph: FlowGraph, table, target: pd.Index | None
) -> tuple[sp.csr_array, pd.Index]:
    """The ``n_old x n_target`` weight matrix of a crosswalk table, checked."""
    if isinstance(table, Mapping):
        table = pd.DataFrame({"old": list(table.keys()), "new": list(table.values())})
    if not isinstance(table, pd.DataFrame) or not {"old", "new"} <= set(table.columns):
        raise InvalidParameterError(
            f"The crosswalk of vintage {name!r} must be a DataFrame with columns 'old', 'new' "
            "and optionally 'weight' (or a mapping old id -> new id)."
        )
    old = normalise_ids(table["old"], what=f"crosswalk {name!r} old ids")
    new = normalise_ids(table["new"], what=f"crosswalk {name!r} new ids")
    w = (
        table["weight"].to_numpy(dtype=float)
        if "weight" in table.columns
        else np.ones(len(table), dtype=float)
    )
    if not np.isfinite(w).all() or (w < 0).any():
        raise InvalidParameterError(
            f"The crosswalk of vintage {name!r} has negative or missing weights; every weight "
            "must be a number >= 0."
        )
    in_graph = np.asarray(old.isin(graph.ids), dtype=bool)  # rows for other zones: ignored
    absent = graph.ids[~graph.ids.isin(old)]
    if len(absent):
        raise InvalidZonesError(
            f"The crosswalk of vintage {name!r} has no row for {len(absent)} of its zones "
            f"(e.g. {', '.join(map(str, absent[:5]))}); give every zone of the vintage a "
            "target (weight 1 for an unchanged zone)."
        )
    old, new, w = old[in_graph], new[in_graph], w[in_graph]
    sums = pd.Series(w).groupby(old.to_numpy()).sum()
    bad = sums[np.abs(sums.to_numpy() - 1.0) > WEIGHT_TOLERANCE]
    if len(bad):
        shown = ", ".join(f"{k} ({v:g})" for k, v in bad.iloc[:5].items())
        raise InvalidParameterError(
            f"The weights of an old zone must sum to 1 in the crosswalk of vintage {name!r}; "
            f"{len(bad)} zones do not: {shown}. Normalise them per old zone (e.g. the share "
            "of its area or population in each new zone)."
        )
    if target is None:
        targets = pd.Index(pd.unique(new.to_numpy()), dtype=object)
    else:
        unknown = pd.Index(pd.unique(new[~new.isin(target)].to_numpy()))
        if len(unknown):
            raise InvalidZonesError(
                f"The crosswalk of vintage {name!r} maps onto {len(unknown)} ids that are not "
                f"target zones (e.g. {', '.join(map(str, unknown[:5]))}); fix the crosswalk "
                "or add them to `zones`."
            )
        targets = target
    rows = graph.ids.get_indexer(old)
    cols = targets.get_indexer(new)
    wm = sp.csr_array((w, (rows, cols)), shape=(graph.n_zones, len(targets)))
    wm.sum_duplicates()
    return wm, targets


def _apply(graph: FlowGraph, wm: sp.csr_array, ids: pd.Index, name: str) -> FlowGraph:
    """``W^T F W`` with the residents and jobs columns carried as ``W^T R``."""
    n = len(ids)
    zones = pd.DataFrame(index=pd.Index(ids, dtype=object, name="zone"))
    res = job = None
    for col, which in ((graph.residents_column, "residents"), (graph.jobs_column, "jobs")):
        if col is not None:
            zones[which] = wm.T @ graph.zones[col].to_numpy(dtype=float)
            if which == "residents":
                res = which
            else:
                job = which
    meta = {**graph.meta, "vintage": name}
    return FlowGraph(
        canonical(wm.T @ graph.matrix @ wm, n),
        zones.index,
        zones,
        None,
        name=graph.name,
        meta=meta,
        residents=res,
        jobs=job,
    )


class Vintages:
    """Several vintages (years) of flows on one set of zones.

    Parameters
    ----------
    graphs : mapping of str to FlowGraph
        One graph per vintage, in vintage order (e.g. ``{"2001": g01, "2011": g11}``).
    crosswalks : mapping of str to DataFrame, optional
        For the vintages whose zones are not the target zones: a table with columns
        ``old`` (a zone of that vintage), ``new`` (a target zone) and ``weight`` (the
        share of the old zone going to the new one; default 1). Every zone of the vintage
        needs a row and the weights of one old zone must sum to 1 (rows for zones the
        vintage does not have are ignored). The flows become ``W^T F W`` and a residents
        or jobs column ``W^T R``; polygons and other zone columns are not carried over.
        See :func:`crosswalk_weights` for area weights from two polygon layers.
    zones : sequence of str, optional
        The target zones, in order. Default: the zones of the first vintage (after its
        crosswalk), followed by the zones only later vintages have.
    missing : {"error", "keep"}
        A target zone that a vintage does not have: an error (default), or kept with no
        flows in that vintage (recorded in ``missing_zones`` and in the meta of the
        combined graph).

    Attributes
    ----------
    zones : pandas.Index
        The target zones.
    missing_zones : dict
        ``{vintage: [zones added with no flows]}``, for the vintages that lacked some.

    Raises
    ------
    InvalidParameterError
        No graph, a graph that is not a FlowGraph, a crosswalk for an unknown vintage or
        with weights that do not sum to 1.
    InvalidZonesError
        A zone missing from a crosswalk, a crosswalk onto an unknown target, or (with
        ``missing="error"``) a zone present in some vintages only.

    See Also
    --------
    regionalize.methods.CommutingZones : fitted on a Vintages, averages the dissimilarity.
    crosswalk_weights : area weights between two polygon layers.

    References
    ----------
    Mastrosavvas, A. Commuting zones of England and Wales from the 1991, 2001 and 2011
    censuses on harmonised local authority districts (Tolbert-Sizer dissimilarity averaged
    over the three years). https://github.com/amastrosavvas/Commuting-Zones-Flows-EW

    Examples
    --------
    Two years of flows on the same three zones:

    >>> g1 = rz.FlowGraph.from_matrix([[8, 2, 0], [1, 9, 0], [0, 0, 5]], ["a", "b", "c"])
    >>> g2 = rz.FlowGraph.from_matrix([[6, 4, 0], [0, 9, 1], [0, 0, 5]], ["a", "b", "c"])
    >>> v = rz.Vintages({"2001": g1, "2011": g2})
    >>> v
    Vintages(2001, 2011: 3 zones)
    >>> v.combine("mean").matrix.toarray()
    array([[7. , 3. , 0. ],
           [0.5, 9. , 0.5],
           [0. , 0. , 5. ]])
    """

    def __init__(
        self,
        graphs: Mapping[str, FlowGraph],
        *,
        crosswalks: Mapping[str, pd.DataFrame] | None = None,
        zones=None,
        missing: str = "error",
    ):
        check_parameter("Vintages", "missing", missing, allowed=["error", "keep"])
        if not isinstance(graphs, Mapping) or not graphs:
            raise InvalidParameterError(
                "Vintages needs a mapping {vintage name: FlowGraph} with at least one graph."
            )
        names = [str(k) for k in graphs]
        if len(set(names)) != len(names):
            raise InvalidParameterError("Vintage names must be distinct (as strings).")
        for k, g in graphs.items():
            if not isinstance(g, FlowGraph):
                raise InvalidParameterError(
                    f"Vintage {k!r} is a {type(g).__name__}, not a FlowGraph."
                )
        crosswalks = {str(k): v for k, v in (crosswalks or {}).items()}
        unknown = sorted(set(crosswalks) - set(names))
        if unknown:
            raise InvalidParameterError(
                f"crosswalks names vintages that are not given: {unknown}; use the keys of "
                f"`graphs` ({names})."
            )
        target = None if zones is None else normalise_ids(zones, what="target zones")
        if target is not None and target.has_duplicates:
            raise InvalidZonesError("The target `zones` has repeated ids.")
        # each vintage on its own (crosswalked) zones
        own: list[tuple[FlowGraph, sp.csr_array | None, pd.Index]] = []
        for name, g in zip(names, graphs.values(), strict=True):
            if name in crosswalks:
                wm, ids = _crosswalk_matrix(name, g, crosswalks[name], target)
                own.append((g, wm, ids))
            else:
                own.append((g, None, g.ids))
        if target is None:
            seen = pd.Index(own[0][2], dtype=object)
            for _, _, ids in own[1:]:
                seen = seen.append(ids[~ids.isin(seen)])
            target = pd.Index(seen, dtype=object, name="zone")
        self._names = names
        self._zones = pd.Index(target, dtype=object, name="zone")
        self.missing_zones: dict[str, list[str]] = {}
        self._crosswalked = [n for n in names if n in crosswalks]
        self._graphs: list[FlowGraph] = []
        for name, (g, wm, ids) in zip(names, own, strict=True):
            extra = ids[~ids.isin(self._zones)]
            if len(extra):
                raise InvalidZonesError(
                    f"Vintage {name!r} has {len(extra)} zones that are not target zones "
                    f"(e.g. {', '.join(map(str, extra[:5]))}); add them to `zones` or give "
                    "the vintage a crosswalk."
                )
            lacking = self._zones[~self._zones.isin(ids)]
            if len(lacking):
                if missing == "error":
                    raise InvalidZonesError(
                        f"Vintage {name!r} lacks {len(lacking)} of the target zones (e.g. "
                        f"{', '.join(map(str, lacking[:5]))}); give it a crosswalk, or pass "
                        "missing='keep' to keep them with no flows in that vintage."
                    )
                self.missing_zones[name] = [str(z) for z in lacking]
            if wm is None and g.ids.equals(self._zones):
                self._graphs.append(g)  # unchanged: the very graph, polygons included
                continue
            if wm is None and len(lacking) == 0:  # the same zones in another order
                self._graphs.append(g.subgraph(list(self._zones)))
                continue
            if wm is None:  # fewer zones: an identity crosswalk onto the target zones
                wm = sp.csr_array(
                    (np.ones(g.n_zones), (np.arange(g.n_zones), self._zones.get_indexer(g.ids))),
                    shape=(g.n_zones, len(self._zones)),
                )
            elif not ids.equals(self._zones):
                pos = self._zones.get_indexer(ids)
                wm = sp.csr_array(
                    (wm.data, (wm.tocoo().row, pos[wm.tocoo().col])),
                    shape=(g.n_zones, len(self._zones)),
                )
            self._graphs.append(_apply(g, wm, self._zones, name))

    # ------------------------------------------------------------------ views
    @property
    def names(self) -> list[str]:
        """The vintage names, in order.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[8, 2], [1, 9]], ["a", "b"])
        >>> rz.Vintages({"1991": g, "2001": g}).names
        ['1991', '2001']
        """
        return list(self._names)

    @property
    def graphs(self) -> dict[str, FlowGraph]:
        """The aligned graphs ``{vintage: FlowGraph}``, each on :attr:`zones` in that order.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[8, 2], [1, 9]], ["a", "b"])
        >>> h = rz.FlowGraph.from_matrix([[9, 1], [2, 8]], ["b", "a"])
        >>> v = rz.Vintages({"1991": g, "2001": h})
        >>> v.graphs["2001"].ids.tolist(), v.graphs["2001"].matrix.toarray().tolist()
        (['a', 'b'], [[8.0, 2.0], [1.0, 9.0]])
        """
        return dict(zip(self._names, self._graphs, strict=True))

    @property
    def zones(self) -> pd.Index:
        """The target zones (a copy)."""
        return self._zones.copy()

    def __len__(self) -> int:
        return len(self._graphs)

    def __iter__(self):
        return iter(self._graphs)

    def __repr__(self) -> str:
        kept = f"; {len(self.missing_zones)} with zones kept empty" if self.missing_zones else ""
        cw = f"; crosswalked {', '.join(self._crosswalked)}" if self._crosswalked else ""
        return f"Vintages({', '.join(self._names)}: {len(self._zones)} zones{cw}{kept})"

    def meta(self, rule: str, **extra) -> dict:
        """What a result built from these vintages records: the vintages and the rule.

        Parameters
        ----------
        rule : str
            How the vintages were combined (e.g. ``"sum"``, ``"mean dissimilarity"``).
        **extra
            More entries (e.g. ``min_years``).

        Returns
        -------
        dict
            ``vintages`` (names), ``rule``, the extra entries, ``crosswalked`` (the
            vintages brought onto the target zones by a crosswalk) and ``missing_zones``
            when some vintage lacked zones.

        Examples
        --------
        >>> g = rz.FlowGraph.from_matrix([[8, 2], [1, 9]], ["a", "b"])
        >>> rz.Vintages({"1991": g, "2001": g}).meta("sum")
        {'vintages': ['1991', '2001'], 'rule': 'sum', 'crosswalked': []}
        """
        out: dict = {"vintages": list(self._names), "rule": rule, **extra}
        out["crosswalked"] = list(self._crosswalked)
        if self.missing_zones:
            out["missing_zones"] = {k: list(v) for k, v in self.missing_zones.items()}
        return out

    # ------------------------------------------------------------------ combination
    def combine(self, rule: str = "sum", *, min_years: int | None = None) -> FlowGraph:
        """One FlowGraph from the vintages: the flows summed or averaged.

        Parameters
        ----------
        rule : {"sum", "mean"}
            Sum the flows of the vintages (in vintage order), or divide that sum by the
            number of vintages.
        min_years : int, optional
            Keep a link between two different zones only if it has a flow in at least
            ``min_years`` of the vintages ("a link in k of n years"); its flows in the other
            years still count. The flows within a zone (the diagonal) are always kept.

        Returns
        -------
        FlowGraph
            On :attr:`zones`; its ``meta`` has ``vintages``, ``rule`` and ``min_years``
            (see :meth:`meta`). When every vintage has a residents (jobs) column, the
            combined graph has one too, combined by the same rule; the polygons are those
            of the first vintage that has them on the target zones.

        Examples
        --------
        The link a -> b is seen in both years, b -> c in one only:

        >>> g1 = rz.FlowGraph.from_matrix([[8, 2, 0], [1, 9, 0], [0, 0, 5]], ["a", "b", "c"])
        >>> g2 = rz.FlowGraph.from_matrix([[6, 4, 0], [0, 9, 1], [0, 0, 5]], ["a", "b", "c"])
        >>> v = rz.Vintages({"2001": g1, "2011": g2})
        >>> v.combine(min_years=2).matrix.toarray()
        array([[14.,  6.,  0.],
               [ 0., 18.,  0.],
               [ 0.,  0., 10.]])
        >>> v.combine(min_years=2).meta["rule"], v.combine().meta["vintages"]
        ('sum', ['2001', '2011'])
        """
        check_parameter("Vintages.combine", "rule", rule, allowed=["sum", "mean"])
        n_v = len(self._graphs)
        if min_years is not None:
            min_years = check_int(
                "Vintages.combine",
                "min_years",
                min_years,
                low=1,
                high=n_v,
                note=f" (the number of vintages is {n_v})",
            )
        n = len(self._zones)
        total = self._graphs[0].matrix.copy()
        for g in self._graphs[1:]:
            total = total + g.matrix
        if min_years is not None:
            count = sp.csr_array((n, n))
            for g in self._graphs:
                ones = g.matrix.copy()
                ones.data = (ones.data != 0).astype(float)
                count = count + ones
            coo = sp.csr_array(total).tocoo()
            cnt = sp.csr_array(count)[coo.row, coo.col]
            keep = (coo.row == coo.col) | (np.asarray(cnt).ravel() >= min_years)
            total = sp.csr_array((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=(n, n))
        if rule == "mean":
            total = total / n_v
        zones = pd.DataFrame(index=self._zones)
        res = job = None
        for attr, col in (("residents_column", "residents"), ("jobs_column", "jobs")):
            if all(getattr(g, attr) is not None for g in self._graphs):
                vals = [g.zones[getattr(g, attr)].to_numpy(dtype=float) for g in self._graphs]
                acc = vals[0].copy()
                for v in vals[1:]:
                    acc = acc + v
                zones[col] = acc / n_v if rule == "mean" else acc
                if col == "residents":
                    res = col
                else:
                    job = col
        geometry = next((g.geometry for g in self._graphs if g.geometry is not None), None)
        meta = self.meta(rule, min_years=min_years)
        name = "+".join(self._names)
        return FlowGraph(
            canonical(total, n),
            self._zones,
            zones,
            geometry,
            name=name,
            meta=meta,
            residents=res,
            jobs=job,
        )


def crosswalk_weights(
    old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, *, weight: str = "area"
) -> pd.DataFrame:
    """Area weights from the polygons of old zones onto new ones (a crosswalk table).

    Parameters
    ----------
    old, new : geopandas.GeoDataFrame
        The zone polygons of a vintage and of the target zones, indexed by zone id, in the
        same projected CRS (areas are measured in it).
    weight : {"area"}
        The share of each old zone's area lying in each new zone. For population weights,
        overlay a finer population layer yourself and give the shares as ``weight``.

    Returns
    -------
    pandas.DataFrame
        Columns ``old``, ``new``, ``weight`` (the weights of one old zone sum to 1), ready
        for ``Vintages(crosswalks={vintage: table})``. Old zones that overlap no new zone
        are left out (the crosswalk check then names them).

    Examples
    --------
    Zone ``x`` of the old layer is split in halves ``x1`` and ``x2``:

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> old = gpd.GeoDataFrame(geometry=[box(0, 0, 2, 1), box(2, 0, 3, 1)], index=["x", "y"],
    ...                        crs=3035)
    >>> new = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
    ...                        index=["x1", "x2", "y"], crs=3035)
    >>> rz.crosswalk_weights(old, new)
      old new  weight
    0   x  x1     0.5
    1   x  x2     0.5
    2   y   y     1.0
    """
    import geopandas as gpd

    check_parameter("crosswalk_weights", "weight", weight, allowed=["area"])
    a = gpd.GeoDataFrame({"old": normalise_ids(old.index)}, geometry=old.geometry.values)
    a = a.set_crs(old.crs, allow_override=True)
    b = gpd.GeoDataFrame({"new": normalise_ids(new.index)}, geometry=new.geometry.values)
    b = b.set_crs(new.crs, allow_override=True)
    if a.crs is not None and b.crs is not None and a.crs != b.crs:
        b = b.to_crs(a.crs)
    pieces = gpd.overlay(a, b, how="intersection", keep_geom_type=True)
    pieces["area"] = pieces.geometry.area
    pieces = pieces[pieces["area"] > 0]
    tab = pieces.groupby(["old", "new"], sort=False)["area"].sum().reset_index()
    tab["weight"] = tab["area"] / tab.groupby("old")["area"].transform("sum")
    order = {z: i for i, z in enumerate(a["old"])}
    tab = tab.sort_values(["old", "new"], key=lambda s: s.map(order) if s.name == "old" else s)
    return tab[["old", "new", "weight"]].reset_index(drop=True)
