"""Rows, columns and zones that are not flows between zones: totals and footers.

Total and subtotal names in many languages (:data:`TOTAL_NAMES`, :func:`is_total_name`),
totals published as if they were zones (the sum of all the others: :func:`sum_of_others`
for a dense table, :func:`sum_zones` for a flow matrix), and the notes, sources and total
rows after the last flow (:func:`footer_rows`, :func:`drop_footer`), with the messages and
repair notes that name them.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from ..errors import Fix, InvalidODError, Message, says
from ..flows import SUPPRESSED_PATTERN

#: names of total and subtotal rows, columns and ids (compared case-folded, trimmed, NFKC)
TOTAL_NAMES = frozenset(
    {
        "total",
        "totals",
        "totale",
        "totali",
        "totaal",
        "totalt",
        "totaux",
        "total général",
        "total general",
        "totales",
        "grand total",
        "subtotal",
        "sub-total",
        "sub total",
        "gesamt",
        "insgesamt",
        "gesamtsumme",
        "gesamtergebnis",
        "summe",
        "summa",
        "sum",
        "sums",
        "all",
        "all areas",
        "all zones",
        "all places",
        "all workers",
        "all counties",
        "all municipalities",
        "all regions",
        "all lsoas",
        "all msoas",
        "alle",
        "ensemble",
        "somme",
        "tous",
        "todos",
        "todas",
        "tutti",
        "suma",
        "razem",
        "yhteensä",
        "samtals",
        "i alt",
        "i alt i alt",
        "celkem",
        "összesen",
        "kokku",
        "iš viso",
        "kopā",
        "skupaj",
        "ukupno",
        "итого",
        "всего",
        "общо",
        "σύνολο",
        "toplam",
        "jumlah",
        "eindtotaal",
        "합계",
        "총계",
        "소계",
        "계",
        "전체",
        "전국",
        "合計",
        "合计",
        "总计",
        "總計",
        "小計",
        "小计",
        "計",
        "计",
        "総数",
        "总数",
        "全国",
        "全國",
    }
)
_TOTAL_PREFIX = re.compile(
    r"^(?:grand\s+total|sub-?\s?totals?|totals?|totale|totali|totaal|totalt|totaux|gesamt|"
    r"insgesamt|summe|somme|yhteensä|i alt|razem|celkem|összesen|итого|всего|합계|총계|소계|"
    r"合計|合计|总计|總計|小計|小计)(?![^\W\d_])",
    re.IGNORECASE,
)


def is_total_name(value) -> bool:
    """Whether a row, column or id name reads as a total or subtotal: ``Total``, ``TOTAL``,
    ``Totale``, ``Gesamt``, ``Insgesamt``, ``Totaal``, ``Totalt``, ``Sum``, ``All``,
    ``합계``, ``合計``, ``Total (all areas)``, ``Subtotal:`` ... (case-insensitive, trimmed).

    Examples
    --------
    >>> [is_total_name(x) for x in ["Total", " TOTAL ", "Gesamt", "합계", "Total: all", "Totalfield"]]
    [True, True, True, True, True, False]
    >>> is_total_name("계룡시"), is_total_name("01001"), is_total_name(None)
    (False, False, False)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    if not isinstance(value, str):
        return False
    t = unicodedata.normalize("NFKC", value).strip().strip(":.*").strip()
    t = t.strip("()[]").strip().casefold()
    if not t or t[0].isdigit():
        return False
    return t in TOTAL_NAMES or bool(_TOTAL_PREFIX.match(t))


