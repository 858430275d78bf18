"""A battery of hostile and awkward inputs through the command line.

Every case ends with exit code 0 (a result) or 2 (one ``error: ...`` line naming the
problem): never 1 (an unexpected exception, "please report this"), never a traceback.
Where the outcome is known, the test pins it (the code, a phrase of the message, the CSV
cells written). The families mirror docs/bad_inputs.md: files, numbers, parameters,
zones, outputs and injection.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from regionalize.cli import main

OK = "origin,destination,flow\n01,01,100\n01,02,10\n02,02,50\n02,01,20\n03,03,30\n03,01,15\n"
FILES = {
    "ok.csv": OK.encode(),
    "nan.csv": b"origin,destination,flow\n01,01,nan\n01,02,10\n",
    "neg.csv": b"origin,destination,flow\n01,01,-5\n01,02,10\n",
    "inf.csv": b"origin,destination,flow\n01,01,inf\n01,02,10\n",
    "huge.csv": b"origin,destination,flow\n01,01,1e308\n01,02,1e308\n02,02,1e308\n",
    "tiny.csv": b"origin,destination,flow\n01,01,1e-320\n01,02,1e-320\n02,02,1e-320\n",
    "empty.csv": b"",
    "header.csv": b"origin,destination,flow\n",
    "bytes.csv": bytes(range(256)) * 10,
    "text.txt": b"just some notes, not a table\n",
    "names.csv": b"zone,name\n01,A\n02,B\n03,C\n",
    "centres.txt": b"A\n",
    "twice.txt": b"A\n01\n",
    "group.csv": b"zone,group\n01,g\n02,g\n",
    "inject.csv": (
        b"origin,destination,flow\n<script>alert(1)</script>,<script>alert(1)</script>"
        b",100\n<script>alert(1)</script>,=cmd|' /C calc'!A0,10\n"
        b"=cmd|' /C calc'!A0,=cmd|' /C calc'!A0,50\n"
    ),
}

#: (arguments, expected exit code or None for "0 or 2", phrase of stderr or None)
CASES = [
    (["delineate", "ok.csv"], 0, None),
    (["delineate", "nan.csv"], 2, "NaN flows"),
    (["delineate", "neg.csv"], 2, "negative flows"),
    (["delineate", "inf.csv"], 2, "infinite flows"),
    (["delineate", "huge.csv"], 2, "overflow"),
    (["delineate", "tiny.csv"], None, None),
    (["delineate", "empty.csv"], 2, "empty.csv"),
    (["delineate", "header.csv"], 2, "empty"),
    (["delineate", "bytes.csv"], 2, "decode"),
    (["delineate", "text.txt"], 2, None),
    (["delineate", "nope.csv"], 2, "no such file"),
    (["delineate", "ok.csv", "--tau", "nan"], 2, "--tau"),
    (["delineate", "ok.csv", "--tau", "inf"], 2, "--tau"),
    (["delineate", "ok.csv", "--tau", "-1"], 2, "--tau"),
    (["delineate", "ok.csv", "--tau", "abc"], 2, "--tau"),
    (["delineate", "ok.csv", "--method", "intramax", "--k", "0"], 2, "--k"),
    (["delineate", "ok.csv", "--method", "intramax", "--k", "100"], None, None),
    (["delineate", "ok.csv", "--method", "nope"], 2, "--method"),
    (["delineate", "ok.csv", "--centres", ",,"], 2, "--centres"),
    (["delineate", "ok.csv", "--centres", "99"], 2, "99"),
    (["delineate", "ok.csv", "--max-order", "0"], 2, "--max-order"),
    (["delineate", "ok.csv", "--max-order", "99999999999"], None, None),
    (["delineate", "ok.csv", "--zones", "names.csv"], 2, "holds no polygons"),
    (["delineate", "ok.csv", "--zones", "bytes.csv"], 2, "--zones"),
    (["delineate", "ok.csv", "--zones", "."], 2, "--zones"),
    (["delineate", "ok.csv", "--zone-id", "x"], 2, "--zone-id"),
    (["delineate", "ok.csv", "--out", "x.gpkg"], 2, "--format csv"),
    (["delineate", "ok.csv", "--out", "x.parquet"], 2, "--format csv"),
    (["delineate", "ok.csv", "--out", "x.shp"], 2, "--out"),
    (["delineate", "ok.csv", "--out", "/proc/x.gpkg"], 2, "--out"),
    (["delineate", "ok.csv", "--origin", "nope"], 2, "--origin"),
    (["delineate", "huge.csv", "--method", "intramax", "--k", "1"], 2, "overflow"),
    *[
        (["delineate", "ok.csv", "--method", m], 0, None)
        for m in ["ttwa", "flowbca", "commuting-zones", "leiden", "infomap"]
    ],
    # Intramax has no stop rule of its own: one region for the whole table is no answer
    (["delineate", "ok.csv", "--method", "intramax"], 2, "--k"),
    (["delineate", "synthetic-1"], 2, "synthetic"),
    (["delineate", "synthetic-abc"], 2, "synthetic"),
    (["delineate", "synthetic-99999999999999"], 2, "n_zones"),
    (["compare", "ok.csv", "ok.csv"], 2, None),
    (["datasets", "describe", "atlantis"], 2, "Unknown data set"),
    (["demo", "--dataset", "atlantis", "--out", "o"], 2, "Unknown data set"),
    (["delineate"], 2, None),
    (["--no-such-flag"], 2, None),
    # the parameters of the methods: every value checked, named by its flag
    *[
        (["delineate", "ok.csv", *extra], 2, flag)
        for extra, flag in [
            (["--min-size-share", "nan"], "--min-size-share"),
            (["--min-size-share", "inf"], "--min-size-share"),
            (["--min-size-share", "-0.1"], "--min-size-share"),
            (["--min-size", "-5"], "--min-size"),
            (["--min-size", "1e999"], "--min-size"),
            (["--min-job-ratio", "nan"], "--min-job-ratio"),
            (["--min-job-ratio", ""], "--min-job-ratio"),
            (["--centres-file", "nope.txt"], "no such file"),
            (["--centres-file", "bytes.csv"], "UTF-8"),
            (["--centres-file", "empty.csv"], "lists no centre"),
            (["--centres-file", "twice.txt", "--names", "names.csv"], "already a centre"),
            (["--centres-file", "centres.txt", "--centres", "01"], "not both"),
            (["--centres-file", "centres.txt", "--min-size", "5"], "--min-size"),
            (["--method", "ttwa", "--min-sc", "1.5"], "--min-sc"),
            (["--method", "ttwa", "--target-sc", "0.5", "--min-sc", "0.6"], "--target-sc"),
            (["--method", "ttwa", "--ttwa-preset", ""], "--ttwa-preset"),
            (["--method", "ttwa", "--target-size", "0"], "--target-size"),
            (["--method", "intramax", "--min-objective", "0"], "--min-objective"),
            (["--method", "intramax", "--min-objective", "nan"], "--min-objective"),
            (["--method", "commuting-zones", "--cutoff", "-1"], "--cutoff"),
            (["--method", "commuting-zones", "--cutoff", "nan"], "--cutoff"),
            (["--method", "leiden", "--cutoff", "0.5"], "--cutoff"),
            (["--method", "network", "--k", "3"], "--k"),
            (["--method", "flowbca", "--min-size", "3"], "--min-size"),
        ]
    ],
    (["delineate", "ok.csv", "--method", "intramax", "--min-objective", "1e308"], None, None),
    (["delineate", "ok.csv", "--method", "commuting-zones", "--cutoff", "0"], None, None),
    (["delineate", "ok.csv", "--method", "commuting-zones", "--cutoff", "1"], None, None),
    (["delineate", "ok.csv", "--method", "ttwa", "--ttwa-preset", "ISTAT2011"], 0, None),
    (["delineate", "ok.csv", "--min-size-share", "1"], 0, None),
    (["delineate", "ok.csv", "--min-size", "1e300", "--min-job-ratio", "none"], 0, None),
    (["delineate", "ok.csv", "--centres-file", "centres.txt", "--names", "names.csv"], 0, None),
    # the reading options, on every command that reads
    *[
        (["delineate", "ok.csv", *extra], 2, flag)
        for extra, flag in [
            (["--sep", "ab"], "--sep"),
            (["--thousands", "ab"], "--thousands"),
            (["--sheet", "x"], "--sheet"),
            (["--id-width", "0"], "--id-width"),
            (["--id-width", "x"], "--id-width"),
            (["--skiprows", "99"], None),
            (["--encoding", "no-such-codec"], "no-such-codec"),
            (["--names", "bytes.csv"], "--names"),
            (["--names", "nope.csv"], "no such file"),
            (["--names", "names.csv", "--names-column", "x"], "--names-column"),
            (["--names-column", "name"], "--names"),
            (["--matrix", "--origin", "a"], "--origin"),
        ]
    ],
    (["delineate", "ok.csv", "--names", "names.csv", "--skiprows", "0"], 0, None),
    (["delineate", "ok.csv", "--matrix"], 2, "check the first column"),
    (["delineate", "inject.csv", "--names", "inject.csv"], None, None),
    (["report", "ok.csv", "--footer", "drop", "--out", "r", "--min-size-share", "0.5"], 0, None),
    (["report", "ok.csv", "--out", "r", "--method", "intramax"], 2, "--k"),
    (["evaluate", "ok.csv", "group.csv", "--sep", ";"], None, None),
    (["evaluate", "synthetic-20", "group.csv", "--footer", "drop"], 2, "--footer"),
    (["sweep", "ok.csv", "--workers", "100000000"], 2, "--workers must be between 1 and"),
    (["sweep", "ok.csv", "--workers", "0"], 2, "--workers"),
    (["stability", "ok.csv", "--runs", "2", "--workers", "99999999"], 2, "32 per core"),
    (["stability", "ok.csv", "--runs", "2", "--totals", "keep"], 0, None),
    (["compare", "names.csv", "names.csv", "--graph", "synthetic-20", "--sep", ";"], 2, "--sep"),
    (["compare", "names.csv", "names.csv", "--thousands", "."], 2, "--graph"),
]


#: a library keyword as Python writes it: footer='drop', id_column=, min_size=5
PYTHON_FIX = re.compile(r"\b[a-z][a-z_]*=(?:['\"\d\s]|True|None|$)")


@pytest.fixture
def files(tmp_path, monkeypatch):
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "code", "phrase"), CASES, ids=[" ".join(c[0])[:60] for c in CASES]
)
def test_hostile_command_lines(files, capsys, args, code, phrase):
    got = main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err and "please report" not in err, err
    assert got in ((0, 2) if code is None else (code,)), err
    if got == 2:  # progress lines may come first; the error is one line, the last
        last = err.strip().splitlines()[-1] if err.strip() else ""
        assert last.startswith("error: ") or "Usage" in err, err
        # the fix is named by its flag (--footer drop), never as Python (footer='drop')
        assert not PYTHON_FIX.search(last), last
    if phrase is not None:
        assert phrase.lower() in err.lower(), err


def test_injected_ids_reach_the_csv_neutralised(files, capsys):
    assert main(["delineate", "inject.csv", "--out", "out", "--format", "csv"]) == 0
    zones = pd.read_csv(files / "out" / "zones.csv", dtype=str, keep_default_na=False)
    assert "'=cmd|' /C calc'!A0" in zones["zone"].tolist()
    assert not zones["zone"].str.match(r"^[=+\-@]").any()


def test_control_characters_in_names_never_reach_the_terminal(files, capsys):
    """An id holding ANSI escapes, a carriage return or a bidirectional override is printed
    as escapes: the terminal is never recoloured or rewritten by data."""
    assert main(["delineate", "ok.csv", "--centres", "\x1b[2J\x1b[31mX\r\u202e"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\r" not in err and "\u202e" not in err
    assert "\\x1b[2J\\x1b[31mX\\r\\u202e" in err


def test_names_whose_ids_match_nothing_are_an_error(files, capsys):
    """--names whose ids are written another way ('1.0' for '01') must not attach nothing
    and exit 0: one error naming --names-id and --id-width."""
    (files / "names_float.csv").write_text("Code,name\n1.0,A\n2.0,B\n3.0,C\n")
    assert main(["delineate", "ok.csv", "--names", "names_float.csv", "--names-id", "Code"]) == 2
    err = capsys.readouterr().err
    assert "names only 0 of the 3 zones" in err and "--names-id" in err


def test_codes_split_over_two_columns_repeat_origin_and_destination(files, capsys):
    """The US Census layout: state and county FIPS in separate columns, stored as numbers.
    --origin/--destination repeated with --id-width 2,3 join them into 5-digit codes."""
    rows = ["h_state,h_county,w_state,w_county,workers"]
    for hs, hc, ws, wc in [
        (1, 1, 1, 1),
        (1, 1, 2, 1),
        (2, 1, 2, 1),
        (2, 1, 1, 1),
        (1, 3, 1, 3),
        (1, 3, 1, 1),
    ]:
        rows.append(f"{hs},{hc},{ws},{wc},{500 if (hs, hc) == (ws, wc) else 40}")
    (files / "split.csv").write_text("\n".join(rows) + "\n")
    args = [
        "delineate",
        "split.csv",
        "--origin",
        "h_state",
        "--origin",
        "h_county",
        "--destination",
        "w_state",
        "--destination",
        "w_county",
        "--flow",
        "workers",
        "--id-width",
        "2,3",
        "--out",
        "split_areas.csv",
    ]
    assert main(args) == 0, capsys.readouterr().err
    zones = pd.read_csv(files / "split_areas.csv", dtype=str)["zone"].tolist()
    assert zones == ["01001", "01003", "02001"]
