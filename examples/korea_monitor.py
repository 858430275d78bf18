"""Monitoring balanced development in Korea through the functional layers.
=======================================================================

    python examples/korea_monitor.py [outputs/korea_monitor]

Part 1 (real data): the five metropolitan areas of the balanced-development policy, their
central cities and surroundings, and the urban areas, delineated from the KTDB si/gun trip
table (the preset of examples/korea_layers.py); KTDB trips between central cities and their
surroundings per area, printed, written to CSV and mapped.

Part 2 (ILLUSTRATIVE, NOT REAL DATA): KTDB has no population, so a *synthetic* two-year
population (2015, 2020) is made up (seeded) to show the growth tables, the concentration
measures, the choropleth of change and the Dorling cartogram. Its numbers say nothing about
Korea; every table, file name and map title of part 2 says so.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import regionalize as rz  # noqa: E402
from regionalize.datasets import KOREA_METROPOLITAN_CENTRES  # noqa: E402
from regionalize.monitor import monitor  # noqa: E402

pd.set_option("display.width", 170)
pd.set_option("display.max_columns", 20)
out = Path(sys.argv[1] if len(sys.argv) > 1 else "outputs/korea_monitor")
out.mkdir(parents=True, exist_ok=True)
ILLUSTRATIVE = "ILLUSTRATIVE synthetic population, not real data"


def save(ax, name):
    ax.figure.savefig(out / name, dpi=110, bbox_inches="tight")
    plt.close(ax.figure)
    print(f"  wrote {out / name}")


def readable(frame):
    """Flows in thousands of trips, shares in %."""
    frame = frame.copy()
    for c in frame.columns:
        if c.startswith("share"):
            frame[c] = frame[c].map(lambda v: f"{100 * v:.1f}%" if np.isfinite(v) else "")
        elif c != "name":
            frame[c] = frame[c].map(lambda v: f"{v / 1000:,.0f}k" if np.isfinite(v) else "")
    return frame


g = rz.datasets.load_korea_ktdb()
h = rz.delineate(
    g,
    KOREA_METROPOLITAN_CENTRES,
    tau=0.20,
    max_order=2,
    urban={"candidates": "city", "min_job_ratio": None},
    megaregions={"merge_threshold": 0.15},
)
m = monitor(h)
names = g.zones["name"]
print(h)
print(f"{g.meta['unit']}; {', '.join(g.meta['quirks'])}")

# ---------------------------------------------------------------------------- part 1: real
print("\n== Part 1 (KTDB trips, real data): central cities and their surroundings")
for layer in ("metropolitan", "urban"):
    roles = m.roles(layer)
    part = h[layer]
    rows = []
    for area in part.areas.index:
        centre = roles.index[(roles.area == area) & (roles.role == "centre")]
        around = roles.index[(roles.area == area) & (roles.role == "surrounding")]
        rows.append(
            (
                part.areas.at[area, "name"],
                part.areas.at[area, "kind"],
                "+".join(names[centre]),
                len(around),
                ", ".join(names[around][:8]) + (", ..." if len(around) > 8 else ""),
            )
        )
    table = pd.DataFrame(
        rows,
        columns=["area", "kind", "central city", "surrounding", "surrounding si/gun (first 8)"],
    )
    print(f"\n{layer}: {part.n_areas} areas, {int((part.codes() < 0).sum())} si/gun outside")
    print(table.to_string(index=False))

cols = [
    "name",
    "surrounding_to_centre",
    "centre_to_surrounding",
    "within_centre",
    "within_surrounding",
    "to_other_areas",
    "to_unassigned",
    "share_to_centre",
]
metro_flows = m.flows("metropolitan")
print("\nKTDB trips per day between central cities and surroundings, metropolitan areas")
print("(within_centre: Busan<->Ulsan and Daejeon<->Sejong, as trips inside a unit are absent;")
print(" share_to_centre: of all trips leaving the surrounding si/gun)")
print(readable(metro_flows[cols]).to_string())
totals = m.flow_totals("metropolitan")
print("\nNational trips by category (they add up to the table total):")
print((totals / 1000).round(0).astype(int).astype(str).add("k").to_string())
print(f"  sum {totals.sum():,.0f} = table total {g.total:,.0f}")
urban_flows = m.flows("urban")
print("\nKTDB trips per day, urban areas (largest exchange first)")
urban_flows["exchange"] = urban_flows.surrounding_to_centre + urban_flows.centre_to_surrounding
print(
    readable(
        urban_flows.drop(index="(unassigned)").sort_values("exchange", ascending=False)[cols]
    ).to_string()
)
metro_flows.to_csv(out / "ktdb_trips_metropolitan.csv")
urban_flows.to_csv(out / "ktdb_trips_urban.csv")
m.flow_matrix("metropolitan", roles=True).to_csv(out / "ktdb_trips_metropolitan_roles.csv")

# bar chart: both directions per metropolitan area
areas = metro_flows.drop(index="(unassigned)")
fig, ax = plt.subplots(figsize=(8, 4))
x = np.arange(len(areas))
ax.bar(
    x - 0.2,
    areas.surrounding_to_centre / 1e3,
    0.4,
    label="surrounding → central city",
    color="#b2182b",
)
ax.bar(
    x + 0.2,
    areas.centre_to_surrounding / 1e3,
    0.4,
    label="central city → surrounding",
    color="#2166ac",
)
ax.set_xticks(x, areas["name"])
ax.set_ylabel("thousand trips per day")
ax.set_title(
    "KTDB trips between central cities and their surroundings, metropolitan areas", fontsize=10
)
ax.legend(frameon=False)
save(ax, "ktdb_trips_metropolitan_bars.png")
save(m.plot_centre_flows("metropolitan"), "ktdb_trips_metropolitan_map.png")
save(m.plot_centre_flows("urban"), "ktdb_trips_urban_map.png")

# ---------------------------------------------------------------------------- part 2: synthetic
print(f"\n== Part 2: {ILLUSTRATIVE.upper()}")
# base "population" 2015: a proxy made from KTDB trip ends (out + in trips, x 1.2), NOT a
# census count: single-unit metropolitan cities (Busan, Daegu, ...) come out far too small,
# since their internal trips are absent. 2015 -> 2020: central zones of the metropolitan
# layer -3%, surrounding zones +6%, zones outside -5%, plus seeded noise (sd 3 points).
rng = np.random.default_rng(2015)
roles = m.roles("metropolitan")
base = np.round(1.2 * (g.outflows + g.inflows))
trend = roles.role.map({"centre": -0.03, "surrounding": 0.06, "unassigned": -0.05})
rate = trend.to_numpy(dtype=float) + rng.normal(0.0, 0.03, g.n_zones)
synthetic = pd.DataFrame(
    {"zone": g.ids, "population_2015": base, "population_2020": np.round(base * (1.0 + rate))}
)
synthetic.to_csv(out / "ILLUSTRATIVE_synthetic_population.csv", index=False)
mi = monitor(h, synthetic, zone="zone")
print(mi)

growth = mi.growth("metropolitan", 2015, 2020, by="role")
show = growth[
    [
        "name",
        "n_zones",
        "population_2015",
        "population_2020",
        "pct_change",
        "annual_rate",
        "share_2020",
        "share_change",
    ]
].copy()
for c in ("pct_change", "annual_rate", "share_2020", "share_change"):
    show[c] = (100 * show[c]).round(2)
print(
    f"\nPopulation growth 2015-2020 of the metropolitan areas, their central cities and "
    f"their surroundings ({ILLUSTRATIVE}; rates and shares in %):"
)
print(show.to_string())
growth.to_csv(out / "ILLUSTRATIVE_growth_metropolitan_roles.csv")
urban = mi.growth("urban", 2015, 2020)
print(f"\nUrban areas, growth 2015-2020 in % ({ILLUSTRATIVE}):")
print((100 * urban[["pct_change", "annual_rate"]]).round(2).assign(name=urban["name"]).to_string())
conc = pd.concat(
    {
        "equal shares": mi.concentration("metropolitan"),
        "land area": mi.concentration("metropolitan", reference="land"),
    }
)
print(
    f"\nConcentration over the metropolitan areas (each outside si/gun its own unit; "
    f"{ILLUSTRATIVE}):"
)
print(conc[["units", "largest_name", "largest_share", "hoover", "gini"]].round(4).to_string())

save(
    mi.plot_change(
        layer="metropolitan",
        title=f"Population change 2015-2020 per "
        f"metropolitan area, other si/gun on their own ({ILLUSTRATIVE})",
    ),
    "ILLUSTRATIVE_change_metropolitan.png",
)
save(
    mi.plot_change(
        outlines="metropolitan", title=f"Population change 2015-2020 per si/gun ({ILLUSTRATIVE})"
    ),
    "ILLUSTRATIVE_change_sigun.png",
)
save(
    mi.plot_dorling(
        title=f"si/gun as circles sized by population 2020, coloured by change "
        f"2015-2020 ({ILLUSTRATIVE})"
    ),
    "ILLUSTRATIVE_dorling_sigun.png",
)
save(
    mi.plot_dorling(
        layer="urban",
        title=f"Urban areas (and si/gun outside them) sized by "
        f"population 2020, coloured by change ({ILLUSTRATIVE})",
    ),
    "ILLUSTRATIVE_dorling_urban.png",
)
lay = mi.dorling(layer="urban")
print(
    f"\nDorling layout (urban areas): {len(lay)} circles, {lay.attrs['iterations']} "
    f"iterations, largest remaining overlap {100 * lay.attrs['max_overlap']:.1f}% of a radius"
)
