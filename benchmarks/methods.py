"""Comparison-method benchmark on the US counties (ACS 2009-2013, 3,221 zones).

    python benchmarks/methods.py

Times (best of 3) commuting zones at 0.977, OMB CBSA + CSA from the official 2013 central
counties, EU-OECD FUA from the same centres, and Leiden / Infomap when installed, with a
quality figure beside each (areas; ARI against the 1990 zones; CSA grouping agreement).
Writes benchmarks/results/methods.json and methods.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from _timing import best_of  # benchmarks/_timing.py (the scripts run from this folder)

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    import regionalize as rz
    from regionalize.compare import adjusted_rand_index

    g = rz.datasets.load_us_counties()
    g.build_contiguity(islands="nearest")
    official = rz.datasets.load_us_cbsa_2013()
    official = official[official.index.isin(g.ids)]
    centres = rz.datasets.us_cbsa_centres(official)
    cz90 = rz.datasets.load_us_commuting_zones_1990()
    common = g.ids.intersection(cz90.index)
    rows = []

    t, p = best_of(lambda: rz.methods.commuting_zones(g))
    ari = adjusted_rand_index(p.labels.reindex(common).to_numpy(), cz90.reindex(common).to_numpy())
    rows.append(
        {
            "method": "commuting zones (0.977)",
            "seconds": t,
            "areas": p.n_areas,
            "quality": f"ARI vs 1990 CZ {ari:.3f}",
        }
    )
    t, m = best_of(lambda: rz.methods.CoreBasedAreas(centres).fit(g))
    rows.append(
        {
            "method": "OMB CBSA + CSA",
            "seconds": t,
            "areas": m.cbsa_.n_areas,
            "quality": f"{m.csa_.n_areas} CSAs (official 169)",
        }
    )
    t, p = best_of(lambda: rz.methods.functional_urban_areas(g, centres))
    rows.append(
        {
            "method": "EU-OECD FUA (CBSA centres)",
            "seconds": t,
            "areas": p.n_areas,
            "quality": f"{int(p.details['area'].notna().sum())} zones in FUAs",
        }
    )
    for name, fn in [("Leiden (modularity)", rz.methods.leiden), ("Infomap", rz.methods.infomap)]:
        try:
            t, p = best_of(lambda fn=fn: fn(g, seed=0))
        except rz.methods.community.MissingExtraError:
            continue
        ari = adjusted_rand_index(
            p.labels.reindex(common).to_numpy(), cz90.reindex(common).to_numpy()
        )
        rows.append(
            {
                "method": name,
                "seconds": t,
                "areas": p.n_areas,
                "quality": f"ARI vs 1990 CZ {ari:.3f}",
            }
        )
    for r in rows:
        print(f"{r['method']:32s} {r['seconds']:7.2f} s  {r['areas']:5d} areas  {r['quality']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "methods.json").write_text(json.dumps(rows, indent=2))
    md = ["| method (US counties) | seconds | areas | quality |", "|---|---:|---:|---|"]
    md += [f"| {r['method']} | {r['seconds']:.2f} | {r['areas']} | {r['quality']} |" for r in rows]
    (RESULTS / "methods.md").write_text("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
