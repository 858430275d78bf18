"""One reading layer, two faces: every reading option in Python and on the command line,
every error naming its fix as the caller writes it (``footer='drop'`` / ``--footer drop``).

The command line is tested through ``regionalize._cli_io`` (``read_source``,
``render_for_cli``, the ``reading_options`` decorator on a small typer app), the Python API
through ``rz.read_flows`` / ``rz.read_matrix``.
"""

from __future__ import annotations

import gzip
import pickle
import unicodedata
from typing import Annotated

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import typer
from shapely.geometry import box
from typer.testing import CliRunner

import regionalize as rz
from regionalize import InvalidODError, InvalidZonesError
from regionalize._cli_io import (
    CLI_FLAGS,
    READING_OPTIONS,
    CliInputError,
    load_source,
    read_source,
    reading_options,
    render_for_cli,
)
from regionalize._cli_zones import attach_names, attach_zones
from regionalize.errors import Fix, Message, RegionalizeError, says
from regionalize.io.readers import guess_encoding, is_total_name

HEADER = "origin,destination,flow\n"
BODY = "01,01,50\n01,02,30\n02,02,80\n02,01,10\n03,02,20\n03,03,40\n"
TOY = [[50, 30, 0], [10, 80, 0], [0, 20, 40]]


def write(tmp_path, text: str, name: str = "od.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def dense(g) -> list:
    return g.matrix.toarray().tolist()


def both_faces(err, python: str, cli: str) -> None:
    """The error says ``python`` to a Python caller and ``cli`` on the command line."""
    assert python in str(err), str(err)
    assert cli in render_for_cli(err), render_for_cli(err)
    assert python not in render_for_cli(err) or python == cli, render_for_cli(err)


# ---------------------------------------------------------------- one message source
def test_fixes_are_data_rendered_for_each_face():
    m = "2 rows look like notes. " + says("Pass {} or {}.", Fix("footer", "drop"), Fix("origin"))
    err = InvalidODError(m)
    assert str(err) == "2 rows look like notes. Pass footer='drop' or origin=."
    assert err.fixes == [Fix("footer", "drop"), Fix("origin")]
    assert err.fixes[0] == ("footer", "drop") and tuple(err.fixes[1]) == ("origin", None)
    assert render_for_cli(err) == "2 rows look like notes. Pass --footer drop or --origin."
    # user data is literal text, never a template
    err = InvalidODError("id '{}' and {0} {{x}}. " + says("Pass {}.", Fix("sep", ";")))
    assert str(err) == "id '{}' and {0} {{x}}. Pass sep=';'."
    assert render_for_cli(err) == "id '{}' and {0} {{x}}. Pass --sep ';'."
    # pickled (stability runs in other processes): text and fixes survive
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is InvalidODError and str(back) == str(err) and back.fixes == err.fixes
    assert isinstance(Message(("a", Fix("rows", "workplace"))).render(), str)
    with pytest.raises(ValueError):
        says("{} {}", Fix("a"))


def test_plain_messages_are_rendered_for_the_cli_too():
    err = RegionalizeError("pass id_width=5 or encoding='cp949'; memory_limit='8GB' stays")
    assert render_for_cli(err) == (
        "pass --id-width 5 or --encoding cp949; memory_limit='8GB' stays"
    )
    assert render_for_cli(ValueError("x\ny")) == "x y"


def test_every_reading_keyword_has_its_flag():
    for keyword in [
        "footer",
        "encoding",
        "origin",
        "destination",
        "flow",
        "sep",
        "skiprows",
        "suppressed",
        "duplicates",
        "id_width",
        "rows",
        "thousands",
        "decimal",
        "totals",
        "sheet",
        "id_collisions",
        "matrix",
    ]:
        assert CLI_FLAGS[keyword] == "--" + keyword.replace("_", "-")
    assert CLI_FLAGS["missing"] == "--missing-geometry"
    assert set(READING_OPTIONS) >= {
        "matrix",
        "rows",
        "sep",
        "encoding",
        "thousands",
        "decimal",
        "skiprows",
        "sheet",
        "footer",
        "totals",
        "suppressed",
        "duplicates",
        "id_width",
        "id_collisions",
        "names",
    }


@pytest.mark.parametrize(
    "text, call, python, cli",
    [
        (HEADER + BODY + "Source: Census,,\n", {}, "footer='drop'", "--footer drop"),
        (
            HEADER + BODY.replace("01,02,30", "01,02,-"),
            {},
            "suppressed='zero'",
            "--suppressed zero",
        ),
        (HEADER + BODY + "01,02,30\n", {}, "duplicates='sum'", "--duplicates sum"),
        ("a,b,c\n1,2,3\n", {}, "origin=, destination=, flow=", "--origin, --destination, --flow"),
        ("Table 3\n\n" + HEADER + BODY, {}, "skiprows=2", "--skiprows 2"),
        (HEADER + BODY + "Total,01,60\n01,Total,80\n", {}, "totals='drop'", "--totals drop"),
        (
            "origin;destination;flow\n01;01;1.234\n01;02;12.500\n",
            {},
            "thousands='.'",
            "--thousands .",
        ),
    ],
)
def test_each_error_names_the_keyword_in_python_and_the_flag_on_the_cli(
    tmp_path, text, call, python, cli
):
    path = write(tmp_path, text)
    with pytest.raises(RegionalizeError) as err:
        rz.read_flows(path, **call)
    both_faces(err.value, python, cli)


def test_encoding_errors_name_the_encoding_flag(tmp_path):
    path = write(tmp_path, HEADER + "Città,Città,3\n", encoding="cp1252")
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(path)
    both_faces(err.value, "pass encoding='cp1252'", "pass --encoding cp1252")
    both_faces(err.value, "encoding='auto'", "--encoding auto")


def test_load_source_raises_errors_already_written_for_the_cli(tmp_path):
    path = write(tmp_path, HEADER + BODY + "Source: Census,,\n")
    with pytest.raises(InvalidODError) as err:
        load_source(str(path))
    assert "--footer drop" in str(err.value) and "footer='drop'" not in str(err.value)
    assert err.value.cli_fixes == [Fix("footer", "drop")]
    with pytest.raises(InvalidODError) as err:  # read_source keeps the Python face
        read_source(str(path))
    assert "footer='drop'" in str(err.value)


# ---------------------------------------------------------------- long and wide tables
def test_wide_matrix_ids_in_the_first_column_or_the_index(tmp_path):
    path = write(tmp_path, "code,01,02,03\n01,50,30,0\n02,10,80,0\n03,0,20,40\n")
    assert dense(rz.read_matrix(path)) == TOY
    df = pd.DataFrame(TOY, index=["01", "02", "03"], columns=["01", "02", "03"])
    assert dense(rz.read_matrix(df)) == TOY  # ids in the index
    assert dense(rz.read_matrix(df.reset_index(names="code"))) == TOY  # in the first column
    filtered = pd.DataFrame(
        {
            "code": ["x", "01", "02", "03"],
            "01": [9, 50, 10, 0],
            "02": [9, 30, 80, 20],
            "03": [9, 0, 0, 40],
        }
    ).iloc[1:]
    assert dense(rz.read_matrix(filtered)) == TOY  # a filtered index holds no ids
    square = pd.DataFrame(TOY)  # a bare square array: 0..n-1 on both axes
    assert rz.read_matrix(square).ids.tolist() == ["0", "1", "2"]
    assert dense(rz.read_matrix(square)) == TOY


def test_rows_workplace_transposes_a_matrix_published_workplace_by_residence(tmp_path):
    published = np.array(TOY).T  # rows = places of work
    path = write(
        tmp_path,
        "code,01,02,03\n"
        + "".join(f"0{i + 1}," + ",".join(map(str, r)) + "\n" for i, r in enumerate(published)),
    )
    g = rz.read_matrix(path, rows="workplace")
    assert dense(g) == TOY
    assert "transposed" in g.meta["repairs"][-1]
    assert dense(rz.read_matrix(path, rows="residence")) == published.tolist()
    df = pd.DataFrame(published, index=["01", "02", "03"], columns=["01", "02", "03"])
    assert dense(rz.read_matrix(df, rows="workplace")) == TOY
    with pytest.raises(rz.InvalidParameterError, match="'rows' parameter of read_matrix"):
        rz.read_matrix(path, rows="work")
    with pytest.raises(rz.InvalidParameterError) as err:  # a long table has its columns
        rz.read_flows(write(tmp_path, HEADER + BODY), rows="workplace")
    both_faces(err.value, "origin=", "--origin")


def test_a_matrix_given_to_read_flows_says_read_matrix(tmp_path):
    path = write(tmp_path, "code,01,02,03\n01,50,30,0\n02,10,80,0\n03,0,20,40\n")
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(path)
    assert "wide matrix" in str(err.value) and "read_matrix" in str(err.value)
    assert "--matrix" in render_for_cli(err.value)


# ---------------------------------------------------------------- encodings
@pytest.mark.parametrize(
    "codec, bom",
    [
        ("utf-16-le", "\ufeff"),
        ("utf-16-be", "\ufeff"),
        ("utf-8", "\ufeff"),
        ("utf-32-le", "\ufeff"),
    ],
)
def test_byte_order_marks_are_read_never_guessed(tmp_path, codec, bom):
    path = write(tmp_path, bom + HEADER + BODY, encoding=codec)
    g = rz.read_flows(path)
    assert dense(g) == TOY
    if codec != "utf-8":
        assert "byte-order mark" in g.meta["repairs"][0]
    m = write(tmp_path, bom + "code;01;02\n01;5;3\n02;1;7\n", "m.csv", encoding=codec)
    assert dense(rz.read_matrix(m)) == [[5, 3], [1, 7]]


def test_utf16_gzip_and_without_a_byte_order_mark(tmp_path):
    path = tmp_path / "od.csv.gz"
    path.write_bytes(gzip.compress((HEADER + BODY).encode("utf-16")))
    assert dense(rz.read_flows(path)) == TOY
    bare = write(tmp_path, HEADER + BODY, encoding="utf-16-le")
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(bare)
    both_faces(err.value, "encoding='utf-16-le'", "--encoding utf-16-le")
    assert "cp1252" not in str(err.value)
    g = rz.read_flows(bare, encoding="auto")
    assert dense(g) == TOY and g.meta["encoding"] == "utf-16-le"
    assert guess_encoding("origin,destination".encode("utf-16-be")) == "utf-16-be"
    assert guess_encoding("Città".encode("utf-16")) == "utf-16"


# ---------------------------------------------------------------- thousands and decimals
EURO = "origin;destination;flow\n01;01;1.234\n01;02;30\n02;02;12.500\n02;01;1.000\n"


def test_european_thousands_are_never_read_as_fractions(tmp_path):
    path = write(tmp_path, EURO)
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(path)
    both_faces(err.value, "thousands='.'", "--thousands .")
    both_faces(err.value, "decimal=','", "--decimal ,")
    assert "'1.234'" in str(err.value)
    assert dense(rz.read_flows(path, thousands=".")) == [[1234, 30], [1000, 12500]]
    assert dense(rz.read_flows(path, decimal=".")) == [[1.234, 30], [1.0, 12.5]]
    # a comma-separated file writes decimals with a dot: no question
    comma = write(tmp_path, EURO.replace(";", ","), "c.csv")
    assert dense(rz.read_flows(comma)) == [[1.234, 30], [1.0, 12.5]]
    # in a wide matrix too
    m = write(tmp_path, "code;01;02\n01;1.234;30\n02;10;2.500\n", "m.csv")
    with pytest.raises(InvalidODError, match="thousands='.'"):
        rz.read_matrix(m)
    assert dense(rz.read_matrix(m, thousands=".")) == [[1234, 30], [10, 2500]]


def test_decimal_commas_and_separators_that_do_not_fit(tmp_path):
    path = write(tmp_path, "origin;destination;flow\n01;01;1.234,5\n01;02;30\n02;02;12,5\n")
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(path)
    both_faces(err.value, "decimal=','", "--decimal ,")
    assert dense(rz.read_flows(path, thousands=".", decimal=",")) == [[1234.5, 30], [0, 12.5]]
    with pytest.raises(InvalidODError) as err:  # 1.5 is no thousands group
        rz.read_flows(
            write(tmp_path, "origin;destination;flow\n01;01;1.5\n", "b.csv"), thousands="."
        )
    both_faces(err.value, "do not fit thousands='.'", "do not fit --thousands .")
    english = write(tmp_path, 'origin,destination,flow\n01,01,"1,234"\n01,02,5\n', "e.csv")
    with pytest.raises(InvalidODError, match="thousands=','"):
        rz.read_flows(english)
    assert dense(rz.read_flows(english, thousands=",")) == [[1234, 5], [0, 0]]


# ---------------------------------------------------------------- totals and subtotals
@pytest.mark.parametrize(
    "word",
    [
        "Total",
        " TOTAL ",
        "Totale",
        "Gesamt",
        "Insgesamt",
        "Totaal",
        "Totalt",
        "Sum",
        "All",
        "합계",
        "총계",
        "合計",
        "Total:",
        "Total (all areas)",
        "Subtotal",
        "전국",
    ],
)
def test_total_ids_in_a_long_table_are_never_zones(tmp_path, word):
    assert is_total_name(word)
    path = write(tmp_path, HEADER + BODY + f"{word},01,60\n{word},02,130\n")
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(path)
    assert "total" in str(err.value) and word.strip() in str(err.value)
    both_faces(err.value, "totals='drop'", "--totals drop")
    g = rz.read_flows(path, totals="drop")
    assert dense(g) == TOY and "dropped 2 total rows" in g.meta["repairs"][0]


def test_zone_names_that_merely_start_like_a_total_are_zones():
    for name in ["Totalfield", "Allerød", "계룡시", "Summerside", "01001", "Alle-sur-Semois"]:
        assert not is_total_name(name), name


def test_total_rows_and_columns_of_a_matrix_by_name(tmp_path):
    path = write(
        tmp_path,
        "code,01,02,03,Total\n01,50,30,0,80\n02,10,80,0,90\n03,0,20,40,60\nTotal,60,130,40,230\n",
    )
    with pytest.raises(InvalidODError) as err:
        rz.read_matrix(path)
    assert "1 total rows and 1 total columns" in str(err.value)
    both_faces(err.value, "totals='drop'", "--totals drop")
    g = rz.read_matrix(path, totals="drop")
    assert dense(g) == TOY and len(g.meta["repairs"]) == 2
    # a Gesamt column first and a subtotal row in the middle
    path = write(
        tmp_path,
        "code,Gesamt,01,02,03\n01,80,50,30,0\nSubtotal,140,60,110,0\n"
        "02,90,10,80,0\n03,60,0,20,40\n",
        "g.csv",
    )
    with pytest.raises(InvalidODError, match="Subtotal"):
        rz.read_matrix(path)
    assert dense(rz.read_matrix(path, totals="drop")) == TOY


def test_a_trailing_total_row_is_a_footer_and_a_total(tmp_path):
    path = write(tmp_path, "code,01,02\n01,50,30\n02,10,80\nTotal,60,110\n")
    with pytest.raises(InvalidODError) as err:
        rz.read_matrix(path)
    assert "the last 1 rows" in str(err.value)
    both_faces(err.value, "footer='drop'", "--footer drop")
    both_faces(err.value, "totals='drop'", "--totals drop")
    assert dense(rz.read_matrix(path, footer="drop")) == [[50, 30], [10, 80]]
    assert dense(rz.read_matrix(path, totals="drop")) == [[50, 30], [10, 80]]


def test_totals_found_by_being_the_sum_of_the_others(tmp_path):
    # a matrix whose last row and column (code 99) add up the others
    path = write(
        tmp_path,
        "code,01,02,03,99\n01,50,30,0,80\n02,10,80,0,90\n03,0,20,40,60\n99,60,130,40,230\n",
    )
    with pytest.raises(InvalidODError) as err:
        rz.read_matrix(path)
    assert "sum of all the others" in str(err.value) and "'99'" in str(err.value)
    both_faces(err.value, "totals='drop'", "--totals drop")
    g = rz.read_matrix(path, totals="drop")
    assert dense(g) == TOY and "sum of all the others" in g.meta["repairs"][-1]
    assert rz.read_matrix(path, totals="keep").n_zones == 4
    # a long table with a per-destination total published as origin "00000"
    total = "".join(f"00000,{d},{v}\n" for d, v in [("01", 60), ("02", 130), ("03", 40)])
    long = write(tmp_path, HEADER + BODY + total, "l.csv")
    with pytest.raises(InvalidODError, match="sum of all the other zones"):
        rz.read_flows(long)
    g = rz.read_flows(long, totals="drop")
    assert dense(g) == TOY and g.ids.tolist() == ["01", "02", "03"]


# ---------------------------------------------------------------- ids that collide
def test_ids_differing_by_case_or_a_trailing_zero_are_reported_not_split(tmp_path):
    path = write(
        tmp_path,
        HEADER + "Seoul,Seoul,5\nSEOUL,Busan,3\nBusan,Busan,4\n1001,1001,2\n1001.0,Busan,1\n",
    )
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(path)
    msg = str(err.value)
    assert "'SEOUL' and 'Seoul'" in msg and "'1001' and '1001.0'" in msg
    both_faces(err.value, "id_collisions='merge'", "--id-collisions merge")
    g = rz.read_flows(path, id_collisions="merge")
    assert g.ids.tolist() == ["1001", "Busan", "Seoul"]
    assert "ids written another way as one zone" in g.meta["repairs"][0]
    m = pd.DataFrame([[5, 3], [1, 7]], index=["Seoul", "Busan"], columns=["SEOUL", "Busan"])
    with pytest.raises(InvalidODError, match="written two ways"):  # rows and columns
        rz.read_matrix(m)


def test_spaces_and_unicode_forms_are_one_id_and_recorded():
    nfc, nfd = unicodedata.normalize("NFC", "Forlì"), unicodedata.normalize("NFD", "Forlì")
    assert nfc != nfd
    df = pd.DataFrame(
        {
            "origin": [nfc, nfd, " 01", "01"],
            "destination": [nfc, "01", "01", nfd],
            "flow": [1, 2, 3, 4],
        }
    )
    g = rz.read_flows(df, duplicates="sum")
    assert g.ids.tolist() == ["01", nfc]
    assert "written two ways (surrounding spaces or Unicode form)" in g.meta["repairs"][0]
    # the zone table in NFD matches flows in NFC
    zones = pd.DataFrame({"pop": [1, 2]}, index=["01", nfd])
    assert rz.read_flows(df, duplicates="sum", zones=zones).zones["pop"].tolist() == [1, 2]


def test_ids_differing_only_by_case_across_tables_are_named():
    g = rz.read_flows(pd.DataFrame({"origin": ["SEOUL"], "destination": ["SEOUL"], "flow": [1]}))
    with pytest.raises(InvalidZonesError, match="differ only by case"):
        g.with_zones(pd.DataFrame({"pop": [1]}, index=["Seoul"]))


# ---------------------------------------------------------------- Excel, Parquet, gzip
def _census_workbook(path, notes_sheet: bool = True, second: bool = False):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Table 1"
    ws.append(["Table 1. Residence County to Workplace County Commuting Flows"])
    ws.append([])
    ws.append(["Residence", None, "Place of Work", None, "Commuting Flow"])
    ws.append(
        [
            "State FIPS Code",
            "County FIPS Code",
            "State FIPS Code",
            "County FIPS Code",
            "Workers in Commuting Flow",
        ]
    )
    for row in [(1, 1, 1, 1, 50), (1, 1, 1, 3, 30), (1, 3, 1, 3, 80)]:
        ws.append(list(row))
    if second:
        ws2 = wb.create_sheet("Table 1 (cont.)")
        ws2.append(["Table 1 (continued)"])
        ws2.append(
            [
                "State FIPS Code",
                "County FIPS Code",
                "State FIPS Code",
                "County FIPS Code",
                "Workers in Commuting Flow",
            ]
        )
        ws2.append([1, 3, 1, 1, 10])
    else:
        ws.append([1, 3, 1, 1, 10])
    ws.append([])
    ws.append(["Source: U.S. Census Bureau, American Community Survey"])
    if notes_sheet:
        wb.create_sheet("Notes").append(["Margins of error are at 90%"])
    wb.save(path)
    return path


CENSUS = dict(
    origin=["State FIPS Code", "County FIPS Code"],
    destination=["State FIPS Code.1", "County FIPS Code.1"],
    flow="Workers in Commuting Flow",
)


def test_excel_workbook_with_title_rows_and_several_sheets(tmp_path):
    path = _census_workbook(tmp_path / "table1.xlsx")
    with pytest.raises(InvalidODError) as err:
        rz.read_flows(path, **CENSUS)
    assert "2 sheets ('Table 1', 'Notes')" in str(err.value)
    both_faces(err.value, "sheet='Table 1'", "--sheet 'Table 1'")
    with pytest.raises(InvalidODError) as err:  # numbers in the workbook: no zeros
        rz.read_flows(path, **CENSUS, sheet="Table 1", footer="drop")
    assert "would be ambiguous" in str(err.value)
    both_faces(err.value, "id_width=[", "--id-width ")
    g = rz.read_flows(path, **CENSUS, sheet="Table 1", footer="drop", id_width=[2, 3])
    assert g.ids.tolist() == ["01001", "01003"]
    assert "skipped 3 title rows" in g.meta["repairs"][0]
    assert "Source: U.S. Census Bureau" in g.meta["repairs"][1]
    g = rz.read_flows(path, **CENSUS, sheet=0, footer="drop", id_width=(2, 3))
    assert dense(g) == [[50, 30], [10, 80]]
    with pytest.raises(InvalidODError, match="no sheet 'Tabelle'"):
        rz.read_flows(path, **CENSUS, sheet="Tabelle")
    with pytest.raises(InvalidODError, match="only applies to Excel"):
        rz.read_flows(write(tmp_path, HEADER + BODY), sheet="Table 1")


def test_excel_table_split_over_sheets_and_explicit_skiprows(tmp_path):
    path = _census_workbook(tmp_path / "t.xlsx", notes_sheet=False, second=True)
    g = rz.read_flows(
        path, **CENSUS, sheet=["Table 1", "Table 1 (cont.)"], footer="drop", id_width=[2, 3]
    )
    assert dense(g) == [[50, 30], [10, 80]]
    assert any("read 2 sheets" in r for r in g.meta["repairs"])
    g = rz.read_flows(path, **CENSUS, sheet="Table 1", skiprows=3, footer="drop", id_width=[2, 3])
    assert dense(g) == [[50, 30], [0, 80]]


def test_excel_matrix_with_a_title_and_numeric_codes(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Commuting matrix 2020 (persons)"])
    ws.append([None, 1001, 1003, 1005])
    for row in [[1001, 50, 30, 0], [1003, 10, 80, 0], [1005, 0, 20, 40], ["Total", 60, 130, 40]]:
        ws.append(row)
    wb.save(tmp_path / "m.xlsx")
    g = rz.read_matrix(tmp_path / "m.xlsx", footer="drop", id_width=5)
    assert g.ids.tolist() == ["01001", "01003", "01005"] and dense(g) == TOY


def test_parquet_matrix_and_long_table(tmp_path):
    m = pd.DataFrame(TOY, columns=["01", "02", "03"]).assign(code=["01", "02", "03"])
    m[["code", "01", "02", "03"]].to_parquet(tmp_path / "m.parquet")
    assert dense(rz.read_matrix(tmp_path / "m.parquet")) == TOY
    rz.read_flows(write(tmp_path, HEADER + BODY)).to_frame().to_parquet(tmp_path / "l.parquet")
    assert dense(rz.read_flows(tmp_path / "l.parquet")) == TOY


# ---------------------------------------------------------------- zone tables (CLI)
def squares(ids, crs="EPSG:3857") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": list(ids),
            "geometry": [box(1000 * i, 0, 1000 * (i + 1), 1000) for i in range(len(ids))],
        },
        crs=crs,
    )


