"""A self-contained HTML report of a run, written for planners.

One file (maps embedded as data URIs, no script): what was delineated and how (the centre
rule and thresholds actually used, read from the run's parameters), each layer's quality in
plain words, each area with its members by name, a short glossary with the usual reference
values, and the parameters as a table. Every piece of user text (zone, area, layer, graph
and column names) is escaped as text, never read as markup.
"""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._files import check_output_file, write_text
from ._markup import html_href, html_text
from ._report_text import (
    COLUMN_TITLES,
    GLOSSARY,
    PARAMETER_HELP,
    QUALITY_TITLES,
    SHARE_WORDS,
    STYLE,
)
from .errors import InvalidParameterError

__all__ = ["write_report", "COLUMN_TITLES", "GLOSSARY"]


# ---------------------------------------------------------------------- formatting
def _fmt(v: Any) -> str:
    """A cell value as text (not escaped)."""
    if v is None:
        return ""
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        if not math.isfinite(float(v)):
            return ""
        v = float(v)
        if v == int(v) and abs(v) >= 10:
            return f"{v:,.0f}"
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}"
    if isinstance(v, tuple | list):
        return "+".join(map(str, v))
    if v is pd.NA or (pd.api.types.is_scalar(v) and pd.isna(v)):
        return ""
    return str(v)


def _pct(v: Any, digits: int = 1) -> str:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return ""
    return f"{100 * v:.{digits}f}%" if math.isfinite(v) else ""


def _swatch(colour: str | None) -> str:
    # colours come from area_colours (#rrggbb), never from user text; escaped anyway
    return f'<span class="sw" style="background:{html_text(colour)}"></span>' if colour else ""


