"""Exceptions and the problem collector behind every input check.

Every validator in regionalize gathers *all* problems it finds into a :class:`Problems`
collector and raises once, so that a planner sees the whole list (with counts and first
examples) instead of fixing one problem per run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from numbers import Integral, Real

import numpy as np

__all__ = [
    "Fix",
    "Message",
    "says",
    "RegionalizeError",
    "InvalidODError",
    "InvalidZonesError",
    "InvalidParameterError",
    "DataNotFoundError",
    "InsufficientMemoryError",
    "InvalidFileError",
    "Problems",
    "check_parameter",
    "check_int",
    "check_seed",
    "plain_scalar",
]


_ANY = object()  # a Fix that names a keyword without a value ("pass origin=")


class Fix:
    """One way out of an error: a keyword (as in Python) and, optionally, its value.

    The same fix is written ``footer='drop'`` for a Python caller and ``--footer drop`` on
    the command line; an error keeps its fixes as data (``RegionalizeError.fixes``) and
    its text is rendered for each (see :class:`regionalize.errors.Message`). A fix is also the
    pair ``(keyword, value)`` (``value`` None when it names the keyword alone).

    Parameters
    ----------
    keyword : str
        The parameter to pass.
    value : object, optional
        Its value; left out, the fix names the keyword alone (``origin=``).

    Examples
    --------
    >>> from regionalize.errors import Fix
    >>> Fix("footer", "drop").python(), Fix("origin").python(), tuple(Fix("id_width", 5))
    ("footer='drop'", 'origin=', ('id_width', 5))
    """

    __slots__ = ("keyword", "_value")

    def __init__(self, keyword: str, value: object = _ANY):
        self.keyword = str(keyword)
        self._value = value

    @property
    def value(self):
        """The value to pass, or None when the fix names the keyword alone."""
        return None if self._value is _ANY else self._value

    @property
    def has_value(self) -> bool:
        """Whether the fix names a value for its parameter."""
        return self._value is not _ANY

    def python(self) -> str:
        """``keyword='value'`` (``keyword=`` without a value): the fix as a Python caller writes it.

        Examples
        --------
        >>> from regionalize.errors import Fix
        >>> Fix("encoding", "cp949").python(), Fix("skiprows", 2).python(), Fix("sep").python()
        ("encoding='cp949'", 'skiprows=2', 'sep=')
        """
        return f"{self.keyword}=" + (repr(self._value) if self.has_value else "")

    def __iter__(self):
        return iter((self.keyword, self.value))

    def __eq__(self, other) -> bool:
        if isinstance(other, tuple):
            return tuple(self) == other
        return isinstance(other, Fix) and (self.keyword, self._value) == (
            other.keyword,
            other._value,
        )

    def __hash__(self) -> int:
        return hash((self.keyword, repr(self._value)))

    def __repr__(self) -> str:
        return f"Fix({self.keyword!r}" + (f", {self._value!r})" if self.has_value else ")")


class Message:
    """Text in which fixes are written once, as :class:`~regionalize.errors.Fix` objects,
    rendered on demand.

    Literal text (with the user's data: ids, file names, cell values) is kept apart from
    the fixes, so rendering never reads the data as a template. Build one with
    :func:`regionalize.errors.says` and join with ``+`` (plain strings join as literal text).

    Parameters
    ----------
    parts : iterable
        Text, :class:`~regionalize.errors.Fix` objects and other messages, in order.

    Examples
    --------
    >>> from regionalize.errors import Fix, says
    >>> m = "3 rows look like notes. " + says("Pass {} to leave them out.", Fix("footer", "drop"))
    >>> m.render()
    "3 rows look like notes. Pass footer='drop' to leave them out."
    >>> m.render(lambda fix: "--" + fix.keyword + " " + str(fix.value))
    '3 rows look like notes. Pass --footer drop to leave them out.'
    """

    __slots__ = ("parts",)

    def __init__(self, parts=()):
        out: list = []
        for p in parts:
            if isinstance(p, Message):
                out.extend(p.parts)
            elif isinstance(p, Fix):
                out.append(p)
            elif p is not None and str(p):
                out.append(str(p))
        self.parts = tuple(out)

    @property
    def fixes(self) -> list[Fix]:
        """The fixes in the order written, each once."""
        seen: list[Fix] = []
        for p in self.parts:
            if isinstance(p, Fix) and p not in seen:
                seen.append(p)
        return seen

    def render(self, fix_text=None) -> str:
        """The text, each fix written by ``fix_text(fix)`` (default: the Python form).

        Parameters
        ----------
        fix_text : callable, optional
            ``fix_text(fix) -> str``; default :meth:`regionalize.errors.Fix.python`.

        Returns
        -------
        str

        Examples
        --------
        >>> from regionalize.errors import Fix, says
        >>> m = says("Pass {}.", Fix("sep", ";"))
        >>> m.render(), m.render(lambda fix: f"--{fix.keyword} '{fix.value}'")
        ("Pass sep=';'.", "Pass --sep ';'.")
        """
        fix_text = fix_text or Fix.python
        return "".join(fix_text(p) if isinstance(p, Fix) else p for p in self.parts)

    def __add__(self, other) -> Message:
        return Message((self, other))

    def __radd__(self, other) -> Message:
        return Message((other, self))

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.render()!r})"

    def __bool__(self) -> bool:
        return bool(self.parts)


def says(template: str, *fixes: Fix) -> Message:
    """A :class:`~regionalize.errors.Message` from a template whose ``{}`` placeholders are
    ``fixes``, in order.

    The template is the library's own text (never the user's data), so its braces are
    placeholders; ``{{`` and ``}}`` are literal braces.

    Examples
    --------
    >>> from regionalize.errors import Fix, says
    >>> says("Pass {} or {}.", Fix("encoding", "cp949"), Fix("encoding", "auto")).render()
    "Pass encoding='cp949' or encoding='auto'."
    """
    pieces = re.split(r"(\{\{|\}\}|\{\})", template)
    parts: list = []
    k = 0
    for piece in pieces:
        if piece == "{}":
            if k >= len(fixes):
                raise ValueError(f"says(): more placeholders than fixes in {template!r}")
            parts.append(fixes[k])
            k += 1
        elif piece in ("{{", "}}"):
            parts.append(piece[0])
        else:
            parts.append(piece)
    if k != len(fixes):
        raise ValueError(f"says(): {len(fixes)} fixes for {k} placeholders in {template!r}")
    return Message(parts)


class RegionalizeError(Exception):
    """Base class of every error raised on purpose by regionalize.

    The message may be a plain string or a :class:`~regionalize.errors.Message` whose fixes
    are data: ``exc.fixes`` lists them (``[Fix('footer', 'drop')]``, each also a
    ``(keyword, value)`` pair), ``str(exc)`` writes them as Python keywords
    (``footer='drop'``) and ``exc.render(fix_text)`` in any other form (the command line
    writes ``--footer drop``). Catch it to handle every error regionalize raises on purpose;
    each kind is also the matching built-in error (``ValueError``, ``FileNotFoundError``,
    ``MemoryError``).

    Parameters
    ----------
    message : str or Message
        What went wrong and the way out.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"origin": ["a", "b", "Total"], "destination": ["a", "a", "a"],
    ...                    "flow": [5, 3, 8]})
    >>> try:
    ...     rz.read_flows(df)
    ... except rz.RegionalizeError as exc:
    ...     error = exc
    >>> type(error).__name__, error.fixes
    ('InvalidODError', [Fix('totals', 'drop'), Fix('totals', 'keep')])
    >>> print(error)
    Invalid OD table (DataFrame): 1 rows whose origin or destination is a total, not a zone (first: data row 3: 'Total, a, 8'). Pass totals='drop' to leave them out (recorded in meta['repairs']), totals='keep' if they really are zones, or remove them from the file.
    """

    def __init__(self, message: str | Message = "", *args):
        self.message = message if isinstance(message, Message) else Message((str(message),))
        super().__init__(self.message.render(), *args)

    @property
    def fixes(self) -> list[Fix]:
        """The fixes the message names, as :class:`Fix` objects (keyword, value)."""
        return self.message.fixes

    def render(self, fix_text=None) -> str:
        """The message with each fix written by ``fix_text(fix)`` (default: Python).

        Parameters
        ----------
        fix_text : callable, optional
            ``fix_text(fix) -> str``, e.g. the command-line form of a
            :class:`~regionalize.errors.Fix`.

        Returns
        -------
        str

        Examples
        --------
        The fixes of a table with a total row, as the command line writes them:

        >>> import pandas as pd
        >>> df = pd.DataFrame({"origin": ["a", "Total"], "destination": ["a", "a"], "flow": [5, 5]})
        >>> try:
        ...     rz.read_flows(df)
        ... except rz.InvalidODError as exc:
        ...     print(exc.render(lambda fix: f"--{fix.keyword} {fix.value}"))
        Invalid OD table (DataFrame): 1 rows whose origin or destination is a total, not a zone (first: data row 2: 'Total, a, 5'). Pass --totals drop to leave them out (recorded in meta['repairs']), --totals keep if they really are zones, or remove them from the file.
        """
        return self.message.render(fix_text)

    def __reduce__(self):
        return (type(self), (self.message, *self.args[1:]))


class InvalidODError(RegionalizeError, ValueError):
    """An origin-destination table or matrix cannot be used as given.

    Also a ``ValueError``. The message lists every problem found, with counts and first
    examples, and the way out.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"origin": ["a", "a"], "destination": ["a", "b"], "flow": [5, -1]})
    >>> rz.FlowGraph.from_dataframe(df)
    Traceback (most recent call last):
    ...
    regionalize.errors.InvalidODError: Invalid OD table: 1 negative flows (first: a → b). Flows are counts of people and cannot be negative.
    """


class InvalidZonesError(RegionalizeError, ValueError):
    """A zone table or zone layer (ids, attributes, geometry) cannot be used as given.

    Also a ``ValueError``.

    Examples
    --------
    >>> rz.FlowGraph.from_matrix([[5, 1], [2, 7]], ["a", "b"]).to_crs(4326)
    Traceback (most recent call last):
    ...
    regionalize.errors.InvalidZonesError: This FlowGraph has no geometry to reproject; attach a zone layer with with_geometry().
    """


class InvalidParameterError(RegionalizeError, ValueError):
    """A parameter is outside its allowed range or of the wrong kind.

    Also a ``ValueError``. A misspelt keyword is one too, naming the closest parameter.

    Examples
    --------
    >>> rz.MetropolitanAreas(tua=0.1)
    Traceback (most recent call last):
    ...
    regionalize.errors.InvalidParameterError: MetropolitanAreas has no parameter 'tua'. Did you mean 'tau'? Its parameters are: centres, tau, max_order, share, dominance, size, min_size, min_size_share, min_job_ratio, candidates, merge_tau, cluster_cores, min_zones, contiguity, classes, name.
    """


class DataNotFoundError(RegionalizeError, FileNotFoundError):
    """A data set or file that was asked for is not where regionalize looked.

    Also a ``FileNotFoundError``.

    Examples
    --------
    >>> rz.read_flows("no_such_file.csv")
    Traceback (most recent call last):
    ...
    regionalize.errors.DataNotFoundError: No such file: no_such_file.csv.
    """


class InsufficientMemoryError(RegionalizeError, MemoryError):
    """A step would allocate a dense array larger than the memory available (or allowed);
    raised before allocating it.

    Also a ``MemoryError``. The budget is the memory available, or the
    ``REGIONALIZE_MEMORY_LIMIT`` environment variable, or a ``memory_limit=`` argument (such as
    ``"8GB"``; ``"off"`` disables the check). The message says how much the array would take
    and how to stay sparse instead.

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame([[5, 1, 0], [2, 7, 0], [0, 1, 4]], index=list("abc"),
    ...                     columns=list("abc"))
    >>> rz.read_matrix(wide, memory_limit=10)
    Traceback (most recent call last):
    ...
    regionalize.errors.InsufficientMemoryError: read_matrix ((DataFrame)) needs a dense 3 x 3 array: 72 bytes, more than the 10 bytes allowed (REGIONALIZE_MEMORY_LIMIT or memory_limit=). Publish or convert the matrix as a long table (origin, destination, flow) and use read_flows, which stays sparse. Set REGIONALIZE_MEMORY_LIMIT=off (or memory_limit='off') to try anyway.
    """


class InvalidFileError(RegionalizeError, ValueError):
    """A file regionalize reads back (a saved delineation) is damaged, edited into an
    unreadable state, from another run, or not one of regionalize's files at all.

    Also a ``ValueError``. The message names the file and the problem.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (pathlib.Path(tmp) / "run.json").write_text("{")
    ...     try:
    ...         rz.read_hierarchy(tmp)
    ...     except rz.InvalidFileError as exc:
    ...         print(str(exc).replace(tmp, "<folder>"))
    <folder>/run.json is damaged (not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2; truncated?); write the run again (Hierarchy.to_gpkg / to_parquet / to_csv).
    """


#: the longest example quoted in a message (a misread header can be one huge "id")
EXAMPLE_CHARS = 60


def _fmt_examples(examples: Sequence[object], limit: int = 3) -> str:
    def short(e: object) -> str:
        text = str(e)
        return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"

    shown = ", ".join(short(e) for e in list(examples)[:limit])
    return shown + (", ..." if len(examples) > limit else "")


class Problems:
    """Collect input problems, then raise them all at once.

    Parameters
    ----------
    header : str
        The start of the message (``"Invalid OD table"``).

    Examples
    --------
    >>> from regionalize.errors import Problems
    >>> p = Problems("Invalid OD table")
    >>> p.add("negative flows", ["11010 → 31010", "21 → 11"])
    >>> p.add("NaN flows", [])          # nothing found: not recorded
    >>> len(p)
    1
    >>> p.message()
    'Invalid OD table: 2 negative flows (first: 11010 → 31010, 21 → 11).'
    """

    def __init__(self, header: str):
        self.header = header
        self._items: list[tuple[str, int, list[object], str | None]] = []

    def add(
        self,
        what: str,
        examples: Iterable[object],
        *,
        count: int | None = None,
        fix: str | Message | None = None,
    ) -> None:
        """Record a problem; empty ``examples`` with no ``count`` records nothing.

        Parameters
        ----------
        what : str
            The problem, as a plural noun phrase (``"negative flows"``).
        examples : iterable
            The cases found (the first three are quoted).
        count : int, optional
            How many there are, when ``examples`` holds only some of them.
        fix : str or Message, optional
            The way out, added at the end of the message.

        Examples
        --------
        >>> from regionalize.errors import Fix, Problems, says
        >>> p = Problems("Invalid OD table")
        >>> p.add("rows without an id", ["row 3"], count=12,
        ...       fix=says("Pass {}.", Fix("footer", "drop")))
        >>> p.message()
        "Invalid OD table: 12 rows without an id (first: row 3). Pass footer='drop'."
        """
        examples = list(examples)
        n = len(examples) if count is None else int(count)
        if n:
            self._items.append((what, n, examples, fix))

    def __len__(self) -> int:
        return len(self._items)

    def as_message(self) -> Message:
        """The problems and their fixes as a :class:`~regionalize.errors.Message` (fixes
        kept as data).

        Examples
        --------
        >>> from regionalize.errors import Fix, Problems, says
        >>> p = Problems("Invalid OD table")
        >>> p.add("NaN flows", ["a → b"], fix=says("Pass {}.", Fix("suppressed", "zero")))
        >>> p.as_message().fixes
        [Fix('suppressed', 'zero')]
        """
        parts = []
        fixes: list = []
        for what, n, examples, fix in self._items:
            text = f"{n:,} {what}"
            if examples:
                text += f" (first: {_fmt_examples(examples)})"
            parts.append(text)
            if fix:
                fixes.append(fix)
        out = Message((f"{self.header}: " + "; ".join(parts) + ".",))
        for fix in fixes:
            out = out + " " + fix
        return out

    def message(self) -> str:
        """The problems as one rendered message.

        Examples
        --------
        >>> from regionalize.errors import Problems
        >>> p = Problems("Invalid zone table")
        >>> p.add("repeated ids", ["01001", "01003"])
        >>> p.add("ids without a name", [], count=4)
        >>> p.message()
        'Invalid zone table: 2 repeated ids (first: 01001, 01003); 4 ids without a name.'
        """
        return self.as_message().render()

    def raise_if_any(self, exc_type: type[RegionalizeError] = InvalidODError) -> None:
        """Raise ``exc_type`` with every problem collected, if there is any.

        Parameters
        ----------
        exc_type : type
            A :class:`~regionalize.RegionalizeError` subclass (default
            :class:`~regionalize.InvalidODError`).

        Examples
        --------
        >>> from regionalize.errors import Problems
        >>> p = Problems("Invalid zone table")
        >>> p.raise_if_any(rz.InvalidZonesError)  # nothing recorded: no error
        >>> p.add("repeated ids", ["01001"])
        >>> p.raise_if_any(rz.InvalidZonesError)
        Traceback (most recent call last):
        ...
        regionalize.errors.InvalidZonesError: Invalid zone table: 1 repeated ids (first: 01001).
        """
        if self._items:
            raise exc_type(self.as_message())


def plain_scalar(value):
    """A numpy scalar as the plain Python value it stands for; anything else unchanged.

    ``np.int64(2)`` -> ``2``, ``np.str_("a")`` -> ``"a"``, ``np.bool_(True)`` -> ``True``.
    Floats narrower than float64 are read through their shortest decimal text, so that
    ``np.float32(0.2)`` -> ``0.2`` (what was typed) rather than ``0.20000000298023224``.
    Lists and tuples of numpy scalars are converted element by element (one level).

    Examples
    --------
    >>> import numpy as np
    >>> from regionalize.errors import plain_scalar
    >>> plain_scalar(np.float32(0.2)), plain_scalar(np.int32(3)), plain_scalar("x")
    (0.2, 3, 'x')
    """
    if isinstance(value, np.generic):
        if isinstance(value, np.floating) and value.dtype.itemsize < 8:
            return float(str(value))
        out = value.item()
        return out if isinstance(out, (bool, int, float, complex, str, bytes)) else value
    if isinstance(value, (list, tuple)) and any(isinstance(v, np.generic) for v in value):
        items = [plain_scalar(v) for v in value]
        if type(value) is list:
            return items
        if type(value) is tuple:
            return tuple(items)
    return value


_NO_MATCH = object()


def _match(value, allowed: list):
    """The element of ``allowed`` equal to ``value`` (bools only match bools), or _NO_MATCH."""
    if isinstance(value, np.ndarray):
        return _NO_MATCH
    try:
        hash(value)
    except TypeError:  # lists, dicts, frames: never one of the options
        return _NO_MATCH
    for a in allowed:
        if isinstance(a, bool) or isinstance(value, bool):
            if value is a:
                return a
            continue
        try:
            same = value == a
        except Exception:  # noqa: BLE001 - an odd __eq__ is simply no match
            continue
        if same is True or (isinstance(same, np.bool_) and bool(same)):
            return a
    return _NO_MATCH


def _bound(x: float) -> str:
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15):
        return str(int(x))
    return f"{x:g}"


def check_parameter(
    owner: str,
    name: str,
    value: object,
    *,
    allowed: Iterable[object] | None = None,
    interval: tuple[float, float] | None = None,
    closed: str = "both",
):
    """Raise :class:`InvalidParameterError` in one template when ``value`` is not allowed;
    return the value as a plain Python object.

    ``allowed`` lists the valid options (bools only match bools; numpy scalars match the
    Python value). ``interval`` is the range of a number: any real number is accepted (numpy
    scalars included; bools, NaN and infinities are not), an infinite bound is open.

    Returns
    -------
    The option of ``allowed`` that matched, or the number as a Python ``int`` / ``float``
    (``np.float32(0.2)`` -> ``0.2``, see :func:`plain_scalar`).

    Examples
    --------
    >>> import numpy as np
    >>> from regionalize.errors import check_parameter
    >>> check_parameter("MetropolitanAreas", "tau", 1.5, interval=(0, 1), closed="right")
    Traceback (most recent call last):
    ...
    regionalize.errors.InvalidParameterError: The 'tau' parameter of MetropolitanAreas must be a float in (0, 1]. Got 1.5 instead.
    >>> check_parameter("MetropolitanAreas", "tau", np.float32(0.2), interval=(0, 1))
    0.2
    """
    value = plain_scalar(value)
    if allowed is not None:
        allowed = list(allowed)
        found = _match(value, allowed)
        if found is _NO_MATCH:
            opts = ", ".join(repr(a) for a in allowed)
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must be one of {opts}. Got {value!r} instead."
            )
        value = found
    if interval is not None:
        lo, hi = interval
        left = "[" if closed in ("both", "left") and lo != -math.inf else "("
        right = "]" if closed in ("both", "right") and hi != math.inf else ")"
        ok = isinstance(value, Real) and not isinstance(value, bool)
        if ok:
            if not isinstance(value, (int, float)):
                value = int(value) if isinstance(value, Integral) else float(value)
            ok = (
                (isinstance(value, int) or math.isfinite(value))
                and (value >= lo if left == "[" else value > lo)
                and (value <= hi if right == "]" else value < hi)
            )
        if not ok:
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must be a float in "
                f"{left}{_bound(lo)}, {_bound(hi)}{right}. Got {value!r} instead."
            )
    return value


def check_int(
    owner: str,
    name: str,
    value: object,
    *,
    low: int = 0,
    high: int | None = None,
    allow_none: bool = False,
    note: str = "",
) -> int | None:
    """An integer parameter in ``[low, high]`` (``high`` None: no upper bound), as a Python
    ``int``; numpy integers are accepted, bools and floats (even ``3.0``) are not.

    ``note`` is added to the message after the range (e.g. what the bound comes from).

    Examples
    --------
    >>> import numpy as np
    >>> from regionalize.errors import check_int
    >>> check_int("LifeZones", "k", np.int32(3), low=1)
    3
    >>> check_int("LifeZones", "k", 0, low=1)
    Traceback (most recent call last):
    ...
    regionalize.errors.InvalidParameterError: The 'k' parameter of LifeZones must be an int in [1, inf). Got 0 instead.
    """
    if value is None and allow_none:
        return None
    value = plain_scalar(value)
    ok = isinstance(value, Integral) and not isinstance(value, bool)
    if ok:
        value = int(value)
        ok = value >= low and (high is None or value <= high)
    if not ok:
        span = f"[{low}, {'inf)' if high is None else f'{high}]'}"
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be an int in {span}"
            f"{' or None' if allow_none else ''}{note}. Got {value!r} instead."
        )
    return value


#: the largest seed of engines that take a signed 64-bit seed (leidenalg, numpy)
MAX_SEED_64 = 2**63 - 1


def check_seed(
    owner: str,
    value: object,
    *,
    high: int | None = MAX_SEED_64,
    note: str = "",
    allow_none: bool = False,
) -> int | None:
    """A random seed: a non-negative int up to ``high`` (None: no bound; numpy integers; bools
    refused), as a Python ``int``. See :func:`check_int`.

    Examples
    --------
    >>> from regionalize.errors import check_seed
    >>> check_seed("Infomap", 1.5, high=2**32 - 2)
    Traceback (most recent call last):
    ...
    regionalize.errors.InvalidParameterError: The 'seed' parameter of Infomap must be an int in [0, 4294967294]. Got 1.5 instead.
    """
    return check_int(owner, "seed", value, low=0, high=high, allow_none=allow_none, note=note)
