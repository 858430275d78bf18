"""FlowGraph: the one representation of origin-destination flows in regionalize.

A :class:`FlowGraph` is a square ``scipy.sparse`` CSR matrix of flows (rows are origins,
i.e. places of residence; columns are destinations, i.e. places of work), an index of zone
ids (strings, leading zeros kept), a table of zone attributes and, optionally, the zone
polygons. It never densifies its matrix, and it never changes after it is made: every
method that "changes" a FlowGraph returns a new one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._ids import (
    check_collisions,
    check_unique,
    leading_zero_hint,
    merged_note,
    normalise_column,
    normalise_ids,
)
from .errors import Fix, InvalidODError, InvalidZonesError, Problems, check_parameter, says

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import igraph
    import networkx as nx

__all__ = ["FlowGraph"]


def _readonly(a: sp.csr_array) -> sp.csr_array:
    for arr in (a.data, a.indices, a.indptr):
        arr.flags.writeable = False
    return a


def _canonical(m, n: int) -> sp.csr_array:
    """A float64 CSR array with summed duplicates, sorted indices and no stored zeros."""
    m = sp.csr_array(m, dtype=np.float64, shape=(n, n), copy=True)
    m.sum_duplicates()
    m.eliminate_zeros()
    m.sort_indices()
    return m


def _examples_from_mask(rows, cols, ids, mask, limit=3):
    idx = np.flatnonzero(mask)[:limit]
    return [f"{ids[rows[k]]} → {ids[cols[k]]}" for k in idx]


#: cells statistics offices publish instead of a number when a flow is suppressed, masked
#: or not available: "", "-", "–", "—", "*", "**", ".", "..", "...", "x", "X", ":", "c",
#: "(c)", "n/a", "NA" and "<N" (fewer than N). ``suppressed="zero"`` reads them as 0.
SUPPRESSED_PATTERN = (r"\s*(?:|[-–—]|\*{1,3}|\.{1,3}|[xX]|:|[cC]|\([cC]\)|[nN]/?[aA]"
                      r"|<\s*=?\s*\d+(?:[.,]\d+)?)\s*")

_NAN_FIX = says("Fill or drop missing flows before building the graph, or pass {} "
                "if empty cells are suppressed small flows.", Fix("suppressed", "zero"))
_SUPPRESSED_FIX = says("Pass {} to read suppression markers ('-', '*', '..', 'x', '<3', "
                       "empty) as no flow, or clean the cells before loading.",
                       Fix("suppressed", "zero"))
_COMMA_THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3}(,\d{3})+(\.\d+)?\s*$")


def _text_number_fix(examples, default):
    """The fix for non-numeric cells: numbers written with ',' between thousands
    ('16,171.5') need ``thousands=','``; anything else gets ``default``."""
    shown = [str(e) for e in examples]
    if shown and all(_COMMA_THOUSANDS.match(e) for e in shown):
        return says("They are numbers written with ',' between thousands: pass {}.",
                    Fix("thousands", ","))
    return default


#: above this share of rows repeating a pair (and at least DUPLICATE_MIN_WARN rows), the ids
#: are probably incomplete
DUPLICATE_SHARE_WARN = 0.25
DUPLICATE_MIN_WARN = 20

_COLUMNS_FIX = says("Pass the right names with {}, {}, {}.", Fix("origin"), Fix("destination"),
                    Fix("flow"))


def _check_values(data: np.ndarray, rows, cols, ids, problems: Problems, what="flows") -> None:
    nan = np.isnan(data)
    problems.add(f"NaN {what}", _examples_from_mask(rows, cols, ids, nan), count=int(nan.sum()),
                 fix=_NAN_FIX if what == "flows" else "Fill or drop missing values first.")
    neg = data < 0
    problems.add(f"negative {what}", _examples_from_mask(rows, cols, ids, neg),
                 count=int(neg.sum()), fix="Flows are counts of people and cannot be negative.")
    inf = np.isinf(data)
    problems.add(f"infinite {what}", _examples_from_mask(rows, cols, ids, inf),
                 count=int(inf.sum()))


def _indicator(codes: np.ndarray, k: int) -> sp.csr_array:
    n = len(codes)
    return sp.csr_array((np.ones(n), (np.arange(n), codes)), shape=(n, k))


#: cache entries that depend on the zone polygons only (shared by graphs with the same ones)
_GEOMETRY_CACHE_KEYS = frozenset({"contiguity", "exterior_zones"})


class FlowGraph:
    """Origin-destination flows between zones, as a sparse matrix with zone ids and attributes.

    Build one with :meth:`from_dataframe` (a long table: one row per origin-destination
    pair) or :meth:`from_matrix` (a square matrix, dense or sparse), or with a loader from
    :mod:`regionalize.datasets`. Rows are origins (residence), columns destinations (work).

    Parameters
    ----------
    Use the ``from_*`` constructors; ``__init__`` trusts its arguments and is not API.

    Attributes
    ----------
    matrix : scipy.sparse.csr_array
        ``n x n`` float64 flows, read-only, no stored zeros.
    ids : pandas.Index
        Zone ids as strings, in matrix order.
    zones : pandas.DataFrame
        Zone attributes indexed by id (a copy).
    geometry : geopandas.GeoDataFrame or None
        Zone geometries indexed by id (a copy); ``None`` when no zone layer was attached.
    name : str or None
    meta : mapping
        Provenance and quirks recorded by readers and loaders (read-only).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"origin": ["01", "01", "02", "02", "03"],
    ...                    "destination": ["01", "02", "02", "01", "02"],
    ...                    "flow": [50, 30, 80, 10, 20]})
    >>> g = rz.FlowGraph.from_dataframe(df)
    >>> g
    <FlowGraph of 3 zones and 5 flows (total 190; diagonal present)>
    >>> g.residents, g.jobs, g.internal
    (array([80., 90., 20.]), array([ 60., 130.,   0.]), array([50., 80.,  0.]))
    >>> g.aggregate({"01": "A", "02": "A", "03": "B"}).matrix.toarray()
    array([[170.,   0.],
           [ 20.,   0.]])
    """

    __slots__ = ("_matrix", "_ids", "_zones", "_geometry", "_moe", "_name", "_meta",
                 "_residents_col", "_jobs_col", "_cache")

    def __init__(
        self,
        matrix: sp.csr_array,
        ids: pd.Index,
        zones: pd.DataFrame | None = None,
        geometry: gpd.GeoDataFrame | None = None,
        *,
        moe: sp.csr_array | None = None,
        name: str | None = None,
        meta: Mapping[str, Any] | None = None,
        residents: str | None = None,
        jobs: str | None = None,
    ):
        self._matrix = _readonly(matrix)
        self._ids = ids
        self._zones = zones if zones is not None else pd.DataFrame(index=ids)
        self._geometry = geometry
        self._moe = _readonly(moe) if moe is not None else None
        self._name = name
        self._meta = dict(meta or {})
        self._residents_col = residents
        self._jobs_col = jobs
        self._cache: dict[Any, Any] = {}

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        origin: str = "origin",
        destination: str = "destination",
        flow: str = "flow",
        *,
        moe: str | None = None,
        zones: pd.DataFrame | None = None,
        zone_id: str | None = None,
        geometry: gpd.GeoDataFrame | None = None,
        geometry_id: str | None = None,
        duplicates: str = "error",
        extra_zones: str = "error",
        id_width: int | None = None,
        suppressed: str = "error",
        id_collisions: str = "error",
        residents: str | None = None,
        jobs: str | None = None,
        name: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> FlowGraph:
        """Build a FlowGraph from a long table with one row per origin-destination pair.

        Parameters
        ----------
        df : pandas.DataFrame
            The OD table; it is not modified.
        origin, destination, flow : str
            Column names of the origin id, destination id and flow.
        moe : str, optional
            Column of margins of error (e.g. the ACS 90% MOE), kept as :attr:`moe`.
        zones : pandas.DataFrame, optional
            Zone attributes (population, names, ...), indexed by zone id or with the id in
            column ``zone_id``. Every origin and destination must be in it.
        geometry : geopandas.GeoDataFrame, optional
            Zone polygons; see :meth:`with_geometry` (``geometry_id`` is its ``id_column``).
        duplicates : {"error", "sum", "drop_identical"}
            What to do when an origin-destination pair appears more than once: an error
            (counting exact repeats and contradicting rows apart), add the rows up, or keep
            one row of each exact repeat (same pair, same flow; e.g. a file appended twice)
            while contradicting rows (same pair, different flows) stay an error. Repairs are
            recorded in ``meta["repairs"]``.
        extra_zones : {"error", "keep", "drop"}
            Zones of the zone table that have no flow at all: an error, kept as zones
            without flows, or dropped from the zone table.
        id_width : int, optional
            Left-pad numeric ids with zeros to this width (for codes that lost them).
        suppressed : {"error", "zero"}
            Cells that are missing or hold a suppression marker (``""``, ``"-"``, ``"*"``,
            ``".."``, ``"x"``, ``"<3"``, ... see :data:`SUPPRESSED_PATTERN`): an error, or
            read as 0 (no flow), counted in ``meta["repairs"]``. Other text stays an error.
        id_collisions : {"error", "merge"}
            Ids that differ only by case or a trailing ``.0`` (``"SEOUL"`` and ``"Seoul"``,
            ``"1001"`` and ``"1001.0"``): an error listing them, or read as one zone (the
            most frequent spelling), recorded in ``meta["repairs"]``. Ids differing only by
            surrounding spaces or Unicode form (NFC / NFD) are always one zone (recorded).
        residents, jobs : str, optional
            Zone-table columns giving employed residents / jobs; by default they are the
            row / column sums of the matrix (diagonal included).
        name : str, optional
        meta : mapping, optional
            Provenance recorded with the graph.

        Returns
        -------
        FlowGraph
            Zones in the order of ``zones`` when given (zones only in ``extra_zones='keep'``
            included), otherwise sorted by id.

        Raises
        ------
        InvalidODError
            Listing every problem found: missing columns, empty table, NaN, negative or
            non-numeric flows, duplicated pairs, ids not in the zone table.
        """
        check_parameter("FlowGraph.from_dataframe", "duplicates", duplicates,
                        allowed=["error", "sum", "drop_identical"])
        check_parameter("FlowGraph.from_dataframe", "extra_zones", extra_zones,
                        allowed=["error", "keep", "drop"])
        check_parameter("FlowGraph.from_dataframe", "suppressed", suppressed,
                        allowed=["error", "zero"])
        check_parameter("FlowGraph.from_dataframe", "id_collisions", id_collisions,
                        allowed=["error", "merge"])
        if not isinstance(df, pd.DataFrame):
            raise InvalidODError(f"Expected a pandas DataFrame of flows; got {type(df).__name__}.")
        wanted = [origin, destination, flow] + ([moe] if moe else [])
        repeated = sorted({str(c) for c in df.columns[df.columns.duplicated()] if c in wanted})
        if repeated:
            raise InvalidODError(
                f"Invalid OD table: {len(repeated)} column names used twice "
                f"({', '.join(map(repr, repeated))}); rename one of each so that origin, "
                "destination and flow are one column each.")
        absent = [c for c in wanted if c not in df.columns]
        if absent:
            raise InvalidODError(
                f"Invalid OD table: {len(absent)} missing columns ({', '.join(map(repr, absent))}); "
                f"the table has {', '.join(map(repr, map(str, df.columns[:12])))}. "
                + _COLUMNS_FIX)
        if len(df) == 0:
            raise InvalidODError("Invalid OD table: the table is empty (0 rows). Check the file "
                                 "and any filter applied before building the graph.")

        problems = Problems("Invalid OD table")
        no_id = (df[origin].isna() | df[destination].isna()).to_numpy()
        problems.add("rows without an origin or destination id",
                     [f"row {i}" for i in np.flatnonzero(no_id)[:3]], count=int(no_id.sum()),
                     fix="Drop footer or note rows and fill missing ids before loading.")
        has_id = ~no_id
        o_col = normalise_column(df[origin][has_id], what="origin ids", width=id_width)
        d_col = normalise_column(df[destination][has_id], what="destination ids", width=id_width)
        repairs: list[str] = []
        both = pd.concat([o_col, d_col], ignore_index=True)
        raw_both = pd.concat([df[origin][has_id], df[destination][has_id]], ignore_index=True)
        note = merged_note(_merged_groups(raw_both, both), "ids")
        if note:
            repairs.append(note)
        rename = check_collisions(both, "ids", problems, id_collisions)
        if rename:
            o_col, d_col = o_col.replace(rename), d_col.replace(rename)
            shown = ", ".join(f"{k!r} as {v!r}" for k, v in list(rename.items())[:3])
            repairs.append(f"read {len(rename)} ids written another way as one zone "
                           f"(first: {shown})")
        flow_col = df[flow][has_id]
        if suppressed == "zero":
            flow_col, n_masked, examples = _unsuppress(flow_col)
            if n_masked:
                repairs.append(f"read {n_masked} suppressed or missing flows as 0 (first: "
                               f"{', '.join(map(repr, examples))})")
        values, bad_text = _to_float(flow_col)
        problems.add("non-numeric flows", bad_text[:3], count=len(bad_text),
                     fix=_text_number_fix(bad_text[:3], _SUPPRESSED_FIX))
        moe_values = None
        if moe:
            moe_values, bad_moe = _to_float(df[moe][has_id])
            problems.add("non-numeric margins of error", bad_moe[:3], count=len(bad_moe))

        # one hash pass over both id columns; only the (few) distinct ids are sorted
        n_rows = len(o_col)
        codes, uniques = pd.factorize(pd.concat([o_col, d_col], ignore_index=True))
        uniques = pd.Index(np.asarray(uniques, dtype=object), dtype=object)
        zone_table = None
        if zones is not None:
            zone_table = _zone_table(zones, zone_id, id_width)
            known = zone_table.index
            unknown = uniques.difference(known)
            unused = known.difference(uniques)
            problems.add("origin/destination ids not in the zone table", list(unknown[:3]),
                         count=len(unknown),
                         fix="Add them to the zone table or correct the ids in the flows."
                             + leading_zero_hint(unknown, unused))
            if len(unused) and extra_zones == "error":
                problems.add("zone-table ids with no flow", list(unused[:3]), count=len(unused),
                             fix=says("Pass {} to keep them as zones without flows, or {} to "
                                      "leave them out.", Fix("extra_zones", "keep"),
                                      Fix("extra_zones", "drop")))
            if extra_zones == "drop":
                zone_table = zone_table.loc[~zone_table.index.isin(unused)]
            ids = zone_table.index
            position = ids.get_indexer(uniques)
        else:
            order = np.argsort(uniques.to_numpy(), kind="stable")
            ids = pd.Index(uniques.to_numpy()[order], dtype=object, name="zone")
            position = np.empty(len(order), dtype=np.int64)
            position[order] = np.arange(len(order))
        mapped = position[codes]
        rows, cols = mapped[:n_rows], mapped[n_rows:]
        known_rows = (rows >= 0) & (cols >= 0)
        if not known_rows.all():
            rows, cols, values = rows[known_rows], cols[known_rows], values[known_rows]
            if moe_values is not None:
                moe_values = moe_values[known_rows]
        _check_values(values, rows, cols, ids, problems)
        if moe_values is not None:
            _check_values(moe_values, rows, cols, ids, problems, what="margins of error")

        pair = rows.astype(np.int64) * len(ids) + cols
        key = np.sort(pair)
        n_dup = int((key[1:] == key[:-1]).sum())
        if n_dup and duplicates != "sum":
            # exact repeats (same pair, same flow) apart from contradicting rows
            same = pd.DataFrame({"pair": pair, "value": values})
            if moe_values is not None:
                same["moe"] = moe_values
            exact = np.array(same.duplicated().to_numpy(), dtype=bool)
            repeat = pd.Series(pair).duplicated().to_numpy()
            clash = repeat & ~exact
            n_exact, n_clash = int(exact.sum()), int(clash.sum())
            if duplicates == "drop_identical":
                if n_exact:
                    keep = ~exact
                    rows, cols, values = rows[keep], cols[keep], values[keep]
                    if moe_values is not None:
                        moe_values = moe_values[keep]
                    repairs.append(f"dropped {n_exact} exact repeats of origin-destination "
                                   "rows (same pair, same flow)")
                n_dup = 0
                if n_clash:
                    clash_idx = np.flatnonzero(clash[~exact])
                    problems.add(
                        "contradicting rows (a pair repeated with a different flow)",
                        [f"{ids[rows[k]]} → {ids[cols[k]]}" for k in clash_idx[:3]],
                        count=n_clash,
                        fix=says("Decide which row is right and remove the other, or pass "
                                 "{} if they are parts to add up.", Fix("duplicates", "sum")))
            else:
                split = (f"Of the repeats, {n_exact:,} are exact (same flow) and {n_clash:,} "
                         "contradict the first row (different flow). ")
                if n_dup >= DUPLICATE_MIN_WARN and n_dup > DUPLICATE_SHARE_WARN * len(pair):
                    split += (f"So many repeats ({n_dup / len(pair):.0%} of the rows) usually "
                              "mean the ids are incomplete (e.g. a county code without its "
                              "state code): name every column of the ids before adding "
                              "anything up. ")
                problems.add("duplicated origin-destination pairs",
                             [f"{ids[rows[k]]} → {ids[cols[k]]}"
                              for k in np.flatnonzero(repeat)[:3]],
                             count=n_dup,
                             fix=split + says("Pass {} to add them up, {} to keep one of "
                                              "each exact repeat, or remove the repeats.",
                                              Fix("duplicates", "sum"),
                                              Fix("duplicates", "drop_identical")))
        if duplicates == "sum" and n_dup >= DUPLICATE_MIN_WARN \
                and n_dup > DUPLICATE_SHARE_WARN * len(pair):
            import warnings

            warnings.warn(
                f"duplicates='sum' added up {n_dup:,} repeated origin-destination pairs, "
                f"{n_dup / len(pair):.0%} of the rows: so many usually mean the ids are "
                "incomplete (e.g. a county code without its state code), and the sums merge "
                "different places. Check that the id columns identify every zone.",
                UserWarning, stacklevel=3)
        problems.raise_if_any(InvalidODError)

        n = len(ids)
        matrix = _canonical((values, (rows, cols)), n)
        _check_sums(matrix, ids)
        moe_matrix = None
        if moe_values is not None:
            # margins of repeated pairs combine as the root of the sum of squares
            sq = _canonical((moe_values**2, (rows, cols)), n)
            sq.data = np.sqrt(sq.data)
            moe_matrix = sq
        zt = zone_table.copy() if zone_table is not None else pd.DataFrame(index=ids)
        meta = dict(meta or {})
        if n_dup:
            repairs.append(f"summed {n_dup} repeated rows into their origin-destination pairs")
        if repairs:
            meta["repairs"] = [*meta.get("repairs", []), *repairs]
        graph = cls(matrix, ids, zt, None, moe=moe_matrix, name=name, meta=meta)
        graph = graph._with_totals(residents, jobs)
        if geometry is not None:
            graph = graph.with_geometry(geometry, id_column=geometry_id)
        return graph

    @classmethod
    def from_matrix(
        cls,
        matrix,
        ids: Sequence[str] | None = None,
        *,
        zones: pd.DataFrame | None = None,
        zone_id: str | None = None,
        geometry: gpd.GeoDataFrame | None = None,
        geometry_id: str | None = None,
        moe=None,
        id_width: int | None = None,
        id_collisions: str = "error",
        residents: str | None = None,
        jobs: str | None = None,
        name: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> FlowGraph:
        """Build a FlowGraph from a square matrix (rows = origins, columns = destinations).

        Parameters
        ----------
        matrix : numpy.ndarray, scipy.sparse matrix or array, or pandas.DataFrame
            A DataFrame uses its index as row ids and its columns as column ids; they must
            hold the same ids (columns are reordered to the rows). Not modified.
        ids : sequence of str, optional
            Zone ids in matrix order; required unless ``matrix`` is a DataFrame.
        zones, zone_id, geometry, geometry_id, id_width, id_collisions, residents, jobs, name, meta
            As in :meth:`from_dataframe`; zone-table ids must equal the matrix ids.
        moe : array-like, optional
            Margins of error with the same shape and ids as ``matrix``.
        """
        check_parameter("FlowGraph.from_matrix", "id_collisions", id_collisions,
                        allowed=["error", "merge"])
        problems = Problems("Invalid OD matrix")
        repairs: list[str] = []
        dtypes = (matrix.dtypes.tolist() if isinstance(matrix, pd.DataFrame)
                  else [getattr(matrix, "dtype", None)])
        if any(d is not None and (pd.api.types.is_complex_dtype(d)
                                  or pd.api.types.is_bool_dtype(d)) for d in dtypes):
            raise InvalidODError(
                "Invalid OD matrix: its cells are complex numbers or booleans, not counts of "
                "people; build the matrix from the flow counts (real numbers).")
        if isinstance(matrix, pd.DataFrame):
            merged: list = []
            row_ids = normalise_ids(matrix.index, what="row ids", width=id_width, merged=merged)
            col_ids = normalise_ids(matrix.columns, what="column ids", width=id_width,
                                    merged=merged)
            check_unique(row_ids, "row ids")
            check_unique(col_ids, "column ids")
            note = merged_note(merged, "row or column ids")
            if note:
                repairs.append(note)
            rename = check_collisions(pd.Series([*row_ids, *col_ids], dtype=object),
                                      "row or column ids", problems, id_collisions)
            if rename:  # one zone written two ways: add its rows and columns up
                matrix = _merge_variants(matrix, row_ids, col_ids, rename)
                shown = ", ".join(f"{k!r} as {v!r}" for k, v in list(rename.items())[:3])
                repairs.append(f"read {len(rename)} ids written another way as one zone "
                               f"(first: {shown})")
                row_ids = normalise_ids(matrix.index, what="row ids")
                col_ids = normalise_ids(matrix.columns, what="column ids")
            problems.raise_if_any(InvalidODError)
            only_rows = row_ids.difference(col_ids)
            only_cols = col_ids.difference(row_ids)
            problems.add("row ids missing from the columns", list(only_rows[:3]),
                         count=len(only_rows))
            problems.add("column ids missing from the rows", list(only_cols[:3]),
                         count=len(only_cols),
                         fix="A flow matrix must be square with the same zones as rows and "
                             "columns; add all-zero rows/columns for zones that only receive "
                             "or only send.")
            problems.raise_if_any(InvalidODError)
            if ids is not None:
                raise InvalidODError("Pass ids= only with an unlabelled matrix; a DataFrame "
                                     "carries its ids in its index and columns.")
            order = col_ids.get_indexer(row_ids)
            values = matrix.to_numpy()
            non_numeric = not np.issubdtype(values.dtype, np.number)
            if non_numeric:
                conv = matrix.apply(pd.to_numeric, errors="coerce")
                bad = conv.isna() & matrix.notna()
                shown = [str(v) for v in matrix.to_numpy()[bad.to_numpy()][:3]]
                problems.add("non-numeric cells", shown, count=int(bad.to_numpy().sum()),
                             fix=_text_number_fix(
                                 shown, "Clean suppressed or footnoted cells before loading."))
                problems.raise_if_any(InvalidODError)
                values = conv.to_numpy(dtype=float)
            m = sp.coo_array(np.asarray(values, dtype=float)[:, order])
            ids_index = row_ids
        else:
            if sp.issparse(matrix):
                m = sp.coo_array(matrix)
            else:
                arr = np.asarray(matrix)
                if arr.ndim != 2:
                    raise InvalidODError(f"Invalid OD matrix: expected 2 dimensions, got {arr.ndim}.")
                if not np.issubdtype(arr.dtype, np.number):
                    raise InvalidODError(f"Invalid OD matrix: values must be numeric, got dtype "
                                         f"{arr.dtype}.")
                m = sp.coo_array(arr.astype(float))
            if ids is None:
                raise InvalidODError("Pass the zone ids in matrix order with ids=.")
            ids_index = normalise_ids(ids, width=id_width)
            check_unique(ids_index)
        r, c = m.shape
        if r != c:
            raise InvalidODError(f"Invalid OD matrix: it must be square, got {r} rows and {c} "
                                 "columns. Add all-zero rows or columns for zones that only send "
                                 "or only receive.")
        if len(ids_index) != r:
            raise InvalidODError(f"Invalid OD matrix: {len(ids_index)} ids for a {r} x {r} matrix.")
        if r == 0:
            raise InvalidODError("Invalid OD matrix: it is empty (0 zones).")
        data = np.asarray(m.data, dtype=float)
        _check_values(data, m.row, m.col, ids_index, problems)
        problems.raise_if_any(InvalidODError)
        matrix_csr = _canonical((data, (m.row, m.col)), r)
        _check_sums(matrix_csr, ids_index)

        moe_csr = None
        if moe is not None:
            moe_arr = moe.to_numpy() if isinstance(moe, pd.DataFrame) else moe
            moe_csr = _canonical(moe_arr, r) if sp.issparse(moe_arr) else _canonical(
                np.asarray(moe_arr, dtype=float), r)

        zt = pd.DataFrame(index=ids_index)
        if zones is not None:
            table = _zone_table(zones, zone_id, id_width)
            p = Problems("Invalid zone table")
            miss = ids_index.difference(table.index)
            extra = table.index.difference(ids_index)
            p.add("matrix ids not in the zone table", list(miss[:3]), count=len(miss))
            p.add("zone-table ids not in the matrix", list(extra[:3]), count=len(extra),
                  fix="The zone table must list exactly the zones of the matrix."
                      + leading_zero_hint(miss, extra))
            p.raise_if_any(InvalidZonesError)
            zt = table.reindex(ids_index)
        if repairs:
            meta = dict(meta or {})
            meta["repairs"] = [*meta.get("repairs", []), *repairs]
        graph = cls(matrix_csr, ids_index, zt, None, moe=moe_csr, name=name, meta=meta)
        graph = graph._with_totals(residents, jobs)
        if geometry is not None:
            graph = graph.with_geometry(geometry, id_column=geometry_id)
        return graph

    # ------------------------------------------------------------------ attaching data
    def _replace(self, **changes) -> FlowGraph:
        state = dict(matrix=self._matrix, ids=self._ids, zones=self._zones,
                     geometry=self._geometry, moe=self._moe, name=self._name, meta=self._meta,
                     residents=self._residents_col, jobs=self._jobs_col)
        state.update(changes)
        new = FlowGraph(state.pop("matrix"), state.pop("ids"), state.pop("zones"),
                        state.pop("geometry"), **state)
        if new._geometry is self._geometry and new._ids.equals(self._ids):
            # what depends on the polygons alone (contiguity, the exterior zones) carries
            # over: a redrawn or re-weighted graph does not rebuild it
            new._cache.update({k: v for k, v in self._cache.items()
                               if k[0] in _GEOMETRY_CACHE_KEYS})
        return new

    def _with_totals(self, residents: str | None, jobs: str | None) -> FlowGraph:
        p = Problems("Invalid zone totals")
        for role, col in (("residents", residents), ("jobs", jobs)):
            if col is None:
                continue
            if col not in self._zones.columns:
                p.add(f"{role} column not in the zone table", [col], fix=(
                    f"Attach a zone table with a {col!r} column, or leave {role}= unset to use "
                    "the matrix sums."))
                continue
            v = pd.to_numeric(self._zones[col], errors="coerce")
            bad = v.isna() | (v < 0)
            p.add(f"zones with a missing or negative {role} value ({col!r})",
                  list(self._ids[bad.to_numpy()][:3]), count=int(bad.sum()))
        p.raise_if_any(InvalidZonesError)
        return self._replace(residents=residents, jobs=jobs)

    def with_zones(
        self,
        table: pd.DataFrame,
        *,
        id_column: str | None = None,
        missing: str = "error",
        residents: str | None = None,
        jobs: str | None = None,
        id_width: int | None = None,
    ) -> FlowGraph:
        """Return a new FlowGraph with zone attributes joined by id.

        Columns of ``table`` replace attributes of the same name. ``missing='keep'``
        allows graph zones absent from ``table`` (their attributes are NaN); zones of
        ``table`` that are not in the graph are always an error, since attributes of
        a zone without flows cannot be placed in the matrix (build the graph with
        ``extra_zones='keep'`` instead).
        """
        check_parameter("FlowGraph.with_zones", "missing", missing, allowed=["error", "keep"])
        if id_column is None and isinstance(table, pd.DataFrame):
            _refuse_ambiguous_ids(table, self._ids, id_width)
        t = _zone_table(table, id_column, id_width)
        p = Problems("Invalid zone table")
        extra = t.index.difference(self._ids)
        p.add("ids not in the graph", list(extra[:3]), count=len(extra),
              fix="Correct the ids, or drop these rows from the table."
                  + leading_zero_hint(self._ids.difference(t.index), extra))
        if missing == "error":
            miss = self._ids.difference(t.index)
            p.add("graph zones missing from the table", list(miss[:3]), count=len(miss),
                  fix=says("Pass {} to leave their attributes empty.", Fix("missing", "keep")))
        p.raise_if_any(InvalidZonesError)
        zones = self._zones.drop(columns=[c for c in t.columns if c in self._zones.columns])
        zones = zones.join(t.reindex(self._ids))
        g = self._replace(zones=zones)
        return g._with_totals(residents if residents else self._residents_col,
                              jobs if jobs else self._jobs_col)

    def with_geometry(
        self,
        geometry: gpd.GeoDataFrame | gpd.GeoSeries,
        *,
        id_column: str | None = None,
        extra: str = "error",
        missing: str = "error",
        crs=None,
    ) -> FlowGraph:
        """Return a new FlowGraph with zone geometries attached by id.

        Parameters
        ----------
        geometry : geopandas.GeoDataFrame or GeoSeries
            One row per zone, with a CRS. Ids in the index or in ``id_column``.
        extra : {"error", "drop"}
            Rows whose id is not a zone of the graph.
        missing : {"error", "keep"}
            Graph zones without a row: an error, or kept with an empty (None) geometry.
        crs : optional
            The CRS the layer is expected to have (anything pyproj accepts): a layer in
            another CRS is an error rather than a silent mismatch.
        """
        import geopandas as gpd

        check_parameter("FlowGraph.with_geometry", "extra", extra, allowed=["error", "drop"])
        check_parameter("FlowGraph.with_geometry", "missing", missing, allowed=["error", "keep"])
        if isinstance(geometry, gpd.GeoSeries):
            geometry = geometry.to_frame("geometry")
        if not isinstance(geometry, gpd.GeoDataFrame):
            raise InvalidZonesError(f"Expected a GeoDataFrame of zones; got {type(geometry).__name__}.")
        p = Problems("Invalid zone layer")
        if id_column is not None and id_column not in geometry.columns:
            raise InvalidZonesError(
                f"Invalid zone layer: no id column {id_column!r}; it has "
                f"{', '.join(map(repr, map(str, geometry.columns)))}. Pass id_column= with the "
                "column holding the zone ids.")
        raw_ids = geometry[id_column] if id_column is not None else geometry.index.to_series()
        gids = normalise_ids(raw_ids, what="zone layer ids")
        check_unique(gids, "zone layer ids")
        if geometry.crs is None:
            p.add("missing CRS", ["crs=None"], count=1,
                  fix="Set it with gdf.set_crs(...) (e.g. 'EPSG:4326' for longitude/latitude).")
        elif crs is not None and not geometry.crs.equals(crs):
            p.add("layer in another CRS", [f"{geometry.crs.to_string()} instead of {crs}"],
                  count=1, fix=f"Reproject it with gdf.to_crs({crs!r}).")
        if self._geometry is not None and geometry.crs is not None \
                and self._geometry.crs is not None and crs is None \
                and not geometry.crs.equals(self._geometry.crs):
            p.add("layer in another CRS than the graph's current geometry",
                  [geometry.crs.to_string()], count=1,
                  fix=f"Reproject it with gdf.to_crs({self._geometry.crs.to_string()!r}).")
        extras = gids.difference(self._ids)
        miss = self._ids.difference(gids)
        if extra == "error":
            p.add("layer ids not in the graph", list(extras[:3]), count=len(extras),
                  fix=says("Pass {} to leave them out, or correct the ids.", Fix("extra", "drop"))
                      + leading_zero_hint(miss, extras))
        if missing == "error":
            p.add("graph zones without geometry", list(miss[:3]), count=len(miss),
                  fix=says("Pass {} to keep them with an empty geometry.",
                           Fix("missing", "keep")))
        p.raise_if_any(InvalidZonesError)
        gdf = gpd.GeoDataFrame(
            {"geometry": geometry.geometry.to_numpy()},
            index=pd.Index(gids, name="zone"), crs=geometry.crs)
        gdf = gdf.reindex(self._ids)
        geoms = gdf.geometry.to_numpy()
        empty = np.array([g is not None and g.is_empty for g in geoms])
        if empty.any():  # an empty polygon is no geometry: one meaning for "missing"
            geoms = geoms.copy()
            geoms[empty] = None
            gdf = gpd.GeoDataFrame({"geometry": geoms}, index=gdf.index, crs=gdf.crs)
        absent = np.array([g is None for g in gdf.geometry.to_numpy()], dtype=bool)
        if missing == "error" and absent.any():  # a row whose shape is None or empty
            raise InvalidZonesError(
                f"Invalid zone layer: {int(absent.sum()):,} zones whose polygon is empty or "
                f"missing (first: {', '.join(map(str, self._ids[absent][:3]))}). "
                + says("Pass {} to keep them without geometry (they are then exempt from "
                       "the contiguity rules), or give them their polygons.",
                       Fix("missing", "keep")))
        meta = dict(self._meta)
        geoms = gdf.geometry.to_numpy()
        present = np.array([g is not None for g in geoms], dtype=bool)
        invalid = np.zeros(len(geoms), dtype=bool)
        if present.any():
            import shapely

            # GEOS cannot repair or compare shapes with NaN / infinite coordinates: name them
            xy_counts = shapely.get_num_coordinates(geoms[present])
            xy = shapely.get_coordinates(geoms[present])
            bad_xy = ~np.isfinite(xy).all(axis=1)
            if bad_xy.any():
                owner = np.repeat(np.flatnonzero(present), xy_counts)[bad_xy]
                zones = self._ids[np.unique(owner)]
                raise InvalidZonesError(
                    f"Invalid zone layer: {len(zones):,} zones whose polygons have NaN or "
                    f"infinite coordinates (first: {', '.join(map(str, zones[:3]))}). Fix or "
                    "drop those shapes (gdf.geometry.is_valid and shapely.get_coordinates "
                    "show them), or pass missing='keep' after setting them to None.")
            invalid[present] = ~shapely.is_valid(geoms[present])
        if invalid.any():  # repair, and say so: GEOS set operations fail on invalid shapes
            import shapely

            reasons = [shapely.is_valid_reason(g) for g in geoms[invalid][:3]]
            fixed = geoms.copy()
            fixed[invalid] = shapely.make_valid(geoms[invalid])
            gdf = gpd.GeoDataFrame({"geometry": fixed}, index=gdf.index, crs=gdf.crs)
            meta["repairs"] = [*meta.get("repairs", []),
                               f"repaired {int(invalid.sum())} invalid geometries with "
                               f"shapely.make_valid (first: " + ", ".join(
                                   f"{z}: {r}" for z, r in zip(self._ids[invalid][:3], reasons,
                                                               strict=False)) + ")"]
        if empty.any():
            meta.setdefault("repairs", []).append(
                f"{int(empty.sum())} empty geometries treated as missing (first: "
                f"{', '.join(self._ids[empty][:3])})")
        if len(extras):
            meta.setdefault("repairs", []).append(
                f"dropped {len(extras)} zone-layer rows not in the flows (first: "
                f"{', '.join(extras[:3])})")
        if len(miss):
            meta.setdefault("repairs", []).append(
                f"{len(miss)} zones have no geometry (first: {', '.join(miss[:3])})")
        return self._replace(geometry=gdf, meta=meta)

    def to_crs(self, crs) -> FlowGraph:
        """Return a new FlowGraph with its geometry reprojected to ``crs``."""
        if self._geometry is None:
            raise InvalidZonesError("This FlowGraph has no geometry to reproject; attach a zone "
                                    "layer with with_geometry().")
        from pyproj.exceptions import CRSError

        try:
            return self._replace(geometry=self._geometry.to_crs(crs))
        except CRSError as exc:
            raise InvalidZonesError(
                f"Cannot reproject to {crs!r}: not a coordinate reference system pyproj knows "
                f"({exc}). Give an EPSG code (e.g. 3035 or 'EPSG:3035') or a WKT / PROJ "
                "string.") from None

    # ------------------------------------------------------------------ properties
    @property
    def matrix(self) -> sp.csr_array:
        return self._matrix

    @property
    def moe(self) -> sp.csr_array | None:
        """Margins of error aligned with :attr:`matrix` (e.g. ACS 90% MOE), or None."""
        return self._moe

    @property
    def ids(self) -> pd.Index:
        return self._ids

    @property
    def zones(self) -> pd.DataFrame:
        return self._zones.copy()

    @property
    def geometry(self) -> gpd.GeoDataFrame | None:
        return None if self._geometry is None else self._geometry.copy()

    @property
    def crs(self):
        return None if self._geometry is None else self._geometry.crs

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def meta(self) -> Mapping[str, Any]:
        return MappingProxyType(self._meta)

    @property
    def n_zones(self) -> int:
        return len(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def n_flows(self) -> int:
        """Number of origin-destination pairs with a positive flow (diagonal included)."""
        return int(self._matrix.nnz)

    @property
    def total(self) -> float:
        return float(self._matrix.data.sum())

    @property
    def internal(self) -> np.ndarray:
        """Flows from each zone to itself (people living and working in the zone)."""
        return self._matrix.diagonal()

    @property
    def has_diagonal(self) -> bool:
        """Whether any zone has a positive internal flow.

        A table without internal flows (such as the KTDB trip table) cannot tell how many
        residents stay in their zone: shares must then use out-commuters as denominator.
        """
        return bool((self.internal > 0).any())

    def _sums(self, axis: int) -> np.ndarray:
        key = ("sums", axis)
        if key not in self._cache:
            v = np.asarray(self._matrix.sum(axis=axis)).ravel()
            v.flags.writeable = False
            self._cache[key] = v
        return self._cache[key]

    @property
    def residents(self) -> np.ndarray:
        """Employed residents per zone: the supplied column, or row sums incl. the diagonal."""
        if self._residents_col is not None:
            return self._zones[self._residents_col].to_numpy(dtype=float)
        return self._sums(1).copy()

    @property
    def jobs(self) -> np.ndarray:
        """Jobs per zone: the supplied column, or column sums incl. the diagonal."""
        if self._jobs_col is not None:
            return self._zones[self._jobs_col].to_numpy(dtype=float)
        return self._sums(0).copy()

    @property
    def outflows(self) -> np.ndarray:
        """Flows leaving each zone for another zone (row sums without the diagonal)."""
        return self._sums(1) - self.internal

    @property
    def inflows(self) -> np.ndarray:
        """Flows arriving in each zone from another zone (column sums without the diagonal)."""
        return self._sums(0) - self.internal

    @property
    def isolates(self) -> pd.Index:
        """Zones with no flow in or out, counting the diagonal."""
        return self._ids[(self._sums(0) == 0) & (self._sums(1) == 0)]

    def summary(self) -> pd.DataFrame:
        """Per-zone table: residents, jobs, internal flows, in/out flows, job ratio."""
        r, w, ii = self.residents, self.jobs, self.internal
        with np.errstate(divide="ignore", invalid="ignore"):
            out = pd.DataFrame({
                "residents": r, "jobs": w, "internal": ii,
                "outflows": self.outflows, "inflows": self.inflows,
                "job_ratio": np.where(r > 0, w / r, np.nan),
            }, index=self._ids)
        return out

    # ------------------------------------------------------------------ transforms
    def _positions(self, ids: Sequence[str], what: str) -> np.ndarray:
        ids = normalise_ids(ids, what=what)
        pos = self._ids.get_indexer(ids)
        bad = ids[pos < 0]
        if len(bad):
            raise InvalidZonesError(
                f"Invalid {what}: {len(bad):,} ids not in the graph (first: "
                f"{', '.join(bad[:3])}). Use ids of the graph (graph.ids: text, leading "
                "zeros kept).")
        return pos

    def _labels_array(self, labels) -> np.ndarray:
        if isinstance(labels, Mapping):
            labels = pd.Series(labels)
        if isinstance(labels, pd.Series):
            idx = normalise_ids(labels.index, what="label index")
            check_unique(idx, "label index")
            s = pd.Series(labels.to_numpy(), index=idx)
            miss = self._ids.difference(idx)
            if len(miss):
                raise InvalidZonesError(
                    f"Invalid labels: {len(miss):,} zones have no label (first: "
                    f"{', '.join(miss[:3])}). Every zone needs one; give unassigned zones a "
                    "label of their own.")
            extra = idx.difference(self._ids)
            if len(extra):
                raise InvalidZonesError(
                    f"Invalid labels: {len(extra):,} ids not in the graph (first: "
                    f"{', '.join(extra[:3])}).")
            values = s.reindex(self._ids).to_numpy()
        else:
            values = np.asarray(labels, dtype=object)
            if values.shape != (self.n_zones,):
                raise InvalidZonesError(
                    f"Invalid labels: expected one label per zone ({self.n_zones}), got "
                    f"shape {values.shape}.")
        na = pd.isna(values)
        if na.any():
            raise InvalidZonesError(
                f"Invalid labels: {int(na.sum()):,} missing labels (first zones: "
                f"{', '.join(self._ids[na][:3])}). Every zone needs one.")
        return values

    def aggregate(self, labels, *, dissolve: bool = True, name: str | None = None) -> FlowGraph:
        """The quotient FlowGraph of a partition: ``P^T F P`` with ``P`` the membership matrix.

        Parameters
        ----------
        labels : array-like, mapping or pandas.Series
            One label per zone (aligned with :attr:`ids`), or a mapping / Series from zone
            id to label covering every zone.
        dissolve : bool
            Union the member geometries into one per group when geometry is attached.

        Returns
        -------
        FlowGraph
            One zone per label (ids are the labels as text, sorted). Numeric zone
            attributes are summed; the zone table gains ``n_members`` (the number of zones
            of the original graph in each group: aggregating an aggregate sums the counts
            it already has). Totals are conserved;
            margins of error combine as the root of the sum of squares.

        Notes
        -----
        O(nnz): two sparse products with an indicator matrix.
        """
        values = self._labels_array(labels)
        codes, uniques = pd.factorize(pd.Series(values), sort=True)
        k = len(uniques)
        new_ids = normalise_ids(pd.Index(uniques), what="labels")
        p = _indicator(codes, k)
        q = _canonical(p.T @ self._matrix @ p, k)
        moe = None
        if self._moe is not None:
            sq = self._moe.copy()
            sq.data = sq.data**2
            moe = _canonical(p.T @ sq @ p, k)
            moe.data = np.sqrt(moe.data)
        num = self._zones.select_dtypes("number")
        zt = num.groupby(codes).sum(min_count=1)
        zt.index = new_ids
        zt = zt.reindex(new_ids)
        if "n_members" in zt.columns:  # an aggregate of an aggregate: count original zones
            zt.insert(0, "n_members", zt.pop("n_members").to_numpy(dtype=np.int64))
        else:
            zt.insert(0, "n_members", np.bincount(codes, minlength=k))
        geom = None
        if self._geometry is not None and dissolve:
            import geopandas as gpd

            g = self._geometry.copy()
            g["_label"] = codes
            d = g.dissolve(by="_label")
            geom = gpd.GeoDataFrame({"geometry": d.geometry.to_numpy()},
                                    index=new_ids[d.index.to_numpy()], crs=g.crs).reindex(new_ids)
        res = self._residents_col if self._residents_col in zt.columns else None
        job = self._jobs_col if self._jobs_col in zt.columns else None
        meta = {"aggregated_from": self._name, **{k_: v for k_, v in self._meta.items()
                                                   if k_ not in ("repairs",)}}
        return FlowGraph(q, new_ids, zt, geom, moe=moe, name=name, meta=meta,
                         residents=res, jobs=job)

    def subgraph(self, ids: Sequence[str], *, keep_totals: bool = True,
                 name: str | None = None) -> FlowGraph:
        """The flows among a subset of zones, in the order given.

        With ``keep_totals`` (default) the residents and jobs of each zone stay those of the
        full graph (people commuting out of the subset are still residents); they are stored
        as zone columns ``residents_total`` and ``jobs_total`` and used as the supplied
        totals. The flows leaving / entering the subset are kept as ``outflow_external`` and
        ``inflow_external``, so nothing is lost.
        """
        pos = self._positions(ids, "subgraph ids")
        if len(np.unique(pos)) != len(pos):
            raise InvalidZonesError("Invalid subgraph ids: some ids are repeated.")
        sub = _canonical(self._matrix[pos][:, pos], len(pos))
        moe = _canonical(self._moe[pos][:, pos], len(pos)) if self._moe is not None else None
        new_ids = self._ids[pos]
        zt = self._zones.iloc[pos].copy()
        zt["outflow_external"] = self._sums(1)[pos] - np.asarray(sub.sum(axis=1)).ravel()
        zt["inflow_external"] = self._sums(0)[pos] - np.asarray(sub.sum(axis=0)).ravel()
        res = job = None
        if keep_totals:
            zt["residents_total"] = self.residents[pos]
            zt["jobs_total"] = self.jobs[pos]
            res, job = "residents_total", "jobs_total"
        geom = self._geometry.iloc[pos].copy() if self._geometry is not None else None
        return FlowGraph(sub, new_ids, zt, geom, moe=moe, name=name or self._name,
                         meta={**self._meta, "subgraph_of": self._name}, residents=res, jobs=job)

    # ------------------------------------------------------------------ conversions
    def to_frame(self, *, diagonal: bool = True) -> pd.DataFrame:
        """The flows as a long table ``origin, destination, flow`` (and ``moe``), zeros omitted."""
        coo = self._matrix.tocoo()
        keep = np.ones(coo.nnz, bool) if diagonal else coo.row != coo.col
        out = pd.DataFrame({
            "origin": self._ids.to_numpy()[coo.row[keep]],
            "destination": self._ids.to_numpy()[coo.col[keep]],
            "flow": coo.data[keep],
        })
        if self._moe is not None:
            out["moe"] = np.asarray(self._moe[coo.row[keep], coo.col[keep]]).ravel()
        return out

    def to_networkx(self, *, self_loops: bool = True) -> nx.DiGraph:
        """A ``networkx.DiGraph``: nodes are zone ids with their attributes, edges carry ``weight``."""
        import networkx as nx

        g = nx.DiGraph(name=self._name or "")
        records = self._zones.to_dict("index")
        g.add_nodes_from((i, records.get(i, {})) for i in self._ids)
        coo = self._matrix.tocoo()
        keep = np.ones(coo.nnz, bool) if self_loops else coo.row != coo.col
        ids = self._ids.to_numpy()
        g.add_weighted_edges_from(zip(ids[coo.row[keep]], ids[coo.col[keep]],
                                      coo.data[keep].tolist(), strict=True))
        return g

    def to_igraph(self, *, self_loops: bool = True) -> igraph.Graph:
        """A directed ``igraph.Graph`` with vertex attribute ``name`` and edge attribute ``weight``."""
        import igraph as ig

        coo = self._matrix.tocoo()
        keep = np.ones(coo.nnz, bool) if self_loops else coo.row != coo.col
        edges = np.column_stack([coo.row[keep], coo.col[keep]]).tolist()
        g = ig.Graph(n=self.n_zones, edges=edges, directed=True)
        g.vs["name"] = list(self._ids)
        for col in self._zones.columns:
            g.vs[str(col)] = self._zones[col].tolist()
        g.es["weight"] = coo.data[keep].tolist()
        return g

    def build_contiguity(self, **kwargs):
        """The contiguity graph of the attached polygons, built once and cached.

        Keyword arguments go to :func:`regionalize.contiguity.build_contiguity`.
        """
        if self._geometry is None:
            raise InvalidZonesError("This FlowGraph has no geometry; attach a zone layer with "
                                    "with_geometry() before building contiguity.")
        key = ("contiguity", tuple(sorted(kwargs.items())))
        if key not in self._cache:
            from .contiguity import build_contiguity

            self._cache[key] = build_contiguity(self._geometry, **kwargs)
        return self._cache[key]

    # ------------------------------------------------------------------ comparison & display
    def equals(self, other: FlowGraph) -> bool:
        """Same ids (in order), same flows, same zone table."""
        if not isinstance(other, FlowGraph) or not self._ids.equals(other._ids):
            return False
        if (self._matrix != other._matrix).nnz:
            return False
        return self._zones.equals(other._zones)

    def __repr__(self) -> str:
        parts = [f"total {self.total:,.0f}",
                 "diagonal present" if self.has_diagonal else "no diagonal"]
        if self._moe is not None:
            parts.append("margins of error")
        n_iso = len(self.isolates)
        if n_iso:
            parts.append(f"{n_iso} isolated")
        if self._geometry is not None:
            crs = self._geometry.crs
            parts.append(f"geometry {crs.to_string() if crs is not None else 'without CRS'}")
        label = f" {self._name!r}" if self._name else ""
        return (f"<FlowGraph{label} of {self.n_zones:,} zones and {self.n_flows:,} flows "
                f"({'; '.join(parts)})>")

    def _repr_html_(self) -> str:
        rows = [("zones", f"{self.n_zones:,}"), ("flows (non-zero pairs)", f"{self.n_flows:,}"),
                ("total", f"{self.total:,.0f}"),
                ("internal (diagonal)", f"{self.internal.sum():,.0f}" if self.has_diagonal
                 else "absent"),
                ("zone attributes", ", ".join(map(str, self._zones.columns)) or "none"),
                ("geometry", "none" if self._geometry is None else str(self._geometry.crs))]
        from ._markup import html_text  # names are user data: shown as text, never markup

        body = "".join(f"<tr><th style='text-align:left'>{html_text(k)}</th>"
                       f"<td>{html_text(v)}</td></tr>" for k, v in rows)
        title = html_text(f"FlowGraph {self._name}" if self._name else "FlowGraph")
        return f"<table><caption>{title}</caption>{body}</table>"


def _to_float(col: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Numeric values of a column; text cells that are not numbers are returned apart.

    Unparseable cells become 0 in the values (they are reported, and the table is rejected),
    so that they are not counted a second time as NaN flows.
    """
    if pd.api.types.is_complex_dtype(col):  # a complex count has no meaning: never truncate
        return np.zeros(len(col)), [str(v) for v in col.tolist()]
    if pd.api.types.is_bool_dtype(col):  # True / False are no counts (as in a CSV)
        return np.zeros(len(col)), [str(v) for v in col.tolist()]
    if pd.api.types.is_numeric_dtype(col):
        return col.to_numpy(dtype=float, na_value=np.nan), []
    conv = pd.to_numeric(col, errors="coerce")
    bad = (conv.isna() & col.notna()).to_numpy()
    values = np.array(conv.to_numpy(dtype=float, na_value=np.nan), copy=True)
    values[bad] = 0.0
    return values, [str(v) for v in col[bad].tolist()]