def test_names_from_a_plain_csv_found_by_their_columns(tmp_path):
    g = rz.read_flows(write(tmp_path, HEADER + BODY))
    names = write(
        tmp_path,
        "LAD21CD,LAD21NM,POP\n01,Alpha,5\n02,Beta,6\n03,Gamma,7\n04,Delta,8\n",
        "names.csv",
    )
    out = attach_names(g, names)
    assert out.zones["name"].tolist() == ["Alpha", "Beta", "Gamma"]
    assert any("dropped 1 rows of names.csv" in r for r in out.meta["repairs"])
    out = attach_names(g, names, "LAD21CD", "POP")
    assert out.zones["name"].tolist() == ["5", "6", "7"]
    lost = write(tmp_path, "code;nom\n1;Un\n2;Deux\n", "n.csv")  # zeros lost, one missing
    with pytest.raises(CliInputError, match="--id-width 2"):
        attach_names(g, lost)
    out = attach_names(g, lost, id_width=2)
    assert out.zones["name"].tolist()[:2] == ["Un", "Deux"]
    assert any("1 zones have no name" in r for r in out.meta["repairs"])
    with pytest.raises(CliInputError, match="more than once"):
        attach_names(g, write(tmp_path, "id,name\n01,A\n01,B\n", "d.csv"))
    with pytest.raises(CliInputError, match="--names-column 'x'"):
        attach_names(g, names, name_column="x")


