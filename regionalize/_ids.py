"""Zone ids: always strings, leading zeros kept, never silently changed."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from .errors import Fix, InvalidZonesError, Message, Problems, check_int, says


def normalise_ids(
    values, *, what: str = "zone ids", width: int | None = None, merged: list | None = None
) -> pd.Index:
    """Zone ids as a string :class:`pandas.Index` (object dtype); see :func:`normalise_column`."""
    s = normalise_column(values, what=what, width=width, merged=merged)
    return pd.Index(s.to_numpy(dtype=object), dtype=object, name="zone")


def _nfc(s: pd.Series) -> pd.Series:
    """Unicode NFC of the non-ASCII strings (the same text whether typed on macOS or not)."""
    ascii_ = s.str.isascii().to_numpy(dtype=bool, na_value=True)
    if ascii_.all():
        return s
    out = s.copy()
    out[~ascii_] = s[~ascii_].map(lambda x: unicodedata.normalize("NFC", x))
    return out


def _object_text(s: pd.Series) -> pd.Series:
    """An object column of mixed cells (a spreadsheet's ids): integral numbers as their
    integer text (``1001.0`` -> ``"1001"``), other cells as text."""

    def text(v):
        if isinstance(v, (bool, np.bool_)):
            return str(v)
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if (
            isinstance(v, (float, np.floating))
            and np.isfinite(v)
            and float(v).is_integer()
            and abs(v) < 2.0**53
        ):
            return str(int(v))
        return str(v)

    values = s.to_numpy(dtype=object)
    kind = pd.api.types.infer_dtype(values, skipna=False)
    if kind == "string":  # every cell already text: str(v) is v
        return pd.Series(values, index=s.index, dtype=str)
    if kind == "integer":  # every cell an integer: its decimal text, as str(int(v))
        try:
            as_int = values.astype(np.int64)
        except OverflowError:
            pass
        else:
            return pd.Series(as_int.astype(str), index=s.index, dtype=str)
    return pd.Series([text(v) for v in values], index=s.index, dtype=str)


#: the widest zone code ``id_width`` pads to (census block codes have 15 digits)
MAX_ID_WIDTH = 64


def normalise_column(
    values, *, what: str = "zone ids", width: int | None = None, merged: list | None = None
) -> pd.Series:
    """Turn a column of zone ids into a string Series (pandas' own string dtype, not copied
    into Python objects, so that long OD columns stay cheap).

    Strings are stripped of surrounding blanks and written in Unicode NFC (a name typed on
    macOS, in NFD, is the same id). Integers become their decimal text;
    floats are accepted only when integral (``90001.0`` -> ``"90001"``, which is how
    many readers load integer codes next to missing values). With ``width``, numeric-looking
    ids shorter than ``width`` are left-padded with zeros (``"1001"`` -> ``"01001"``): use it
    when a file stored codes as numbers and lost their leading zeros.

    ``merged``, a list, receives the groups of different spellings that became one id
    (``[" 01", "01"]``, NFC and NFD): one place is never split into two, and the caller
    can say so.

    Missing ids are an error: a flow or zone without an id cannot be placed.
    """
    if width is not None:
        width = check_int(
            "the readers",
            "id_width",
            width,
            low=1,
            high=MAX_ID_WIDTH,
            note=" (the number of digits of a zone code)",
        )
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
        raw = s
        if s.dtype == object:
            s = _object_text(s)
        s = _nfc(s.astype(str).str.strip())
        empty = s == ""
        problems.add(
            "empty ids",
            [f"row {i}" for i in np.flatnonzero(empty.to_numpy())[:5]],
            count=int(empty.sum()),
        )
        if merged is not None and len(s):
            spellings(raw, s, merged)
    problems.raise_if_any(InvalidZonesError)
    if width is not None:
        s = s.where(~s.str.fullmatch(r"\d+"), s.str.zfill(width))
    return s.reset_index(drop=True)


def spellings(raw: pd.Series, ids: pd.Series, merged: list) -> None:
    """Append to ``merged`` the groups of distinct raw spellings that gave one id."""
    text = raw.astype(str).to_numpy(dtype=object)
    norm = ids.to_numpy(dtype=object)
    changed = text != norm
    if not changed.any():
        return
    touched = pd.Index(pd.unique(norm[changed]))
    keep = np.asarray(pd.Index(norm).isin(touched), dtype=bool)
    pairs = pd.DataFrame({"id": norm[keep], "raw": text[keep]}).drop_duplicates()
    for _, group in pairs.groupby("id", sort=True):
        if len(group) > 1:
            merged.append(sorted(group["raw"].tolist()))


_FLOAT_CODE = re.compile(r"^(\d+)\.0+$")


def variant_key(x: str) -> str:
    """The key under which two spellings of one id meet: case folded, Unicode NFC,
    a trailing ``.0`` of a numeric code dropped (``"1001.0"`` as ``"1001"``)."""
    m = _FLOAT_CODE.match(x)
    if m:
        x = m.group(1)
    return unicodedata.normalize("NFC", x).casefold()


def find_collisions(ids) -> list[list[str]]:
    """Groups of distinct ids that differ only by case or a trailing ``.0`` (``"SEOUL"`` and
    ``"Seoul"``, ``"1001"`` and ``"1001.0"``): read as they are, one place would become two
    zones.

    Examples
    --------
    >>> find_collisions(["Seoul", "SEOUL", "Busan", "1001", "1001.0", "1002"])
    [['1001', '1001.0'], ['SEOUL', 'Seoul']]
    """
    u = pd.unique(np.asarray(list(ids), dtype=object))
    if len(u) < 2:
        return []
    keys = pd.Series([variant_key(str(x)) for x in u])
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return []
    groups: dict[str, list[str]] = {}
    for k, x in zip(keys[dup], u[dup], strict=True):
        groups.setdefault(k, []).append(str(x))
    return sorted(sorted(g) for g in groups.values())


def collision_examples(groups: list[list[str]], limit: int = 3) -> list[str]:
    return [" and ".join(map(repr, g)) for g in groups[:limit]]


def collision_fix() -> Message:
    return says(
        "Write each place's id one way, or pass {} to read each group as one zone "
        "(the most frequent spelling).",
        Fix("id_collisions", "merge"),
    )


def collision_map(groups: list[list[str]], counts: pd.Series | None = None) -> dict[str, str]:
    """Variant -> the spelling kept: the most frequent in ``counts`` (id -> rows), then the
    first in sorted order."""
    out: dict[str, str] = {}
    for g in groups:
        if counts is not None:
            keep = max(g, key=lambda x: (int(counts.get(x, 0)), [-ord(c) for c in x]))
        else:
            keep = g[0]
        out.update({x: keep for x in g if x != keep})
    return out


def check_collisions(ids, what: str, problems: Problems, id_collisions: str) -> dict[str, str]:
    """Report the ids that differ only by case or a trailing ``.0`` in ``problems`` (an
    error), or with ``id_collisions="merge"`` return the map that merges them."""
    groups = find_collisions(ids)
    if not groups:
        return {}
    if id_collisions == "merge":
        counts = None if isinstance(ids, pd.Index) else pd.Series(ids).value_counts()
        return collision_map(groups, counts)
    problems.add(
        f"groups of {what} written two ways (differing only by case or a trailing "
        "'.0'), which would split one place into two zones",
        collision_examples(groups),
        count=len(groups),
        fix=collision_fix(),
    )
    return {}


def merged_note(merged: list, what: str) -> str | None:
    """The repair note for spellings that became one id (spaces, Unicode form)."""
    if not merged:
        return None
    shown = ", ".join(" and ".join(map(repr, g)) for g in merged[:3])
    return (
        f"read {len(merged)} {what} written two ways (surrounding spaces or Unicode form) "
        f"as one id each (first: {shown})"
    )


def check_unique(ids: pd.Index, what: str = "zone ids") -> None:
    dup = ids[ids.duplicated()]
    if len(dup):
        raise InvalidZonesError(
            f"Invalid {what}: {len(dup):,} duplicated ids (first: {', '.join(map(str, dup[:3]))}). "
            "Each zone must appear once; aggregate or rename the duplicates (ids are compared "
            "after trimming spaces and in Unicode NFC)."
        )


def leading_zero_hint(a, b) -> Message:
    """A hint when two sets of ids differ only by leading zeros, case or a trailing ``.0``;
    else an empty message.

    ``a`` and ``b`` are the ids found only on one side and only on the other (e.g. flow ids
    missing from a zone layer, and layer ids missing from the flows). When stripping leading
    zeros makes some of them meet, the hint names the ``id_width`` that restores them.

    Examples
    --------
    >>> print(leading_zero_hint(["1001", "6037"], ["01001", "06037"]))
     The ids differ only by leading zeros (e.g. '1001' and '01001'): pass id_width=5 to pad the numeric codes, or read the id columns as text (dtype=str).
    >>> print(leading_zero_hint(["SEOUL"], ["Seoul"]))
     The ids differ only by case or a trailing '.0' (e.g. 'SEOUL' and 'Seoul'): write them the same way on both sides.
    >>> bool(leading_zero_hint(["a"], ["b"]))
    False
    """
    a = [str(x) for x in list(a)[:10_000]]
    b = [str(x) for x in list(b)[:10_000]]
    if not a or not b:
        return Message()
    stripped = {x.lstrip("0") or "0": x for x in b if x.isdigit()}
    pairs = [
        (x, stripped[x.lstrip("0") or "0"])
        for x in a
        if x.isdigit()
        and (x.lstrip("0") or "0") in stripped
        and stripped[x.lstrip("0") or "0"] != x
    ]
    if not pairs:
        keys = {variant_key(x): x for x in b}
        same = [(x, keys[variant_key(x)]) for x in a if variant_key(x) in keys]
        if same:
            return Message(
                (
                    f" The ids differ only by case or a trailing '.0' (e.g. "
                    f"{same[0][0]!r} and {same[0][1]!r}): write them the same way on "
                    "both sides.",
                )
            )
        return Message()
    short, long_ = min(pairs[0], key=len), max(pairs[0], key=len)
    width = max(len(y) for p in pairs for y in p)
    return f" The ids differ only by leading zeros (e.g. {short!r} and {long_!r}): " + says(
        "pass {} to pad the numeric codes, or read the id columns as text (dtype=str).",
        Fix("id_width", width),
    )