def _table(
    headers: list[str],
    rows: Iterable[list[str]],
    *,
    text_cols: Iterable[int] = (0,),
    raw_cols: Iterable[int] = (),
    titles: Mapping[int, str] | None = None,
    css: str | None = None,
) -> str:
    """An HTML table; every cell escaped except the ``raw_cols`` (already HTML)."""
    text_cols, raw_cols, titles = set(text_cols), set(raw_cols), dict(titles or {})

    def cls(i):
        return ' class="t"' if i in text_cols else ""

    head = "".join(
        f"<th{cls(i)}"
        + (f' title="{html_text(titles[i])}"' if i in titles else "")
        + f">{html_text(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{cls(i)}>{c if i in raw_cols else html_text(c)}</td>" for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    klass = f' class="{html_text(css)}"' if css else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _image(path: Path, caption: str) -> str:
    raw = Path(path).read_bytes()
    if not raw.startswith(_PNG_SIGNATURE):  # only pictures go into a shared report
        raise InvalidParameterError(
            f"images= of write_report: {Path(path).name} ({caption!r}) is not a PNG image; "
            "give the PNG files of the maps (e.g. from Figure.savefig('map.png'))."
        )
    data = base64.b64encode(raw).decode("ascii")
    return f'<img alt="{html_text(caption)}" src="data:image/png;base64,{data}">'


def _zone_labels(graph) -> pd.Series:
    """Zone id -> the name shown for it: its name, its id when it has none, and
    "name (id)" when several zones share a name."""
    ids = pd.Index(graph.ids)
    zones = graph.zones
    if "name" not in zones.columns:
        return pd.Series(list(ids), index=ids, dtype=object)
    names = pd.Series(zones["name"].to_numpy(dtype=object), index=ids)
    missing = names.isna() | (names.astype(str).str.strip() == "")
    names = names.astype(str).where(~missing, pd.Series(list(ids), index=ids))
    shared = names.duplicated(keep=False) & ~missing
    return names.where(~shared, names + " (" + pd.Series(list(ids), index=ids) + ")")


# ---------------------------------------------------------------------- how it was made
def _centre_sentence(h, layer: str, given: bool | None) -> str | None:
    """How the centres of a layer were chosen, in words, from its parameters."""
    p = dict(h[layer].params)
    if "min_size_share" not in p and "min_size" not in p:
        return None
    cores = [tuple(c) if isinstance(c, list | tuple) else (c,) for c in p.get("centres") or []]
    n = len(cores)
    labels = _zone_labels(h.graph)
    areas = h[layer].areas
    area_of_core = (
        {tuple(c): name for c, name in zip(areas["centres"], areas["name"], strict=True)}
        if "centres" in areas.columns
        else {}
    )
    # a core by the name of its area ("Busan-Ulsan"), else by its zones' names
    core_text = "; ".join(
        str(area_of_core.get(c) or " + ".join(str(labels.get(z, z)) for z in c)) for c in cores[:12]
    )
    if n > 12:
        core_text += f"; ... {n - 12} more"
    small = " of small and medium-sized urban areas" if "large_max_order" in p else ""
    if given:
        return (
            f"{n} centre{'s' if n != 1 else ''}{small} given: {core_text}."
            if n
            else f"No centres{small} given."
        )
    rule = _size_rule(h, p)
    plural = "s" if n != 1 else ""
    if n == 0:
        return f"No centre{small} was found by the size rule: {rule}."
    if given is None:
        return (
            f"{n} centre{plural}{small} ({core_text}). When centres are not given, they "
            f"are found by the size rule: {rule}."
        )
    return f"{n} centre{plural}{small} found by the size rule: {rule}. They are: {core_text}."


def _size_rule(h, p: Mapping[str, Any]) -> str:
    """The centre rule of a layer's parameters with its thresholds as numbers."""
    size = p.get("size", "jobs")
    word = {"jobs": "jobs", "residents": "employed residents"}.get(size, str(size))
    threshold, share = p.get("min_size"), p.get("min_size_share")
    total = None
    try:
        from ._centres import size_measure

        total = float(np.nansum(size_measure(h.graph, size)))
    except Exception:  # noqa: BLE001 - a description only: fall back to the share
        total = None
    if threshold is None and share is not None and total:
        threshold = share * total
    notes = []
    if threshold is not None:
        first = f"at least {float(threshold):,.0f} {word}"
        if p.get("min_size") is None and share is not None:
            notes.append(f"{_pct(share, 2 if share < 0.01 else 1)} of all {word}")
    else:
        first = f"at least {_pct(share)} of all {word}"
    if p.get("cluster_cores"):
        notes.append(
            "touching zones that qualify form one core whose total counts, each "
            "zone holding at least a tenth of that"
        )
    parts = [first + (f" ({'; '.join(notes)})" if notes else "")]
    ratio = p.get("min_job_ratio")
    if ratio is not None:
        parts.append(f"a job ratio (jobs / employed residents) of at least {float(ratio):g}")
    if p.get("candidates") is not None:
        cand = p["candidates"]
        parts.append(
            f"among the zones marked in column {cand!r}"
            if isinstance(cand, str)
            else f"among {len(list(cand))} candidate zones"
        )
    tau = p.get("tau")
    if tau is not None:
        parts.append(
            f"not itself sending {_pct(tau, 0)} or more of its commuters to a larger centre"
        )
    if p.get("merge_tau") is not None:
        parts.append(f"centres linked at {_pct(p['merge_tau'], 0)} or more form one core")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _attach_sentence(p: Mapping[str, Any], large: bool = False) -> str | None:
    tau = p.get("tau")
    if tau is None or "share" not in p:
        return None
    denom = SHARE_WORDS.get(p.get("share"), str(p.get("share")))
    order = p.get("max_order")
    if order == 1:
        chain = "Only direct links to the centre count"
    elif order is None:
        chain = (
            "Zones may also join through a zone already in the area, step by step "
            "with no limit on the number of steps"
        )
    else:
        chain = (
            f"Zones may also join through a zone already in the area, up to {order} "
            "steps from the centre"
        )
    text = (
        f"A zone joins an area when at least {_pct(tau, 0)} of its {denom} go to the "
        "area's centre (summed over the zones of a multi-zone core) and that is its "
        f"largest such link. {chain}."
    )
    if large:
        text = (
            f"Large urban areas are the metropolitan cores with the zones linked to them "
            f"up to order {p.get('large_max_order')}. Small and medium-sized urban areas: "
            + text[0].lower()
            + text[1:]
        )
    if p.get("min_zones"):
        text += f" An area needs at least {p['min_zones']} zones"
        if p.get("min_population"):
            text += f" and {float(p['min_population']):,.0f} inhabitants"
        text += "."
    if p.get("contiguity") == "on":
        text += (
            " Each area is one connected piece of territory: detached members are "
            "released, zones enclosed by one area are absorbed."
        )
    return text


def _how(h, layer: str, given: bool | None) -> list[str]:
    """Sentences (plain text) describing how a layer was made."""
    p = dict(h[layer].params)
    out = []
    if "threshold" in p and "include_unassigned" in p:  # megaregions
        if p.get("groups"):
            out.append("Megaregions given by the user.")
        else:
            out.append(
                "Every metropolitan area seeds a megaregion; urban areas outside them"
                + (" and zones in no area" if p.get("include_unassigned") else "")
                + " join the megaregion with which their employment interchange (the share "
                f"of their commuters going there plus the share of their jobs held from "
                f"there) is largest, when it is at least {_pct(p['threshold'], 0)}."
                + (
                    f" Metropolitan areas with an interchange of "
                    f"{_pct(p['merge_threshold'], 0)} or more share one megaregion."
                    if p.get("merge_threshold") is not None
                    else ""
                )
            )
        return out
    centres = _centre_sentence(h, layer, given)
    if centres:
        out.append(centres)
    attach = _attach_sentence(p, large="large_max_order" in p)
    if attach:
        out.append(attach)
    if not out and p.get("method"):
        out.append(f"Method: {p['method']}.")
    return out


# ---------------------------------------------------------------------- members
def _members_html(
    h, layer: str, labels: pd.Series, colours: Mapping[str, str] | None, max_areas: int = 300
) -> str:
    """One collapsible list per area (largest first): its centre(s), the zones joined
    directly and those joined through another member, by name; then the zones in no area,
    by reason."""
    part = h[layer]
    d = part.details
    frame = pd.DataFrame(
        {
            "label": labels.reindex(d.index).astype(str).to_numpy(),
            "area": d["area"].astype(object).to_numpy(),
            "role": d["role"].astype(object).to_numpy(),
            "order": pd.to_numeric(d["order"], errors="coerce")
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan),
        },
        index=d.index,
    )
    frame["group"] = np.select(
        [frame["role"] == "centre", frame["order"] == 1, frame["order"] > 1],
        ["centre", "direct", "further"],
        default="other",
    )
    by_area = {a: g for a, g in frame[frame["area"].notna()].groupby("area", sort=False)}
    sizes = part.areas["n_zones"].sort_values(ascending=False, kind="stable")

    def names(values) -> str:
        return ", ".join(sorted(map(str, values), key=str.casefold))

    blocks = []
    for a in sizes.index[:max_areas]:
        members = by_area.get(a)
        if members is None:
            continue
        groups = {k: v["label"] for k, v in members.groupby("group", sort=False)}
        only_other = set(groups) <= {"other"}
        parts = []
        for key, title in (
            ("centre", "Centre"),
            ("direct", "Joined directly"),
            ("further", "Joined through another member"),
            ("other", "Members" if only_other else "Other members"),
        ):
            if key in groups:
                zs = groups[key]
                parts.append(
                    f"<strong>{html_text(title)} ({len(zs):,}):</strong> {html_text(names(zs))}"
                )
        n = len(members)
        colour = _swatch(colours.get(a)) if colours else ""
        blocks.append(
            f"<details><summary>{colour}{html_text(part.areas.at[a, 'name'])} "
            f"&middot; {n:,} zone{'s' if n != 1 else ''}</summary>"
            f"<p>{'<br>'.join(parts)}</p></details>"
        )
    if len(sizes) > max_areas:
        blocks.append(
            f'<p class="note">{len(sizes) - max_areas:,} smaller areas are listed '
            "in the zone table (files).</p>"
        )
    un = part.unassigned
    if len(un):
        reasons = un.astype(object).where(un.notna(), "no reason recorded").astype(str)
        for reason, zs in reasons.groupby(reasons, sort=True):
            n = len(zs)
            swatch = _swatch("#e0e0e0") if colours else ""
            blocks.append(
                f"<details><summary>{swatch}In no area: {html_text(reason)} &middot; "
                f"{n:,} zone{'s' if n != 1 else ''}</summary>"
                f"<p>{html_text(names(labels.reindex(zs.index).astype(str)))}</p></details>"
            )
    return "".join(blocks)


