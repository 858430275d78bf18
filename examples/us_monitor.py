"""Employed residents and commuting per CBSA-like area, central against outlying counties.
=======================================================================================

    python examples/us_monitor.py [outputs/us_monitor]

The CBSA layer of examples/us_cbsa.py (official 2013 central counties, the OMB 25% outlying
rule on the ACS 2009-2013 county flows, rz.methods.CoreBasedAreas) with the CSAs above it.
The indicators are the employed residents and jobs of every county, taken from the flows
themselves (one five-year period, labelled 2013: no growth here, the same calls as for
Korea give it when a second period is added). Maps of the conterminous states.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import regionalize as rz  # noqa: E402
from regionalize.hierarchy import Hierarchy  # noqa: E402
from regionalize.monitor import indicators_from_flows, monitor  # noqa: E402
from regionalize.partition import Partition  # noqa: E402

pd.set_option("display.width", 170)
pd.set_option("display.max_columns", 20)
out = Path(sys.argv[1] if len(sys.argv) > 1 else "outputs/us_monitor")
out.mkdir(parents=True, exist_ok=True)


def save(ax, name):
    ax.figure.savefig(out / name, dpi=110, bbox_inches="tight")
    plt.close(ax.figure)
    print(f"  wrote {out / name}")


def short(title: str) -> str:
    """'New York-Newark-Jersey City, NY-NJ-PA' -> 'New York'."""
    return str(title).split(",")[0].split("-")[0]


def renamed(part: Partition, names: dict) -> Partition:
    """The same layer with readable area names (the estimator names areas by code)."""
    areas = part.areas
    areas["name"] = [names.get(a, a) for a in areas["name"]]
    return Partition(part.name, part.ids, part.details, areas, part.params)


g = rz.datasets.load_us_counties()
official = rz.datasets.load_us_cbsa_2013()
cba = rz.methods.CoreBasedAreas(rz.datasets.us_cbsa_centres(official, g.ids)).fit(g)
cbsa_title = official.drop_duplicates("cbsa").set_index("cbsa")["cbsa_title"].map(short)
cbsa = renamed(cba.cbsa_, cbsa_title.to_dict())
# a CSA is named here after its largest CBSA (by employed residents)
size = pd.Series(g.residents, index=g.ids).groupby(cba.cbsa_.labels).sum()
csa_names = {
    row.name: f"{cbsa.areas.at[max(row.cbsas, key=size.get), 'name']} CSA"
    for row in cba.csa_.areas.itertuples()
}
csa = renamed(cba.csa_, csa_names)
h = Hierarchy(g, [csa, cbsa])
m = monitor(h, indicators_from_flows(g, 2013), zone="zone", year="year")
print(h)
print(m)
print(f"flows: {g.meta['unit']}, total {g.total:,.0f}")

# ---------------------------------------------------------------------------- stocks by role
roles = m.by_role("cbsa", 2013)
national = roles.groupby(level="role")[["n_zones", "residents", "jobs"]].sum()
national["residents_share"] = national["residents"] / national["residents"].sum()
national["jobs_share"] = national["jobs"] / national["jobs"].sum()
national.index = national.index.map(
    {
        "centre": "central counties",
        "surrounding": "outlying counties",
        "unassigned": "outside every CBSA",
    }
)
print("\nEmployed residents and jobs (ACS 2009-2013) by county role in the CBSA layer:")
print(national.round(3).to_string())

wide = roles.drop(index="(unassigned)", level="area").reset_index()
wide = wide.pivot_table(
    index="area", columns="role", values=["residents", "jobs", "n_zones"], aggfunc="sum"
)
table = pd.DataFrame(
    {
        "name": roles.xs("centre", level="role")["name"].reindex(wide.index),
        "central counties": wide[("n_zones", "centre")].astype(int),
        "outlying counties": wide[("n_zones", "surrounding")].astype(int),
        "residents": wide[("residents", "centre")] + wide[("residents", "surrounding")],
        "living outlying": wide[("residents", "surrounding")]
        / (wide[("residents", "centre")] + wide[("residents", "surrounding")]),
        "jobs outlying": wide[("jobs", "surrounding")]
        / (wide[("jobs", "centre")] + wide[("jobs", "surrounding")]),
    }
)
top = table.sort_values("residents", ascending=False).head(15)
print(
    "\nThe 15 largest CBSAs: employed residents, and the share living / working in the "
    "outlying counties"
)
print(
    top.set_index("name")
    .assign(
        residents=top.residents.map("{:,.0f}".format).to_numpy(),
        **{c: top[c].map("{:.1%}".format).to_numpy() for c in ("living outlying", "jobs outlying")},
    )
    .to_string()
)

# ---------------------------------------------------------------------------- commuting
f = m.flows("cbsa")
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
big = f.loc[top.index, cols].rename(
    columns={
        "surrounding_to_centre": "outlying->central",
        "centre_to_surrounding": "central->outlying",
        "within_centre": "within central",
        "within_surrounding": "within outlying",
        "to_other_areas": "to other CBSAs",
        "to_unassigned": "to non-CBSA counties",
        "share_to_centre": "outlying to central (share)",
    }
)
print(
    "\nCommuting in the 15 largest CBSAs (workers; the share is of all workers living in the "
    "outlying counties)"
)
print(
    big.set_index("name")
    .assign(
        **{c: big[c].map("{:,.0f}".format).to_numpy() for c in big.columns[1:-1]},
        **{
            big.columns[-1]: big[big.columns[-1]]
            .map(lambda v: "-" if np.isnan(v) else f"{v:.1%}")
            .to_numpy()
        },
    )
    .to_string()
)
totals = m.flow_totals("cbsa")
print("\nNational commuting by category (workers; adds up to the matrix total):")
print(pd.DataFrame({"workers": totals, "share": totals / totals.sum()}).round(4).to_string())
print(f"  sum {totals.sum():,.0f} = matrix total {g.total:,.0f}")
areas = f.drop(index="(unassigned)")
with_outlying = areas["share_to_centre"].notna()
print(
    f"\n{int(with_outlying.sum())} of {len(areas)} CBSAs have outlying counties; in those, "
    f"the median share of outlying workers commuting to the central counties is "
    f"{areas.loc[with_outlying, 'share_to_centre'].median():.1%} (the rule needs 25% "
    "of residents, or 25% of jobs the other way)"
)
f.to_csv(out / "commuting_cbsa.csv")
roles.to_csv(out / "residents_jobs_cbsa_roles.csv")

# ---------------------------------------------------------------------------- concentration
conc = pd.concat(
    {
        "residents, CBSAs (other counties one by one)": m.concentration(
            "cbsa", indicator="residents"
        ),
        "residents, CBSAs vs land area": m.concentration(
            "cbsa", indicator="residents", reference="land"
        ),
        "jobs against residents, CBSAs": m.concentration(
            "cbsa", indicator="jobs", reference="residents"
        ),
        "residents, CSAs (other counties one by one)": m.concentration(
            "csa", indicator="residents"
        ),
    }
)
print("\nConcentration (largest unit, Hoover, Gini):")
print(conc[["units", "largest_name", "largest_share", "hoover", "gini"]].round(4).to_string())

# ---------------------------------------------------------------------------- maps
lower48 = [z for z in g.ids if z[:2] not in ("02", "15", "72")]
share = f["share_to_centre"].rename("share of outlying workers commuting to central counties")
ax = m.plot_dorling(
    layer="cbsa",
    indicator="residents",
    color=share,
    unassigned="drop",
    zones=lower48,
    labels=15,
    title="CBSAs as circles sized by employed residents (ACS 2009-2013),\n"
    "coloured by the share of outlying workers commuting to the central "
    "counties (grey: no outlying county)",
)
save(ax, "dorling_cbsa_residents.png")
lay = m.dorling(layer="cbsa", indicator="residents", unassigned="drop", zones=lower48)
print(
    f"\nDorling layout: {len(lay)} circles, {lay.attrs['iterations']} iterations, largest "
    f"remaining overlap {100 * lay.attrs['max_overlap']:.1f}% of the smaller radius"
)
save(
    m.plot_centre_flows(
        "cbsa",
        zones=lower48,
        min_flow=500,
        title="Commuting between central and outlying counties of the "
        "CBSAs (both directions, >= 500 workers)",
    ),
    "centre_flows_cbsa.png",
)
northeast = [
    z for z in lower48 if z[:2] in ("09", "10", "11", "24", "25", "34", "36", "42", "44", "51")
]
save(
    m.plot_centre_flows(
        "cbsa",
        zones=northeast,
        title="Commuting between central and outlying counties, Boston-Washington corridor",
    ),
    "centre_flows_cbsa_northeast.png",
)
save(
    m.plot_dorling(
        layer=None,
        indicator="jobs",
        color=None,
        zones=northeast,
        labels=12,
        title="Counties of the Boston-Washington corridor as circles sized by jobs (ACS 2009-2013)",
    ),
    "dorling_counties_northeast_jobs.png",
)
print(
    f"\nzones without polygons (not drawn): {int(g.geometry.geometry.isna().sum())}; "
    f"Alaska, Hawaii and Puerto Rico left off the maps, not the tables"
)
n_outlying = int(np.sum(m.roles("cbsa").role == "surrounding"))
print(f"outlying counties: {n_outlying}")
