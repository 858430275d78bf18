"""US 2009-2013: our CBSAs and commuting zones against the official ones
======================================================================

Our CBSA layer against the official 2013 CBSAs, and commuting zones at 0.977 against the
1990 zones (the flows are 20 years apart), with quality figures.

    python examples/us_compare.py
"""

import pandas as pd

import regionalize as rz
from regionalize.compare import compare
from regionalize.quality import quality

pd.set_option("display.width", 160)
g = rz.datasets.load_us_counties(geometry=False)
official = rz.datasets.load_us_cbsa_2013()
official = official[official.index.isin(g.ids)]

cbsa = rz.metropolitan_areas(
    g, rz.datasets.us_cbsa_centres(official), tau=0.25, max_order=1, share="either", contiguity=None
)
to_code = {a: official.loc[c[0], "cbsa"] for a, c in cbsa.areas["centres"].items()}
ours = cbsa.labels.map(lambda a: None if a is None else to_code[a])
c = compare(ours, official["cbsa"], graph=g)
print("CBSA layer vs official 2013:", c)
print({k: round(v, 4) if isinstance(v, float) else v for k, v in c.summary.items()})
print("least overlapping CBSAs (residents-weighted):")
worst = c.areas.sort_values("overlap").head(8)
print(
    worst.join(
        official.drop_duplicates("cbsa").set_index("cbsa")["cbsa_title"], on="best_match"
    ).to_string()
)
print(
    "quality of ours:",
    {k: round(v, 3) if isinstance(v, float) else v for k, v in quality(g, cbsa).items()},
)
print(
    "quality of official:",
    {
        k: round(v, 3) if isinstance(v, float) else v
        for k, v in quality(g, official["cbsa"].reindex(g.ids)).items()
    },
)

cz = rz.methods.commuting_zones(g)
c90 = compare(cz, rz.datasets.load_us_commuting_zones_1990(), graph=g)
print("\ncommuting zones (0.977) vs 1990:", c90)
print({k: round(v, 4) if isinstance(v, float) else v for k, v in c90.summary.items()})
