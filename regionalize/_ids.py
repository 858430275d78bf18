"""Zone ids: always strings, leading zeros kept, never silently changed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InvalidZonesError, Problems


def normalise_ids(values, *, what: str = "zone ids", width: int | None = None) -> pd.Index:
    """Zone ids as a string :class:`pandas.Index` (object dtype); see :func:`normalise_column`."""
    s = normalise_column(values, what=what, width=width)
    return pd.Index(s.to_numpy(dtype=object), dtype=object, name="zone")


def normalise_column(values, *, what: str = "zone ids", width: int | None = None) -> pd.Series:
    """Turn a column of zone ids into a string Series (pandas' own string dtype, not copied
    into Python objects, so that long OD columns stay cheap).

    Strings are stripped of surrounding blanks. Integers become their decimal text;
    floats are accepted only when integral (``90001.0`` -> ``"90001"``, which is how
    many readers load integer codes next to missing values). With ``width``, numeric-looking
    ids shorter than ``width`` are left-padded with zeros (``"1001"`` -> ``"01001"``): use it
    when a file stored codes as numbers and lost their leading zeros.

    Missing ids are an error: a flow or zone without an id cannot be placed.
    """
    s = pd.Series(values, copy=False)
    problems = Problems(f"Invalid {what}")
    missing = s.isna()
    problems.add(
        "missing ids",
        [f"row {i}" for i in np.flatnonzero(missing.to_numpy())[:5]],
        count=int(missing.sum()),
        fix="Drop or fill the rows without an id before building the graph.",
    )
    s = s[~missing]
    if pd.api.types.is_bool_dtype(s):
        problems.add("boolean ids", s.head(3).tolist(), count=len(s))
    elif pd.api.types.is_integer_dtype(s):
        s = s.astype("int64").astype(str)
    elif pd.api.types.is_float_dtype(s):
        v = s.to_numpy(dtype=float)
        # infinite or beyond int64 (and beyond exact float integers): not a code any more
        huge = ~np.isfinite(v) | (np.abs(v) >= 2.0**53)
        problems.add(
            "numeric ids too large or infinite to be codes",
            s[huge].head(3).tolist(),
            count=int(huge.sum()),
            fix="Read the id column as text (dtype=str) so that long codes keep every digit.",
        )
        frac = ~huge & (v != np.floor(np.where(huge, 0.0, v)))
        problems.add(
            "non-integral numeric ids",
            s[frac].head(3).tolist(),
            count=int(frac.sum()),
            fix="Zone ids must be codes; read the column as text (dtype=str).",
        )
        problems.raise_if_any(InvalidZonesError)
        s = s.astype("int64").astype(str)
    else:
        s = s.astype(str).str.strip()
        empty = s == ""
        problems.add("empty ids", [f"row {i}" for i in np.flatnonzero(empty.to_numpy())[:5]],
                     count=int(empty.sum()))
    problems.raise_if_any(InvalidZonesError)
    if width is not None:
        s = s.where(~s.str.fullmatch(r"\d+"), s.str.zfill(width))
    return s.reset_index(drop=True)


def check_unique(ids: pd.Index, what: str = "zone ids") -> None:
    dup = ids[ids.duplicated()]
    if len(dup):
        raise InvalidZonesError(
            f"Invalid {what}: {len(dup):,} duplicated ids (first: {', '.join(map(str, dup[:3]))}). "
            "Each zone must appear once; aggregate or rename the duplicates."
        )


def leading_zero_hint(a, b) -> str:
    """A hint when two sets of ids differ only by leading zeros, else ``""``.

    ``a`` and ``b`` are the ids found only on one side and only on the other (e.g. flow ids
    missing from a zone layer, and layer ids missing from the flows). When stripping leading
    zeros makes some of them meet, the hint names the ``id_width`` that restores them.

    Examples
    --------
    >>> leading_zero_hint(["1001", "6037"], ["01001", "06037"])
    " The ids differ only by leading zeros (e.g. '1001' and '01001'): pass id_width=5 to pad the numeric codes, or read the id columns as text (dtype=str)."
    >>> leading_zero_hint(["a"], ["b"])
    ''
    """
    a = [str(x) for x in list(a)[:10_000]]
    b = [str(x) for x in list(b)[:10_000]]
    if not a or not b:
        return ""
    stripped = {x.lstrip("0") or "0": x for x in b if x.isdigit()}
    pairs = [(x, stripped[x.lstrip("0") or "0"]) for x in a
             if x.isdigit() and (x.lstrip("0") or "0") in stripped
             and stripped[x.lstrip("0") or "0"] != x]
    if not pairs:
        return ""
    short, long_ = min(pairs[0], key=len), max(pairs[0], key=len)
    width = max(len(y) for p in pairs for y in p)
    return (f" The ids differ only by leading zeros (e.g. {short!r} and {long_!r}): pass "
            f"id_width={width} to pad the numeric codes, or read the id columns as text "
            "(dtype=str).")
