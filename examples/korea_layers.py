"""Korea's multi-layer structure from the KTDB si/gun trip table, printed as tables.
=================================================================================

    python examples/korea_layers.py

The five metropolitan centres of the balanced-development policy, 20% links (KTDB has no
intra-unit trips, so shares are over out-trips), two attachment orders; small and
medium-sized urban areas centred on cities (si); megaregions merged at a 15% interchange.
"""

import pandas as pd

import regionalize as rz
from regionalize.datasets import KOREA_METROPOLITAN_CENTRES

pd.set_option("display.width", 160)
pd.set_option("display.max_rows", 200)

g = rz.datasets.load_korea_ktdb()
h = rz.delineate(
    g,
    KOREA_METROPOLITAN_CENTRES,
    tau=0.20,
    max_order=2,
    urban={"candidates": "city", "min_job_ratio": None},
    megaregions={"merge_threshold": 0.15},
)
print(h, "nested:", h.is_nested)
names = g.zones["name"]
for layer in h.layers:
    part = h[layer]
    print(f"\n== {layer}: {part.n_areas} areas, {part.unassigned.size} zones unassigned")
    table = h.summary(layer)[["name", "kind", "n_zones", "residents"]]
    d = part.details

    def label(z, d=d):
        if d.loc[z, "role"] == "centre":
            return f"*{names[z]}*"
        order = d.loc[z, "order"]
        return names[z] if pd.isna(order) else f"{names[z]} ({order})"

    table["members (*centre*, order)"] = [
        ", ".join(map(label, part.members(a))) for a in table.index
    ]
    print(table.to_string())
    print("unassigned, by reason:", part.unassigned.value_counts().to_dict())
