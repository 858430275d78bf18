"""How stable are CBSA-style metropolitan areas under the ACS margins of error?
============================================================================

    python examples/stability_us.py                 # sequential
    python examples/stability_us.py --workers 4     # 4 worker processes
    python examples/stability_us.py --dask          # a local Dask cluster (2 workers)

US counties (ACS 2009-2013), the official 2013 central counties, the OMB outlying rule
(>= 25% either way, first order, no contiguity). Every run redraws each county-to-county
flow from a normal distribution with sd = MOE / 1.645 (negatives clipped at 0) and delineates
again; the output lists the least stable counties and the least stable areas.
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import pandas as pd

import regionalize as rz
from regionalize.stability import stability


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--workers", type=int, default=1, help="worker processes (1: sequential)")
    ap.add_argument("--dask", action="store_true", help="use a local Dask cluster")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    g = rz.datasets.load_us_counties()  # with polygons: they bring the county names
    cbsa = rz.datasets.load_us_cbsa_2013()
    centres = rz.datasets.us_cbsa_centres(cbsa, g.ids)
    fn = partial(
        rz.metropolitan_areas,
        centres=centres,
        tau=0.25,
        max_order=1,
        share="either",
        contiguity=None,
    )

    cluster = client = None
    executor = args.workers
    if args.dask:
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=max(args.workers, 2), threads_per_worker=1, dashboard_address=None
        )
        client = executor = Client(cluster)
    try:
        t = time.perf_counter()
        res = stability(g, fn, runs=args.runs, method="moe", seed=args.seed, executor=executor)
        elapsed = time.perf_counter() - t
    finally:
        if client is not None:
            client.close()
            cluster.close()

    print(f"{res}\n{args.runs} runs in {elapsed:.1f} s ({res.params['executor']})")
    z = res.zones.join(g.zones[["name", "state_fips"]])
    titles = cbsa.drop_duplicates("cbsa").set_index("cbsa")["cbsa_title"]
    names = res.baseline.areas["name"].map(titles).fillna(res.baseline.areas["name"])
    z["baseline_area"] = z["baseline"].map(names)
    z["modal_area"] = z["modal"].map(names)
    assigned = z[z["baseline"].notna()]
    print(f"\nbaseline: {res.baseline}")
    print(
        f"counties in an area in the baseline: {len(assigned)}; always in the same area: "
        f"{int((assigned['same'] == 1).sum())}; in it in < 90% of runs: "
        f"{int((assigned['same'] < 0.9).sum())}"
    )
    outlying = z[(res.baseline.details["role"] != "centre")]
    flip = outlying[(outlying["stability"] < 1)]
    print(f"non-central counties whose outcome changes in some run: {len(flip)} of {len(outlying)}")

    cols = ["name", "state_fips", "baseline_area", "modal_area", "stability", "same", "unassigned"]
    print("\nleast stable counties:")
    least = z.sort_values(["stability", "same"], kind="stable").head(20)
    print(least[cols].fillna("-").to_string())

    a = res.areas
    print("\nper-area summary (areas with members):")
    desc = a[a["n_zones"] > 1][["stability", "same", "exists", "jaccard"]].describe()
    print(desc.loc[["mean", "min", "25%", "50%"]].round(3).to_string())
    print("\nleast stable areas (by mean Jaccard against the baseline):")
    with pd.option_context("display.width", 120):
        a = a.assign(name=names)
        print(a.sort_values(["jaccard", "stability"]).head(15).round(3).to_string())


if __name__ == "__main__":
    main()