def test_missing_geometry_keep_or_error(tmp_path):
    g = rz.read_flows(write(tmp_path, HEADER + BODY))
    squares(["01", "02"]).to_file(tmp_path / "z.gpkg")
    with pytest.raises(InvalidZonesError) as err:
        attach_zones(g, tmp_path / "z.gpkg", "code")
    both_faces(err.value, "missing='keep'", "--missing-geometry keep")
    out = attach_zones(g, tmp_path / "z.gpkg", None, missing="keep")
    assert out.geometry.geometry.isna().tolist() == [False, False, True]
    assert any("1 zones have no geometry" in r for r in out.meta["repairs"])


# ---------------------------------------------------------------- read_source: the CLI's reader
def test_read_source_takes_every_reading_option(tmp_path):
    path = write(
        tmp_path,
        "Commuting 2020\nhome\twork\tn\n01\t01\t1.234\n01\t02\t30\n"
        "02\t02\t12.500\n02\t01\t1.000\n99\t01\t-\n",
        "od.tsv",
    )
    g = read_source(
        str(path),
        origin="home",
        destination="work",
        flow="n",
        sep="tab",
        skiprows=1,
        thousands=".",
        suppressed="zero",
        footer="error",
    )
    assert [row[:2] for row in dense(g)[:2]] == [[1234, 30], [1000, 12500]]
    published = write(tmp_path, "code;01;02\n01;50;10\n02;30;80\nTotal;80;90\n", "w.csv")
    g = read_source(str(published), matrix=True, rows="workplace", totals="drop")
    assert dense(g) == [[50, 30], [10, 80]]
    names = write(tmp_path, "zone,name\n01,Alpha\n02,Beta\n", "names.csv")
    g = read_source(str(published), matrix=True, rows="workplace", totals="drop", names=names)
    assert g.zones["name"].tolist() == ["Alpha", "Beta"]


