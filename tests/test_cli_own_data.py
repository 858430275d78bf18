"""A planner's own data through the command line, end to end.

A region of three cities and fifty villages, published the ways statistics offices publish
it: a wide matrix of jobs by place of work (rows) and residence (columns) with names as ids
and a Total row and column; a ``;``-separated long table with ``1.234`` thousands; a UTF-16
export; an Excel workbook with a title row on its second sheet; a names table; a file of
centres whose names hold ``,`` and ``+``. Every run goes through
:func:`regionalize.cli.main`, as the installed ``regionalize`` does; every error is one
``error: ...`` line naming the flag to change (``--thousands .``), never the Python keyword
(``thousands='.'``); the labels equal those of the Python path.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

import regionalize as rz
from regionalize.cli import main

HULL, TYNE, YORK = "Kingston upon Hull, City of", "Newcastle+Gateshead", "York"
CITIES = {"E06000010": HULL, "E08000021": TYNE, "E06000014": YORK}
_SYLLABLES = ["Ash", "Brad", "Cot", "Dun", "Elm", "Fen", "Gar", "Hol", "Ing", "Kel"]
_ENDINGS = ["by", "ton", "ley", "thorpe", "wick"]
VILLAGES = {f"E0500{k:04d}": f"{_SYLLABLES[k % 10]}{_ENDINGS[k // 10]}" for k in range(50)}
NAMES = {**CITIES, **VILLAGES}
#: the city each village commutes to (20 to Hull, 18 to Newcastle+Gateshead, 12 to York)
HOME = {code: list(CITIES)[0 if k < 20 else 1 if k < 38 else 2] for k, code in enumerate(VILLAGES)}


def region_flows() -> pd.DataFrame:
    """origin (residence), destination (workplace), flow: 100,000 commuters by code.

    Villages (800 employed residents, 220 jobs) send 500 to their city and 40 to each other
    city; the cities are job-rich (jobs per employed resident 1.36, 1.52, 1.78), so the
    centre rule finds exactly them; read the wrong way round, none of them has a job ratio
    of 1 and the villages are too small to be centres.
    """
    rows = []
    cities = list(CITIES)
    for code, home in HOME.items():
        rows.append((code, code, 220))
        rows.append((code, home, 500))
        rows += [(code, c, 40) for c in cities if c != home]
    between = {
        ("E06000010", "E06000010"): 28000,
        ("E06000010", "E08000021"): 1200,
        ("E06000010", "E06000014"): 800,
        ("E08000021", "E08000021"): 18500,
        ("E08000021", "E06000010"): 1000,
        ("E08000021", "E06000014"): 500,
        ("E06000014", "E06000014"): 9000,
        ("E06000014", "E06000010"): 600,
        ("E06000014", "E08000021"): 400,
    }
    rows += [(o, d, f) for (o, d), f in between.items()]
    return pd.DataFrame(rows, columns=["origin", "destination", "flow"])


def write_region(folder) -> dict:
    """The planner's files, in ``folder``; returns their paths by role."""
    flows = region_flows()
    codes = list(NAMES)
    wide = flows.pivot_table(
        index="destination", columns="origin", values="flow", aggfunc="sum", fill_value=0
    ).reindex(index=codes, columns=codes, fill_value=0)
    wide = wide.rename(index=NAMES, columns=NAMES)  # workplace rows, residence columns
    wide.loc["Total"] = wide.sum(axis=0)
    wide["Total"] = wide.sum(axis=1)
    wide.index.name = "Place of work \\ residence"
    paths = {"matrix": folder / "jobs_by_residence.csv"}
    wide.to_csv(paths["matrix"])

    home, work = "Wohnort", "Arbeitsort"
    lines = [f"{home};{work};Pendler"] + [
        f"{o};{d};{f:,}".replace(",", ".") for o, d, f in flows.itertuples(index=False)
    ]
    paths["semicolon"] = folder / "pendler.csv"
    paths["semicolon"].write_text("\n".join(lines) + "\n", encoding="utf-8")

    paths["utf16"] = folder / "flows_utf16.csv"
    paths["utf16"].write_bytes(flows.to_csv(index=False, sep="\t").encode("utf-16"))

    paths["excel"] = folder / "census.xlsx"
    with pd.ExcelWriter(paths["excel"]) as xl:
        pd.DataFrame({"About": ["Commuting flows, census 2021", "Source: the census"]}).to_excel(
            xl, sheet_name="About", index=False
        )
        sheet = pd.DataFrame(
            [
                ["Table 7: residence by workplace, all employed", None, None],
                ["origin", "destination", "flow"],
                *flows.itertuples(index=False),
            ]
        )
        sheet.to_excel(xl, sheet_name="Flows", index=False, header=False)

    paths["names"] = folder / "names.csv"
    pd.DataFrame({"code": codes, "name": [NAMES[c] for c in codes]}).to_csv(
        paths["names"], index=False
    )
    paths["centres"] = folder / "centres.txt"
    paths["centres"].write_text(
        f"# the region's centres\nname\n{HULL}\n{TYNE}\n{YORK}\n", encoding="utf-8"
    )
    return paths


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    return write_region(tmp_path_factory.mktemp("region"))


