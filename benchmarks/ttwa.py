"""TTWA / labour-market-area benchmark (Coombes & Bond; Istat's LabourMarketAreas rules).

    python benchmarks/ttwa.py [--repeat 3] [--synthetic 20000,100000]

Cases: UK 2011 parameters (3,500 / 0.6667 / 25,000 / 0.75) on the US counties (ACS 2009-2013,
3,221 zones), Istat 2011 parameters (1,000 / 0.6667 / 10,000 / 0.75) on Sardinia (377
municipalities, the R package's example data), and optionally UK parameters on synthetic
countries. Each time is the best of ``--repeat`` fits of ``LabourMarketAreas`` on an already
loaded graph (loading excluded). Prints and writes ``benchmarks/results/ttwa.json``: time,
loop iterations, number of areas, valid areas, areas completed from the reserve list, and
reserve-list size.

For comparison, the reference R implementation (``findClusters``, LabourMarketAreas 3.4 on
R 4.2 with data.table 1.14) took 254 s on the US counties and 29 s on Sardinia on the same
kind of machine, with the same partitions.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def run(name: str, graph, params: dict, repeat: int) -> dict:
    from regionalize.methods.ttwa import LabourMarketAreas

    best, m = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        m = LabourMarketAreas(**params).fit(graph)
        best = min(best, time.perf_counter() - t)
    areas = m.partition_.areas
    row = {
        "case": name,
        "zones": graph.n_zones,
        "flows": graph.n_flows,
        "params": params,
        "time_s": round(best, 4),
        "iterations": m.n_iterations_,
        "areas": int(m.partition_.n_areas),
        "valid": int(areas["valid"].sum()),
        "from_reserve": int(areas["from_reserve"].sum()),
        "reserve": int(len(m.reserve_)),
        "reserve_cases": {k: int(v) for k, v in m.reserve_["case"].value_counts().items()},
        "zero_list": int(len(m.zero_)),
        "unassigned": int(len(m.partition_.unassigned)),
    }
    print(
        f"{name:>24}: {best:7.3f} s  iterations {row['iterations']:>7,}  areas "
        f"{row['areas']:>5,}  valid {row['valid']:>5,}  from reserve {row['from_reserve']:>4,}"
        f"  reserve list {row['reserve']:>5,}  zero list {row['zero_list']}",
        flush=True,
    )
    return row


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--synthetic", default="", help="comma-separated synthetic sizes")
    args = ap.parse_args(argv)

    import regionalize as rz
    from regionalize.methods.ttwa import ISTAT_2011, UK_2011

    rows = []
    rows.append(
        run(
            "us-counties UK 2011",
            rz.datasets.load_us_counties(geometry=False),
            UK_2011,
            args.repeat,
        )
    )
    rows.append(run("sardinia Istat 2011", rz.datasets.load_sardinia(), ISTAT_2011, args.repeat))
    for n in filter(None, args.synthetic.split(",")):
        rows.append(run(f"synthetic-{n} UK 2011", rz.synthetic_country(int(n), seed=0), UK_2011, 1))
    RESULTS.mkdir(exist_ok=True)
    out = {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "repeat": args.repeat,
        "cases": rows,
    }
    (RESULTS / "ttwa.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {RESULTS / 'ttwa.json'}")


if __name__ == "__main__":
    main()
