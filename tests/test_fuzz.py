"""Fuzzing the readers: malformed CSV and Parquet into ``rz.read_flows`` / ``rz.read_matrix``.

Whatever the bytes, a reader either returns a valid FlowGraph or raises a
:class:`~regionalize.errors.RegionalizeError` subclass (never a bare KeyError, ValueError,
UnicodeDecodeError or IndexError), and does so quickly. Budget: see
tests/_hypothesis_profiles.py (``HYPOTHESIS_PROFILE=long`` for a longer run).
"""

from __future__ import annotations

import io
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _hypothesis_profiles import budget
from hypothesis import given
from hypothesis import strategies as st

import regionalize as rz
from regionalize.errors import RegionalizeError

#: seconds one read may take on these tiny inputs before it counts as hanging
TIME_LIMIT = 10.0

ID_CELLS = st.one_of(
    st.sampled_from(
        [
            "01",
            "1",
            "001",
            "02",
            "2",
            "A",
            "b",
            "",
            " ",
            "NA",
            "nan",
            "-",
            "서울",
            "Città",
            '"01"',
            "0x1",
            "1e3",
            "1.5",
            "9" * 25,
            "None",
        ]
    ),
    st.text(max_size=6),
)
FLOW_CELLS = st.one_of(
    st.sampled_from(
        [
            "5",
            "0",
            "-3",
            "1e309",
            "-0",
            "nan",
            "inf",
            "1,234",
            " 7 ",
            "3.5",
            "",
            "-",
            "*",
            "<3",
            "..",
            "x",
            "(c)",
            "TRUE",
            "1e-320",
            "0x10",
        ]
    ),
    st.integers(-10, 10**6).map(str),
    st.text(max_size=5),
)
SEPS = st.sampled_from([",", ";", "\t", "|"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp949", "latin-1"])


def check_graph(g) -> None:
    """What every FlowGraph a reader returns must satisfy."""
    assert isinstance(g, rz.FlowGraph)
    n = g.n_zones
    assert n >= 1 and g.matrix.shape == (n, n)
    assert g.ids.is_unique and all(isinstance(i, str) and i for i in g.ids)
    assert np.isfinite(g.matrix.data).all() and (g.matrix.data > 0).all()
    assert np.isfinite(g.residents).all() and np.isfinite(g.jobs).all()


def outcome_of(read, *args, **kwargs):
    """Run a reader: a valid FlowGraph or a RegionalizeError, within the time limit."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning is not an answer either
        try:
            g = read(*args, **kwargs)
        except RegionalizeError as exc:
            assert str(exc).strip(), "an error must say something"
            g = exc
    assert time.perf_counter() - start < TIME_LIMIT
    if not isinstance(g, Exception):
        check_graph(g)
    return g


@st.composite
def long_csv(draw) -> tuple[bytes, dict]:
    sep = draw(SEPS)
    header = draw(
        st.one_of(
            st.just(["origin", "destination", "flow"]),
            st.permutations(["origin", "destination", "flow"]),
            st.lists(
                st.sampled_from(["origin", "destination", "flow", "flow", "x", ""]),
                min_size=0,
                max_size=5,
            ),
        )
    )
    n_rows = draw(st.integers(0, 12))
    rows = [
        [draw(ID_CELLS), draw(ID_CELLS), draw(FLOW_CELLS)][: draw(st.integers(1, 4))]
        + draw(st.lists(FLOW_CELLS, max_size=1))
        for _ in range(n_rows)
    ]
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["Source: census", "Total,,99", "", "# note"])))
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from(["Table 1", "", '"quoted title'])))
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    data = text.encode(draw(ENCODINGS), errors="ignore")
    options = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "footer": st.sampled_from(["error", "drop"]),
                "suppressed": st.sampled_from(["error", "zero"]),
                "duplicates": st.sampled_from(["error", "sum", "drop_identical"]),
                "encoding": st.sampled_from([None, "auto", "latin-1"]),
                "id_width": st.sampled_from([None, 3]),
            },
        )
    )
    return data, options


def _write(folder: str, name: str, data: bytes) -> Path:
    path = Path(folder) / name
    path.write_bytes(data)
    return path


@given(case=long_csv())
@budget(150)
def test_malformed_long_csv(case):
    data, options = case
    with tempfile.TemporaryDirectory() as folder:
        outcome_of(rz.read_flows, _write(folder, "od.csv", data), **options)


@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".parquet", ".gz"]))
@budget(100)
def test_arbitrary_bytes(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, f"od{suffix}", data)
        outcome_of(rz.read_flows, path)
        outcome_of(rz.read_matrix, path)


@st.composite
def wide_csv(draw) -> bytes:
    sep = draw(SEPS)
    k = draw(st.integers(0, 5))
    cols = [draw(ID_CELLS) for _ in range(k)]
    header = [draw(st.sampled_from(["code", "", "id"]))] + cols
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        width = draw(st.integers(1, k + 2))
        rows.append([draw(ID_CELLS)] + [draw(FLOW_CELLS) for _ in range(width - 1)])
    if draw(st.booleans()):
        rows.append(["Total"] + ["9"] * k)
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    return "\n".join(lines).encode(draw(ENCODINGS), errors="ignore")


@given(
    data=wide_csv(),
    footer=st.sampled_from(["error", "drop"]),
    suppressed=st.sampled_from(["error", "zero"]),
)
@budget(150)
def test_malformed_wide_csv(data, footer, suppressed):
    with tempfile.TemporaryDirectory() as folder:
        outcome_of(
            rz.read_matrix, _write(folder, "m.csv", data), footer=footer, suppressed=suppressed
        )


COLUMN_VALUES = st.one_of(
    st.lists(st.one_of(st.none(), st.integers(-5, 10**12)), min_size=1, max_size=8),
    st.lists(
        st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)), min_size=1, max_size=8
    ),
    st.lists(st.one_of(st.none(), st.text(max_size=4)), min_size=1, max_size=8),
    st.lists(st.booleans(), min_size=1, max_size=8),
)


@st.composite
def frames(draw) -> pd.DataFrame:
    names = draw(
        st.lists(
            st.sampled_from(["origin", "destination", "flow", "moe", "x"]),
            min_size=0,
            max_size=5,
            unique=True,
        )
    )
    n = draw(st.integers(0, 8))
    data = {}
    for name in names:
        values = draw(COLUMN_VALUES)
        data[name] = (values * (n // len(values) + 1))[:n]
    return pd.DataFrame(data)


@given(df=frames(), truncate=st.one_of(st.none(), st.integers(0, 2000)))
@budget(100)
def test_malformed_parquet(df, truncate):
    buf = io.BytesIO()
    try:
        df.to_parquet(buf, index=False)
    except Exception:  # noqa: BLE001 - pyarrow cannot store this mix: nothing to read
        return
    data = buf.getvalue()
    if truncate is not None:
        data = data[:truncate]
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, "od.parquet", data)
        outcome_of(rz.read_flows, path)
        outcome_of(rz.read_matrix, path)


@given(df=frames(), moe=st.booleans())
@budget(100)
def test_malformed_dataframes(df, moe):
    outcome_of(rz.read_flows, df, moe="moe" if moe else None)
    outcome_of(rz.read_matrix, df)