def _unsuppress(col: pd.Series) -> tuple[pd.Series, int, list[Any]]:
    """Missing cells and suppression markers (:data:`SUPPRESSED_PATTERN`) as 0."""
    mask = np.array(col.isna().to_numpy(), dtype=bool)
    if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
        text = col.astype(object).where(col.notna(), "").astype(str)
        mask = mask | np.asarray(text.str.fullmatch(SUPPRESSED_PATTERN).to_numpy(), dtype=bool)
    if not mask.any():
        return col, 0, []
    examples = ["" if pd.isna(v) else v for v in col[mask].head(3).tolist()]
    out = col.astype(object).copy()
    out[mask] = 0.0
    return out, int(mask.sum()), examples


#: the largest total of all flows a FlowGraph accepts (2**1020, about 1.1e307): every sum of
#: flows stays below it, so sums of two such totals (residents + jobs, ...) and the rounding
#: of partial sums keep clear of float64 overflow (about 1.8e308)
MAX_TOTAL = 2.0**1020
#: the smallest positive total of all flows a FlowGraph accepts: the smallest normal float64
#: (2**-1022, about 2.2e-308); below it every flow is subnormal and has lost digits
MIN_TOTAL = 2.0**-1022


def _check_sums(matrix: sp.csr_array, ids: pd.Index) -> None:
    """Flows so large that their totals overflow float64 cannot be shared out; flows whose
    total lies outside ``[MIN_TOTAL, MAX_TOTAL]`` cannot be computed exactly enough."""
    with np.errstate(over="ignore"):
        rows = np.asarray(matrix.sum(axis=1)).ravel()
        cols = np.asarray(matrix.sum(axis=0)).ravel()
        total = float(rows.sum())
    bad = ~np.isfinite(rows) | ~np.isfinite(cols)
    if bad.any():
        raise InvalidODError(
            f"Invalid OD table: {int(bad.sum()):,} zones whose flow totals overflow (first: "
            f"{', '.join(map(str, ids[bad][:3]))}). Flows are counts of people; check the "
            "flow column (units, misread numbers).")
    if not total <= MAX_TOTAL:
        shown = f"{total:.3g}" if np.isfinite(total) else "more than 1.8e+308 (overflow)"
        raise InvalidODError(
            f"Invalid OD table: the flows add up to {shown}, too large to be computed exactly "
            f"(the total must stay below {MAX_TOTAL:.3g}, where float64 arithmetic on sums "
            "of flows is still exact enough). Flows are counts of people; check the flow "
            "column (units, misread numbers), or rescale: divide the flows by 1e6.")
    if 0 < total < MIN_TOTAL:
        raise InvalidODError(
            f"Invalid OD table: the flows add up to {total:.3g}, too small to be computed "
            f"exactly (below {MIN_TOTAL:.3g} float64 numbers are subnormal and lose digits, "
            "so shares of such flows would be off). Flows are counts of people; check the "
            "flow column (units), or rescale: multiply the flows by 1e6.")


