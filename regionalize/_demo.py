"""The jobs behind ``regionalize report`` and ``make demo``: delineate, summarise, map, report.

:func:`write_outputs` writes every output of a run (summaries, the hierarchy file, maps,
the HTML report) for any Hierarchy; ``regionalize report INPUT`` runs it on any input and
:func:`run_demo` (``regionalize demo``, ``make demo``) on the embedded default data set.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._files import atomic_path, write_text
from .datasets import data_dir, load
from .flows import FlowGraph

DEFAULT_DATASET = "korea-ktdb-sigun"
FALLBACK_ZONES = 2000


def delineation_preset(graph) -> dict:
    """Parameters of the main job for a data set (documented, not fitted to results)."""
    name = graph.name or ""
    if name.startswith("korea-ktdb"):
        from .datasets import KOREA_METROPOLITAN_CENTRES

        # the policy's five centres; 20% links, two orders; small/medium urban areas
        # centred on cities (si), trip table so no job-ratio rule; four-way megaregions
        return {
            "centres": KOREA_METROPOLITAN_CENTRES,
            "tau": 0.20,
            "max_order": 2,
            "urban": {"candidates": "city", "min_job_ratio": None},
            "megaregions": {"merge_threshold": 0.15},
        }
    if name.startswith("synthetic"):
        # synthetic zones are fine-grained (a city centre spans several zones) and the
        # country grows with the number of zones (its largest city holds < 1% of jobs
        # beyond ~30k zones): cluster touching job-rich zones into cores, 0.2% threshold
        return {
            "metropolitan": {"cluster_cores": True, "min_size_share": 0.002},
            "urban": {"cluster_cores": True},
        }
    return {}


def pick_graph(dataset: str | None) -> FlowGraph:
    """The named data set; by default Korea when the data folder exists, else a synthetic one."""
    if dataset is not None and not dataset.startswith("synthetic"):
        return load(dataset)
    if dataset is None and data_dir(required=False) is not None:
        return load(DEFAULT_DATASET)
    from .synthetic import synthetic_country

    n = FALLBACK_ZONES
    if dataset and dataset.startswith("synthetic-"):
        n = int(dataset.split("-", 1)[1])
    return synthetic_country(n, seed=0)


def _names(graph: FlowGraph) -> pd.Series:
    z = graph.zones
    if "name" in z.columns:
        return z["name"].astype(str).where(z["name"].notna(), pd.Series(graph.ids, index=z.index))
    return pd.Series(graph.ids, index=graph.ids)


def summarise(graph: FlowGraph, top: int = 10) -> dict:
    names = _names(graph)
    table = graph.summary()
    off = graph.to_frame(diagonal=False).nlargest(top, "flow")
    dest = table["inflows"].nlargest(top)
    coo = graph.matrix.tocoo()
    between = coo.row != coo.col
    m = sp.csr_array(
        (coo.data[between], (coo.row[between], coo.col[between])), shape=graph.matrix.shape
    )
    out = np.asarray(m.sum(axis=1)).ravel()
    largest = np.asarray(m.max(axis=1).toarray()).ravel()  # n x 1
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = table["residents"].to_numpy() if graph.has_diagonal else out
        lead_share = np.where(denom > 0, largest / denom, 0.0)
    summary = {
        "dataset": graph.name,
        "zones": graph.n_zones,
        "flows": graph.n_flows,
        "total": round(graph.total, 1),
        "diagonal": graph.has_diagonal,
        "internal_share": round(float(graph.internal.sum() / graph.total), 4),
        "isolated_zones": len(graph.isolates),
        "share_denominator": "employed residents" if graph.has_diagonal else "out-flows",
        "zones_sending_10pct_to_one_zone": int((lead_share >= 0.10).sum()),
        "zones_sending_20pct_to_one_zone": int((lead_share >= 0.20).sum()),
        "top_destinations": [
            {"zone": i, "name": names[i], "inflows": round(float(v), 1)} for i, v in dest.items()
        ],
        "top_flows": [
            {"from": names[r.origin], "to": names[r.destination], "flow": round(float(r.flow), 1)}
            for r in off.itertuples()
        ],
        "quirks": list(graph.meta.get("quirks", [])),
    }
    if (
        graph.geometry is not None
        and graph.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).any()
    ):
        c = graph.build_contiguity(islands="keep")
        summary["contiguity"] = {
            "links": c.n_links,
            "islands": len(c.islands),
            "components": c.n_components,
        }
    return summary


def layer_progress(say: Callable[[str], None]):
    """A ``delineate(progress=...)`` callback that reports each layer through ``say``."""

    def report(layer, partition, seconds: float) -> None:
        say(
            f"{layer}: {partition.n_areas} areas, {partition.unassigned.size} zones "
            f"unassigned ({seconds:.1f} s)"
        )

    return report


def run_demo(
    out: str | Path = "outputs/demo",
    dataset: str | None = None,
    say: Callable[[str], None] | None = None,
) -> dict:
    """``regionalize demo``: :func:`write_outputs` for the embedded default data set.

    The data set is ``dataset`` or, by default, Korea's KTDB table when the data folder
    exists, else a synthetic country (:func:`pick_graph`), delineated with its preset
    (:func:`delineation_preset`). ``say`` receives one line per step (the command line
    prints them as progress). Returns the summary (also written as ``summary.json``).
    """
    from ._files import check_output_folder

    say = say or (lambda text: None)
    out = check_output_folder(out, "out")  # before any work: a file there, no permission
    graph = pick_graph(dataset)
    say(f"{graph.name}: {graph.n_zones:,} zones, {graph.n_flows:,} flows")
    h, given = delineate_graph(graph, say=say)
    return write_outputs(h, out, say=say, given_centres=given)


def delineate_graph(graph, *, centres=None, tau=None, max_order=None, metropolitan=None, say=None):
    """``rz.delineate`` with the data set's preset overridden by the options given; returns
    the Hierarchy and the layers whose centres were given (not found by rule).

    ``metropolitan``: parameters of the metropolitan layer merged into the preset's (the
    centre rule of the command line: ``min_size``, ``min_size_share``, ``min_job_ratio``).
    A centre rule asks for centres found by rule, so it replaces the preset's centres
    (Korea's five) unless ``centres`` are given too."""
    from .delineate import delineate

    params = delineation_preset(graph)
    if metropolitan:
        params["metropolitan"] = {**params.get("metropolitan", {}), **metropolitan}
        rule = {"min_size", "min_size_share", "min_job_ratio"}
        if centres is None and rule & set(metropolitan):
            params.pop("centres", None)
    if centres is not None:
        params["centres"] = centres
    if tau is not None:
        params["tau"] = tau
    if max_order is not None:
        params["max_order"] = max_order
    given = ["metropolitan"] if params.get("centres") is not None else []
    if (params.get("urban") or {}).get("centres") is not None:
        given.append("urban")
    h = delineate(graph, **params, progress=layer_progress(say) if say else None)
    return h, given


def write_outputs(
    h, out: str | Path, *, say: Callable[[str], None] | None = None, given_centres=None
) -> dict:
    """Write every output of a run into the folder ``out`` (checked by the caller).

    Writes ``summary.md`` / ``summary.json`` (the data, then every layer's area table),
    ``hierarchy.gpkg`` (zones with a label per layer, dissolved areas, run parameters) when
    the zones have geometry, else the CSV tables of
    :func:`regionalize.io.writers.write_csv` (``zones.csv``, ``{layer}_areas.csv``,
    ``run.json``); with polygons, ``map.png`` (the layers nested on one map) and
    ``map.html`` (interactive, with popups per zone); with any geometry, ``flows.png`` (the
    largest flows); and ``report.html`` (one self-contained file: how the areas were found,
    quality, maps, each area's members, a glossary, parameters). ``given_centres``: layers
    whose centres were given (the report says so instead of describing the rule).

    Returns
    -------
    dict
        The summary, with ``files``: the files written (``summary.json`` last).
    """
    out = Path(out)
    say = say or (lambda text: None)
    graph = h.graph
    summary = summarise(graph)
    summary["hierarchy"] = repr(h)
    summary["layers"] = {}
    for layer in h.layers:
        table = h.summary(layer)
        cols = [
            c
            for c in ["name", "kind", "n_zones", "residents", "jobs", "self_containment_supply"]
            if c in table.columns
        ]
        summary["layers"][layer] = {
            "areas": len(table),
            "unassigned_zones": int(h[layer].unassigned.size),
            "table": json.loads(table[cols].to_json(orient="index")),
        }
    written: list[Path] = [write_text(out / "summary.md", _markdown(summary))]
    links = {}
    if graph.geometry is not None:
        say("writing hierarchy.gpkg")
        written.append(h.to_gpkg(out / "hierarchy.gpkg"))
        say("drawing the maps")
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from .plot import plot_flows, plot_hierarchy

        polygons = graph.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).any()
        if polygons:
            ax = plot_hierarchy(h, legend_max=30)
            with atomic_path(out / "map.png") as tmp:
                ax.figure.savefig(tmp, dpi=150, bbox_inches="tight")
            plt.close(ax.figure)
            written.append(out / "map.png")
        outline = (
            ("metropolitan" if "metropolitan" in h.layers else h.layers[0]) if polygons else None
        )
        ax = plot_flows(h, top=60, outlines=h[outline] if outline else None)
        with atomic_path(out / "flows.png") as tmp:
            ax.figure.savefig(tmp, dpi=130, bbox_inches="tight")
        plt.close(ax.figure)
        written.append(out / "flows.png")
        links = {"hierarchy.gpkg": "hierarchy.gpkg"}
        if polygons:
            try:
                from .plot import explore

                html_map = explore(h, h.layers[-1])
                with atomic_path(out / "map.html") as tmp:
                    html_map.save(str(tmp))
                written.append(out / "map.html")
                links = {"interactive map (needs the internet)": "map.html", **links}
            except ImportError:  # folium missing: the report says what it lacks
                summary["html_map"] = "not written: install folium"
    else:
        say("no zone geometry: writing the CSV tables (no maps)")
        written += h.to_csv(out)
        links = {"zones.csv": "zones.csv"}
    from .report import write_report

    images = {
        name: out / f
        for name, f in [("The layers", "map.png"), ("The largest flows", "flows.png")]
        if out / f in written
    }
    written.append(
        write_report(
            h, out / "report.html", images=images, links=links, given_centres=given_centres
        )
    )
    summary["files"] = [p.name for p in [*written, out / "summary.json"]]
    written.append(
        write_text(out / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False))
    )
    say("wrote the maps and report.html" if images else "wrote report.html")
    return summary