@pytest.mark.parametrize(
    "kwargs, flag",
    [
        ({"rows": "workplace"}, "--rows"),
        ({"matrix": True, "duplicates": "sum"}, "--duplicates"),
        ({"names_id": "zone"}, "--names"),
        ({"missing_geometry": "keep"}, "--zones"),
        ({"sep": ";;"}, "--sep"),
        ({"thousands": "ab"}, "--thousands"),
    ],
)
def test_read_source_options_that_do_not_apply_name_the_flag(tmp_path, kwargs, flag):
    with pytest.raises(CliInputError, match=flag):
        read_source(str(write(tmp_path, HEADER + BODY)), **kwargs)


def test_read_source_options_for_a_named_data_set_are_an_error():
    with pytest.raises(CliInputError, match="--footer only apply to an OD file"):
        read_source("synthetic-20", footer="drop")
    assert read_source("synthetic-20").n_zones == 20


def test_reading_options_decorator_gives_a_typer_command_every_flag(tmp_path):
    app = typer.Typer()
    seen = {}

    @app.command()
    @reading_options(geometry=True)
    def cmd(
        source: str, origin: Annotated[str, typer.Option()] = "origin", reading: dict | None = None
    ) -> None:
        seen["reading"] = reading
        try:
            seen["graph"] = read_source(source, origin=origin, **reading)
        except RegionalizeError as exc:
            typer.echo(f"error: {render_for_cli(exc)}", err=True)
            raise typer.Exit(2) from None

    @app.command()
    def other() -> None:
        pass

    runner = CliRunner()
    path = write(tmp_path, "code;01;02\n02;1.000;80\n01;50;2.500\n", "m.csv")
    result = runner.invoke(
        app,
        [
            "cmd",
            str(path),
            "--matrix",
            "--rows",
            "workplace",
            "--thousands",
            ".",
            "--sep",
            ";",
            "--footer",
            "drop",
        ],
    )
    assert result.exit_code == 0, result.output
    assert dense(seen["graph"]) == [[50, 1000], [2500, 80]]
    assert seen["reading"]["rows"] == "workplace" and seen["reading"]["names"] is None
    result = runner.invoke(app, ["cmd", str(path), "--matrix"])
    assert result.exit_code == 2
    assert "--thousands ." in result.stderr and "thousands='.'" not in result.stderr
    result = runner.invoke(app, ["cmd", str(path), "--footer", "maybe"])
    assert result.exit_code == 2  # a choice typer checks
    help_text = runner.invoke(app, ["cmd", "--help"]).output
    for flag in [
        "--matrix",
        "--rows",
        "--sep",
        "--encoding",
        "--thousands",
        "--decimal",
        "--skiprows",
        "--sheet",
        "--footer",
        "--totals",
        "--suppressed",
        "--duplicates",
        "--id-width",
        "--id-collisions",
        "--names",
        "--names-id",
        "--names-column",
        "--missing-geometry",
    ]:
        assert flag in help_text, flag


