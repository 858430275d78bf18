"""Do Korea's proposed alliances and mergers match how people travel? (KTDB trips)
===============================================================================

    python examples/korea_scenarios.py

Scores four groupings against the flows and against the metropolitan areas: the
Nakdonggang River Council (Busan with Gimhae and Yangsan; the KTDB table treats Busan as one
unit), the Haeoreum Alliance (Ulsan, Pohang, Gyeongju), and the proposed Busan-Gyeongnam
and Daegu-Gyeongbuk integrations (all si/gun of those provinces). KTDB has no intra-unit
trips, so self-containment counts only trips between different units of a group.
"""

import pandas as pd

import regionalize as rz
from regionalize.datasets import KOREA_METROPOLITAN_CENTRES

pd.set_option("display.width", 160)
g = rz.datasets.load_korea_ktdb()
metro = rz.metropolitan_areas(g, KOREA_METROPOLITAN_CENTRES, tau=0.20, max_order=2)
ids = g.ids.to_series()
scenarios = {
    "Nakdonggang River Council": ["21", "38070", "38100"],  # Busan, Gimhae, Yangsan
    "Haeoreum Alliance": ["26", "37010", "37020"],  # Ulsan, Pohang, Gyeongju
    "Busan-Gyeongnam integration": ["21"] + list(ids[ids.str[:2] == "38"]),
    "Daegu-Gyeongbuk integration": ["22", "22520"] + list(ids[ids.str[:2] == "37"]),
}
# the scenarios are alternatives (the Council lies inside the Busan-Gyeongnam integration):
# each is evaluated on its own
groups, pulled, suggestions = [], [], []
for name, zones in scenarios.items():
    ev = rz.evaluate_grouping(g, {name: zones}, against=metro, tau=0.20)
    groups.append(ev.groups)
    pulled.append(ev.members[ev.members["pulled"]])
    suggestions.append(ev.suggestions)
for note in ev.notes:
    print("note:", note)
groups = pd.concat(groups)
cols = [
    "n_zones",
    "residents",
    "internal",
    "sc_supply",
    "sc_demand",
    "pulled_members",
    "main_area_share",
    "reference_areas",
]
if "sc_supply_after_suggestions" in groups.columns:
    cols.insert(-1, "sc_supply_after_suggestions")
print(groups[cols].to_string(float_format=lambda v: f"{v:,.3f}" if v < 10 else f"{v:,.0f}"))
pulled = pd.concat(pulled)
print("\nmembers pulled more strongly elsewhere:")
print(
    pulled[
        ["name", "group", "share_to_group", "strongest_other", "other_kind", "share_to_other"]
    ].to_string()
    if len(pulled)
    else "none"
)
suggestions = pd.concat(suggestions)
print("\nsmallest changes towards functional groupings:")
print(suggestions.to_string(index=False) if len(suggestions) else "none")
