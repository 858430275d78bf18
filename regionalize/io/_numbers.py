"""Numbers as statistics offices write them, and the options that say how.

The checks of the reading options ``skiprows``, ``thousands`` and ``decimal``
(:func:`check_read_options`); the flows of a column parsed with the thousands and decimal
marks given, or refused with the option to pass when they look European (``1.234``,
``12,5``; :func:`parse_numbers`); and the cells of a wide matrix as numbers, suppression
markers read as 0 when asked (:func:`numeric_body`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import Fix, InvalidODError, InvalidParameterError, says

#: the most title or note lines ``skiprows`` skips (pandas builds the set of lines to skip:
#: a huge count exhausts memory before reading anything)
MAX_SKIPROWS = 1_000_000


def check_read_options(options: dict) -> None:
    """``skiprows``, ``thousands`` and ``decimal`` as pandas can use them, or one error."""
    from ..errors import check_int

    if options.get("skiprows") is not None:
        options["skiprows"] = check_int(
            "the readers",
            "skiprows",
            options["skiprows"],
            low=0,
            high=MAX_SKIPROWS,
            note=" (title or note lines before the header)",
        )
    for key in ("thousands", "decimal"):
        value = options.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) != 1 or value.isalnum() or value in '\r\n"':
            raise InvalidParameterError(
                f"The {key!r} parameter of the readers must be one character that is not a "
                f"letter, a digit, a quote or a line break (e.g. '.' or ','). Got {value!r} "
                "instead."
            )
    if options.get("thousands") is not None and options.get("thousands") == options.get("decimal"):
        raise InvalidParameterError(
            f"thousands= and decimal= are the same character ({options['thousands']!r}); a "
            "number cannot use one mark for both."
        )


_GROUPED_DOT = r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+"
_COMMA_NUMBER = r"[+-]?\d[\d.]*,\d+"


def _shown(values, limit: int = 3) -> str:
    return ", ".join(repr(str(v)) for v in list(values)[:limit])


def parse_numbers(
    values: pd.Series,
    *,
    thousands: str | None,
    decimal: str | None,
    european: bool,
    name: str,
    what: str,
    kind: str = "table",
) -> pd.Series:
    """The numbers of a column of flows (text cells parsed, numbers kept as they are).

    Cells that are not numbers (suppression markers, notes) are returned as they were,
    for the caller to report or read as suppressed. With neither ``thousands`` nor
    ``decimal`` given, a column whose dotted numbers all look like ``1.234`` (groups of
    three digits, as the European convention writes thousands) in a file not separated by
    commas is an error naming ``thousands='.'``, never silently read as fractions; numbers
    written with a decimal comma are an error naming ``decimal=','``.
    """
    check_read_options({"thousands": thousands, "decimal": decimal})
    if pd.api.types.is_bool_dtype(values) or (pd.api.types.is_numeric_dtype(values)):
        return values
    if values.dtype == object:
        strmask = np.fromiter(
            (isinstance(v, str) for v in values.to_numpy(dtype=object)),
            dtype=bool,
            count=len(values),
        )
    else:
        strmask = np.asarray(values.notna().to_numpy(), dtype=bool)
    if not strmask.any():
        return values
    text = pd.Series(values[strmask].to_numpy(dtype=object), dtype=str).str.strip()
    parsed = _parse_text(
        text,
        thousands=thousands,
        decimal=decimal,
        european=european,
        name=f"{kind} {name}",
        what=what,
    )
    out = values.astype(object).copy()
    ok = parsed.notna().to_numpy()
    idx = np.flatnonzero(strmask)
    out.iloc[idx[ok]] = parsed.to_numpy()[ok]
    rest = out.to_numpy(dtype=object)
    if not any(isinstance(v, str) for v in rest[strmask][~ok]):
        return pd.Series(pd.to_numeric(out, errors="coerce"), index=values.index)
    return out


def _parse_text(text: pd.Series, *, thousands, decimal, european, name, what) -> pd.Series:
    if thousands is not None and decimal is not None and thousands == decimal:
        raise InvalidODError(
            f"thousands= and decimal= are both {thousands!r}; "
            + says(
                "pass {} with {}, or {} with {}.",
                Fix("thousands", "."),
                Fix("decimal", ","),
                Fix("thousands", ","),
                Fix("decimal", "."),
            )
        )
    if thousands is None and decimal is None:
        conv = pd.to_numeric(text, errors="coerce")
        numeric = conv.notna().to_numpy()
        dotted = numeric & text.str.contains(".", regex=False).to_numpy(dtype=bool, na_value=False)
        grouped_many = ~numeric & text.str.fullmatch(r"[+-]?[1-9]\d{0,2}(?:\.\d{3}){2,}").to_numpy(
            dtype=bool, na_value=False
        )
        if european and (dotted.any() or grouped_many.any()):
            looks = text[dotted].str.fullmatch(_GROUPED_DOT).to_numpy(dtype=bool, na_value=False)
            if looks.all():
                examples = list(text[dotted | grouped_many].head(3))
                raise InvalidODError(
                    f"Invalid OD {name}: {int(dotted.sum() + grouped_many.sum()):,} "
                    f"{what} are written like {_shown(examples)}, with '.' between groups of "
                    "three digits as the European convention writes thousands; read as they "
                    f"are they would be fractions ({examples[0]!r} as "
                    f"{_as_number(examples[0])}). "
                    + says(
                        "Pass {} (and {} if decimals are written with a comma), or {} "
                        "if they really are fractions.",
                        Fix("thousands", "."),
                        Fix("decimal", ","),
                        Fix("decimal", "."),
                    )
                )
        comma = ~numeric & text.str.fullmatch(_COMMA_NUMBER).to_numpy(dtype=bool, na_value=False)
        if comma.any():
            raise InvalidODError(
                f"Invalid OD {name}: {int(comma.sum()):,} {what} are written with a "
                f"comma (first: {_shown(text[comma])}). "
                + says(
                    "Pass {} if the comma is the decimal mark (with {} if '.' groups the "
                    "thousands), or {} if it groups the thousands.",
                    Fix("decimal", ","),
                    Fix("thousands", "."),
                    Fix("thousands", ","),
                )
            )
        return conv
    dec = decimal or "."
    s = text
    if thousands:
        t, d = re.escape(thousands), re.escape(dec)
        has = s.str.contains(thousands, regex=False).to_numpy(dtype=bool, na_value=False)
        fits = s.str.fullmatch(rf"[+-]?\d{{1,3}}(?:{t}\d{{3}})+(?:{d}\d+)?").to_numpy(
            dtype=bool, na_value=False
        )
        bad = has & ~fits
        if bad.any():
            raise InvalidODError(
                f"Invalid OD {name}: {int(bad.sum()):,} {what} do not fit "
                + says("{}", Fix("thousands", thousands))
                + f" (first: {_shown(s[bad])}): the separator must stand between groups of "
                "three digits. " + says("Check {} and {}.", Fix("thousands"), Fix("decimal"))
            )
        s = s.str.replace(thousands, "", regex=False)
    if dec != ".":
        stray = s.str.fullmatch(r"[+-]?\d+\.\d+(?:" + re.escape(dec) + r"\d+)?").to_numpy(
            dtype=bool, na_value=False
        )
        if stray.any():
            raise InvalidODError(
                f"Invalid OD {name}: {int(stray.sum()):,} {what} hold a '.' although "
                + says("{}", Fix("decimal", dec))
                + f" (first: {_shown(s[stray])}). "
                + says("Pass {} if '.' groups the thousands.", Fix("thousands", "."))
            )
        s = s.str.replace(dec, ".", regex=False)
    return pd.to_numeric(s, errors="coerce")


def _as_number(text: str) -> str:
    try:
        return f"{float(text):g}"
    except ValueError:
        return "not a number"


def numeric_body(
    df: pd.DataFrame,
    cols: list,
    *,
    thousands,
    decimal,
    european: bool,
    suppressed: str,
    name: str,
    repairs: list[str],
) -> pd.DataFrame:
    """The flow cells of a wide matrix as numbers (one vectorised pass over all cells);
    cells that are no numbers stay text for the caller to report."""
    n_rows = len(df)
    if not cols:
        return pd.DataFrame(index=range(n_rows))
    if (
        all(
            pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            for c in cols
        )
        and suppressed != "zero"
    ):
        return pd.DataFrame(df[cols].to_numpy(), columns=cols)
    long = pd.concat([df[c].reset_index(drop=True) for c in cols], ignore_index=True)
    values = parse_numbers(
        long,
        thousands=thousands,
        decimal=decimal,
        european=european,
        name=name,
        what="cells",
        kind="matrix",
    )
    if suppressed == "zero":
        from .._flow_values import unsuppress

        values, n_masked, examples = unsuppress(values)
        if n_masked:
            repairs.append(
                f"read {n_masked} suppressed or missing cells as 0 (first: "
                f"{', '.join(map(repr, examples))})"
            )
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        arr = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        conv = pd.to_numeric(values, errors="coerce")
        leftovers = conv.isna().to_numpy() & values.notna().to_numpy()
        if leftovers.any():
            arr = values.to_numpy(dtype=object)
        else:
            arr = conv.to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame(arr.reshape((len(cols), n_rows)).T, columns=cols)