def test_comma_thousands_name_the_thousands_option():
    """Cells such as '16,171.5' are numbers with ',' between thousands: the error names
    thousands=',' (--thousands , on the CLI), not suppressed='zero'."""
    df = pd.DataFrame(
        {
            "origin": ["A", "A", "B"],
            "destination": ["A", "B", "B"],
            "flow": ["16,171.5", "1,146.9", "368,358.1"],
        }
    )
    with pytest.raises(rz.InvalidODError, match="thousands=','") as exc:
        rz.FlowGraph.from_dataframe(df)
    assert "suppressed" not in str(exc.value)


def test_mass_repeats_say_the_ids_look_incomplete():
    """A county code without its state code: most pairs repeat. The error says the ids look
    incomplete, and summing them anyway warns."""
    rng = np.random.default_rng(0)
    county = rng.integers(1, 6, 200).astype(str)
    work = rng.integers(1, 6, 200).astype(str)
    df = pd.DataFrame({"origin": county, "destination": work, "flow": rng.integers(1, 100, 200)})
    with pytest.raises(rz.InvalidODError, match="ids are incomplete"):
        rz.FlowGraph.from_dataframe(df)
    with pytest.warns(UserWarning, match="ids are incomplete"):
        rz.FlowGraph.from_dataframe(df, duplicates="sum")
