"""The command line of issue 19: commuting zones under contiguity (--contiguity, --bridges),
Statistics Canada's CMA/CA (--method cma) and border zones from stability runs
(--border-level)."""

from __future__ import annotations

import json
from functools import partial

import pandas as pd
import pytest
from typer.testing import CliRunner

import regionalize as rz
from regionalize.cli import app

runner = CliRunner()


# ---------------------------------------------------------------------------- helpers
def _ok(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result


def _bad(args, text):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert text in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and sum(x.startswith("error: ") for x in lines) == 1
    return result


def _json(result) -> dict:
    data = json.loads(result.stdout)
    assert data["ok"] is True
    return data["result"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A synthetic country as an OD file without polygons, and its polygons apart."""
    tmp = tmp_path_factory.mktemp("i19")
    g = rz.synthetic_country(150, seed=2)
    od = tmp / "od.csv"
    g.to_frame().to_csv(od, index=False)
    layer = g.geometry.reset_index().rename(columns={g.geometry.index.name or "index": "code"})
    polygons = tmp / "zones.geojson"
    layer[["code", "geometry"]].to_file(polygons, driver="GeoJSON")
    return g, od, polygons


def _same_partition(csv_path, layer: str, labels: pd.Series) -> None:
    """The zone table written by --out FILE.csv holds the Python API's labels."""
    table = pd.read_csv(csv_path, dtype=str, keep_default_na=False).set_index("zone")
    written = [v or None for v in table[layer].tolist()]
    expected = [None if pd.isna(v) else str(v) for v in labels.tolist()]
    assert table.index.tolist() == [str(z) for z in labels.index]
    assert written == expected


# ---------------------------------------------------------------------------- contiguity
@pytest.mark.parametrize("rule", ["rook", "queen"])
def test_commuting_zones_contiguity_and_bridges_match_the_api(inputs, tmp_path, rule):
    g, od, polygons = inputs
    ids = [str(z) for z in g.ids]
    bridges = tmp_path / "bridges.csv"
    bridges.write_text(f"from,to\n{ids[0]},{ids[-1]}\n{ids[3]};{ids[90]}\n".replace(";", ","))
    base = ["delineate", str(od), "--zones", str(polygons), "--method", "commuting-zones"]
    for extra, kwargs in [
        ([], {"contiguity": rule, "islands": "nearest"}),
        (
            ["--bridges", str(bridges)],
            {
                "contiguity": rule,
                "islands": "nearest",
                "bridges": [(ids[0], ids[-1]), (ids[3], ids[90])],
            },
        ),
    ]:
        out = tmp_path / f"cz{len(extra)}.csv"
        data = _json(
            _ok(
                [
                    *base,
                    "--contiguity",
                    rule,
                    *extra,
                    "--cutoff",
                    "0.9",
                    "--out",
                    str(out),
                    "-q",
                    "--json",
                ]
            )
        )
        p = rz.methods.commuting_zones(g, cutoff=0.9, **kwargs)
        assert data["layers"]["commuting_zone"]["areas"] == p.n_areas
        _same_partition(out, "commuting_zone", p.labels)
    # contiguity changes the result here (else the flags would not be seen to reach it)
    free = rz.methods.commuting_zones(g, cutoff=0.9)
    assert not free.labels.equals(rz.methods.commuting_zones(g, 0.9, contiguity=rule).labels)


def test_contiguity_misuse_is_one_clear_error(inputs, tmp_path):
    g, od, polygons = inputs
    out = tmp_path / "never.csv"
    cz = ["delineate", str(od), "--method", "commuting-zones", "--out", str(out), "-q"]
    # no polygons at all: the error names --zones
    _bad([*cz, "--contiguity", "queen"], "--zones FILE")
    _bad([*cz, "--contiguity", "hexagonal"], "unknown --contiguity 'hexagonal'")
    bridges = tmp_path / "b.csv"
    bridges.write_text(f"{g.ids[0]},{g.ids[1]}\n")
    _bad([*cz, "--bridges", str(bridges)], "only applies with --contiguity")
    _bad(
        [*cz, "--zones", str(polygons), "--contiguity", "rook", "--bridges", "nope.csv"],
        "no such file: nope.csv (--bridges)",
    )
    with_zones = [*cz, "--zones", str(polygons), "--contiguity", "rook", "--bridges"]
    for text, message in [
        (f"{g.ids[0]},ZZ999\n", "'ZZ999' is not a zone id"),
        (f"{g.ids[0]},{g.ids[0]}\n", "to itself"),
        (f"{g.ids[0]},{g.ids[1]},{g.ids[2]}\n", "3 columns, not 2"),
        ("from,to\n", "lists no bridge"),
    ]:
        bridges.write_text(text)
        _bad([*with_zones, str(bridges)], message)
        assert "(--bridges)" in runner.invoke(app, [*with_zones, str(bridges)]).stderr
    bridges.write_bytes("a,b\n".encode("utf-16"))
    _bad([*with_zones, str(bridges)], "not UTF-8")
    # the options of another method
    _bad(
        ["delineate", str(od), "--method", "ttwa", "--contiguity", "rook"],
        "only apply to --method commuting-zones: --contiguity",
    )
    _bad(
        ["delineate", str(od), "--method", "commuting-zones", "--population", "population"],
        "only apply to --method cma: --population",
    )
    assert not out.exists()  # nothing written on error


def test_flags_are_checked_before_any_data_is_read(tmp_path, capsys, monkeypatch):
    from regionalize import _cli_io
    from regionalize.cli import main

    def no_work(*a, **k):
        raise AssertionError("the data was read before the options were checked")

    monkeypatch.setattr(_cli_io, "load_source", no_work)
    for args, message in [
        (["--method", "commuting-zones", "--contiguity", "hex"], "--contiguity"),
        (["--method", "commuting-zones", "--bridges", "x.csv"], "--contiguity"),
        (["--method", "commuting-zones", "--contiguity", "rook", "--bridges", "x.csv"], "x.csv"),
        (["--method", "cma"], "--method cma needs its cores"),
        (["--method", "cma", "--centres", "01", "--centres-file", "c.txt"], "not both"),
        (["--method", "cma", "--centres-file", "nope.txt"], "no such file"),
        (["--method", "cma", "--centres", ",,"], "--centres"),
    ]:
        assert main(["delineate", "synthetic-60", *args]) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err, err


# ---------------------------------------------------------------------------- cma
def test_cma_population_rule_matches_the_api(tmp_path):
    out = tmp_path / "cma.csv"
    data = _json(
        _ok(
            [
                "delineate",
                "synthetic-150",
                "--method",
                "cma",
                "--population",
                "population",
                "--out",
                str(out),
                "--json",
                "-q",
            ]
        )
    )
    g = rz.synthetic_country(150, seed=0)
    p = rz.methods.census_metropolitan_areas(g, population="population")
    layer = data["layers"]["cma"]
    assert layer["areas"] == p.n_areas > 0
    assert layer["unassigned_zones"] == p.unassigned.size
    assert layer["centre_rule_text"].startswith("population rule")
    _same_partition(out, "cma", p.labels)


def test_cma_given_cores_with_polygons_match_the_api(inputs, tmp_path):
    g, od, polygons = inputs
    big = pd.Series(g.jobs, index=g.ids).sort_values(ascending=False).index[:3].map(str).tolist()
    centres_file = tmp_path / "cores.txt"
    centres_file.write_text("zone\n" + "\n".join(big) + "\n")
    expected = rz.methods.census_metropolitan_areas(g, {z: [z] for z in big})
    assert expected.params["rules"]["spatial contiguity"].endswith("zones dropped")  # it ran
    for cores in (["--centres", ",".join(big)], ["--centres-file", str(centres_file)]):
        out = tmp_path / "cma.csv"
        data = _json(
            _ok(
                [
                    "delineate",
                    str(od),
                    "--zones",
                    str(polygons),
                    "--method",
                    "cma",
                    *cores,
                    "--out",
                    str(out),
                    "--json",
                    "-q",
                ]
            )
        )
        assert data["layers"]["cma"]["areas"] == expected.n_areas
        _same_partition(out, "cma", expected.labels)
    # without polygons the contiguity rule is skipped: the API without contiguity
    out = tmp_path / "plain.csv"
    _ok(
        [
            "delineate",
            str(od),
            "--method",
            "cma",
            "--centres",
            ",".join(big),
            "--out",
            str(out),
            "-q",
        ]
    )
    plain = rz.methods.census_metropolitan_areas(
        rz.read_flows(od), [z for z in big], contiguity=None
    )
    _same_partition(out, "cma", plain.labels)


def test_cma_contiguity_rule_applies_with_zone_polygons(tmp_path):
    """A 3 x 3 grid of squares, core z1 in a corner: z2 (beside it) and z9 (the far corner)
    send 200 of their 300 workers to z1 (forward rule); with the polygons z9, not
    contiguous to the core, is dropped; without them it stays."""
    import geopandas as gpd
    from shapely.geometry import box

    ids = [f"z{i}" for i in range(1, 10)]
    squares = [
        box(i % 3 * 1000, i // 3 * 1000, i % 3 * 1000 + 1000, i // 3 * 1000 + 1000)
        for i in range(9)
    ]
    grid = tmp_path / "grid.geojson"
    gpd.GeoDataFrame({"code": ids}, geometry=squares, crs="EPSG:3857").to_file(
        grid, driver="GeoJSON"
    )
    rows = [(z, z, 300) for z in ids if z not in ("z1", "z2", "z9")]
    rows += [("z1", "z1", 1000), ("z2", "z1", 200), ("z2", "z2", 100)]
    rows += [("z9", "z1", 200), ("z9", "z9", 100)]
    od = tmp_path / "grid.csv"
    pd.DataFrame(rows, columns=["origin", "destination", "flow"]).to_csv(od, index=False)
    cma = ["delineate", str(od), "--method", "cma", "--centres", "z1", "-q"]
    expected = {"z1": "z1", "z2": "z1"}
    _ok([*cma, "--zones", str(grid), "--out", str(tmp_path / "a.csv")])
    _same_partition(tmp_path / "a.csv", "cma", pd.Series({z: expected.get(z) for z in ids}))
    expected["z9"] = "z1"
    _ok([*cma, "--out", str(tmp_path / "b.csv")])
    _same_partition(tmp_path / "b.csv", "cma", pd.Series({z: expected.get(z) for z in ids}))
    # the folder output records why z9 was left out
    _ok([*cma, "--zones", str(grid), "--out", str(tmp_path / "run") + "/"])
    zones = pd.read_csv(tmp_path / "run" / "zones.csv", dtype=str)
    assert "not contiguous to the core" in zones.to_csv()


def test_cma_misuse_is_one_clear_error(inputs, tmp_path):
    g, od, polygons = inputs
    out = tmp_path / "never.csv"
    _bad(["delineate", str(od), "--method", "cma", "--out", str(out)], "--population COLUMN")
    # the OD file has no zone table: the column is missing, the error says how out
    _bad(
        ["delineate", str(od), "--method", "cma", "--population", "pop", "--out", str(out)],
        "--population 'pop': the zone table has no such column",
    )
    _bad(["delineate", "synthetic-60", "--method", "cma", "--population", "nope"], "population")
    _bad(["delineate", str(od), "--method", "cma", "--centres", "ZZ1"], "ZZ1")
    _bad(
        ["delineate", str(od), "--method", "cma", "--centres", "1", "--tau", "0.2"],
        "only apply to --method network: --tau",
    )
    assert not out.exists()
    # residents stand in for the population
    data = _json(
        _ok(["delineate", str(od), "--method", "cma", "--population", "residents", "--json", "-q"])
    )
    p = rz.methods.census_metropolitan_areas(rz.read_flows(od), population="residents")
    assert data["layers"]["cma"]["areas"] == p.n_areas


def test_method_help_lists_cma_and_the_new_flags():
    text = _ok(["delineate", "-h"]).stdout
    for flag in ("--contiguity", "--bridges", "--population", "cma (Statistics Canada"):
        assert flag in text
    assert "--border-level" in _ok(["stability", "-h"]).stdout


# ---------------------------------------------------------------------------- border zones
def test_stability_border_level_matches_the_api(inputs):
    g, od, _ = inputs
    args = ["stability", str(od), "--runs", "6", "--seed", "3", "-q"]
    data = _json(_ok([*args, "--border-level", "0.9", "--json"]))
    res = rz.stability(rz.read_flows(od), partial(rz.metropolitan_areas), runs=6, seed=3)
    border = res.border_zones(0.9)
    assert data["border_level"] == 0.9
    assert [r["zone"] for r in data["border_zones"]] == [str(z) for z in border.index]
    assert [r["modal_share"] for r in data["border_zones"]] == pytest.approx(
        border["modal_share"].tolist()
    )
    n = len(border)
    text = _ok([*args, "--border-level", "0.9"]).stdout
    assert f"{n:,} border zone{'' if n == 1 else 's'} below 0.9" in text
    # without the flag nothing changes
    plain = _json(_ok([*args, "--json"]))
    assert "border_zones" not in plain and "border zone" not in _ok(args).stdout


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "--border-level must be in (0, 1]; got '0'"),
        ("1.5", "--border-level must be in (0, 1]; got '1.5'"),
        ("-0.2", "--border-level must be in (0, 1]"),
        ("high", "--border-level must be a number"),
    ],
)
def test_stability_border_level_misuse(value, message):
    _bad(["stability", "synthetic-50", "--runs", "2", "--border-level", value], message)