# ---------------------------------------------------------------------- parameters
def _param_value(key: str, v: Any, names: Mapping[tuple, str] | None = None) -> str:
    """A parameter's value as text: shares also as percentages, centres with the name of
    their area (``21+26 (Busan-Ulsan)``)."""
    if key == "centres" and isinstance(v, list | tuple):
        cores = [tuple(map(str, c)) if isinstance(c, list | tuple) else (str(c),) for c in v]
        items = [
            "+".join(c)
            + (f" ({names[c]})" if names and names.get(c) not in (None, "+".join(c)) else "")
            for c in cores
        ]
        text = "; ".join(items[:30]) + (f"; ... {len(items) - 30} more" if len(items) > 30 else "")
        return f"{len(items)}: {text}" if items else "none"
    if isinstance(v, Mapping):
        return "; ".join(f"{k}: {_param_value(str(k), x)}" for k, x in v.items())
    if isinstance(v, list | tuple):
        return ", ".join(f"{x:g}" if isinstance(x, float) else _fmt(x) for x in v)
    if (
        isinstance(v, float)
        and 0 < v < 1
        and key
        in (
            "tau",
            "min_size_share",
            "merge_tau",
            "threshold",
            "merge_threshold",
            "min_sc",
            "target_sc",
        )
    ):
        return f"{v:g} ({_pct(v, 2 if v < 0.01 else 1)})"
    if v is None:
        return "(not set)"
    if isinstance(v, float) and math.isfinite(v):
        return f"{v:g}"
    return _fmt(v)