def total_mask(values: pd.Series) -> np.ndarray:
    """Which cells of a column read as total names (looked up once per distinct value)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return np.zeros(len(values), dtype=bool)
    uniques = pd.unique(values.to_numpy(dtype=object))
    totals = [u for u in uniques if is_total_name(u)]
    if not totals:
        return np.zeros(len(values), dtype=bool)
    return np.asarray(values.isin(totals).to_numpy(), dtype=bool)


def sum_of_others(a: np.ndarray, positive: np.ndarray | None = None) -> list[int]:
    """Rows of a dense non-negative array that are the sum of all the other rows (a grand
    total row under another name): at least 3 rows, two of the others not empty."""
    if a.ndim != 2 or a.shape[0] < 3 or not a.size:
        return []
    a = np.nan_to_num(np.asarray(a, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    rows = a.sum(axis=1)
    total = float(rows.sum())
    if not np.isfinite(total) or total <= 0:
        return []
    cols = a.sum(axis=0)
    tol = 1e-9 * total
    out = []
    for t in np.flatnonzero(np.abs(2 * rows - total) <= tol):
        others = np.count_nonzero(rows) - (rows[t] != 0)
        if (
            rows[t] > 0
            and others >= 2
            and np.allclose(2 * a[t], cols, rtol=1e-9, atol=tol / a.shape[1])
        ):
            out.append(int(t))
    return out


def sum_zones(m) -> tuple[list[int], list[int]]:
    """Zones of a square sparse flow matrix whose row (or column) is the sum of the other
    rows (columns): a total published as if it were a zone."""
    n = m.shape[0]
    if n < 3:
        return [], []
    rows = np.asarray(m.sum(axis=1)).ravel()
    cols = np.asarray(m.sum(axis=0)).ravel()
    total = float(rows.sum())
    if not np.isfinite(total) or total <= 0:
        return [], []
    tol = 1e-9 * total
    found_r, found_c = [], []
    for t in np.flatnonzero(np.abs(2 * rows - total) <= tol):
        row = m[[t], :].toarray().ravel()
        if (
            rows[t] > 0
            and np.count_nonzero(rows) - 1 >= 2
            and np.allclose(2 * row, cols, rtol=1e-9, atol=tol / n)
        ):
            found_r.append(int(t))
    for t in np.flatnonzero(np.abs(2 * cols - total) <= tol):
        col = m[:, [t]].toarray().ravel()
        if (
            cols[t] > 0
            and np.count_nonzero(cols) - 1 >= 2
            and np.allclose(2 * col, rows, rtol=1e-9, atol=tol / n)
        ):
            found_c.append(int(t))
    return found_r, found_c


def totals_fix(footer_too: bool = False) -> Message:
    if footer_too:
        return says(
            "Pass {} to leave them out (recorded in meta['repairs']; {} also drops "
            "total rows at the end), {} if they really are zones, or remove them "
            "from the file.",
            Fix("totals", "drop"),
            Fix("footer", "drop"),
            Fix("totals", "keep"),
        )
    return says(
        "Pass {} to leave them out (recorded in meta['repairs']), {} if they really "
        "are zones, or remove them from the file.",
        Fix("totals", "drop"),
        Fix("totals", "keep"),
    )


def footer_rows(df: pd.DataFrame, id_cols: list[str], flow: str | None) -> np.ndarray:
    """Positions of the trailing rows that are notes, totals or a footer, not flows.

    A row is a note when one of its id cells is empty, or its flow is text that is neither a
    number nor a suppression marker; only the block after the last proper row counts.
    """
    if not len(df):
        return np.zeros(0, dtype=np.int64)
    bad = np.array(df[id_cols].isna().any(axis=1).to_numpy(), dtype=bool)
    if flow is not None:
        col = df[flow]
        if not pd.api.types.is_numeric_dtype(col):
            text = col.astype(object).where(col.notna(), "").astype(str)
            numeric = pd.to_numeric(text.str.strip(), errors="coerce").notna().to_numpy()
            marker = text.str.fullmatch(SUPPRESSED_PATTERN).to_numpy()
            numberish = (
                text.str.strip()
                .str.fullmatch(r"[+-]?[\d.,' ]*\d[\d.,' ]*")
                .to_numpy(dtype=bool, na_value=False)
            )
            bad = bad | (~numeric & ~marker & ~numberish)
    good = np.flatnonzero(~bad)
    if not len(good):  # no row is a flow: a wrong column, not a footer (reported later)
        return np.zeros(0, dtype=np.int64)
    return np.arange(good[-1] + 1, len(df), dtype=np.int64)


def footer_rows_by_segment(
    df: pd.DataFrame, id_cols: list[str], flow: str | None, segments: list[int] | None
) -> np.ndarray:
    """:func:`footer_rows` of each part of a table stacked from several sheets."""
    if not segments:
        return footer_rows(df, id_cols, flow)
    out, start = [], 0
    for n in segments:
        out.append(footer_rows(df.iloc[start : start + n], id_cols, flow) + start)
        start += n
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def row_text(df: pd.DataFrame, i: int) -> str:
    cells = [str(v) for v in df.iloc[i].tolist() if not pd.isna(v) and str(v).strip()]
    text = ", ".join(cells)
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


def drop_footer(
    df: pd.DataFrame,
    rows: np.ndarray,
    footer: str,
    name: str,
    fix: str | Message,
    what: str = "OD table",
) -> tuple[pd.DataFrame, list[str]]:
    if not len(rows):
        return df, []
    examples = ", ".join(f"data row {i + 1}: {row_text(df, i)}" for i in rows[:3])
    if footer == "error":
        raise InvalidODError(
            f"Invalid {what} {name}: the last {len(rows):,} rows look like notes, totals or "
            f"a footer, not flows (first: {examples}). " + fix
        )
    keep = np.ones(len(df), dtype=bool)
    keep[rows] = False
    return df.iloc[np.flatnonzero(keep)], [
        f"dropped {len(rows)} footer or note rows at the end of {name} (first: {examples})"
    ]


def dropped_totals_note(df: pd.DataFrame, rows, name: str, what: str) -> str:
    examples = ", ".join(f"data row {i + 1}: {row_text(df, i)}" for i in list(rows)[:3])
    return f"dropped {len(rows)} total {what} of {name} (first: {examples})"
