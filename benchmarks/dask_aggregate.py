"""Aggregating a 10^8-row partitioned OD table to 3,000 zones with Dask: time and peak memory.

    python benchmarks/dask_aggregate.py [--rows 100000000] [--zones 3000] [--fine 1000000]
                                        [--data DIR] [--cluster] [--cleanup]

Writes (or reuses, when ``DIR/manifest.json`` matches) a synthetic block-level table with
``regionalize.synthetic.write_synthetic_od`` -- one Parquet file per million rows, 15-char
block-like ids, a crosswalk block -> zone -- then aggregates it with ``aggregate_flows`` in a
fresh subprocess per run, so that each peak is the run's own:

- ``threads``: Dask's threaded scheduler in the process (one thread per core); the peak is
  the process's max RSS (``ru_maxrss``);
- ``cluster`` (with ``--cluster``): a ``LocalCluster`` of 2 worker processes, 1 thread each
  (start-up not timed); the peak is the sum of the max RSS of the client process (which
  also runs the scheduler and the nannies) and of the workers -- an upper bound, as each
  process's peak counts even if they did not happen at the same moment.

Beside each, a sampled peak of the whole process tree (RSS of the process and all its
children summed, every 0.1 s, with psutil when installed), and the 1-minute load average
before and after (the machine may be shared). The aggregated total is checked against the
generator's. Results go to ``benchmarks/results/dask_aggregate.json`` and
``dask_aggregate.md``. The default data folder is under the system temporary folder;
``--cleanup`` deletes the table afterwards (it is about 6 bytes per row on disk).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _timing import best_of  # benchmarks/_timing.py (the scripts run from this folder)

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_MB = 4096


def _mb(kb: float) -> float:
    return kb / 1024  # ru_maxrss is in KiB on Linux


class TreeSampler:
    """Peak of the summed RSS of this process and all its descendants, sampled."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        try:
            import psutil
        except ImportError:
            self._psutil = None
        else:
            self._psutil = psutil
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = self._psutil.Process()
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except self._psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self):
        if self._psutil is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self._psutil is not None:
            self._stop.set()
            self._thread.join()
            self.peak = max(self.peak, self._sample())

    @property
    def peak_mb(self) -> float | None:
        return self.peak / 2**20 if self._psutil is not None else None


def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _pid_and_maxrss_kb() -> tuple[int, int]:
    return os.getpid(), _maxrss_kb()


def generate(data: Path, rows: int, zones: int, fine: int, seed: int) -> dict:
    from regionalize.synthetic import write_synthetic_od

    t, table = best_of(
        lambda: write_synthetic_od(data, rows, fine, zones, seed=seed, overwrite=True), 1
    )
    return {"generate_s": t, "generate_peak_mb": _mb(_maxrss_kb()), "total": table.total}


def run_case(case: str, data: Path) -> dict:
    from regionalize.io.partitioned import aggregate_flows

    flows, crosswalk = data / "flows", data / "crosswalk.parquet"
    base_kb = _maxrss_kb()
    load_before = os.getloadavg()[0]
    if case == "threads":
        with TreeSampler() as tree:
            t, g = best_of(
                lambda: aggregate_flows(flows, crosswalk=crosswalk, scheduler="threads"), 1
            )
        peak = _mb(_maxrss_kb())
        detail = {"self_mb": peak}
        workers = os.cpu_count()
    elif case == "cluster":
        from dask.distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            with TreeSampler() as tree:
                t, g = best_of(
                    lambda: aggregate_flows(flows, crosswalk=crosswalk, scheduler=client), 1
                )
            workers_kb = client.run(_maxrss_kb)
            # a LocalCluster's nannies live in this process: count them only if they do not
            nannies = {
                a: kb
                for a, kb in client.run(_pid_and_maxrss_kb, nanny=True).items()
                if kb[0] != os.getpid()
            }
        detail = {
            "self_mb": _mb(_maxrss_kb()),
            "workers_mb": [_mb(v) for v in workers_kb.values()],
            "nannies_mb": [_mb(v[1]) for v in nannies.values()],
        }
        peak = detail["self_mb"] + sum(detail["workers_mb"]) + sum(detail["nannies_mb"])
        workers = 2
    else:
        raise SystemExit(f"unknown case {case!r}")
    return {
        "scheduler": case,
        "workers": workers,
        "seconds": t,
        "peak_mb": peak,
        "load_average_1min_after": os.getloadavg()[0],
        "load_average_1min_before": load_before,
        "tree_sampled_peak_mb": tree.peak_mb,
        "before_mb": _mb(base_kb),
        **detail,
        "zones": g.n_zones,
        "zone_pairs": g.n_flows,
        "total": g.total,
        "rows": g.meta["rows"],
        "partitions": g.meta["partitions"],
    }