_RULE_KEYS = (
    "size",
    "min_size",
    "min_size_share",
    "min_job_ratio",
    "candidates",
    "merge_tau",
    "cluster_cores",
)


def _parameters_html(h, given: set[str] | None) -> str:
    parts = []
    for layer in h.layers:
        p = dict(h[layer].params)
        if not p:
            continue
        areas = h[layer].areas
        names = (
            {tuple(map(str, c)): n for c, n in zip(areas["centres"], areas["name"], strict=True)}
            if "centres" in areas.columns
            else {}
        )
        unused = (given is not None and layer in given) or p.get("centres_given") is True
        rows = [
            [
                str(k),
                _param_value(str(k), v, names),
                PARAMETER_HELP.get(str(k), "")
                + (" (not used: the centres were given)" if unused and k in _RULE_KEYS else ""),
            ]
            for k, v in p.items()
        ]
        parts.append(
            f"<h3>{html_text(layer)}</h3>"
            + _table(["parameter", "value", "meaning"], rows, text_cols=(0, 1, 2), css="params")
        )
    run = [
        [str(k), _param_value(str(k), v)]
        for k, v in dict(h.params).items()
        if k not in h.layers and k != "graph"
    ]
    if run:
        parts.append("<h3>run</h3>" + _table(["parameter", "value"], run, text_cols=(0, 1)))
    return "".join(parts)


