"""Hand-written toys shared by the test modules (imported as ``from _toys import ...``)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from regionalize.partition import DETAIL_COLUMNS, Partition

#: eight zones in a row: 01-03 and 05-06 form two commuting areas, 04 between, 07-08 apart
IDS = ["01", "02", "03", "04", "05", "06", "07", "08"]
NAMES = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta"]
FLOWS = [  # origin, destination, flow (diagonal = people working in their own zone)
    ("01", "01", 100),
    ("01", "02", 10),
    ("02", "02", 40),
    ("02", "01", 30),
    ("02", "03", 5),
    ("03", "03", 20),
    ("03", "01", 10),
    ("03", "05", 10),
    ("04", "04", 10),
    ("04", "03", 5),
    ("04", "05", 5),
    ("05", "05", 80),
    ("05", "06", 10),
    ("06", "06", 30),
    ("06", "05", 20),
    ("07", "07", 25),
    ("07", "08", 5),
    ("08", "08", 15),
    ("08", "07", 10),
]  # total 440


def squares() -> gpd.GeoDataFrame:
    """The eight zones as 1 km squares in a row (EPSG:3857)."""
    return gpd.GeoDataFrame(
        {"geometry": [box(1000 * i, 0, 1000 * (i + 1), 1000) for i in range(len(IDS))]},
        index=IDS,
        crs="EPSG:3857",
    )


def hand_partition(
    name, members, centres, ids, *, names=None, params=None, reason: str = "no link to a centre"
) -> Partition:
    """A Partition written by hand over ``ids``: centres have order 0, other members order 1
    (share 0.3, strength 0.2, joined through their area's first centre), the rest unassigned
    with ``reason``. Areas are named ``names[area]``, or ``"<name> <area>"``."""
    ids = list(ids)
    area_of = {z: a for a, zs in members.items() for z in zs}
    rows = []
    for z in ids:
        a = area_of.get(z)
        if a is None:
            rows.append((None, "unassigned", None, np.nan, np.nan, None, reason))
        elif z in centres[a]:
            rows.append((a, "centre", 0, np.nan, np.nan, None, None))
        else:
            rows.append((a, "member", 1, 0.3, 0.2, centres[a][0], None))
    details = pd.DataFrame(rows, columns=list(DETAIL_COLUMNS), index=ids)
    details["order"] = details["order"].astype("Int64")
    areas = pd.DataFrame(
        {
            "name": [names[a] if names else f"{name} {a}" for a in members],
            "centres": [tuple(centres[a]) for a in members],
            "kind": name,
            "n_zones": [len(zs) for zs in members.values()],
        },
        index=list(members),
    )
    return Partition(name, ids, details, areas, params=params)