def run(capsys, *argv):
    """(exit code, stdout, stderr) of ``regionalize ARGV``."""
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def ok(capsys, *argv) -> tuple[str, str]:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return out, err


#: a library keyword as Python writes it: footer='drop', rows='workplace', id_column=
PYTHON_FIX = re.compile(r"\b[a-z][a-z_]*=(?:['\"\d\s]|True|None|$)")


def refused(capsys, *argv, naming: str) -> str:
    """The run stops with exit code 2 and one ``error:`` line naming ``naming`` (a flag),
    with no Python keyword in it."""
    code, _, err = run(capsys, *argv)
    assert code == 2, err
    line = err.strip().splitlines()[-1]
    assert line.startswith("error: ") and "Traceback" not in err, err
    assert naming in line, line
    assert not PYTHON_FIX.search(line), line
    return line


def zone_table(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False).set_index("zone")


# ---------------------------------------------------------------------------- the session
def test_the_published_matrix_read_with_its_flags_gives_the_python_answer(region, tmp_path, capsys):
    out, err = ok(
        capsys,
        "delineate",
        region["matrix"],
        "--matrix",
        "--rows",
        "workplace",
        "--totals",
        "drop",
        "--out",
        tmp_path / "areas.csv",
    )
    assert "dropped 1 total rows" in err and "dropped 1 total columns" in err
    assert "metropolitan: 3 areas, 0 unassigned zones" in out
    assert "centres: 3 centres found: at least 1,000 jobs (1% of all)" in out
    g = rz.read_matrix(region["matrix"], rows="workplace", totals="drop")
    h = rz.delineate(g)
    zones = zone_table(tmp_path / "areas.csv")
    for layer in h.layers:
        assert zones[layer].replace("", None).to_dict() == h[layer].labels.to_dict(), layer
    assert set(zones["metropolitan"]) == {HULL, TYNE, YORK}


def test_the_matrix_read_the_wrong_way_round_says_no_centre_and_names_rows(region, capsys):
    code, out, err = run(capsys, "delineate", region["matrix"], "--matrix", "--totals", "drop")
    assert code == 0, err
    assert "metropolitan: 0 areas, 53 unassigned zones: no centre was found" in out
    assert "none has a job ratio >= 1" in out
    warning = next(w for w in err.splitlines() if w.startswith("warning: delineate: metropolitan"))
    assert "--rows workplace" in warning
    assert warning.index("wrong way round") < warning.index("--min-job-ratio")


def test_the_matrix_without_totals_drop_is_refused_naming_the_flag(region, capsys):
    refused(
        capsys,
        "delineate",
        region["matrix"],
        "--matrix",
        "--rows",
        "workplace",
        naming="--totals drop",
    )


def test_semicolons_and_dot_thousands(region, tmp_path, capsys):
    columns = ["--origin", "Wohnort", "--destination", "Arbeitsort", "--flow", "Pendler"]
    refused(capsys, "delineate", region["semicolon"], *columns, naming="--thousands .")
    out, _ = ok(
        capsys,
        "delineate",
        region["semicolon"],
        *columns,
        "--thousands",
        ".",
        "--sep",
        ";",
        "--names",
        region["names"],
        "--out",
        tmp_path / "de.csv",
    )
    assert "metropolitan: 3 areas" in out
    zones = zone_table(tmp_path / "de.csv")
    assert zones.loc["E06000010", "name"] == HULL  # the names file reached the zone table
    assert zones.loc["E05000000", "metropolitan_name"] == HULL
    # the same graph as the long table in Python: the same labels
    g = rz.FlowGraph.from_dataframe(region_flows())
    assert (
        zones["metropolitan"].replace("", None).to_dict()
        == rz.delineate(g)["metropolitan"].labels.to_dict()
    )