# ---------------------------------------------------------------------- the report
def write_report(
    h,
    path,
    *,
    title: str | None = None,
    images: Mapping[str, str | os.PathLike] | None = None,
    links: Mapping[str, str] | None = None,
    given_centres: Iterable[str] | None = None,
) -> Path:
    """Write one self-contained HTML file describing a Hierarchy, for planners.

    Sections: what was delineated; how each layer was made (the centre rule with its
    thresholds as numbers, e.g. "6 centres found by the size rule: at least 1,304 jobs
    (0.20% of all jobs) and a job ratio of at least 1 ...", and the attachment rule); the
    quality of each layer with plain headers; the maps; per layer, the areas table and
    each area's members by name (a collapsible list per area, centres and how members
    joined; zones in no area by reason); nesting problems; a glossary (self-containment
    with the ONS TTWA targets, validity, modularity, ARI/NMI with the usual reading) and
    the parameters as tables. Area colours (the lowest layer, when the zones have
    geometry) are those of the maps (:func:`regionalize.plot.area_colours`). No script,
    every user text escaped.

    Parameters
    ----------
    h : Hierarchy
        The delineation, e.g. from :func:`regionalize.delineate`.
    path : path
        The ``.html`` file (written to a temporary file, then renamed; a missing folder is
        created).
    title : str, optional
        The report's title (default: ``"regionalize: <graph name>"``).
    images : mapping ``{caption: PNG path}``
        Maps to embed (as data URIs: the report is a single file).
    links : mapping ``{label: relative path}``
        Other outputs to link (e.g. the interactive map, the GeoPackage).
    given_centres : iterable of str, optional
        Layers whose centres the user gave (``--centres``, a preset); the others' centres
        were found by rule. When None, a layer counts as given when its parameters say so
        (``centres_given``), else the report gives the rule without claiming it was used.

    Returns
    -------
    pathlib.Path
        ``path``.

    See Also
    --------
    regionalize.plot.plot_hierarchy : A map to embed with ``images``.
    regionalize.io.write_gpkg : The same run as a GeoPackage, to link with ``links``.

    Examples
    --------
    >>> import pathlib, re, tempfile
    >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = rz.report.write_report(h, pathlib.Path(tmp) / "report.html",
    ...                                   title="Synthetic country")
    ...     html = path.read_text()
    >>> re.findall(r"<h2>(.*?)</h2>", html)
    ['How the areas were found', 'Layers and quality', 'Layer megaregion: 1 areas', 'Layer metropolitan: 1 areas', 'Layer urban: 4 areas', 'Glossary', 'Parameters of the run']
    >>> "1 centre (Udaec). When centres are not given, they are found by the size rule" in html
    True
    """
    from .quality import area_quality, quality

    path = check_output_file(path, "path", create_parent=True)  # before any work
    g = h.graph
    if title is not None and not isinstance(title, str):
        raise InvalidParameterError(
            f"The 'title' parameter of write_report must be a str or None. Got {title!r} instead."
        )
    title = title or f"regionalize: {g.name or 'delineation'}"
    labels = _zone_labels(g)
    given_set = set(given_centres) if given_centres is not None else None
    colour_layer = h.layers[-1] if g.geometry is not None and h.layers else None
    colours = None
    if colour_layer is not None:
        from .plot import area_colours

        colours = area_colours(h, colour_layer).to_dict()

    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html_text(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html_text(title)}</h1>",
    ]
    layer_list = ", ".join(f"{layer} ({h[layer].n_areas} areas)" for layer in h.layers)
    parts.append(
        f'<p class="lead">Functional areas drawn from the commuting flows between '
        f"{g.n_zones:,} zones ({g.n_flows:,} non-zero flows, {g.total:,.0f} in total). "
        f"Layers, top first: {html_text(layer_list)}.</p>"
    )
    parts.append(f'<p class="note">{html_text(repr(h))}<br>{html_text(repr(g))}</p>')
    if not g.has_diagonal:
        parts.append(
            '<p class="note">The flows have no diagonal (no flows inside a zone): '
            "self-containment counts only flows between the zones of an area, so it "
            "reads lower than in census tables that include people working in "
            "their own zone.</p>"
        )
    if links:
        parts.append(
            "<p>Other outputs: "
            + " &middot; ".join(
                f'<a href="{html_href(v)}">{html_text(k)}</a>' for k, v in links.items()
            )
            + "</p>"
        )

    # how the layers were made
    how = []
    for layer in h.layers:
        p = dict(h[layer].params)
        given = (layer in given_set) if given_set is not None else p.get("centres_given")
        sentences = _how(h, layer, given)
        if sentences:
            how.append(
                f"<li><strong>{html_text(layer)}</strong>: {html_text(' '.join(sentences))}</li>"
            )
    if how:
        parts.append("<h2>How the areas were found</h2><ul class='how'>" + "".join(how) + "</ul>")
    # what was repaired or changed when the data was read (a transposed matrix, dropped
    # totals, a detected encoding): the planner must see it beside the result
    repairs = [str(r) for r in (g.meta.get("repairs") or [])]
    quirks = [str(q) for q in (g.meta.get("quirks") or [])]
    if repairs or quirks:
        parts.append(
            "<h2>How the data was read</h2><ul class='how'>"
            + "".join(f"<li>{html_text(r)}</li>" for r in repairs)
            + "".join(f"<li>known quirk of the source: {html_text(q)}</li>" for q in quirks)
            + "</ul>"
        )

    # quality per layer
    rows, qualities = [], {}
    for layer in h.layers:
        q = quality(g, h[layer])
        qualities[layer] = area_quality(g, h[layer])
        mod = q["modularity"]
        mod_cls = "ok" if mod > 0.3 else "weak"
        rows.append(
            [
                layer,
                _fmt(q["areas"]),
                _fmt(q["unassigned_zones"]),
                _pct(q["internal_share"]),
                _pct(q["sc_supply"]),
                _pct(q["sc_demand"]),
                _pct(q["valid_share"], 0),
                f'<span class="{mod_cls}">{html_text(f"{mod:.3f}")}</span>',
            ]
        )
    parts.append(
        "<h2>Layers and quality</h2>"
        "<p>Self-containment is the residents-weighted (supply) or jobs-weighted (demand) "
        "mean over the areas. The UK travel-to-work areas aim at 75% (66.7% for the largest "
        "areas); modularity above about 0.3 is usually taken as meaningful structure "
        "(green). See the glossary below.</p>"
        + _table(
            [
                "layer",
                *[
                    QUALITY_TITLES[k]
                    for k in (
                        "areas",
                        "unassigned_zones",
                        "internal_share",
                        "sc_supply",
                        "sc_demand",
                        "valid_share",
                        "modularity",
                    )
                ],
            ],
            rows,
            raw_cols=(7,),
        )
    )

    for caption, img in (images or {}).items():
        parts.append(f"<h2>{html_text(caption)}</h2>{_image(Path(img), str(caption))}")

    # one section per layer
    for layer in h.layers:
        table = h.summary(layer)
        aq = qualities[layer]  # the same figures as the quality table above
        table = table.assign(
            **{
                col: [aq[src].get(str(a), np.nan) for a in table.index]
                for col, src in (
                    ("self_containment_supply", "sc_supply"),
                    ("self_containment_demand", "sc_demand"),
                    ("validity", "validity"),
                )
            }
        )
        cols = [
            c
            for c in [
                "name",
                "kind",
                "centre_names",
                "n_zones",
                "residents",
                "jobs",
                "population",
                "self_containment_supply",
                "self_containment_demand",
                "validity",
            ]
            if c in table.columns
        ]
        if "kind" in cols and table["kind"].astype(str).nunique() <= 1:
            cols.remove("kind")  # one kind: says nothing
        table = table.sort_values("n_zones", ascending=False, kind="stable")
        shown = table.head(60)
        with_colour = colours is not None and layer == colour_layer
        body = []
        for a, r in shown.iterrows():
            cells = []
            for c in cols:
                v = r[c]
                if c.startswith("self_containment"):
                    cells.append(_pct(v))
                elif c == "validity":
                    cells.append("" if pd.isna(v) else f"{v:.2f}")
                elif c == "centre_names":
                    centres = (
                        h[layer].areas["centres"].get(a, ())
                        if "centres" in h[layer].areas.columns
                        else ()
                    )
                    cells.append(
                        ", ".join(str(labels.get(z, z)) for z in centres)
                        if isinstance(centres, tuple) and centres
                        else _fmt(v)
                    )
                elif c == "name":
                    cells.append(
                        (_swatch(colours.get(a)) if with_colour else "") + html_text(_fmt(v))
                    )
                else:
                    cells.append(_fmt(v))
            body.append(cells)
        text_cols = [i for i, c in enumerate(cols) if c in ("name", "kind", "centre_names")]
        parts.append(f"<h2>Layer {html_text(layer)}: {len(table)} areas</h2>")
        note = (
            "Largest areas first. "
            + ("The colour squares are the areas' colours on the maps. " if with_colour else "")
            + (
                f"The {len(table) - 60:,} smaller areas are in the files. "
                if len(table) > 60
                else ""
            )
        )
        parts.append(f'<p class="note">{html_text(note)}</p>')
        parts.append(
            _table(
                [COLUMN_TITLES.get(c, c) for c in cols],
                body,
                text_cols=text_cols,
                raw_cols=(0,) if cols and cols[0] == "name" else (),
            )
        )
        parts.append(
            f"<h3>Members of each area of {html_text(layer)}</h3>"
            '<p class="note">Click an area to list its zones.</p>'
            + _members_html(h, layer, labels, colours if with_colour else None)
        )

    nesting = h.nesting()
    if len(nesting):
        rows = [
            [
                str(r.lower),
                str(h[r.lower].areas["name"].get(r.area, r.area)),
                str(r.upper),
                ", ".join(
                    "(none)" if u is None else str(h[r.upper].areas["name"].get(u, u))
                    for u in r.upper_labels
                ),
                _fmt(r.n_zones),
            ]
            for r in nesting.itertuples()
        ]
        parts.append(
            f"<h2>Nesting: {len(nesting)} areas cross a boundary of a layer above"
            "</h2>"
            + _table(
                ["layer", "area", "layer above", "its areas there", "zones"],
                rows,
                text_cols=(0, 1, 2, 3),
            )
        )

    parts.append(
        "<h2>Glossary</h2><dl>"
        + "".join(
            f"<dt>{html_text(term)}</dt><dd>{html_text(text)}</dd>" for term, text in GLOSSARY
        )
        + "</dl>"
    )
    parts.append("<h2>Parameters of the run</h2>" + _parameters_html(h, given_set))
    parts.append("</body></html>")
    return write_text(path, "\n".join(parts))
