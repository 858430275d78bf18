"""Life zones for Korea
=====================

Commuting from KTDB trips, hospitals and culture from an ILLUSTRATIVE facility table, a
combined life-zone layer, and accessibility indicators.

    python examples/korea_life_zones.py [out_folder]

The KTDB table has no population; employed-resident trips (row sums) stand in for it, so
minimum "populations" below are in trips per day. The facility table
(examples/data/korea_illustrative_facilities.csv) is made up: see examples/data/ABOUT.md.
"""

import sys
from pathlib import Path

import pandas as pd

import regionalize as rz
from regionalize.datasets import KOREA_METROPOLITAN_CENTRES

out = Path(sys.argv[1] if len(sys.argv) > 1 else "outputs/korea_life_zones")
out.mkdir(parents=True, exist_ok=True)
pd.set_option("display.width", 160)

g = rz.datasets.load_korea_ktdb()
facilities = pd.read_csv(
    Path(__file__).parent / "data" / "korea_illustrative_facilities.csv", dtype={"zone": str}
)
h = rz.delineate(
    g,
    KOREA_METROPOLITAN_CENTRES,
    tau=0.20,
    max_order=2,
    urban={"candidates": "city", "min_job_ratio": None},
    megaregions={"merge_threshold": 0.15},
)
urban = h["urban"]

# commuting: the KTDB trips through the network-constraint engine, nested in urban areas
commuting = (
    rz.LifeZones("commuting", tau=0.10, max_order=2, population="residents", min_population=50_000)
    .fit(g, flows=g, within=urban)
    .partition_
)
# hospitals: nearest hospital (great-circle distance), big catchments; crossings reported
hospital = (
    rz.LifeZones("hospital", assignment="nearest", population="residents", min_population=300_000)
    .fit(g, facilities=facilities)
    .partition_
)
# culture: Huff probabilities (capacity-weighted), smaller catchments
culture = (
    rz.LifeZones("culture", assignment="huff", population="residents", min_population=60_000)
    .fit(g, facilities=facilities)
    .partition_
)
combined = rz.combine_life_zones(g, [commuting, hospital, culture])
h2 = h.with_layers(commuting, hospital, culture, combined)
print(h2)

for layer in ["life_commuting", "life_hospital", "life_culture", "life_zone"]:
    part = h2[layer]
    print(
        f"\n== {layer}: {part.n_areas} areas; unassigned: "
        f"{part.unassigned.value_counts().to_dict()}"
    )
    cols = [
        c
        for c in [
            "name",
            "n_zones",
            "population",
            "n_centres",
            "merged_centres",
            "population_per_centre",
        ]
        if c in part.areas.columns
    ]
    print(part.areas[cols].sort_values("n_zones", ascending=False).head(12).to_string())

# where a service catchment crosses an urban-area boundary: the planner must see it
crossing = h2.nesting()
crossing = crossing[crossing["upper"] == "urban"]
print(f"\n{len(crossing)} life-zone areas cross urban-area boundaries:")
print(crossing[["lower", "area", "upper_labels", "n_zones"]].head(15).to_string(index=False))

# accessibility indicators: distance to the nearest hospital, deserts beyond 30 km
zones, summary = rz.accessibility(
    g, facilities, "hospital", desert_cost=30_000, population="residents"
)
print(
    "\nhospital accessibility:",
    {k: (round(v, 3) if isinstance(v, float) else v) for k, v in summary.items()},
)
far = zones.join(g.zones["name"]).sort_values("cost", ascending=False).head(5)
print(far[["name", "nearest_centre", "cost"]].to_string())

# map-ready output: one GeoDataFrame with a column per layer, and a GeoPackage
gdf = h2.to_geodataframe()
gdf = gdf.join(zones[["cost"]].rename(columns={"cost": "hospital_distance_m"}))
h2.to_gpkg(out / "korea_life_zones.gpkg")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
ax = rz.plot.plot_hierarchy(
    h2,
    fill="life_hospital",
    outlines=["urban"],
    title="Hospital life zones (illustrative facilities) with urban-area outlines",
)
ax.figure.savefig(out / "hospital_life_zones.png", dpi=130, bbox_inches="tight")
print(
    f"\nwrote {out}/korea_life_zones.gpkg and hospital_life_zones.png; "
    f"GeoDataFrame columns: {list(gdf.columns)[:8]} ..."
)
