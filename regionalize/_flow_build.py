"""Building a FlowGraph: the checks and repairs behind its two constructors.

This module owns the bodies of :meth:`FlowGraph.from_dataframe
<regionalize.flows.FlowGraph.from_dataframe>` (a long origin-destination table:
:func:`build_from_dataframe`) and :meth:`FlowGraph.from_matrix
<regionalize.flows.FlowGraph.from_matrix>` (a square matrix: :func:`build_from_matrix`): column
and id checks, suppressed cells, duplicated pairs, ids written two ways (merged with
:func:`merged_groups` / :func:`merge_variants`), and the zone table joined by id
(:func:`normalise_zone_table`, :func:`refuse_ambiguous_ids`). Each returns the checked
:class:`Parts` of a graph; the constructors make the graph from them. The numbers themselves
(parsing, suppression markers, NaN and range checks) are :mod:`regionalize._flow_values`'.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._flow_values import (
    SUPPRESSED_FIX,
    canonical,
    check_sums,
    check_values,
    text_number_fix,
    to_float,
    unsuppress,
)
from ._ids import (
    check_collisions,
    check_unique,
    leading_zero_hint,
    merged_note,
    normalise_column,
    normalise_ids,
    spellings,
)
from .errors import Fix, InvalidODError, InvalidZonesError, Problems, check_parameter, says

__all__ = [
    "DUPLICATE_SHARE_WARN",
    "DUPLICATE_MIN_WARN",
    "COLUMNS_FIX",
    "ID_COLUMN_NAMES",
    "Parts",
    "build_from_dataframe",
    "build_from_matrix",
    "refuse_ambiguous_ids",
    "normalise_zone_table",
    "merged_groups",
    "merge_variants",
    "check_totals",
    "zone_attributes",
    "zone_positions",
    "zone_labels",
]

#: above this share of rows repeating a pair (and at least DUPLICATE_MIN_WARN rows), the ids
#: are probably incomplete
DUPLICATE_SHARE_WARN = 0.25
DUPLICATE_MIN_WARN = 20

COLUMNS_FIX = says(
    "Pass the right names with {}, {}, {}.", Fix("origin"), Fix("destination"), Fix("flow")
)


class Parts(NamedTuple):
    """The checked parts of a FlowGraph, as its constructor takes them."""

    matrix: sp.csr_array
    ids: pd.Index
    zones: pd.DataFrame
    moe: sp.csr_array | None
    meta: Mapping[str, Any] | None


#: column names that hold zone ids in a zone table
ID_COLUMN_NAMES = ("zone", "zone_id", "id", "code")


def refuse_ambiguous_ids(table: pd.DataFrame, ids: pd.Index, width: int | None) -> None:
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
                + says(
                    "Pass {} to join by the column, or make the index the zone ids "
                    "(table.set_index(...)).",
                    Fix("id_column", str(col)),
                )
            )


def normalise_zone_table(
    zones: pd.DataFrame, zone_id: str | None, width: int | None
) -> pd.DataFrame:
    """A copy of a zone table indexed by its zone ids (from the index, or from column
    ``zone_id``, which is dropped), normalised and checked unique."""
    if not isinstance(zones, pd.DataFrame):
        raise InvalidZonesError(
            f"Expected a pandas DataFrame of zones; got {type(zones).__name__}."
        )
    if zone_id is not None:
        if zone_id not in zones.columns:
            raise InvalidZonesError(
                f"Invalid zone table: no id column {zone_id!r}; it has "
                f"{', '.join(map(repr, map(str, zones.columns[:12])))}. Pass zone_id= with the "
                "column holding the zone ids."
            )
        idx = normalise_ids(zones[zone_id], what="zone table ids", width=width)
        table = zones.drop(columns=[zone_id])
    else:
        idx = normalise_ids(zones.index, what="zone table ids", width=width)
        table = zones
    check_unique(idx, "zone table ids")
    table = table.copy()
    table.index = idx
    return table


def merged_groups(raw: pd.Series, ids: pd.Series) -> list[list[str]]:
    """Groups of distinct raw spellings (across columns) that gave one id; only looked for
    when the raw ids are text (numbers have one spelling)."""
    if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        return []
    out: list = []
    spellings(raw.reset_index(drop=True), ids, out)
    return out


def merge_variants(
    matrix: pd.DataFrame, row_ids: pd.Index, col_ids: pd.Index, rename: dict[str, str]
) -> pd.DataFrame:
    """A labelled matrix whose rows and columns written two ways are added up."""
    body = matrix.apply(pd.to_numeric, errors="coerce")
    body = pd.DataFrame(
        body.to_numpy(dtype=float),
        index=[rename.get(x, x) for x in row_ids],
        columns=[rename.get(x, x) for x in col_ids],
    )
    body = body.T.groupby(level=0, sort=False).sum(min_count=1).T
    return body.groupby(level=0, sort=False).sum(min_count=1)


def build_from_dataframe(
    df: pd.DataFrame,
    origin: str,
    destination: str,
    flow: str,
    *,
    moe: str | None,
    zones: pd.DataFrame | None,
    zone_id: str | None,
    duplicates: str,
    extra_zones: str,
    id_width: int | None,
    suppressed: str,
    id_collisions: str,
    meta: Mapping[str, Any] | None,
) -> Parts:
    """The body of :meth:`FlowGraph.from_dataframe
    <regionalize.flows.FlowGraph.from_dataframe>` (see there): the checked matrix, ids, zone
    table, margins of error and meta (with the repairs made) of a long OD table."""
    check_parameter(
        "FlowGraph.from_dataframe",
        "duplicates",
        duplicates,
        allowed=["error", "sum", "drop_identical"],
    )
    check_parameter(
        "FlowGraph.from_dataframe", "extra_zones", extra_zones, allowed=["error", "keep", "drop"]
    )
    check_parameter("FlowGraph.from_dataframe", "suppressed", suppressed, allowed=["error", "zero"])
    check_parameter(
        "FlowGraph.from_dataframe", "id_collisions", id_collisions, allowed=["error", "merge"]
    )
    if not isinstance(df, pd.DataFrame):
        raise InvalidODError(f"Expected a pandas DataFrame of flows; got {type(df).__name__}.")
    wanted = [origin, destination, flow] + ([moe] if moe else [])
    repeated = sorted({str(c) for c in df.columns[df.columns.duplicated()] if c in wanted})
    if repeated:
        raise InvalidODError(
            f"Invalid OD table: {len(repeated)} column names used twice "
            f"({', '.join(map(repr, repeated))}); rename one of each so that origin, "
            "destination and flow are one column each."
        )
    absent = [c for c in wanted if c not in df.columns]
    if absent:
        raise InvalidODError(
            f"Invalid OD table: {len(absent)} missing columns ({', '.join(map(repr, absent))}); "
            f"the table has {', '.join(map(repr, map(str, df.columns[:12])))}. " + COLUMNS_FIX
        )
    if len(df) == 0:
        raise InvalidODError(
            "Invalid OD table: the table is empty (0 rows). Check the file "
            "and any filter applied before building the graph."
        )

    problems = Problems("Invalid OD table")
    no_id = (df[origin].isna() | df[destination].isna()).to_numpy()
    problems.add(
        "rows without an origin or destination id",
        [f"row {i}" for i in np.flatnonzero(no_id)[:3]],
        count=int(no_id.sum()),
        fix="Drop footer or note rows and fill missing ids before loading.",
    )
    has_id = ~no_id
    o_col = normalise_column(df[origin][has_id], what="origin ids", width=id_width)
    d_col = normalise_column(df[destination][has_id], what="destination ids", width=id_width)
    repairs: list[str] = []
    both = pd.concat([o_col, d_col], ignore_index=True)
    raw_both = pd.concat([df[origin][has_id], df[destination][has_id]], ignore_index=True)
    note = merged_note(merged_groups(raw_both, both), "ids")
    if note:
        repairs.append(note)
    rename = check_collisions(both, "ids", problems, id_collisions)
    if rename:
        o_col, d_col = o_col.replace(rename), d_col.replace(rename)
        shown = ", ".join(f"{k!r} as {v!r}" for k, v in list(rename.items())[:3])
        repairs.append(f"read {len(rename)} ids written another way as one zone (first: {shown})")
    flow_col = df[flow][has_id]
    if suppressed == "zero":
        flow_col, n_masked, examples = unsuppress(flow_col)
        if n_masked:
            repairs.append(
                f"read {n_masked} suppressed or missing flows as 0 (first: "
                f"{', '.join(map(repr, examples))})"
            )
    values, bad_text = to_float(flow_col)
    problems.add(
        "non-numeric flows",
        bad_text[:3],
        count=len(bad_text),
        fix=text_number_fix(bad_text[:3], SUPPRESSED_FIX),
    )
    moe_values = None
    if moe:
        moe_values, bad_moe = to_float(df[moe][has_id])
        problems.add("non-numeric margins of error", bad_moe[:3], count=len(bad_moe))

    # one hash pass over both id columns; only the (few) distinct ids are sorted
    n_rows = len(o_col)
    codes, uniques = pd.factorize(pd.concat([o_col, d_col], ignore_index=True))
    uniques = pd.Index(np.asarray(uniques, dtype=object), dtype=object)
    zone_table = None
    if zones is not None:
        zone_table = normalise_zone_table(zones, zone_id, id_width)
        known = zone_table.index
        unknown = uniques.difference(known)
        unused = known.difference(uniques)
        problems.add(
            "origin/destination ids not in the zone table",
            list(unknown[:3]),
            count=len(unknown),
            fix="Add them to the zone table or correct the ids in the flows."
            + leading_zero_hint(unknown, unused),
        )
        if len(unused) and extra_zones == "error":
            problems.add(
                "zone-table ids with no flow",
                list(unused[:3]),
                count=len(unused),
                fix=says(
                    "Pass {} to keep them as zones without flows, or {} to leave them out.",
                    Fix("extra_zones", "keep"),
                    Fix("extra_zones", "drop"),
                ),
            )
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
    check_values(values, rows, cols, ids, problems)
    if moe_values is not None:
        check_values(moe_values, rows, cols, ids, problems, what="margins of error")

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
                repairs.append(
                    f"dropped {n_exact} exact repeats of origin-destination "
                    "rows (same pair, same flow)"
                )
            n_dup = 0
            if n_clash:
                clash_idx = np.flatnonzero(clash[~exact])
                problems.add(
                    "contradicting rows (a pair repeated with a different flow)",
                    [f"{ids[rows[k]]} → {ids[cols[k]]}" for k in clash_idx[:3]],
                    count=n_clash,
                    fix=says(
                        "Decide which row is right and remove the other, or pass "
                        "{} if they are parts to add up.",
                        Fix("duplicates", "sum"),
                    ),
                )
        else:
            split = (
                f"Of the repeats, {n_exact:,} are exact (same flow) and {n_clash:,} "
                "contradict the first row (different flow). "
            )
            if n_dup >= DUPLICATE_MIN_WARN and n_dup > DUPLICATE_SHARE_WARN * len(pair):
                split += (
                    f"So many repeats ({n_dup / len(pair):.0%} of the rows) usually "
                    "mean the ids are incomplete (e.g. a county code without its "
                    "state code): name every column of the ids before adding "
                    "anything up. "
                )
            problems.add(
                "duplicated origin-destination pairs",
                [f"{ids[rows[k]]} → {ids[cols[k]]}" for k in np.flatnonzero(repeat)[:3]],
                count=n_dup,
                fix=split
                + says(
                    "Pass {} to add them up, {} to keep one of "
                    "each exact repeat, or remove the repeats.",
                    Fix("duplicates", "sum"),
                    Fix("duplicates", "drop_identical"),
                ),
            )
    if (
        duplicates == "sum"
        and n_dup >= DUPLICATE_MIN_WARN
        and n_dup > DUPLICATE_SHARE_WARN * len(pair)
    ):
        warnings.warn(
            f"duplicates='sum' added up {n_dup:,} repeated origin-destination pairs, "
            f"{n_dup / len(pair):.0%} of the rows: so many usually mean the ids are "
            "incomplete (e.g. a county code without its state code), and the sums merge "
            "different places. Check that the id columns identify every zone.",
            UserWarning,
            stacklevel=4,
        )
    problems.raise_if_any(InvalidODError)

    n = len(ids)
    matrix = canonical((values, (rows, cols)), n)
    check_sums(matrix, ids)
    moe_matrix = None
    if moe_values is not None:
        # margins of repeated pairs combine as the root of the sum of squares
        sq = canonical((moe_values**2, (rows, cols)), n)
        sq.data = np.sqrt(sq.data)
        moe_matrix = sq
    zt = zone_table.copy() if zone_table is not None else pd.DataFrame(index=ids)
    meta = dict(meta or {})
    if n_dup:
        repairs.append(f"summed {n_dup} repeated rows into their origin-destination pairs")
    if repairs:
        meta["repairs"] = [*meta.get("repairs", []), *repairs]
    return Parts(matrix, ids, zt, moe_matrix, meta)


def build_from_matrix(
    matrix,
    ids: Sequence[str] | None,
    *,
    zones: pd.DataFrame | None,
    zone_id: str | None,
    moe,
    id_width: int | None,
    id_collisions: str,
    meta: Mapping[str, Any] | None,
) -> Parts:
    """The body of :meth:`FlowGraph.from_matrix <regionalize.flows.FlowGraph.from_matrix>`
    (see there): the checked matrix, ids, zone table, margins of error and meta of a square
    matrix."""
    check_parameter(
        "FlowGraph.from_matrix", "id_collisions", id_collisions, allowed=["error", "merge"]
    )
    problems = Problems("Invalid OD matrix")
    repairs: list[str] = []
    dtypes = (
        matrix.dtypes.tolist()
        if isinstance(matrix, pd.DataFrame)
        else [getattr(matrix, "dtype", None)]
    )
    if any(
        d is not None and (pd.api.types.is_complex_dtype(d) or pd.api.types.is_bool_dtype(d))
        for d in dtypes
    ):
        raise InvalidODError(
            "Invalid OD matrix: its cells are complex numbers or booleans, not counts of "
            "people; build the matrix from the flow counts (real numbers)."
        )
    if isinstance(matrix, pd.DataFrame):
        merged: list = []
        row_ids = normalise_ids(matrix.index, what="row ids", width=id_width, merged=merged)
        col_ids = normalise_ids(matrix.columns, what="column ids", width=id_width, merged=merged)
        check_unique(row_ids, "row ids")
        check_unique(col_ids, "column ids")
        note = merged_note(merged, "row or column ids")
        if note:
            repairs.append(note)
        rename = check_collisions(
            pd.Series([*row_ids, *col_ids], dtype=object),
            "row or column ids",
            problems,
            id_collisions,
        )
        if rename:  # one zone written two ways: add its rows and columns up
            matrix = merge_variants(matrix, row_ids, col_ids, rename)
            shown = ", ".join(f"{k!r} as {v!r}" for k, v in list(rename.items())[:3])
            repairs.append(
                f"read {len(rename)} ids written another way as one zone (first: {shown})"
            )
            row_ids = normalise_ids(matrix.index, what="row ids")
            col_ids = normalise_ids(matrix.columns, what="column ids")
        problems.raise_if_any(InvalidODError)
        only_rows = row_ids.difference(col_ids)
        only_cols = col_ids.difference(row_ids)
        problems.add("row ids missing from the columns", list(only_rows[:3]), count=len(only_rows))
        problems.add(
            "column ids missing from the rows",
            list(only_cols[:3]),
            count=len(only_cols),
            fix="A flow matrix must be square with the same zones as rows and "
            "columns; add all-zero rows/columns for zones that only receive "
            "or only send.",
        )
        problems.raise_if_any(InvalidODError)
        if ids is not None:
            raise InvalidODError(
                "Pass ids= only with an unlabelled matrix; a DataFrame "
                "carries its ids in its index and columns."
            )
        order = col_ids.get_indexer(row_ids)
        values = matrix.to_numpy()
        non_numeric = not np.issubdtype(values.dtype, np.number)
        if non_numeric:
            conv = matrix.apply(pd.to_numeric, errors="coerce")
            bad = conv.isna() & matrix.notna()
            cells = [str(v) for v in matrix.to_numpy()[bad.to_numpy()][:3]]
            problems.add(
                "non-numeric cells",
                cells,
                count=int(bad.to_numpy().sum()),
                fix=text_number_fix(cells, "Clean suppressed or footnoted cells before loading."),
            )
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
                raise InvalidODError(
                    f"Invalid OD matrix: values must be numeric, got dtype {arr.dtype}."
                )
            m = sp.coo_array(arr.astype(float))
        if ids is None:
            raise InvalidODError("Pass the zone ids in matrix order with ids=.")
        ids_index = normalise_ids(ids, width=id_width)
        check_unique(ids_index)
    r, c = m.shape
    if r != c:
        raise InvalidODError(
            f"Invalid OD matrix: it must be square, got {r} rows and {c} "
            "columns. Add all-zero rows or columns for zones that only send "
            "or only receive."
        )
    if len(ids_index) != r:
        raise InvalidODError(f"Invalid OD matrix: {len(ids_index)} ids for a {r} x {r} matrix.")
    if r == 0:
        raise InvalidODError("Invalid OD matrix: it is empty (0 zones).")
    data = np.asarray(m.data, dtype=float)
    check_values(data, m.row, m.col, ids_index, problems)
    problems.raise_if_any(InvalidODError)
    matrix_csr = canonical((data, (m.row, m.col)), r)
    check_sums(matrix_csr, ids_index)

    moe_csr = None
    if moe is not None:
        moe_arr = moe.to_numpy() if isinstance(moe, pd.DataFrame) else moe
        moe_csr = (
            canonical(moe_arr, r)
            if sp.issparse(moe_arr)
            else canonical(np.asarray(moe_arr, dtype=float), r)
        )

    zt = pd.DataFrame(index=ids_index)
    if zones is not None:
        table = normalise_zone_table(zones, zone_id, id_width)
        p = Problems("Invalid zone table")
        miss = ids_index.difference(table.index)
        extra = table.index.difference(ids_index)
        p.add("matrix ids not in the zone table", list(miss[:3]), count=len(miss))
        p.add(
            "zone-table ids not in the matrix",
            list(extra[:3]),
            count=len(extra),
            fix="The zone table must list exactly the zones of the matrix."
            + leading_zero_hint(miss, extra),
        )
        p.raise_if_any(InvalidZonesError)
        zt = table.reindex(ids_index)
    if repairs:
        meta = dict(meta or {})
        meta["repairs"] = [*meta.get("repairs", []), *repairs]
    return Parts(matrix_csr, ids_index, zt, moe_csr, meta)


def check_totals(
    zones: pd.DataFrame, ids: pd.Index, residents: str | None, jobs: str | None
) -> None:
    """Check the zone-table columns named as residents / jobs totals: present, numeric, not
    negative."""
    p = Problems("Invalid zone totals")
    for role, col in (("residents", residents), ("jobs", jobs)):
        if col is None:
            continue
        if col not in zones.columns:
            p.add(
                f"{role} column not in the zone table",
                [col],
                fix=(
                    f"Attach a zone table with a {col!r} column, or leave {role}= unset to use "
                    "the matrix sums."
                ),
            )
            continue
        v = pd.to_numeric(zones[col], errors="coerce")
        bad = v.isna() | (v < 0)
        p.add(
            f"zones with a missing or negative {role} value ({col!r})",
            list(ids[bad.to_numpy()][:3]),
            count=int(bad.sum()),
        )
    p.raise_if_any(InvalidZonesError)


def zone_attributes(
    table: pd.DataFrame, ids: pd.Index, *, id_column: str | None, missing: str, id_width: int | None
) -> pd.DataFrame:
    """The checks of :meth:`FlowGraph.with_zones <regionalize.flows.FlowGraph.with_zones>`
    (see there): ``table`` indexed by its normalised zone ids, all of them in ``ids``."""
    check_parameter("FlowGraph.with_zones", "missing", missing, allowed=["error", "keep"])
    if id_column is None and isinstance(table, pd.DataFrame):
        refuse_ambiguous_ids(table, ids, id_width)
    t = normalise_zone_table(table, id_column, id_width)
    p = Problems("Invalid zone table")
    extra = t.index.difference(ids)
    p.add(
        "ids not in the graph",
        list(extra[:3]),
        count=len(extra),
        fix="Correct the ids, or drop these rows from the table."
        + leading_zero_hint(ids.difference(t.index), extra),
    )
    if missing == "error":
        miss = ids.difference(t.index)
        p.add(
            "graph zones missing from the table",
            list(miss[:3]),
            count=len(miss),
            fix=says("Pass {} to leave their attributes empty.", Fix("missing", "keep")),
        )
    p.raise_if_any(InvalidZonesError)
    return t


def zone_positions(ids: pd.Index, wanted: Sequence[str], what: str) -> np.ndarray:
    """Positions in ``ids`` of the ids ``wanted``; an error names those not in ``ids``."""
    asked = normalise_ids(wanted, what=what)
    pos = ids.get_indexer(asked)
    bad = asked[pos < 0]
    if len(bad):
        raise InvalidZonesError(
            f"Invalid {what}: {len(bad):,} ids not in the graph (first: "
            f"{', '.join(bad[:3])}). Use ids of the graph (graph.ids: text, leading "
            "zeros kept)."
        )
    return pos


def zone_labels(ids: pd.Index, labels) -> np.ndarray:
    """One label per zone of ``ids``, from an array aligned with them or a mapping / Series
    from zone id to label covering every zone; an error for a missing label."""
    if isinstance(labels, Mapping):
        labels = pd.Series(labels)
    if isinstance(labels, pd.Series):
        idx = normalise_ids(labels.index, what="label index")
        check_unique(idx, "label index")
        s = pd.Series(labels.to_numpy(), index=idx)
        miss = ids.difference(idx)
        if len(miss):
            raise InvalidZonesError(
                f"Invalid labels: {len(miss):,} zones have no label (first: "
                f"{', '.join(miss[:3])}). Every zone needs one; give unassigned zones a "
                "label of their own."
            )
        extra = idx.difference(ids)
        if len(extra):
            raise InvalidZonesError(
                f"Invalid labels: {len(extra):,} ids not in the graph (first: "
                f"{', '.join(extra[:3])})."
            )
        values = s.reindex(ids).to_numpy()
    else:
        values = np.asarray(labels, dtype=object)
        if values.shape != (len(ids),):
            raise InvalidZonesError(
                f"Invalid labels: expected one label per zone ({len(ids)}), got "
                f"shape {values.shape}."
            )
    na = pd.isna(values)
    if na.any():
        raise InvalidZonesError(
            f"Invalid labels: {int(na.sum()):,} missing labels (first zones: "
            f"{', '.join(ids[na][:3])}). Every zone needs one."
        )
    return values
