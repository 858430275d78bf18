"""US counties: the OMB outlying-county rule on ACS 2009-2013 flows against the 2013 CBSAs.
========================================================================================

    python examples/us_cbsa.py

Central counties are the official 2013 ones (grouped by CBSA); a county is outlying when
>= 25% of its employed residents work in the central counties or >= 25% of its jobs are held
by their residents ("either" share), first order only, strongest tie wins.
"""

import pandas as pd

import regionalize as rz

g = rz.datasets.load_us_counties(geometry=False)
cbsa = rz.datasets.load_us_cbsa_2013()
cbsa = cbsa[cbsa.index.isin(g.ids)]
p = rz.metropolitan_areas(
    g, rz.datasets.us_cbsa_centres(cbsa), tau=0.25, max_order=1, share="either"
)
to_cbsa = {area: cbsa.loc[c[0], "cbsa"] for area, c in p.areas["centres"].items()}
d = p.details
ours = d[d["role"] == "member"]["area"].map(to_cbsa)
official = cbsa.loc[~cbsa["central"], "cbsa"]
same = ours.reindex(official.index) == official
print(f"official outlying counties: {len(official)}; ours: {len(ours)}")
print(
    f"  same CBSA: {int(same.sum())}; in another CBSA: "
    f"{int((ours.reindex(official.index).notna() & ~same).sum())}; "
    f"not outlying here: {int(ours.reindex(official.index).isna().sum())}"
)
extra = ours.index.difference(official.index)
print(f"  outlying here but not officially: {len(extra)}")

# why: the share each missed county sends to its official centre (2009-2013 data)
summary = g.summary()
rows = []
for z in official.index[ours.reindex(official.index).isna()]:
    centres = cbsa.index[(cbsa["cbsa"] == official[z]) & cbsa["central"]]
    pos = g.ids.get_indexer(centres)
    i = g.ids.get_loc(z)
    supply = g.matrix[[i]][:, pos].sum() / summary.loc[z, "residents"]
    demand = g.matrix[pos][:, [i]].sum() / summary.loc[z, "jobs"]
    rows.append((z, g.zones.loc[z, "state_fips"], official[z], round(supply, 3), round(demand, 3)))
missed = pd.DataFrame(rows, columns=["county", "state", "cbsa", "supply_share", "demand_share"])
print("\nmissed outlying counties (their shares to the official centres, 2009-2013):")
print(missed.sort_values("supply_share", ascending=False).to_string(index=False))
near = (missed[["supply_share", "demand_share"]].max(axis=1) >= 0.20).sum()
print(f"{near} of {len(missed)} missed counties are within 5 points of 25%")