#: column names that hold zone ids in a zone table
ID_COLUMN_NAMES = ("zone", "zone_id", "id", "code")


def _refuse_ambiguous_ids(table: pd.DataFrame, ids: pd.Index, width: int | None) -> None:
    """A zone table joined by its index while a column such as ``zone`` holds ids too: when
    the two disagree, joining by the index would silently give zones the attributes of
    others. Refuse, naming ``id_column``."""
    def as_ids(values):
        try:
            return normalise_ids(values, what="zone table ids", width=width)
        except InvalidZonesError:
            return None

    for col in table.columns:
        if str(col).strip().lower() not in ID_COLUMN_NAMES:
            continue
        by_col = as_ids(table[col])
        if by_col is None or not by_col.isin(ids).any():
            continue
        by_index = as_ids(table.index)  # only read when a column could hold the ids too
        if by_index is None or not by_index.equals(by_col):
            raise InvalidZonesError(
                f"Invalid zone table: its column {col!r} holds zone ids "
                f"({int(by_col.isin(ids).sum()):,} of them in the graph) and its index holds "
                "others, so it is not clear which to join by. "
                + says("Pass {} to join by the column, or make the index the zone ids "
                       "(table.set_index(...)).", Fix("id_column", str(col))))


def _zone_table(zones: pd.DataFrame, zone_id: str | None, width: int | None) -> pd.DataFrame:
    if not isinstance(zones, pd.DataFrame):
        raise InvalidZonesError(f"Expected a pandas DataFrame of zones; got {type(zones).__name__}.")
    if zone_id is not None:
        if zone_id not in zones.columns:
            raise InvalidZonesError(
                f"Invalid zone table: no id column {zone_id!r}; it has "
                f"{', '.join(map(repr, map(str, zones.columns[:12])))}. Pass zone_id= with the "
                "column holding the zone ids.")
        idx = normalise_ids(zones[zone_id], what="zone table ids", width=width)
        table = zones.drop(columns=[zone_id])
    else:
        idx = normalise_ids(zones.index, what="zone table ids", width=width)
        table = zones
    check_unique(idx, "zone table ids")
    table = table.copy()
    table.index = idx
    return table


def _merged_groups(raw: pd.Series, ids: pd.Series) -> list[list[str]]:
    """Groups of distinct raw spellings (across columns) that gave one id; only looked for
    when the raw ids are text (numbers have one spelling)."""
    if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        return []
    from ._ids import _spellings

    out: list = []
    _spellings(raw.reset_index(drop=True), ids, out)
    return out


def _merge_variants(matrix: pd.DataFrame, row_ids: pd.Index, col_ids: pd.Index,
                    rename: dict[str, str]) -> pd.DataFrame:
    """A labelled matrix whose rows and columns written two ways are added up."""
    body = matrix.apply(pd.to_numeric, errors="coerce")
    body = pd.DataFrame(body.to_numpy(dtype=float),
                        index=[rename.get(x, x) for x in row_ids],
                        columns=[rename.get(x, x) for x in col_ids])
    body = body.T.groupby(level=0, sort=False).sum(min_count=1).T
    return body.groupby(level=0, sort=False).sum(min_count=1)
