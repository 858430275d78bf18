"""Excel workbooks (``.xlsx``, ``.xlsm``; ``.xls`` with xlrd, ``.ods`` with odfpy).

One table from a workbook (:func:`read_excel`): the sheet asked for (needed when there are
several, note sheets set aside in the error), the header found below title rows, empty
rows dropped, several sheets stacked; and a cell as the text of an id (:func:`cell_text`:
``1001.0`` -> ``"1001"``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Fix, InvalidODError, says

#: the sheet(s) of a workbook: a name, a position from 0, several of them, or None
Sheet = str | int | Sequence[str | int] | None


def cell_text(v) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 2.0**53:
        v = int(v)
    text = str(v).strip()
    return text or None


def _unique_names(names: list[str]) -> list[str]:
    """Column names made unique as pandas does (``x``, ``x.1``, ``x.2``)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            new = f"{n}.{seen[n]}"
            while new in seen:
                seen[n] += 1
                new = f"{n}.{seen[n]}"
            seen[new] = 0
            out.append(new)
        else:
            seen[n] = 0
            out.append(n)
    return out


def _sheet_list(names: list[str]) -> str:
    shown = ", ".join(map(repr, names[:8]))
    return shown + (", ..." if len(names) > 8 else "")


_NOTE_SHEETS = re.compile(
    r"(?i)^(notes?|contents?|readme|read me|info.*|about|index|"
    r"metadata|definitions?|sources?|cover.*|title)$"
)


def read_excel(
    path: Path, *, sheet: Sheet, skiprows: int | None, want: Sequence[str] = ()
) -> tuple[pd.DataFrame, list[str]]:
    """One table from a workbook: the header found below title rows (or after
    ``skiprows`` rows), empty rows dropped, several sheets stacked. Cells keep their types
    (numbers stay numbers; the caller turns id columns into text)."""
    name = path.name
    try:
        book = pd.ExcelFile(path)
    except ImportError as exc:
        engine = (
            "xlrd"
            if path.suffix.lower() == ".xls"
            else ("odfpy" if path.suffix.lower() == ".ods" else "openpyxl")
        )
        raise InvalidODError(
            f"Cannot read {name}: reading {path.suffix} workbooks needs the package "
            f"{engine} ({exc}). Install it (pip install {engine}), or save the sheet as "
            ".xlsx or CSV."
        ) from None
    except Exception as exc:  # noqa: BLE001 - zipfile, openpyxl and xlrd raise many kinds
        raise InvalidODError(
            f"Cannot read {name} as an Excel workbook ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}). Check that it is a "
            "complete .xlsx / .xls / .ods file, or "
            + says("pass {} if it is text.", Fix("format", "csv"))
        ) from None
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is None:
            if len(names) > 1:
                tables = [n for n in names if not _NOTE_SHEETS.match(n.strip())] or names
                raise InvalidODError(
                    f"{name} has {len(names)} sheets ({_sheet_list(names)}): "
                    + says(
                        "pass {} (a name, or a position from 0) with the table to read, "
                        "or a list of sheets to read one table split over several.",
                        Fix("sheet", tables[0]),
                    )
                )
            chosen: list = [names[0]]
        else:
            chosen = list(sheet) if isinstance(sheet, (list, tuple)) else [sheet]
        frames, notes = [], []
        for s in chosen:
            if isinstance(s, (int, np.integer)) and not isinstance(s, bool):
                if not 0 <= int(s) < len(names):
                    raise InvalidODError(
                        f"{name} has no sheet at position {int(s)}: it has {len(names)} "
                        f"({_sheet_list(names)}); "
                        + says("pass {} with a name or a position from 0.", Fix("sheet"))
                    )
                label = names[int(s)]
            else:
                label = str(s)
                if label not in names:
                    digits = label.strip().isdigit() and int(label) < len(names)
                    if not digits:
                        raise InvalidODError(
                            f"{name} has no sheet {label!r}; its sheets are "
                            f"{_sheet_list(names)}. "
                            + says("Pass {} with one of them.", Fix("sheet"))
                        )
                    label = names[int(label)]
            raw = pd.read_excel(book, sheet_name=label, header=None, dtype=object)
            frame, note = _excel_table(
                raw, name=f"{name} (sheet {label!r})", skiprows=skiprows, want=want
            )
            frames.append(frame)
            if note:
                notes.append(note)
    if len(frames) > 1:
        cols = list(frames[0].columns)
        for f, s in zip(frames[1:], chosen[1:], strict=True):
            if list(f.columns) != cols:
                raise InvalidODError(
                    f"The sheets of {name} do not hold the same columns: {s!r} has "
                    f"{', '.join(map(repr, map(str, f.columns[:8])))}, the first "
                    f"{', '.join(map(repr, map(str, cols[:8])))}. Read them one by one."
                )
        notes.append(
            f"read {len(frames)} sheets of {name} as one table "
            f"({_sheet_list([str(c) for c in chosen])})"
        )
    out = pd.concat(frames, ignore_index=True)
    if len(frames) > 1:  # where each sheet ends: each may have its own footer
        out.attrs["segments"] = [len(f) for f in frames]
    return out, notes


def _excel_table(
    raw: pd.DataFrame, *, name: str, skiprows: int | None, want: Sequence[str]
) -> tuple[pd.DataFrame, str | None]:
    if raw.empty:
        raise InvalidODError(f"Invalid OD table {name}: the sheet is empty.")
    filled = raw.notna().to_numpy()
    counts = filled.sum(axis=1)
    if skiprows is not None:
        row = int(skiprows)
    else:
        row = None
        want = [str(w).strip() for w in want]
        if want:
            for k in range(min(len(raw), 200)):
                cells = {cell_text(v) for v in raw.iloc[k].tolist()}
                if all(w in cells for w in want):
                    row = k
                    break
        if row is None:
            widest = int(counts[:200].max())
            row = int(np.flatnonzero(counts >= max(widest - 1, 1))[0])
    if row >= len(raw):
        raise InvalidODError(f"Invalid OD table {name}: no header after {row} rows.")
    header = [cell_text(v) for v in raw.iloc[row].tolist()]
    keep_cols = [j for j, h in enumerate(header) if h is not None or filled[row + 1 :, j].any()]
    header = [header[j] if header[j] is not None else f"Unnamed: {j}" for j in keep_cols]
    body = raw.iloc[row + 1 :, keep_cols]
    body = body[body.notna().any(axis=1)]
    body.columns = _unique_names(header)
    body = body.reset_index(drop=True)
    note = None
    if row and skiprows is None:
        titles = [t for t in (cell_text(v) for v in raw.iloc[:row].to_numpy().ravel()) if t]
        shown = f" (first: {titles[0][:60]!r})" if titles else ""
        note = f"skipped {row} title rows above the header of {name}{shown}"
    return body, note
