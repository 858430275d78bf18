"""The numbers of a FlowGraph: flow cells read as float64 and checked.

This module owns what a flow value may be: text cells read as numbers (:func:`to_float`),
suppression markers read as no flow (:data:`SUPPRESSED_PATTERN`, :func:`unsuppress`), the
NaN / negative / infinite checks (:func:`check_values`), the range of totals a graph accepts
(:data:`MAX_TOTAL`, :data:`MIN_TOTAL`, :func:`check_sums`), the fix suggested for numbers
written with thousands separators (:func:`text_number_fix`) and the canonical float64 CSR
form of a flow matrix (:func:`canonical`).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .errors import Fix, InvalidODError, Problems, says

__all__ = [
    "SUPPRESSED_PATTERN",
    "MAX_TOTAL",
    "MIN_TOTAL",
    "NAN_FIX",
    "SUPPRESSED_FIX",
    "canonical",
    "examples_from_mask",
    "text_number_fix",
    "check_values",
    "to_float",
    "unsuppress",
    "check_sums",
]


def canonical(m, n: int) -> sp.csr_array:
    """A float64 CSR array with summed duplicates, sorted indices and no stored zeros."""
    m = sp.csr_array(m, dtype=np.float64, shape=(n, n), copy=True)
    m.sum_duplicates()
    m.eliminate_zeros()
    m.sort_indices()
    return m


def examples_from_mask(rows, cols, ids, mask, limit=3):
    """The first ``limit`` pairs ``"origin → destination"`` where ``mask`` is true."""
    idx = np.flatnonzero(mask)[:limit]
    return [f"{ids[rows[k]]} → {ids[cols[k]]}" for k in idx]


#: cells statistics offices publish instead of a number when a flow is suppressed, masked
#: or not available: "", "-", "–", "—", "*", "**", ".", "..", "...", "x", "X", ":", "c",
#: "(c)", "n/a", "NA" and "<N" (fewer than N). ``suppressed="zero"`` reads them as 0.
SUPPRESSED_PATTERN = (
    r"\s*(?:|[-–—]|\*{1,3}|\.{1,3}|[xX]|:|[cC]|\([cC]\)|[nN]/?[aA]"
    r"|<\s*=?\s*\d+(?:[.,]\d+)?)\s*"
)

NAN_FIX = says(
    "Fill or drop missing flows before building the graph, or pass {} "
    "if empty cells are suppressed small flows.",
    Fix("suppressed", "zero"),
)
SUPPRESSED_FIX = says(
    "Pass {} to read suppression markers ('-', '*', '..', 'x', '<3', "
    "empty) as no flow, or clean the cells before loading.",
    Fix("suppressed", "zero"),
)
_COMMA_THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3}(,\d{3})+(\.\d+)?\s*$")


def text_number_fix(examples, default):
    """The fix for non-numeric cells: numbers written with ',' between thousands
    ('16,171.5') need ``thousands=','``; anything else gets ``default``."""
    shown = [str(e) for e in examples]
    if shown and all(_COMMA_THOUSANDS.match(e) for e in shown):
        return says(
            "They are numbers written with ',' between thousands: pass {}.", Fix("thousands", ",")
        )
    return default


def check_values(data: np.ndarray, rows, cols, ids, problems: Problems, what="flows") -> None:
    """Report NaN, negative and infinite values (flows or margins of error) in ``problems``."""
    nan = np.isnan(data)
    problems.add(
        f"NaN {what}",
        examples_from_mask(rows, cols, ids, nan),
        count=int(nan.sum()),
        fix=NAN_FIX if what == "flows" else "Fill or drop missing values first.",
    )
    neg = data < 0
    problems.add(
        f"negative {what}",
        examples_from_mask(rows, cols, ids, neg),
        count=int(neg.sum()),
        fix="Flows are counts of people and cannot be negative.",
    )
    inf = np.isinf(data)
    problems.add(f"infinite {what}", examples_from_mask(rows, cols, ids, inf), count=int(inf.sum()))


def to_float(col: pd.Series) -> tuple[np.ndarray, list[str]]:
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


def unsuppress(col: pd.Series) -> tuple[pd.Series, int, list[Any]]:
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


def check_sums(matrix: sp.csr_array, ids: pd.Index) -> None:
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
            "flow column (units, misread numbers)."
        )
    if not total <= MAX_TOTAL:
        shown = f"{total:.3g}" if np.isfinite(total) else "more than 1.8e+308 (overflow)"
        raise InvalidODError(
            f"Invalid OD table: the flows add up to {shown}, too large to be computed exactly "
            f"(the total must stay below {MAX_TOTAL:.3g}, where float64 arithmetic on sums "
            "of flows is still exact enough). Flows are counts of people; check the flow "
            "column (units, misread numbers), or rescale: divide the flows by 1e6."
        )
    if 0 < total < MIN_TOTAL:
        raise InvalidODError(
            f"Invalid OD table: the flows add up to {total:.3g}, too small to be computed "
            f"exactly (below {MIN_TOTAL:.3g} float64 numbers are subnormal and lose digits, "
            "so shares of such flows would be off). Flows are counts of people; check the "
            "flow column (units), or rescale: multiply the flows by 1e6."
        )
