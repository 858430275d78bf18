"""Korea (KTDB 2020 commuting, 159 si/gun): metropolitan areas over a range of thresholds.
=======================================================================================

    python examples/korea_sweep.py            # sequential
    python examples/korea_sweep.py --dask     # a local Dask cluster (2 workers)

The five policy centres (Seoul, Busan-Ulsan, Daegu, Gwangju, Daejeon-Sejong), links up to
the second order, tau = 5%, 10%, ..., 30%. Prints the layer counts per threshold and the
consensus areas (zones in the same area in at least half of the thresholds).
"""

from __future__ import annotations

import argparse
from functools import partial

import pandas as pd

import regionalize as rz
from regionalize.stability import sweep

TAUS = [0.05, 0.10, 0.15, 0.20, 0.25, 0.30]


def area_sizes(partition) -> dict:
    """Zones per named area (a summary column per area: runs on the workers)."""
    sizes = partition.areas.set_index("name")["n_zones"]
    return {f"n_{name}": int(n) for name, n in sizes.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dask", action="store_true", help="use a local Dask cluster")
    args = ap.parse_args()

    g = rz.datasets.load_korea_ktdb()
    fn = partial(rz.metropolitan_areas, centres=rz.datasets.KOREA_METROPOLITAN_CENTRES, max_order=2)
    grid = {"tau": TAUS}
    if args.dask:
        from dask.distributed import Client, LocalCluster

        with (
            LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cl,
            Client(cl) as client,
        ):
            res = sweep(g, fn, grid, executor=client, summary=area_sizes)
    else:
        res = sweep(g, fn, grid, summary=area_sizes)

    t = res.table.copy()
    t["tau"] = (t["tau"] * 100).round().astype(int).astype(str) + "%"
    with pd.option_context("display.width", 140, "display.max_columns", 20):
        print(f"{g}\n")
        print(t.round(2).to_string(index=False))
        c = res.consensus
        print(f"\nconsensus (same area in >= 50% of the {len(TAUS)} thresholds): {c}")
        names = g.zones["name"] if "name" in g.zones.columns else pd.Series(g.ids, g.ids)
        a = c.areas[["name", "centres", "n_zones"]].copy()
        a["centres"] = [", ".join(names.reindex(list(cs)).fillna("?")) for cs in a["centres"]]
        print(a.to_string())
        per_run = pd.DataFrame(res.codes >= 0, columns=g.ids).sum(axis=0)
        border = per_run[(per_run > 0) & (per_run < len(TAUS))].sort_values(ascending=False)
        print(f"\nzones in an area at some but not all thresholds: {len(border)}")


if __name__ == "__main__":
    main()
