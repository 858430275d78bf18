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
        frac = s.to_numpy() != np.floor(s.to_numpy())
        problems.add(
            "non-integral numeric ids",
            s[frac].head(3).tolist(),
            count=int(frac.sum()),
            fix="Zone ids must be codes; read the column as text (dtype=str).",
        )
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
