"""Agglomerative methods benchmark: Intramax and flowbca on real national data.

    python benchmarks/agglomerative.py [--repeat 3]

Cases: the KTDB 159 si/gun trips (Korea) and the ACS 2009-2013 county commuting (US, 3,221
zones). Timed, best of ``--repeat`` (fit on a graph already loaded):

- ``intramax_full``: the full Intramax dendrogram (no contiguity);
- ``intramax_contiguity``: the same with rook contiguity (contiguity built beforehand, its
  build time is reported apart as ``contiguity_build``);
- ``flowbca_default``: flowbca until no positive relative flow is left;
- ``flowbca_lm01``: flowbca with ``min_internal=0.1`` (the flowbcaR README run).

Beside the timings: merges made, groups left, and clusters of the flowbca runs. Results go to
``benchmarks/results/agglomerative.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

from _timing import best_of  # benchmarks/_timing.py (the scripts run from this folder)

RESULTS = Path(__file__).resolve().parent / "results"


def run_case(name: str, repeat: int) -> dict:
    import regionalize as rz
    from regionalize.methods.flowbca import FlowBCA
    from regionalize.methods.intramax import Intramax

    if name == "korea-ktdb-sigun":
        graph = rz.datasets.load_korea_ktdb()
    else:
        graph = rz.datasets.load_us_counties()
    out = {"case": name, "zones": graph.n_zones, "flows": graph.n_flows, "timings_s": {}}
    t = out["timings_s"]

    t["intramax_full"], im = best_of(lambda: Intramax().fit(graph), repeat)
    out["intramax_merges"] = len(im.merges_)
    out["intramax_groups_left"] = im.n_components_

    start = time.perf_counter()
    contiguity = graph.build_contiguity(islands="nearest")
    t["contiguity_build"] = time.perf_counter() - start
    t["intramax_contiguity"], imc = best_of(
        lambda: Intramax(contiguity=contiguity).fit(graph), repeat
    )
    out["intramax_contiguity_merges"] = len(imc.merges_)
    out["intramax_contiguity_groups_left"] = imc.n_components_

    t["flowbca_default"], fb = best_of(lambda: FlowBCA().fit(graph), repeat)
    out["flowbca_default_clusters"] = fb.partition_.n_areas
    t["flowbca_lm01"], fb1 = best_of(lambda: FlowBCA(min_internal=0.1).fit(graph), repeat)
    out["flowbca_lm01_clusters"] = fb1.partition_.n_areas
    if "name" in graph.zones.columns and fb1.partition_.n_areas <= 50:
        names = graph.zones["name"]
        out["flowbca_lm01_centres"] = sorted(
            str(names[c[0]]) for c in fb1.partition_.areas["centres"]
        )
    first = fb.merges_.head(1)
    if len(first):
        unit, dest = first["unit"].iloc[0], first["destination"].iloc[0]
        if "name" in graph.zones.columns:
            unit, dest = graph.zones.at[unit, "name"], graph.zones.at[dest, "name"]
        out["flowbca_first_merge"] = [str(unit), str(dest)]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cases", default="korea-ktdb-sigun,us-counties-2009-2013")
    args = ap.parse_args(argv)
    rows = []
    for name in args.cases.split(","):
        try:
            row = run_case(name, args.repeat)
        except Exception as exc:  # data missing: report and go on
            print(f"{name}: skipped ({type(exc).__name__}: {exc})", file=sys.stderr)
            continue
        rows.append(row)
        timings = ", ".join(f"{k} {v:.3f}s" for k, v in row["timings_s"].items())
        print(
            f"{name} ({row['zones']:,} zones, {row['flows']:,} flows): {timings}; "
            f"intramax {row['intramax_merges']} merges ({row['intramax_groups_left']} "
            f"groups left); flowbca {row['flowbca_default_clusters']} cluster(s) by "
            f"default, {row['flowbca_lm01_clusters']} with min_internal=0.1",
            flush=True,
        )
    RESULTS.mkdir(exist_ok=True)
    env = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "repeat": args.repeat,
    }
    path = RESULTS / "agglomerative.json"
    path.write_text(json.dumps({"env": env, "results": rows}, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
