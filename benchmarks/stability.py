"""Stability benchmark: 100 MOE redraws of the US counties, sequential vs parallel.

    python benchmarks/stability.py [--runs 100]

The CBSA-style delineation (official 2013 central counties, 25% either way, first order,
no contiguity) on the ACS 2009-2013 county flows (3,221 zones), redrawn from the margins of
error. Times one call of regionalize.stability.stability with the sequential executor, a
ProcessExecutor(2) and, when dask.distributed is installed, a LocalCluster of 2 worker
processes (cluster start-up not timed), checks that all give the same labels, and writes
benchmarks/results/stability.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from functools import partial
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100)
    args = ap.parse_args()

    import regionalize as rz
    from regionalize.stability import ProcessExecutor, stability

    g = rz.datasets.load_us_counties(geometry=False)
    centres = rz.datasets.us_cbsa_centres(rz.datasets.load_us_cbsa_2013(), g.ids)
    fn = partial(
        rz.metropolitan_areas,
        centres=centres,
        tau=0.25,
        max_order=1,
        share="either",
        contiguity=None,
    )

    def timed(executor):
        t = time.perf_counter()
        res = stability(g, fn, runs=args.runs, method="moe", seed=0, executor=executor)
        return time.perf_counter() - t, res

    rows = []
    t_seq, ref = timed(None)
    rows.append({"executor": "sequential", "workers": 1, "seconds": t_seq, "same": True})
    t, res = timed(ProcessExecutor(2))
    rows.append(
        {
            "executor": "ProcessExecutor",
            "workers": 2,
            "seconds": t,
            "same": bool(np.array_equal(ref.labels, res.labels)),
        }
    )
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        print("dask.distributed not installed: Dask run skipped")
    else:
        with (
            LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cl,
            Client(cl) as client,
        ):
            t, res = timed(client)
        rows.append(
            {
                "executor": "Dask LocalCluster (processes)",
                "workers": 2,
                "seconds": t,
                "same": bool(np.array_equal(ref.labels, res.labels)),
            }
        )
    for r in rows:
        r["speedup"] = t_seq / r["seconds"]
        print(
            f"{r['executor']:32s} {r['workers']} workers  {r['seconds']:7.1f} s  "
            f"x{r['speedup']:.2f}  identical labels: {r['same']}"
        )
    out = {
        "benchmark": "stability",
        "dataset": g.name,
        "zones": g.n_zones,
        "flows": g.n_flows,
        "runs": args.runs,
        "method": "moe",
        "delineation": "metropolitan_areas(CBSA 2013 centres, tau=0.25, max_order=1, "
        "share='either', contiguity=None)",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "mean_zone_stability": float(ref.zones["stability"].mean()),
        "results": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stability.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {RESULTS / 'stability.json'}")


if __name__ == "__main__":
    main()
