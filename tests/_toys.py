"""Hand-written toys shared by the test modules (imported as ``from _toys import ...``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from regionalize.partition import DETAIL_COLUMNS, Partition


def hand_partition(name, members, centres, ids, *, names=None, params=None,
                   reason: str = "no link to a centre") -> Partition:
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
    areas = pd.DataFrame({"name": [names[a] if names else f"{name} {a}" for a in members],
                          "centres": [tuple(centres[a]) for a in members], "kind": name,
                          "n_zones": [len(zs) for zs in members.values()]},
                         index=list(members))
    return Partition(name, ids, details, areas, params=params)
