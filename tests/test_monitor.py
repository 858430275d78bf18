"""Monitoring through the layers (regionalize.monitor): every number checked by hand on a toy.

The toy: eight zones in a row of 1 km squares (EPSG:3857), the flows of tests/_toys.py,
population in 2010 and 2020, jobs in 2020 only. Three hand-written layers:

- ``mega``: one polycentric area "M" (centres 01 and 05; members 02, 03, 04, 06); 07 and 08
  unassigned;
- ``metropolitan``: area "01" (centre 01; members 02, 03) and area "05" (centre 05; member
  06); 04, 07 and 08 unassigned;
- ``urban``: area "01" (centre 01; member 02), area "05" (centre 05; member 06), area "07"
  (centre 07; member 08); 03 and 04 unassigned.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from _toys import FLOWS, IDS, NAMES, hand_partition, squares  # noqa: E402
from matplotlib.collections import LineCollection, PatchCollection  # noqa: E402

import regionalize as rz  # noqa: E402
from regionalize.errors import InvalidParameterError, InvalidZonesError  # noqa: E402
from regionalize.hierarchy import Hierarchy  # noqa: E402
from regionalize.monitor import (  # noqa: E402
    FLOW_CATEGORIES,
    Monitor,
    dorling_layout,
    indicators_from_flows,
    membership_change,
    monitor,
)
from regionalize.partition import Partition  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# a later year: 02->01 30->45, 06->05 20->15, 03->05 10->0, 07->08 5->8, new 04->01 3
FLOWS_LATER = [
    f for f in FLOWS if (f[0], f[1]) not in {("02", "01"), ("06", "05"), ("03", "05"), ("07", "08")}
] + [("02", "01", 45), ("06", "05", 15), ("07", "08", 8), ("04", "01", 3)]  # total 446
POP_2010 = [1000, 500, 300, 200, 800, 400, 250, 150]  # total 3600
POP_2020 = [1100, 600, 330, 180, 760, 440, 240, 150]  # total 3800
JOBS_2020 = [140, 50, 30, 10, 115, 40, 35, 20]  # the column sums, total 440


def make_graph(flows=FLOWS, geometry=True) -> rz.FlowGraph:
    df = pd.DataFrame(flows, columns=["origin", "destination", "flow"])
    return rz.FlowGraph.from_dataframe(
        df, zones=pd.DataFrame({"name": NAMES}, index=IDS), geometry=squares() if geometry else None
    )


def make_partition(name, members, centres) -> Partition:
    """A Partition written by hand: centres order 0, other members order 1."""
    return hand_partition(name, members, centres, IDS, reason="no link")


MEGA = make_partition("mega", {"M": ["01", "02", "03", "04", "05", "06"]}, {"M": ["01", "05"]})
METRO = make_partition(
    "metropolitan", {"01": ["01", "02", "03"], "05": ["05", "06"]}, {"01": ["01"], "05": ["05"]}
)
URBAN = make_partition(
    "urban",
    {"01": ["01", "02"], "05": ["05", "06"], "07": ["07", "08"]},
    {"01": ["01"], "05": ["05"], "07": ["07"]},
)
# delineated again later: 03 switches to "05", 04 joins "01", 06 leaves
METRO_LATER = make_partition(
    "metropolitan", {"01": ["01", "02", "04"], "05": ["05", "03"]}, {"01": ["01"], "05": ["05"]}
)


def long_table() -> pd.DataFrame:
    rows = [(z, 2010, p, np.nan) for z, p in zip(IDS, POP_2010, strict=True)]
    rows += [(z, 2020, p, j) for z, p, j in zip(IDS, POP_2020, JOBS_2020, strict=True)]
    return pd.DataFrame(rows, columns=["zone", "year", "population", "jobs"])


def wide_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zone": IDS,
            "population_2010": POP_2010,
            "population_2020": POP_2020,
            "jobs_2020": JOBS_2020,
        }
    )


@pytest.fixture(scope="module")
def graph():
    return make_graph()


@pytest.fixture(scope="module")
def h(graph):
    return Hierarchy(graph, [MEGA, METRO, URBAN])


@pytest.fixture(scope="module")
def m(h):
    return monitor(
        h,
        long_table(),
        zone="zone",
        year="year",
        flows={2010: h.graph, 2020: make_graph(FLOWS_LATER)},
    )


# ---------------------------------------------------------------------------- reading
def test_repr_and_access(m):
    assert repr(m) == (
        "<Monitor over 8 zones: population 2010-2020, jobs 2020; flows "
        "2010, 2020; layers mega, metropolitan, urban>"
    )
    assert m.indicators == ("population", "jobs")
    assert m.years == (2010, 2020)
    assert m.years_of("jobs") == (2020,)  # empty for every zone in 2010: not measured
    assert m.flow_years == (2010, 2020)
    assert m.value("population", 2020).tolist() == POP_2020
    t = m.table
    assert list(t.columns) == ["zone", "year", "population", "jobs"]
    assert t["jobs"].isna().sum() == 8
    roles = m.roles("metropolitan")
    assert roles.loc["04", "area"] is None and roles.loc["04", "role"] == "unassigned"
    assert roles.loc["03", "role"] == "surrounding" and roles.loc["05", "role"] == "centre"


@pytest.mark.parametrize("form", ["wide", "multiindex", "index", "bare"])
def test_wide_forms_read_like_the_long_form(h, m, form):
    if form == "wide":
        other = monitor(h, wide_table(), zone="zone")
    elif form == "multiindex":
        wide = wide_table().set_index("zone")
        wide.columns = pd.MultiIndex.from_tuples(
            [(2010, "population"), (2020, "population"), (2020, "jobs")]
        )
        other = monitor(h, wide)
    elif form == "index":  # ids in the index, the separator changed
        wide = wide_table().set_index("zone")
        wide.columns = [c.replace("_", ":") for c in wide.columns]
        other = monitor(h, wide, sep=":")
    else:  # bare years, one indicator named by values=
        other = monitor(
            h, pd.DataFrame({2010: POP_2010, "2020": POP_2020}, index=IDS), values="population"
        )
    pd.testing.assert_frame_equal(
        other.growth("metropolitan", indicator="population"),
        m.growth("metropolitan", indicator="population"),
    )
    if form != "bare":
        assert other.years_of("jobs") == (2020,)


def test_integer_ids_and_id_width(h):
    table = wide_table()
    table["zone"] = table["zone"].astype(int)  # 1, 2, ...: the zeros are lost
    got = monitor(h, table, zone="zone", id_width=2)
    assert got.value("population", 2010).tolist() == POP_2010


def test_indicators_from_flows(graph):
    t = indicators_from_flows({2010: graph})
    assert t["residents"].tolist() == [110, 75, 40, 20, 90, 50, 30, 25]
    assert t["jobs"].tolist() == JOBS_2020
    assert (t["year"] == 2010).all()


# ---------------------------------------------------------------------------- stocks and growth
def test_by_area_by_hand(m):
    t = m.by_area("metropolitan", 2010)
    assert list(t.index) == ["01", "05", "(unassigned)"]
    # 01: 1000 + 500 + 300; 05: 800 + 400; unassigned 04, 07, 08: 200 + 250 + 150
    assert t["population"].tolist() == [1800, 1200, 600]
    assert t["population_share"].tolist() == pytest.approx([0.5, 1 / 3, 1 / 6])
    assert t["n_zones"].tolist() == [3, 2, 3]
    assert t["jobs"].isna().all()  # not measured in 2010
    every = m.by_area("metropolitan")  # all years: (area, year)
    assert every.loc[("01", 2020), "population"] == 2030
    assert every.loc[("01", 2020), "jobs"] == 140 + 50 + 30
    assert "(unassigned)" not in m.by_area("metropolitan", 2020, include_unassigned=False).index
    assert "(unassigned)" not in m.by_area(
        "metropolitan", include_unassigned=False
    ).index.get_level_values(0)


def test_by_role_by_hand(m):
    t = m.by_role("metropolitan", 2020, indicators="population")
    assert t.loc[("01", "centre"), "population"] == 1100
    assert t.loc[("01", "surrounding"), "population"] == 600 + 330
    assert t.loc[("05", "surrounding"), "population"] == 440
    assert t.loc[("(unassigned)", "unassigned"), "population"] == 180 + 240 + 150
    assert t.loc[("01", "centre"), "population_area_share"] == pytest.approx(1100 / 2030)
    assert t.loc[("01", "centre"), "population_share"] == pytest.approx(1100 / 3800)
    # polycentric: both centres together
    mega = m.by_role("mega", 2010, indicators="population")
    assert mega.loc[("M", "centre"), "population"] == 1000 + 800
    assert mega.loc[("M", "centre"), "n_zones"] == 2
    assert mega.loc[("M", "surrounding"), "population"] == 500 + 300 + 200 + 400


def test_growth_by_hand(m):
    g = m.growth("metropolitan", 2010, 2020, indicator="population")
    assert list(g.index) == ["01", "05", "(unassigned)", "(total)"]
    assert g["population_2010"].tolist() == [1800, 1200, 600, 3600]
    assert g["population_2020"].tolist() == [2030, 1200, 570, 3800]
    assert g["change"].tolist() == [230, 0, -30, 200]
    assert g["pct_change"].tolist() == pytest.approx([230 / 1800, 0, -0.05, 200 / 3600])
    # compound annual rate over ten years
    assert g["annual_rate"].tolist() == pytest.approx(
        [(2030 / 1800) ** 0.1 - 1, 0.0, 0.95**0.1 - 1, (3800 / 3600) ** 0.1 - 1]
    )
    assert g["share_2020"].tolist() == pytest.approx([2030 / 3800, 1200 / 3800, 0.15, 1.0])
    assert g.loc["(unassigned)", "share_change"] == pytest.approx(0.15 - 1 / 6)
    roles = m.growth("metropolitan", indicator="population", by="role")
    assert roles.loc[("01", "surrounding"), "change"] == 930 - 800
    assert roles.loc[("(total)", "all"), "change"] == 200
    zones = m.growth(None, 2010, 2020, indicator="population", total=False)
    assert zones["pct_change"].tolist() == pytest.approx(
        [0.1, 0.2, 0.1, -0.1, -0.05, 0.1, -0.04, 0.0]
    )
    assert zones.loc["04", "name"] == "Delta"


def test_growth_start_zero_gives_nan_rates(h):
    table = wide_table()
    table.loc[table.zone == "08", "population_2010"] = 0
    g = monitor(h, table, zone="zone").growth(None, indicator="population", total=False)
    assert np.isnan(g.loc["08", "pct_change"]) and np.isnan(g.loc["08", "annual_rate"])
    assert g.loc["08", "change"] == 150


def test_concentration_by_hand(m):
    # areas 1800, 1200 and the unassigned zones together 600 (of 3600)
    c = m.concentration("metropolitan", 2010, indicator="population", unassigned="group")
    row = c.loc[2010]
    assert row["largest"] == "01" and row["largest_share"] == pytest.approx(0.5)
    # Hoover: (|1/2 - 1/3| + |1/3 - 1/3| + |1/6 - 1/3|) / 2
    assert row["hoover"] == pytest.approx(1 / 6)
    # Gini: (600 + 1200 + 600) * 2 / (2 * 3^2 * 1200)
    assert row["gini"] == pytest.approx(2 / 9)
    # unassigned zones on their own: 1800, 1200, 200, 250, 150
    z = m.concentration("metropolitan", 2010, indicator="population").loc[2010]
    assert z["units"] == 5
    assert z["hoover"] == pytest.approx(13 / 30)
    assert z["gini"] == pytest.approx(8600 * 2 / (2 * 25 * 720))
    # against land area (1 km^2 a zone): shares 36, 24, 4, 5, 3 vs 27, 18, 9, 9, 9 (/72)
    land = m.concentration("metropolitan", 2010, indicator="population", reference="land").loc[2010]
    assert land["hoover"] == pytest.approx(15 / 72)
    # jobs against population in 2020, areas grouped: 220, 155, 65 of 440 vs 2030, 1200, 570
    jobs = m.concentration(
        "metropolitan", 2020, indicator="jobs", reference="population", unassigned="group"
    ).loc[2020]
    expect = 0.5 * (
        abs(220 / 440 - 2030 / 3800) + abs(155 / 440 - 1200 / 3800) + abs(65 / 440 - 570 / 3800)
    )
    assert jobs["hoover"] == pytest.approx(expect)
    # every year, and zones as units
    every = m.concentration(None, indicator="population")
    assert list(every.index) == [2010, 2020]
    assert every.loc[2020, "largest"] == "01" and every.loc[2020, "units"] == 8


# ---------------------------------------------------------------------------- flows
def test_flows_by_hand(m):
    f = m.flows("metropolitan")
    a, b, u = f.loc["01"], f.loc["05"], f.loc["(unassigned)"]
    assert (
        a["within_centre"],
        a["centre_to_surrounding"],
        a["surrounding_to_centre"],
        a["within_surrounding"],
    ) == (100, 10, 30 + 10, 40 + 5 + 20)
    assert (a["internal"], a["to_other_areas"], a["to_unassigned"]) == (215, 10, 0)  # 03->05
    assert (a["from_other_areas"], a["from_unassigned"]) == (0, 5)  # 04->03
    assert a["share_to_centre"] == pytest.approx(40 / (75 + 40))
    assert (
        b["within_centre"],
        b["centre_to_surrounding"],
        b["surrounding_to_centre"],
        b["within_surrounding"],
    ) == (80, 10, 20, 30)
    assert (b["from_other_areas"], b["from_unassigned"]) == (10, 5)  # 03->05, 04->05
    # unassigned zones 04, 07, 08: 10 to areas; 10 + 25 + 5 + 15 + 10 among themselves
    assert (u["to_other_areas"], u["to_unassigned"], u["from_unassigned"]) == (10, 65, 65)
    assert np.isnan(u["within_centre"])
    total = (f["internal"].fillna(0) + f["to_other_areas"] + f["to_unassigned"]).sum()
    assert total == 440


def test_flows_polycentric(m):
    f = m.flows("mega").loc["M"]
    # centres 01 and 05: 01->01 100 + 05->05 80; no flow between the two centres
    assert f["within_centre"] == 180
    assert f["surrounding_to_centre"] == 30 + 10 + 10 + 5 + 20  # 02, 03 (x2), 04, 06
    assert f["centre_to_surrounding"] == 10 + 10
    assert f["within_surrounding"] == 40 + 5 + 20 + 10 + 5 + 30


def test_flow_totals_and_matrix(m):
    t = m.flow_totals("metropolitan")
    assert tuple(t.index) == FLOW_CATEGORIES
    assert t.tolist() == [180, 20, 60, 95, 10, 0, 10, 65]
    assert t.sum() == 440
    fm = m.flow_matrix("metropolitan")
    assert fm.set_index(["from_area", "to_area"])["flow"].to_dict() == {
        ("01", "01"): 215,
        ("01", "05"): 10,
        ("05", "05"): 140,
        ("(unassigned)", "01"): 5,
        ("(unassigned)", "05"): 5,
        ("(unassigned)", "(unassigned)"): 65,
    }
    roles = m.flow_matrix("metropolitan", roles=True).set_index(
        ["from_area", "from_role", "to_area", "to_role"]
    )["flow"]
    assert roles[("01", "surrounding", "05", "centre")] == 10
    assert roles[("(unassigned)", "unassigned", "01", "surrounding")] == 5
    assert roles.sum() == 440


def test_flow_change_by_hand(m):
    later = m.flows("metropolitan", 2020)
    assert later.loc["01", "surrounding_to_centre"] == 45 + 10
    assert later.loc["01", "from_unassigned"] == 5 + 3
    assert m.flow_totals("metropolitan", 2020).sum() == 446
    c = m.flow_change("metropolitan", 2010, 2020)
    assert list(c.columns) == ["flow_2010", "flow_2020", "change", "pct_change"]
    row = c.loc[("01", "surrounding_to_centre")]
    assert (row["flow_2010"], row["flow_2020"], row["change"]) == (40, 55, 15)
    assert row["pct_change"] == pytest.approx(0.375)
    assert c.loc[("05", "surrounding_to_centre"), "change"] == -5
    assert c.loc[("(total)", "between_areas"), "pct_change"] == -1.0
    assert c.loc[("(total)", "unassigned_to_area"), "change"] == 3
    assert c.loc[("(unassigned)", "to_unassigned"), "change"] == 3  # 07->08 5->8
    # FlowGraphs directly, the Hierarchy's graph as the first table
    d = m.flow_change("metropolitan", None, make_graph(FLOWS_LATER))
    assert list(d.columns[:2]) == ["flow_before", "flow_after"]
    assert d["change"].equals(c["change"])


# ---------------------------------------------------------------------------- redrawn areas
def test_membership_change_by_hand(h):
    later = Hierarchy(h.graph, [METRO_LATER])
    ch = membership_change(h, later, "metropolitan")
    assert ch["change"].to_dict() == {"03": "switched", "04": "joined", "06": "left"}
    assert ch.loc["03", ["area_before", "area_after"]].tolist() == ["01", "05"]
    assert ch.loc["04", "area_before"] is None
    assert ch.loc["04", "name"] == "Delta"
    # areas with other ids, matched by shared zones: the same changes
    renamed = make_partition(
        "metropolitan", {"X": ["01", "02", "04"], "Y": ["05", "03"]}, {"X": ["01"], "Y": ["05"]}
    )
    by_overlap = membership_change(METRO, renamed, match="overlap")
    assert by_overlap["change"].to_dict() == {"03": "switched", "04": "joined", "06": "left"}
    by_id = membership_change(METRO, renamed)  # ids differ: every member "switched"
    assert set(by_id.index) == {"01", "02", "03", "04", "05", "06"}
    # a surrounding zone becoming a centre
    promoted = make_partition(
        "metropolitan",
        {"01": ["01", "02", "03"], "05": ["05", "06"]},
        {"01": ["01", "02"], "05": ["05"]},
    )
    assert membership_change(METRO, promoted)["change"].to_dict() == {"02": "role"}


def test_compare_boundaries_by_hand(m, h):
    later = Hierarchy(h.graph, [METRO_LATER])
    c = m.compare_boundaries(later, "metropolitan", indicator="population")
    assert list(c.index) == ["01", "05", "(unassigned)"]
    assert c["population_2010"].tolist() == [1800, 1200, 600]
    assert c["population_2020_fixed"].tolist() == [2030, 1200, 570]
    # redrawn: 01 = 01 + 02 + 04; 05 = 05 + 03; unassigned = 06 + 07 + 08
    assert c["population_2020_redrawn"].tolist() == [1880, 1090, 830]
    assert c["boundary_effect"].tolist() == [-150, -110, 260]
    assert c["change_redrawn"].tolist() == [80, -110, 230]
    assert (c["change_redrawn"] == c["change_fixed"] + c["boundary_effect"]).all()
    assert c["joined"].tolist() == [1, 1, 1] and c["left"].tolist() == [1, 1, 1]
    assert c["n_zones_redrawn"].tolist() == [3, 2, 3]


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "edit, error, match",
    [
        (
            lambda t: pd.concat(
                [
                    t,
                    pd.DataFrame(
                        {"zone": ["99", "98"], "year": [2010, 2010], "population": [1, 2]}
                    ),
                ]
            ),
            InvalidZonesError,
            r"2 rows for zones not in the Hierarchy \(first: 99, 98\).*"
            r"unknown='drop'",
        ),
        (
            lambda t: t[t.zone != "08"],
            InvalidZonesError,
            r"2 zones of the Hierarchy missing from the table \(zone, year\) "
            r"\(first: 08 \(2010\), 08 \(2020\)\).*missing='zero'",
        ),
        (
            lambda t: t.assign(population=t.population.where(t.zone != "03", np.nan)),
            InvalidZonesError,
            r"2 empty values \(first: 'population' of 03 \(2010\)",
        ),
        (
            lambda t: t.assign(population=t.population.where(t.zone != "04", -5)),
            InvalidZonesError,
            r"2 negative 'population' values \(first: 04 \(2010\): -5, "
            r"04 \(2020\): -5\).*negative='allow'",
        ),
        (
            lambda t: t.assign(
                population=t.population.astype(object).where(
                    (t.zone != "03") | (t.year != 2020), "n/a"
                )
            ),
            InvalidZonesError,
            r"1 non-numeric 'population' values \(first: 03 \(2020\): 'n/a'\)",
        ),
        (
            lambda t: pd.concat([t, t.iloc[[0]]]),
            InvalidZonesError,
            r"1 duplicated \(zone, year\) rows \(first: 01 \(2010\)\).*"
            r"duplicates='sum'",
        ),
        (
            lambda t: t.assign(year=t.year.astype(str).where(t.zone != "02", "2010a")),
            InvalidZonesError,
            r"2 rows whose year is not a whole number \(first: row 1: '2010a'",
        ),
    ],
)
def test_bad_tables(h, edit, error, match):
    table = edit(long_table()[["zone", "year", "population"]])
    with pytest.raises(error, match=match):
        monitor(h, table, zone="zone", year="year")


def test_all_problems_in_one_message(h):
    t = long_table()[["zone", "year", "population"]]
    t = pd.concat([t, pd.DataFrame({"zone": ["99"], "year": [2010], "population": [1]})])
    t.loc[t.zone == "04", "population"] = -1
    with pytest.raises(InvalidZonesError) as err:
        monitor(h, t, zone="zone", year="year")
    msg = str(err.value)
    assert msg.startswith("Invalid indicator table: 1 rows for zones not in the Hierarchy")
    assert "2 negative 'population' values" in msg


def test_repairs_on_request(h):
    t = long_table()[["zone", "year", "population"]]
    extra = pd.DataFrame({"zone": ["99", "01"], "year": [2010, 2010], "population": [1, 7]})
    t = pd.concat([t[t.zone != "08"], extra])
    got = monitor(h, t, zone="zone", year="year", unknown="drop", missing="zero", duplicates="sum")
    assert got.value("population", 2010)["01"] == 1007
    assert got.value("population", 2020)["08"] == 0
    assert len(got.notes) == 3
    assert "dropped 1 rows for 1 zones not in the Hierarchy (first: 99)" in got.notes[0]
    neg = long_table()[["zone", "year", "population"]].assign(population=lambda d: -d.population)
    allowed = monitor(h, neg, zone="zone", year="year", negative="allow")
    with pytest.raises(InvalidParameterError, match="non-negative"):
        allowed.concentration("metropolitan")


def test_missing_years_and_names(m, h):
    with pytest.raises(
        InvalidParameterError,
        match=r"Year 2005 is not in the indicator table "
        r"for 'population'; its years are 2010, 2020",
    ):
        m.growth("metropolitan", 2005, 2020, indicator="population")
    with pytest.raises(
        InvalidParameterError,
        match=r"Year 2010 is not .* 'jobs'; its years "
        r"are 2020",
    ):
        m.growth("metropolitan", 2010, 2020, indicator="jobs")
    with pytest.raises(InvalidParameterError, match="Year 1999 is not in the indicator table"):
        m.by_area("metropolitan", 1999)
    with pytest.raises(InvalidParameterError, match="start < end"):
        m.growth("metropolitan", 2020, 2010, indicator="population")
    with pytest.raises(InvalidParameterError, match="Name the indicator with indicator="):
        m.growth("metropolitan")
    with pytest.raises(InvalidParameterError, match="No indicator 'income'"):
        m.concentration("metropolitan", indicator="income")
    with pytest.raises(KeyError, match="no layer 'county'"):
        m.by_area("county")
    with pytest.raises(InvalidParameterError, match="No flow table for 2015"):
        m.flows("metropolitan", 2015)
    with pytest.raises(InvalidParameterError, match="no indicator table"):
        monitor(h).by_area("metropolitan")


def test_bad_parameters_and_columns(h):
    with pytest.raises(InvalidParameterError, match="'unknown' parameter of monitor"):
        monitor(h, wide_table(), zone="zone", unknown="ignore")
    with pytest.raises(InvalidParameterError, match="no column 'year'"):
        monitor(h, wide_table(), zone="zone", year="year")
    with pytest.raises(
        InvalidParameterError,
        match=r"1 columns of the wide table are not "
        r"'<indicator>_<year>' \(first: 'name'\).*values=",
    ):
        monitor(h, wide_table().assign(name=NAMES), zone="zone")
    with pytest.raises(InvalidParameterError, match="bare year columns"):
        monitor(h, pd.DataFrame({2010: POP_2010}, index=IDS))
    with pytest.raises(InvalidParameterError, match="keys of flows= must be years"):
        monitor(h, flows={"later": h.graph})
    with pytest.raises(TypeError, match="monitor needs a Hierarchy"):
        monitor(h.graph, wide_table())


def test_flows_over_other_zones_are_refused(h):
    df = pd.DataFrame(FLOWS[:-2], columns=["origin", "destination", "flow"])  # no 08 -> ...
    df = df[df.destination != "08"]
    other = rz.FlowGraph.from_dataframe(df)
    with pytest.raises(
        InvalidZonesError,
        match=r"Invalid flows for year 2020: 1 zones of the "
        r"Hierarchy missing from the flows \(first: 08\)",
    ):
        monitor(h, flows={2020: other})
    # the same zones in another order are realigned
    shuffled = rz.FlowGraph.from_dataframe(
        pd.DataFrame(FLOWS, columns=["origin", "destination", "flow"]),
        zones=pd.DataFrame(index=IDS[::-1]),
    )
    assert monitor(h, flows={2020: shuffled}).flow_totals("metropolitan", 2020).tolist() == [
        180,
        20,
        60,
        95,
        10,
        0,
        10,
        65,
    ]


def test_inputs_are_not_modified(h):
    table = long_table()
    before = table.copy()
    monitor(h, table, zone="zone", year="year").growth("metropolitan", indicator="population")
    pd.testing.assert_frame_equal(table, before)


# ---------------------------------------------------------------------------- Dorling layout
def test_dorling_layout_removes_overlaps_deterministically():
    # a 5 x 5 grid of points 1 apart, circles of radius 0.5 to 1.5: heavy overlap
    x, y = np.meshgrid(np.arange(5.0), np.arange(5.0))
    r = 0.5 + (np.arange(25) % 3) * 0.5
    a = dorling_layout(x.ravel(), y.ravel(), r)
    b = dorling_layout(x.ravel(), y.ravel(), r)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert a.max_overlap <= 0.01
    d = np.hypot(a.x[:, None] - a.x[None, :], a.y[:, None] - a.y[None, :])
    gaps = d - (r[:, None] + r[None, :])
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() >= -0.01 * 0.5  # tolerance: 1% of the smallest radius
    # the centre of mass stays close to where it was (the pull back to the starting points)
    assert abs(a.x.mean() - 2.0) < 0.5 and abs(a.y.mean() - 2.0) < 0.5


def test_dorling_layout_splits_coincident_points():
    out = dorling_layout([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    d = np.hypot(out.x[:, None] - out.x[None, :], out.y[:, None] - out.y[None, :])
    assert d[np.triu_indices(3, 1)].min() >= 2.0 * 0.99
    with pytest.raises(ValueError, match="same length"):
        dorling_layout([0.0], [0.0], [1.0, 2.0])


def test_dorling_table(m):
    d = m.dorling(2020, layer="metropolitan", indicator="population")
    assert list(d.index) == ["01", "05", "04", "07", "08"]  # areas, then unassigned zones
    assert d["value"].tolist() == [2030, 1200, 180, 240, 150]
    # circle areas proportional to the values, together 30% of the 8 km^2
    assert (np.pi * d["radius"] ** 2).sum() == pytest.approx(0.3 * 8e6)
    assert (d["radius"] ** 2 / d["value"]).std() == pytest.approx(0.0, abs=1e-9)
    # starting point of 05: population-weighted centroid of zones 05 (x 4500) and 06 (x 5500)
    assert d.loc["05", "x0"] == pytest.approx((760 * 4500 + 440 * 5500) / 1200)
    assert d.attrs["max_overlap"] <= 0.01


# ---------------------------------------------------------------------------- maps
def _saved(ax, path) -> bytes:
    ax.figure.savefig(path, dpi=60)
    plt.close(ax.figure)
    data = path.read_bytes()
    assert len(data) > 0 and data[:8] == PNG_SIGNATURE
    return data


def test_plot_change_zones_and_areas(m, tmp_path):
    ax = m.plot_change(indicator="population", outlines="metropolitan")
    coll = [c for c in ax.collections if c.get_gid() == "change"]
    assert len(coll) == 1
    cbar = ax.figure.axes[-1]
    assert "population" in cbar.get_ylabel() and "2010-2020" in cbar.get_ylabel()
    _saved(ax, tmp_path / "zones.png")
    ax = m.plot_change(
        layer="metropolitan",
        indicator="population",
        measure="change",
        symmetric=False,
        zones=IDS[:6],
    )
    _saved(ax, tmp_path / "areas.png")


def test_plot_change_colours_are_centred_on_zero(m):
    ax = m.plot_change(layer="metropolitan", indicator="population", unassigned="none")
    faces = [c for c in ax.collections if c.get_gid() == "change"][0].get_facecolors()
    # area 05 did not change: the middle (white-ish) colour of RdBu_r
    mid = np.array(plt.get_cmap("RdBu_r")(0.5))
    assert any(np.allclose(f, mid, atol=1e-6) for f in faces)
    plt.close(ax.figure)


def test_plot_dorling_and_centre_flows(m, tmp_path):
    ax = m.plot_dorling(layer="metropolitan", indicator="population", start=2010)
    circles = [c for c in ax.collections if c.get_gid() == "dorling"]
    assert len(circles) == 1 and isinstance(circles[0], PatchCollection)
    assert len(circles[0].get_paths()) == 5
    _saved(ax, tmp_path / "dorling.png")
    share = pd.Series({"01": 0.4, "05": 0.2}, name="share to centre")
    ax = m.plot_dorling(
        2020,
        layer="metropolitan",
        indicator="population",
        color=share,
        unassigned="drop",
        background=False,
    )
    _saved(ax, tmp_path / "dorling_series.png")
    ax = m.plot_centre_flows("metropolitan", 2020)
    lines = [c for c in ax.collections if c.get_gid() == "centre_flows"]
    assert len(lines) == 1 and isinstance(lines[0], LineCollection)
    assert len(lines[0].get_segments()) == 3  # 02-01, 03-01, 06-05
    _saved(ax, tmp_path / "centre_flows.png")


def test_maps_need_geometry():
    g = make_graph(geometry=False)
    mon = monitor(Hierarchy(g, [METRO]), wide_table(), zone="zone", values="population")
    with pytest.raises(InvalidZonesError, match="no geometry"):
        mon.plot_change()


# ---------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def korea(data_dir):
    g = rz.datasets.load_korea_ktdb(data_dir)
    h = rz.delineate(
        g,
        rz.datasets.KOREA_METROPOLITAN_CENTRES,
        tau=0.20,
        max_order=2,
        urban={"candidates": "city", "min_job_ratio": None},
        megaregions={"merge_threshold": 0.15},
    )
    return monitor(h)


def test_korea_trips_between_centres_and_surroundings(korea):
    g = korea.graph
    f = korea.flows("metropolitan")
    assert list(f["name"])[:5] == ["Seoul", "Busan-Ulsan", "Daegu", "Gwangju", "Daejeon-Sejong"]
    # every trip is counted once: the rows add up to the matrix total
    total = (f["internal"].fillna(0) + f["to_other_areas"] + f["to_unassigned"]).sum()
    assert total == pytest.approx(g.total, rel=1e-12)
    assert korea.flow_totals("metropolitan").sum() == pytest.approx(g.total, rel=1e-12)
    areas = f.drop(index="(unassigned)")
    assert areas["to_other_areas"].sum() == pytest.approx(areas["from_other_areas"].sum())
    # against the matrix directly: Seoul's surroundings to Seoul and back
    dense = g.matrix.toarray()
    d = korea.hierarchy["metropolitan"].details
    seoul = g.ids.get_loc("11")
    members = [g.ids.get_loc(z) for z in d.index[(d.area == "11") & (d.role == "member")]]
    assert f.loc["11", "surrounding_to_centre"] == pytest.approx(dense[members, seoul].sum())
    assert f.loc["11", "centre_to_surrounding"] == pytest.approx(dense[seoul, members].sum())
    assert f.loc["11", "within_centre"] == 0  # no diagonal in the KTDB table
    # Busan-Ulsan: two central units, trips between them are "within the centre"
    busan, ulsan = g.ids.get_loc("21"), g.ids.get_loc("26")
    assert f.loc["21+26", "within_centre"] == pytest.approx(
        dense[busan, ulsan] + dense[ulsan, busan]
    )
    assert (f.loc[f.index != "(unassigned)", "surrounding_to_centre"] > 0).all()


def test_monitor_is_exported_as_a_module():
    import regionalize.monitor as mod

    assert mod.Monitor is Monitor
