"""Which columns hold what: the id columns of long tables and wide matrices.

Origin and destination columns given as one name or several (:func:`as_list`), codes split
over several columns joined into one (:func:`combine_ids`: state and county FIPS, padded
by ``id_width``), a long table that is really a wide matrix (:func:`looks_like_matrix`),
and the row ids of a matrix (:func:`id_column_name`, :func:`ids_in_index` for a
DataFrame holding them in its index).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import Fix, InvalidODError, says
from ._excel import cell_text

#: one id column, or several joined into one code
Columns = str | Sequence[str]


def as_list(cols: Columns | None) -> list[str]:
    if cols is None:
        return []
    return [cols] if isinstance(cols, str) else list(cols)


def combine_ids(
    df: pd.DataFrame, cols: list[str], name: str, widths: Sequence[int] | None = None
) -> pd.Series:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InvalidODError(
            f"Invalid OD table: missing {name} columns {', '.join(map(repr, missing))}; the "
            f"table has {', '.join(map(repr, map(str, df.columns[:12])))}."
        )
    if len(cols) == 1:
        return df[cols[0]]
    numeric = [c for c in cols if _holds_numbers(df[c])]
    parts = [_text_ids(df[c]) for c in cols]
    if widths is not None:
        parts = [
            p.where(~p.str.fullmatch(r"\d+").fillna(False).astype(bool), p.str.zfill(w))
            for p, w in zip(parts, widths, strict=True)
        ]
    else:  # codes of varying length joined are ambiguous ('1' + '11' and '11' + '1')
        lengths = [p[p.str.fullmatch(r"\d+").fillna(False).astype(bool)].str.len() for p in parts]
        varying = [c for c, n in zip(cols, lengths, strict=True) if len(n) and n.nunique() > 1]
        varying = list(dict.fromkeys([*numeric, *varying]))
        if varying:
            suggest = [int(n.max()) if len(n) else 1 for n in lengths]
            raise InvalidODError(
                f"Invalid OD table: the {name} id columns {', '.join(map(repr, cols))} are "
                f"joined into one code, but {', '.join(map(repr, varying))} holds numbers or "
                "codes of varying length (leading zeros lost), so the joined codes would be "
                "ambiguous ('1' + '11' and '11' + '1'). "
                + says(
                    "Pass {} (one width per column, e.g. state and "
                    "county FIPS: 2 and 3) to pad each part.",
                    Fix("id_width", suggest),
                )
            )
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out.where(df[cols].notna().all(axis=1))


def _holds_numbers(col: pd.Series) -> bool:
    """Whether an id column holds numbers (no width: their leading zeros are gone)."""
    if pd.api.types.is_bool_dtype(col):
        return False
    if pd.api.types.is_numeric_dtype(col):
        return True
    if col.dtype == object:
        return any(
            isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, bool)
            and not (isinstance(v, float) and np.isnan(v))
            for v in col.to_numpy(dtype=object)[:10_000]
        )
    return False


def _text_ids(col: pd.Series) -> pd.Series:
    if col.dtype == object:
        return pd.Series(
            [cell_text(v) or "" for v in col.to_numpy(dtype=object)], index=col.index, dtype=str
        )
    return col.astype(str).str.strip()


def looks_like_matrix(df: pd.DataFrame) -> bool:
    """A header of zone ids matching the first column's values: a wide matrix."""
    if len(df.columns) < 3 or not len(df):
        return False

    def key(v) -> str:
        return str(v).strip().lstrip("0") or "0"

    first = {key(v) for v in df.iloc[:, 0].dropna().tolist()}
    cols = {key(c) for c in df.columns[1:]}
    return len(first & cols) >= max(2, len(cols) // 2)


def ids_in_index(df: pd.DataFrame) -> bool:
    """Whether a DataFrame holds its row ids in its index rather than its first column: the
    index holds more of the column ids than the first column does (a square frame with
    ids on both axes; not a default or filtered 0..n-1 index)."""
    if isinstance(df.index, pd.MultiIndex) or not len(df) or not len(df.columns):
        return False
    cols = {str(c).strip() for c in df.columns}
    in_index = sum(str(i).strip() in cols for i in df.index)
    in_first = sum(str(v).strip() in cols for v in df.iloc[:, 0].tolist())
    return in_index > in_first


def id_column_name(df: pd.DataFrame, id_column: str | int):
    if isinstance(id_column, (int, np.integer)) and not isinstance(id_column, bool):
        if not -len(df.columns) <= id_column < len(df.columns):
            raise InvalidODError(
                f"Invalid OD matrix: no column at position {id_column} (it has "
                f"{len(df.columns)} columns); " + says("pass {}.", Fix("id_column"))
            )
        return df.columns[id_column]
    if id_column not in df.columns:
        raise InvalidODError(
            f"Invalid OD matrix: no id column {id_column!r}; it has "
            f"{', '.join(map(repr, map(str, df.columns[:12])))}. "
            + says("Pass {}.", Fix("id_column"))
        )
    return id_column