def _markdown(s: dict) -> str:
    """``summary.md``: names are user data, so every one goes through ``markdown_cell`` (shown
    literally: no HTML, no emphasis, a ``|`` does not split a cell, a newline does not end a
    row)."""
    from ._markup import markdown_cell as md
    from ._markup import markdown_row as row

    lines = [
        f"# {md(s['dataset'] or 'unnamed data set')}",
        "",
        f"- zones: {s['zones']:,}; non-zero flows: {s['flows']:,}; total: {s['total']:,.0f}",
        f"- diagonal (internal flows): {'present' if s['diagonal'] else 'absent'}"
        f" — shares use {s['share_denominator']} as denominator",
        f"- zones sending >= 10% / >= 20% to a single other zone: "
        f"{s['zones_sending_10pct_to_one_zone']} / {s['zones_sending_20pct_to_one_zone']}",
    ]
    if "contiguity" in s:
        c = s["contiguity"]
        lines.append(
            f"- contiguity: {c['links']:,} links, {c['islands']} islands, "
            f"{c['components']} components"
        )
    lines += [
        "",
        "## Largest destinations",
        "",
        "| zone | name | flows received |",
        "|---|---|---:|",
    ]
    lines += [row([d["zone"], d["name"], f"{d['inflows']:,.0f}"]) for d in s["top_destinations"]]
    lines += ["", "## Largest flows", "", "| from | to | flow |", "|---|---|---:|"]
    lines += [row([f["from"], f["to"], f"{f['flow']:,.0f}"]) for f in s["top_flows"]]
    if "layers" in s:
        lines += ["", f"## Delineation: {md(s['hierarchy'])}"]
        for layer, info in s["layers"].items():
            lines += [
                "",
                f"### {md(layer)}: {info['areas']} areas, {info['unassigned_zones']} "
                "zones unassigned",
                "",
                "| area | name | kind | zones | residents |",
                "|---|---|---|---:|---:|",
            ]
            lines += [
                row(
                    [
                        a,
                        r.get("name", ""),
                        r.get("kind", ""),
                        r.get("n_zones", ""),
                        "" if r.get("residents") is None else f"{r['residents']:,.0f}",
                    ]
                )
                for a, r in info["table"].items()
            ]
    if s["quirks"]:
        lines += ["", "## Known quirks of the source", ""] + [f"- {md(q)}" for q in s["quirks"]]
    return "\n".join(lines) + "\n"