def test_utf16_and_excel_exports(region, tmp_path, capsys):
    out, _ = ok(capsys, "delineate", region["utf16"], "--json")
    assert '"areas": 3' in out
    refused(capsys, "delineate", region["excel"], "--sheet", "Nope", naming="--sheet")
    out, err = ok(capsys, "delineate", region["excel"], "--sheet", "Flows")
    assert "metropolitan: 3 areas" in out


def test_centres_file_with_commas_and_plus_in_names(region, tmp_path, capsys):
    out, err = ok(
        capsys,
        "delineate",
        region["utf16"],
        "--names",
        region["names"],
        "--centres-file",
        region["centres"],
        "--out",
        tmp_path / "given.csv",
    )
    assert f"centres from centres.txt: {HULL}; {TYNE}; {YORK}" in err
    assert "centres: 3 centres given" in out
    zones = zone_table(tmp_path / "given.csv")
    assert set(zones["metropolitan_name"]) == {HULL, TYNE, YORK}
    bad = tmp_path / "bad_centres.txt"
    bad.write_text("Kingston upon Hull\n", encoding="utf-8")
    line = refused(
        capsys,
        "delineate",
        region["utf16"],
        "--names",
        region["names"],
        "--centres-file",
        bad,
        naming="--centres-file",
    )
    assert HULL in line  # the closest name
    refused(
        capsys,
        "delineate",
        region["utf16"],
        "--centres",
        "E06000010",
        "--centres-file",
        region["centres"],
        naming="not both",
    )
    refused(
        capsys,
        "delineate",
        region["utf16"],
        "--centres-file",
        region["centres"],
        "--min-size-share",
        "0.2",
        naming="--min-size-share",
    )


def test_the_centre_rule_options(region, capsys):
    out, _ = ok(capsys, "delineate", region["utf16"], "--min-size-share", "0.2")
    assert "metropolitan: 2 areas" in out and "(20% of all)" in out
    out, _ = ok(
        capsys, "delineate", region["utf16"], "--min-size", "35000", "--min-job-ratio", "none"
    )
    assert (
        "metropolitan: 1 area, 32 unassigned zones\n  centres: 1 centre found: at least "
        "35,000 jobs\n" in out
    )  # no job-ratio test
    refused(
        capsys, "delineate", region["utf16"], "--min-size-share", "2", naming="--min-size-share"
    )
    refused(
        capsys,
        "delineate",
        region["utf16"],
        "--method",
        "ttwa",
        "--min-size-share",
        "0.1",
        naming="--min-size-share",
    )


def test_the_other_methods_and_their_parameters(region, capsys):
    out, _ = ok(
        capsys, "delineate", region["utf16"], "--method", "ttwa", "--ttwa-preset", "istat2011"
    )
    assert re.search(r"ttwa: \d+ areas", out)
    refused(
        capsys,
        "delineate",
        region["utf16"],
        "--method",
        "ttwa",
        "--ttwa-preset",
        "fr",
        naming="--ttwa-preset",
    )
    refused(
        capsys,
        "delineate",
        region["utf16"],
        "--method",
        "ttwa",
        "--min-size",
        "30000",
        naming="--target-size",
    )
    refused(capsys, "delineate", region["utf16"], "--method", "intramax", naming="--k")
    out, _ = ok(capsys, "delineate", region["utf16"], "--method", "intramax", "--k", "3")
    assert "intramax: 3 areas" in out
    ok(capsys, "delineate", region["utf16"], "--method", "intramax", "--min-objective", "1e-6")
    out, _ = ok(
        capsys, "delineate", region["utf16"], "--method", "commuting-zones", "--cutoff", "0.9"
    )
    assert re.search(r"commuting_zone: \d+ areas", out), out
    refused(
        capsys,
        "delineate",
        region["utf16"],
        "--method",
        "commuting-zones",
        "--cutoff",
        "2",
        naming="--cutoff",
    )
    refused(capsys, "delineate", region["utf16"], "--cutoff", "0.9", naming="--cutoff")


