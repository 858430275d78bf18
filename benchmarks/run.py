"""Loading and FlowGraph benchmarks: real national data and synthetic countries.

Run with ``make bench`` (or ``python benchmarks/run.py [--cases a,b] [--repeat N]``). Each case
runs in a fresh subprocess so that its peak memory (max RSS) is its own; the results go to
``benchmarks/results/load.json`` and ``benchmarks/results/load.md``.

Timed steps per case:
- ``load``: the named loader (reading files, validating, attaching polygons), or the
  synthetic generator;
- ``build``: ``FlowGraph.from_dataframe`` on the graph's own long table (parsing excluded);
- ``aggregate``: the quotient graph for a partition into ~n/10 groups (no dissolve);
- ``contiguity``: ``build_contiguity`` on the zone polygons (when the source has polygons);
- ``delineate``: the full ``delineate`` (megaregion, metropolitan and urban layers, with
  contiguity when there are polygons) with the demo's preset for the data set, on a fresh
  graph (contiguity built inside the timing), best of N; the quality figure beside it is the
  number of areas per layer.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
from pathlib import Path

from _timing import best_of  # benchmarks/_timing.py (the scripts run from this folder)

RESULTS = Path(__file__).resolve().parent / "results"

REAL = ["korea-ktdb-sigun", "us-counties-2009-2013", "sardinia-2001", "ew-ltla-2021"]
SYNTHETIC = ["synthetic-1000", "synthetic-10000", "synthetic-35000", "synthetic-100000"]


def run_case(name: str, repeat: int) -> dict:
    import numpy as np

    import regionalize as rz

    if name.startswith("synthetic-"):
        n = int(name.split("-")[1])
        t_load, g = best_of(lambda: rz.synthetic_country(n, seed=0), 1 if n > 20000 else repeat)
    else:
        t_load, g = best_of(lambda: rz.datasets.load(name), repeat)
    table = g.to_frame()
    t_build, _ = best_of(lambda: rz.FlowGraph.from_dataframe(table), repeat)
    labels = np.arange(g.n_zones) // 10
    t_agg, q = best_of(lambda: g.aggregate(labels, dissolve=False), repeat)
    assert abs(q.total - g.total) <= 1e-9 * max(g.total, 1.0)
    row = {"case": name, "zones": g.n_zones, "flows": g.n_flows, "total": round(g.total),
           "load_s": t_load, "build_s": t_build, "aggregate_s": t_agg}
    geo = g.geometry
    if geo is not None and geo.geom_type.isin(["Polygon", "MultiPolygon"]).any():
        t_c, c = best_of(lambda: rz.build_contiguity(geo, islands="keep"),
                        1 if g.n_zones > 20000 else repeat)
        row.update(contiguity_s=t_c, links=c.n_links, islands=len(c.islands))
    from regionalize._demo import delineation_preset

    def full():
        fresh = rz.FlowGraph(g.matrix, g.ids, g.zones, g.geometry, moe=g.moe, name=g.name,
                             meta=g.meta)
        return rz.delineate(fresh, **delineation_preset(fresh))

    t_d, h = best_of(full, 1 if g.n_zones > 20000 else repeat)
    row.update(delineate_s=t_d, layers={layer: h[layer].n_areas for layer in h.layers},
               flows_per_s=g.n_flows / t_d)
    row["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=",".join(REAL + SYNTHETIC))
    ap.add_argument("--repeat", type=int, default=3, help="best of N for each timed step")
    ap.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    args = ap.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case, args.repeat)))
        return
    rows = []
    for case in args.cases.split(","):
        proc = subprocess.run([sys.executable, __file__, "--case", case, "--repeat",
                               str(args.repeat)], capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{case}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"{case:24s} load {row['load_s']:7.2f}s  build {row['build_s']:6.3f}s  "
              f"aggregate {row['aggregate_s']:6.3f}s  "
              f"contiguity {row.get('contiguity_s', float('nan')):6.2f}s  "
              f"delineate {row['delineate_s']:6.2f}s {row['layers']}  "
              f"peak {row['peak_rss_mb']:7.0f} MB", flush=True)
    RESULTS.mkdir(exist_ok=True)
    env = {"python": platform.python_version(), "machine": platform.machine(),
           "cpus": __import__("os").cpu_count()}
    (RESULTS / "load.json").write_text(json.dumps({"env": env, "results": rows}, indent=2))
    head = ("| case | zones | flows | load s | build s | aggregate s | contiguity s | "
            "delineate s | areas per layer | peak MB |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n")
    body = "".join(
        f"| {r['case']} | {r['zones']:,} | {r['flows']:,} | {r['load_s']:.2f} | "
        f"{r['build_s']:.3f} | {r['aggregate_s']:.3f} | "
        + (f"{r['contiguity_s']:.2f}" if "contiguity_s" in r else "-")
        + f" | {r['delineate_s']:.2f} | "
        + ", ".join(f"{k} {v}" for k, v in r["layers"].items())
        + f" | {r['peak_rss_mb']:.0f} |\n"
        for r in rows)
    (RESULTS / "load.md").write_text(head + body)
    print(f"wrote {RESULTS / 'load.json'} and {RESULTS / 'load.md'}")


if __name__ == "__main__":
    main()
