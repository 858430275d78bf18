"""Load a national OD table, look at it, and aggregate it to a coarser partition.
==============================================================================

    python examples/load_and_aggregate.py            # Sardinia, by province
"""

import regionalize as rz

g = rz.datasets.load("sardinia-2001")
print(g)
print(f"internal share: {g.internal.sum() / g.total:.1%}; isolated zones: {len(g.isolates)}")

# employed residents, jobs, in/out flows and job ratio per zone
print(g.summary().sort_values("jobs", ascending=False).head(5).join(g.zones["name"]))

# the quotient graph P^T F P for the provinces: totals are conserved
provinces = g.aggregate(g.zones["province"])
print(provinces)
print(provinces.summary())

# shared-boundary neighbours, built once and cached on the graph
print(g.build_contiguity(islands="nearest"))
