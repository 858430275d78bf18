"""Life-zone benchmark: three services on synthetic countries.

    python benchmarks/life_zones.py [--zones 10000,100000]

Services: "commuting" from the flows (network constraint, 10%), "hospital" (nearest, in the
1% of zones with most jobs, minimum population 2% of the country) and "shop" (Huff, in the
10% of zones with most jobs, minimum 0.2%), then the combined layer and the hospital
accessibility indicators. Facilities are derived from zone jobs (capacity = jobs). Each size
runs in a fresh process; results go to benchmarks/results/life_zones.json and .md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def run_case(n: int) -> dict:
    import numpy as np
    import pandas as pd

    import regionalize as rz

    g = rz.synthetic_country(n, seed=0)
    jobs = g.jobs
    order = np.argsort(-jobs, kind="stable")

    def top(share, service):
        pick = order[: max(2, int(share * n))]
        return pd.DataFrame({"zone": g.ids[pick], "service": service, "capacity": jobs[pick]})

    fac = pd.concat([top(0.01, "hospital"), top(0.10, "shop")], ignore_index=True)
    total = g.zones["population"].sum()
    g.build_contiguity(islands="nearest")  # built once per graph, as in a session
    timings, layers = {}, {}
    t0 = time.perf_counter()
    t = time.perf_counter()
    commuting = rz.life_zones(g, "commuting", flows=g, tau=0.10, min_population=0.002 * total)
    timings["commuting"] = time.perf_counter() - t
    t = time.perf_counter()
    hospital = rz.life_zones(g, "hospital", facilities=fac, min_population=0.02 * total)
    timings["hospital"] = time.perf_counter() - t
    t = time.perf_counter()
    shop = rz.life_zones(g, "shop", facilities=fac, assignment="huff", min_population=0.002 * total)
    timings["shop"] = time.perf_counter() - t
    t = time.perf_counter()
    combined = rz.combine_life_zones(g, [commuting, hospital, shop])
    timings["combine"] = time.perf_counter() - t
    t = time.perf_counter()
    _, summary = rz.accessibility(g, fac, "hospital", desert_cost=20_000)
    timings["accessibility"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    for p in (commuting, hospital, shop, combined):
        layers[p.name] = p.n_areas
    return {
        "zones": n,
        "flows": g.n_flows,
        "timings_s": timings,
        "areas": layers,
        "hospital_desert_share_20km": summary["desert_share"],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zones", default="10000,100000")
    ap.add_argument("--case", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    rows = []
    for n in map(int, args.zones.split(",")):
        proc = subprocess.run(
            [sys.executable, __file__, "--case", str(n)], capture_output=True, text=True
        )
        if proc.returncode:
            print(proc.stderr[-2000:], file=sys.stderr)
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        t = row["timings_s"]
        print(
            f"{n:>7} zones: "
            + ", ".join(f"{k} {v:.2f}s" for k, v in t.items())
            + f"; areas {row['areas']}; peak {row['peak_rss_mb']:.0f} MB",
            flush=True,
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "life_zones.json").write_text(json.dumps(rows, indent=2))
    lines = [
        "| zones | flows | commuting s | hospital s | shop s | combine s | "
        "accessibility s | total s | areas | peak MB |",
        "|" + "---:|" * 10,
    ]
    for r in rows:
        t = r["timings_s"]
        lines.append(
            f"| {r['zones']:,} | {r['flows']:,} | {t['commuting']:.2f} | "
            f"{t['hospital']:.2f} | {t['shop']:.2f} | {t['combine']:.2f} | "
            f"{t['accessibility']:.2f} | {t['total']:.2f} | "
            + ", ".join(f"{k} {v}" for k, v in r["areas"].items())
            + f" | {r['peak_rss_mb']:.0f} |"
        )
    (RESULTS / "life_zones.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS / 'life_zones.md'}")


if __name__ == "__main__":
    main()