class _Text(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.feed(html)

    def handle_data(self, data):
        self.parts.append(data)


def test_report_shows_members_by_name(region, tmp_path, capsys):
    folder = tmp_path / "report"
    out, _ = ok(
        capsys,
        "report",
        region["semicolon"],
        "--origin",
        "Wohnort",
        "--destination",
        "Arbeitsort",
        "--flow",
        "Pendler",
        "--thousands",
        ".",
        "--names",
        region["names"],
        "--out",
        folder,
    )
    assert "metropolitan: 3 areas, 0 unassigned zones" in out and "centres: 3 centres" in out
    text = " ".join(_Text((folder / "report.html").read_text(encoding="utf-8")).parts)
    for name in [HULL, TYNE, "Ashby", "Kelwick"]:
        assert name in text, name
    zones = zone_table(folder / "zones.csv")
    assert zones.loc["E06000014", "name"] == YORK


def test_reading_options_reach_every_command_that_reads(region, tmp_path, capsys):
    matrix = [region["matrix"], "--matrix", "--rows", "workplace", "--totals", "drop"]
    grouping = tmp_path / "grouping.csv"
    pd.DataFrame({"zone": [HULL, "Ashby"], "group": ["hull", "hull"]}).to_csv(grouping, index=False)
    out, _ = ok(capsys, "evaluate", matrix[0], grouping, *matrix[1:])
    assert "hull" in out
    out, _ = ok(capsys, "sweep", *matrix, "--tau", "0.1,0.2")
    assert "consensus" in out
    ok(capsys, "stability", *matrix, "--runs", "3")
    labels = tmp_path / "labels.csv"
    ok(capsys, "delineate", *matrix, "--out", labels)
    out, _ = ok(capsys, "compare", labels, labels, "--layer", "metropolitan", "--graph", *matrix)
    assert "ARI 1.000" in out and "weighted by residents" in out
    refused(
        capsys,
        "compare",
        labels,
        labels,
        "--layer",
        "metropolitan",
        "--graph",
        region["matrix"],
        "--matrix",
        "--rows",
        "workplace",
        naming="--totals drop",
    )
    refused(
        capsys, "compare", labels, labels, "--layer", "metropolitan", "--matrix", naming="--graph"
    )


def test_compare_names_its_own_column_flags(region, tmp_path, capsys):
    labels = tmp_path / "labels.csv"
    ok(capsys, "delineate", region["utf16"], "--out", labels)
    line = refused(
        capsys,
        "compare",
        labels,
        labels,
        "--layer",
        "metropolitan",
        "--graph",
        region["semicolon"],
        "--sep",
        ";",
        naming="--origin",
    )
    out, _ = ok(
        capsys,
        "compare",
        labels,
        labels,
        "--layer",
        "metropolitan",
        "--graph",
        region["semicolon"],
        "--origin",
        "Wohnort",
        "--destination",
        "Arbeitsort",
        "--flow",
        "Pendler",
        "--thousands",
        ".",
    )
    assert "ARI 1.000" in out
    assert "--destination" in line


def test_errors_name_flags_never_keywords(region, tmp_path, capsys):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("origin,destination,flow\nBézier,Bézier,10\nBézier,Zoë,5\n".encode("cp1252"))
    notes = tmp_path / "notes.csv"
    notes.write_text("origin,destination,flow\n1,1,10\n1,2,5\n2,2,7\nSource: census,,\n")
    odd = tmp_path / "flows.dat"
    odd.write_bytes(region["utf16"].read_bytes())
    for argv, flag in [
        ([region["matrix"], "--matrix"], "--totals drop"),
        ([region["matrix"]], "--matrix"),
        ([region["semicolon"]], "--origin, --destination, --flow"),
        ([latin], "--encoding cp1252"),
        ([notes], "--footer drop"),
        ([region["excel"]], "--sheet Flows"),
        ([odd], ".csv"),
        ([region["utf16"], "--rows", "workplace"], "--matrix"),
        ([region["matrix"], "--matrix", "--duplicates", "sum"], "--duplicates"),
        (["synthetic-30", "--footer", "drop"], "--footer"),
        ([region["utf16"], "--names-id", "code"], "--names"),
        ([region["utf16"], "--missing-geometry", "keep"], "--zones"),
        ([region["utf16"], "--names", region["centres"]], "--names-id"),
        ([region["utf16"], "--method", "ttwa", "--tau", "0.2"], "--method network: --tau"),
    ]:
        refused(capsys, "delineate", *argv, naming=flag)