def _subprocess(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _disk_mb(data: Path) -> tuple[float, float]:
    flows = sum(p.stat().st_size for p in (data / "flows").glob("*.parquet"))
    return flows / 2**20, (data / "crosswalk.parquet").stat().st_size / 2**20


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000_000)
    ap.add_argument("--zones", type=int, default=3000)
    ap.add_argument("--fine", type=int, default=1_000_000, help="fine (block-like) ids")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder of the generated table (default: under the temp folder)",
    )
    ap.add_argument(
        "--cluster", action="store_true", help="also run on a LocalCluster of 2 worker processes"
    )
    ap.add_argument("--cleanup", action="store_true", help="delete the table afterwards")
    ap.add_argument("--case", help=argparse.SUPPRESS)  # internal: one run, print JSON
    ap.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    data = args.data or (
        Path(tempfile.gettempdir())
        / "regionalize-bench"
        / f"od-{args.rows}-{args.zones}-{args.fine}-s{args.seed}"
    )
    if args.generate:
        print(json.dumps(generate(data, args.rows, args.zones, args.fine, args.seed)))
        return
    if args.case:
        print(json.dumps(run_case(args.case, data)))
        return

    t0 = time.perf_counter()
    wanted = {"n_rows": args.rows, "n_fine": args.fine, "n_zones": args.zones, "seed": args.seed}
    manifest = data / "manifest.json"
    cached = manifest.exists() and all(
        json.loads(manifest.read_text()).get(k) == v for k, v in wanted.items()
    )
    gen = None
    if cached:
        print(f"reusing the table in {data}", flush=True)
        if (data / "generation.json").exists():  # figures of the run that wrote it
            gen = json.loads((data / "generation.json").read_text())
    else:
        print(f"writing {args.rows:,} rows to {data} ...", flush=True)
        gen = _subprocess(
            [
                "--generate",
                "--data",
                str(data),
                "--rows",
                str(args.rows),
                "--zones",
                str(args.zones),
                "--fine",
                str(args.fine),
                "--seed",
                str(args.seed),
            ]
        )
        print(
            f"  written in {gen['generate_s']:.1f} s (peak {gen['generate_peak_mb']:.0f} MB)",
            flush=True,
        )
        (data / "generation.json").write_text(json.dumps(gen) + "\n")
    info = json.loads(manifest.read_text())
    flows_mb, crosswalk_mb = _disk_mb(data)
    rows = []
    for case in ["threads"] + (["cluster"] if args.cluster else []):
        row = _subprocess(["--case", case, "--data", str(data)])
        row["total_matches"] = row["total"] == info["total"]
        rows.append(row)
        tree = row["tree_sampled_peak_mb"]
        print(
            f"{case:8s} {row['seconds']:8.1f} s  {args.rows / row['seconds']:12,.0f} rows/s  "
            f"peak {row['peak_mb']:7.0f} MB"
            + (f" (tree sampled {tree:.0f} MB)" if tree is not None else "")
            + f"  {row['zones']:,} zones, {row['zone_pairs']:,} zone pairs, "
            f"total ok: {row['total_matches']}",
            flush=True,
        )
    out = {
        "benchmark": "dask_aggregate",
        "rows": args.rows,
        "zones": args.zones,
        "fine_ids": args.fine,
        "seed": args.seed,
        "partitions": info["partitions"],
        "table_mb": flows_mb,
        "crosswalk_mb": crosswalk_mb,
        "data": str(data),
        "generation": gen,
        "goal_peak_mb": GOAL_MB,
        "env": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
        },
        "results": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dask_aggregate.json").write_text(json.dumps(out, indent=2) + "\n")
    head = (
        "| rows | zones | fine ids | partitions | table on disk | scheduler | seconds | "
        "rows/s | peak MB | tree peak MB (sampled) | zone pairs | total ok |\n"
        "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|\n"
    )
    body = "".join(
        f"| {args.rows:,} | {r['zones']:,} | {args.fine:,} | {info['partitions']} | "
        f"{flows_mb:,.0f} MB | {r['scheduler']} ({r['workers']}) | {r['seconds']:.1f} | "
        f"{args.rows / r['seconds']:,.0f} | {r['peak_mb']:,.0f} | "
        + (f"{r['tree_sampled_peak_mb']:,.0f}" if r["tree_sampled_peak_mb"] else "-")
        + f" | {r['zone_pairs']:,} | {r['total_matches']} |\n"
        for r in rows
    )
    (RESULTS / "dask_aggregate.md").write_text(head + body)
    print(f"wrote {RESULTS / 'dask_aggregate.json'} and {RESULTS / 'dask_aggregate.md'}")
    if args.cleanup:
        shutil.rmtree(data)
        print(f"deleted {data}")
    print(f"done in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
