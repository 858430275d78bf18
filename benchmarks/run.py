"""The benchmark suite: every step on real national data and synthetic countries.

    python benchmarks/run.py                       # everything (make bench), ~30 min here
    python benchmarks/run.py --cases korea-ktdb-sigun,synthetic-1000 --steps delineate,ttwa

Each case (a data set or a synthetic country) runs in a fresh subprocess. Inside it every
step is timed (best of ``--repeat`` below 20k zones, once above) and its peak memory taken
from the kernel's high-water mark (``VmHWM``), reset before the step through
``/proc/self/clear_refs``: ``peak MB`` is the whole process at its highest during the
step, ``+MB`` what the step added over the memory held before it. A step that exceeds
``--budget`` seconds is stopped and reported as a timeout.

Steps (a quality figure is recorded beside each time):

- ``load``: the named loader (files, validation, polygons) or the synthetic generator;
- ``build``: ``FlowGraph.from_dataframe`` on the graph's own long table;
- ``aggregate``: the quotient graph for ~n/10 groups;
- ``contiguity``: ``build_contiguity`` on the polygons;
- ``delineate``: the full ``delineate`` (megaregion, metropolitan, urban layers) with the
  demo's preset, contiguity built inside the timing;
- ``quality``: ``regionalize.quality.quality`` of the urban layer;
- ``ttwa`` (UK 2011 parameters), ``intramax`` (the full merge tree), ``flowbca`` (until no
  positive relative flow is left), ``commuting_zones`` (0.977, the sparse exact average
  linkage), ``leiden`` / ``infomap`` (regionalize.methods, graph conversion included): the
  comparison methods;
- ``peer_leidenalg``, ``peer_infomap``, ``peer_louvain``: the engines themselves on a graph
  converted beforehand (leidenalg modularity on the directed igraph, Infomap on directed
  links, networkx ``louvain_communities``); the Markdown reports ``delineate`` time over
  each peer's time;
- ``stability``: 100 Poisson redraws of the metropolitan layer (sequential); above 20k
  zones 10 redraws, reported as such.

Every step's time is also reported as a ratio to the two peers measured in the same process
(``peer_leidenalg``, ``peer_infomap``): below 1, the step is faster than one run of the peer.

Writes ``benchmarks/results/suite.json``, ``suite.md`` and ``scaling.png`` (time and memory
against zones and non-zero flows per step, synthetic countries, log-log, with the fitted
slope of each step in the Markdown).

The scale benchmark of the comparison methods (issue 18: fine-grained national tables) is
the same script on the largest synthetic countries::

    python benchmarks/run.py --out scale --cases synthetic-10000,synthetic-35000,\
        synthetic-100000,synthetic-250000 --steps delineate,ttwa,intramax,\
        commuting_zones,leiden,infomap,peer_leidenalg,peer_infomap

(``make bench-scale``). ``REGIONALIZE_NO_NUMBA=1`` in the environment runs the pure-Python
paths of the compiled kernels instead, for comparison.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

REAL = ["korea-ktdb-sigun", "us-counties-2009-2013", "sardinia-2001"]
SYNTHETIC = [
    "synthetic-1000",
    "synthetic-10000",
    "synthetic-35000",
    "synthetic-100000",
    "synthetic-250000",
]
STEPS = [
    "load",
    "build",
    "aggregate",
    "contiguity",
    "delineate",
    "quality",
    "ttwa",
    "intramax",
    "flowbca",
    "commuting_zones",
    "leiden",
    "infomap",
    "peer_leidenalg",
    "peer_infomap",
    "peer_louvain",
    "stability",
]
PEERS = ["peer_leidenalg", "peer_infomap", "peer_louvain"]
LARGE = 20_000  # zones: run once instead of best of N; stability 10 redraws


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout


def _status_kb(field: str) -> int:
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+)", text).group(1))


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:  # not Linux, or not allowed: the peak is the process's since start
        return False


def measure(fn, repeat: int, budget: float) -> dict:
    """Time ``fn`` (best of ``repeat``) and the memory of its first run."""
    gc.collect()  # what earlier steps left behind is not counted against this one
    before = _status_kb("VmRSS")
    reset = _reset_peak()
    signal.signal(signal.SIGALRM, _on_alarm)
    best, value = float("inf"), None
    try:
        for i in range(repeat):
            signal.alarm(int(budget))
            t = time.perf_counter()
            value = fn()
            best = min(best, time.perf_counter() - t)
            signal.alarm(0)
            if i == 0:
                peak = _status_kb("VmHWM")
            if best * (repeat - 1) > budget:
                break
    except _Timeout:
        return {"status": f"timeout (> {budget:.0f} s)"}
    finally:
        signal.alarm(0)
    return {
        "status": "ok",
        "seconds": best,
        "peak_mb": peak / 1024,
        "added_mb": (peak - before) / 1024 if reset else None,
        "value": value,
    }


def _metro_kwargs(preset: dict) -> dict:
    kw = dict(preset.get("metropolitan", {}))
    for key in ("centres", "tau", "max_order"):
        if key in preset:
            kw[key] = preset[key]
    return kw


def _quality_text(graph, labels) -> tuple[str, dict]:
    from regionalize.quality import quality

    q = quality(graph, labels)
    return (
        f"{q['areas']} areas, modularity {q['modularity']:.3f}, internal {q['internal_share']:.1%}"
    ), q


def run_case(name: str, steps: list[str], repeat: int, budget: float) -> dict:
    import numpy as np

    import regionalize as rz
    from regionalize._demo import delineation_preset

    out: dict = {"case": name, "steps": {}}

    def record(step, fn, quality=None):
        if step not in steps:
            return None
        reps = repeat if out.get("zones", 0) < LARGE else 1
        try:
            res = measure(fn, reps, budget)
        except Exception as exc:  # noqa: BLE001 - one failing step must not lose the suite
            res = {"status": f"error: {type(exc).__name__}: {str(exc)[:200]}"}
        value = res.pop("value", None)
        if res["status"] == "ok" and quality is not None:
            try:
                res["quality"], res["figures"] = quality(value)
            except Exception as exc:  # noqa: BLE001 - a figure must not lose the timing
                res["quality"] = f"quality failed: {type(exc).__name__}: {exc}"
        out["steps"][step] = res
        print(
            f"{name:24s} {step:16s} {res.get('seconds', float('nan')):9.3f} s "
            f"{res.get('peak_mb', float('nan')):7.0f} MB  {res.get('quality', res['status'])}",
            file=sys.stderr,
            flush=True,
        )
        return value

    def skip(step, why):
        if step in steps:
            out["steps"][step] = {"status": f"skipped: {why}"}

    # load (always: the other steps need the graph)
    if name.startswith("synthetic-"):
        n = int(name.split("-")[1])
        out["zones"] = n
        res = measure(lambda: rz.synthetic_country(n, seed=0), 1, budget * 4)
    else:
        res = measure(lambda: rz.datasets.load(name), repeat, budget)
    g = res.pop("value")
    out.update(zones=g.n_zones, flows=g.n_flows, total=float(g.total))
    res["quality"] = f"{g.n_zones:,} zones, {g.n_flows:,} flows, total {g.total:,.0f}"
    out["steps"]["load"] = res
    preset = delineation_preset(g)

    table = g.to_frame()
    record(
        "build",
        lambda: rz.FlowGraph.from_dataframe(table),
        lambda v: (f"total conserved: {abs(v.total - g.total) <= 1e-9 * g.total}", {}),
    )
    labels = np.arange(g.n_zones) // 10
    record(
        "aggregate",
        lambda: g.aggregate(labels, dissolve=False),
        lambda v: (
            f"{v.n_zones:,} groups, total conserved: {abs(v.total - g.total) <= 1e-9 * g.total}",
            {},
        ),
    )
    geo = g.geometry
    if geo is not None:
        record(
            "contiguity",
            lambda: rz.build_contiguity(geo, islands="keep"),
            lambda c: (f"{c.n_links:,} links, {len(c.islands)} islands", {}),
        )
    else:
        skip("contiguity", "no polygons")

    def full():
        fresh = rz.FlowGraph(
            g.matrix, g.ids, g.zones, g.geometry, moe=g.moe, name=g.name, meta=g.meta
        )
        return rz.delineate(fresh, **preset)

    def layers_text(h):
        areas = ", ".join(f"{layer} {h[layer].n_areas}" for layer in h.layers)
        text, q = _quality_text(g, h[h.layers[-1]].labels)
        return f"{areas}; {h.layers[-1]}: {text}", {
            "areas": {x: h[x].n_areas for x in h.layers},
            **q,
        }

    h = record("delineate", full, layers_text)
    if h is None and "quality" in steps:
        h = full()
    if h is not None:
        lowest = h[h.layers[-1]].labels
        record(
            "quality",
            lambda: rz.quality.quality(g, lowest),
            lambda q: (f"modularity {q['modularity']:.3f}, valid {q['valid_share']:.1%}", q),
        )
    del h  # the layers are not needed by the later steps

    def part_quality(p):
        return _quality_text(g, p.labels)

    m = rz.methods
    record(
        "ttwa",
        lambda: m.labour_market_areas(
            g, min_size=3500, min_sc=0.6667, target_size=25000, target_sc=0.75
        ),
        part_quality,
    )
    record(
        "intramax",
        lambda: m.Intramax().fit(g),
        lambda est: (
            f"{g.n_zones - 1} merges; at k={max(g.n_zones // 20, 2)}: "
            + _quality_text(g, est.cut(max(g.n_zones // 20, 2)).labels)[0],
            {},
        ),
    )
    record("flowbca", lambda: m.flowbca(g), part_quality)
    record("commuting_zones", lambda: m.commuting_zones(g), part_quality)
    record("leiden", lambda: m.leiden(g, seed=0), part_quality)
    record("infomap", lambda: m.infomap(g, seed=0), part_quality)

    if set(PEERS) & set(steps):
        _peers(g, record)

    if "stability" in steps:
        from functools import partial

        runs = 100 if g.n_zones < LARGE else 10
        fn = partial(rz.metropolitan_areas, **_metro_kwargs(preset))
        record(
            "stability",
            lambda: rz.stability.stability(g, fn, runs=runs, seed=0),
            lambda s: (
                f"{runs} runs, mean zone stability {float(s.zones['stability'].mean()):.3f}",
                {"runs": runs},
            ),
        )
    return out


def _peers(g, record) -> None:
    """The community engines themselves, on graphs converted beforehand (not timed)."""
    import numpy as np

    def labels_of(membership):
        import pandas as pd

        return pd.Series(np.asarray(membership).astype(str), index=g.ids)

    try:
        import leidenalg

        ig_graph = g.to_igraph()
        record(
            "peer_leidenalg",
            lambda: leidenalg.find_partition(
                ig_graph, leidenalg.ModularityVertexPartition, weights="weight", seed=0
            ),
            lambda p: _quality_text(g, labels_of(p.membership)),
        )
    except ImportError:
        pass
    try:
        import infomap

        coo = g.matrix.tocoo()
        off = coo.row != coo.col
        links = list(
            zip(coo.row[off].tolist(), coo.col[off].tolist(), coo.data[off].tolist(), strict=True)
        )

        def run_infomap():
            im = infomap.Infomap("--directed --two-level --silent --seed 1 --num-trials 1")
            for i in range(g.n_zones):
                im.add_node(i)
            im.add_links(links)
            result = im.run()
            if result is not None and hasattr(result, "modules"):  # infomap >= 2.9
                return result.modules() if callable(result.modules) else result.modules
            return im.get_modules()

        def infomap_labels(modules):
            return _quality_text(g, labels_of([modules.get(i, -1) for i in range(g.n_zones)]))

        record("peer_infomap", run_infomap, infomap_labels)
    except ImportError:
        pass
    import networkx as nx

    nx_graph = g.to_networkx()
    record(
        "peer_louvain",
        lambda: nx.community.louvain_communities(nx_graph, weight="weight", seed=0),
        lambda comms: _quality_text(g, labels_of(_membership(g, comms))),
    )


def _membership(g, communities):
    import numpy as np

    pos = {z: i for i, z in enumerate(g.ids)}
    out = np.zeros(g.n_zones, dtype=int)
    for k, c in enumerate(communities):
        for z in c:
            out[pos[z] if z in pos else z] = k
    return out


# ---------------------------------------------------------------------------- reporting
def _fmt_s(res) -> str:
    if res is None:
        return "-"
    if res["status"] != "ok":
        return res["status"]
    return f"{res['seconds']:.3g} s · {res['peak_mb']:.0f} MB"


def markdown(rows: list[dict], env: dict) -> str:
    lines = [
        "# regionalize benchmark suite\n",
        f"Python {env['python']}, {env['cpus']} CPUs, {env['machine']}; "
        f"{env['date']}; numba {env.get('numba', '-')}. Time: best of N (once above 20k zones); memory: the process's "
        "peak during the step (`+` what the step added).\n",
    ]
    for r in rows:
        lines.append(f"\n## {r['case']} ({r['zones']:,} zones, {r['flows']:,} flows)\n")
        lines.append("| step | seconds | peak MB | +MB | quality figure |")
        lines.append("|---|---:|---:|---:|---|")
        for step, res in r["steps"].items():
            if res["status"] != "ok":
                lines.append(f"| {step} | {res['status']} | | | |")
                continue
            added = "" if res.get("added_mb") is None else f"{res['added_mb']:.0f}"
            lines.append(
                f"| {step} | {res['seconds']:.3g} | {res['peak_mb']:.0f} | {added} | "
                f"{res.get('quality', '')} |"
            )
        table = peer_ratios(r)
        if table:
            lines.append(
                "\nEach step's time over one run of each peer in the same process "
                "(below 1: faster than the peer):\n"
            )
            peers = [p for p in PEERS[:2] if any(p in row for row in table.values())]
            lines.append("| step | " + " | ".join(f"/ {p[5:]}" for p in peers) + " |")
            lines.append("|---|" + "---:|" * len(peers))
            for step, row in table.items():
                cells = " | ".join(f"{row[p]:.2f}x" if p in row else "" for p in peers)
                lines.append(f"| {step} | {cells} |")
    slopes = scaling_slopes(rows)
    if slopes:
        lines.append(
            "\n## Scaling on synthetic countries (log-log slope of time against "
            "zones and against non-zero flows)\n"
        )
        lines.append("| step | sizes | slope vs zones | slope vs flows | seconds at largest |")
        lines.append("|---|---|---:|---:|---:|")
        for step, s in slopes.items():
            lines.append(
                f"| {step} | {s['sizes']} | {s['zones']:.2f} | {s['flows']:.2f} | {s['last']:.3g} |"
            )
    return "\n".join(lines) + "\n"


def peer_ratios(row: dict) -> dict:
    """``{step: {peer: step seconds / peer seconds}}`` for the timed steps of one case."""
    out: dict = {}
    for peer in PEERS[:2]:  # leidenalg and Infomap
        p = row["steps"].get(peer)
        if not p or p["status"] != "ok":
            continue
        for step, res in row["steps"].items():
            if step in ("load", "build") or step in PEERS or res["status"] != "ok":
                continue
            out.setdefault(step, {})[peer] = res["seconds"] / p["seconds"]
    return out


def _synthetic_points(rows):
    import numpy as np

    syn = [r for r in rows if r["case"].startswith("synthetic-")]
    syn.sort(key=lambda r: r["zones"])
    for step in STEPS:
        if step == "stability":  # 100 redraws below 20k zones, 10 above: not one curve
            continue
        pts = [
            (r["zones"], r["flows"], r["steps"][step]["seconds"], r["steps"][step]["peak_mb"])
            for r in syn
            if r["steps"].get(step, {}).get("status") == "ok"
        ]
        if len(pts) >= 2:
            yield step, np.array(pts, dtype=float)


def scaling_slopes(rows) -> dict:
    import numpy as np

    out = {}
    for step, p in _synthetic_points(rows):
        t = np.log(np.maximum(p[:, 2], 1e-6))
        out[step] = {
            "sizes": ", ".join(f"{int(z):,}" for z in p[:, 0]),
            "zones": float(np.polyfit(np.log(p[:, 0]), t, 1)[0]),
            "flows": float(np.polyfit(np.log(p[:, 1]), t, 1)[0]),
            "last": float(p[-1, 2]),
        }
    return out


def scaling_plot(rows, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = list(_synthetic_points(rows))
    if not points:
        return
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.5))
    colours = plt.get_cmap("tab20")
    for i, (step, p) in enumerate(points):
        kw = {
            "ls": "--" if step.startswith("peer_") else "-",
            "marker": "os^"[i % 3],
            "color": colours(i % 20),
            "label": step,
        }
        axes[0].loglog(p[:, 0], p[:, 2], **kw)
        axes[1].loglog(p[:, 1], p[:, 2], **kw)
        axes[2].loglog(p[:, 0], p[:, 3], **kw)
    for ax, (xl, yl) in zip(
        axes,
        [("zones", "seconds"), ("non-zero flows", "seconds"), ("zones", "peak MB during the step")],
        strict=True,
    ):
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        ax.grid(True, which="both", alpha=0.3)
    axes[2].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.suptitle("regionalize on synthetic countries (seed 0): time and memory per step")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=",".join(REAL + SYNTHETIC))
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--repeat", type=int, default=3, help="best of N for each timed step")
    ap.add_argument("--budget", type=float, default=600.0, help="seconds allowed per step")
    ap.add_argument("--out", default="suite", help="name of the result files")
    ap.add_argument(
        "--report",
        action="store_true",
        help="only rewrite the Markdown and the plot from an existing <out>.json",
    )
    ap.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    args = ap.parse_args(argv)
    if args.report:
        saved = json.loads((RESULTS / f"{args.out}.json").read_text())
        write_reports(saved["results"], saved["env"], args.out)
        return
    steps = args.steps.split(",")
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        ap.error(f"unknown steps {unknown}; choose from {', '.join(STEPS)}")
    if args.case:
        print(json.dumps(run_case(args.case, steps, args.repeat, args.budget)))
        return
    rows = []
    for case in args.cases.split(","):
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--case",
                case,
                "--steps",
                args.steps,
                "--repeat",
                str(args.repeat),
                "--budget",
                str(args.budget),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        if proc.returncode != 0:
            print(f"{case}: failed (exit {proc.returncode})", file=sys.stderr)
            continue
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    env = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "regionalize": __import__("regionalize").__version__,
        "numba": _numba_state(),
    }
    write_reports(rows, env, args.out)


def _numba_state() -> str:
    """numba's version, or why the kernels run as pure Python."""
    if os.environ.get("REGIONALIZE_NO_NUMBA", "").strip() not in ("", "0"):
        return "off (REGIONALIZE_NO_NUMBA: pure-Python kernels)"
    try:
        import numba
    except ImportError:
        return "not installed (pure-Python kernels)"
    return numba.__version__


def write_reports(rows: list[dict], env: dict, out: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{out}.json").write_text(
        json.dumps(
            {
                "env": env,
                "results": rows,
                "scaling": scaling_slopes(rows),
                "ratios": {r["case"]: peer_ratios(r) for r in rows},
            },
            indent=2,
        )
    )
    (RESULTS / f"{out}.md").write_text(markdown(rows, env))
    scaling_plot(rows, RESULTS / f"{out}_scaling.png")
    print(f"wrote {RESULTS / (out + '.json')}, {out}.md, {out}_scaling.png")


if __name__ == "__main__":
    main()
