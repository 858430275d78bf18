"""A self-contained HTML report of a run: parameters, layer tables, quality, nesting, maps."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ._files import check_output_file, write_text
from ._markup import html_href, html_text

__all__ = ["write_report"]

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1100px;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
img{max-width:100%;border:1px solid #eee}.note{color:#666;font-size:.9em}
pre{background:#f7f7f7;padding:.8em;overflow:auto;font-size:.8em}
"""


def _table(df: pd.DataFrame, max_rows: int = 60) -> str:
    shown = df.head(max_rows)

    def fmt(v):
        if isinstance(v, float):
            return "" if pd.isna(v) else (f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}")
        if isinstance(v, tuple):
            return "+".join(map(str, v))
        return "" if v is None else str(v)

    text = shown.to_html(escape=True, formatters={c: fmt for c in shown.columns},
                         na_rep="", border=0)
    if len(df) > max_rows:
        text += f'<p class="note">{len(df) - max_rows} more rows in the files.</p>'
    return text


def _image(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{html_text(Path(path).stem)}" src="data:image/png;base64,{data}">'


def write_report(h, path, *, title: str | None = None,
                 images: Mapping[str, str | os.PathLike] | None = None,
                 links: Mapping[str, str] | None = None) -> Path:
    """Write one self-contained HTML file describing a Hierarchy.

    Parameters
    ----------
    h : Hierarchy
    path : path of the ``.html`` file (written to a temporary file, then renamed; a
        missing folder is created)
    title : str, optional
    images : mapping ``{caption: PNG path}``
        Maps to embed (as data URIs: the report is a single file).
    links : mapping ``{label: relative path}``
        Other outputs to link (e.g. the interactive map, the GeoPackage).

    Returns
    -------
    pathlib.Path
    """
    from .quality import quality

    path = check_output_file(path, "path", create_parent=True)  # before any work
    g = h.graph
    title = title or f"regionalize: {g.name or 'delineation'}"
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{html_text(title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{html_text(title)}</h1>",
             f"<p>{html_text(repr(h))}<br>{html_text(repr(g))}</p>"]
    if not g.has_diagonal:
        parts.append('<p class="note">The flows have no diagonal (no flows inside a zone): '
                     "self-containment counts only flows between the zones of an area.</p>")
    if links:
        parts.append("<p>" + " · ".join(f'<a href="{html_href(v)}">{html_text(k)}</a>'
                                         for k, v in links.items()) + "</p>")
    for caption, img in (images or {}).items():
        parts.append(f"<h2>{html_text(caption)}</h2>{_image(Path(img))}")
    rows = {}
    for layer in h.layers:
        q = quality(g, h[layer])
        rows[layer] = {"areas": q["areas"], "unassigned zones": q["unassigned_zones"],
                       "internal share": q["internal_share"],
                       "self-containment (supply)": q["sc_supply"],
                       "modularity": q["modularity"]}
    table = pd.DataFrame.from_dict(rows, orient="index").astype(
        {"areas": int, "unassigned zones": int})  # counts stay integers
    parts.append("<h2>Layers and quality</h2>" + _table(table))
    nesting = h.nesting()
    if len(nesting):
        parts.append(f"<h2>Nesting: {len(nesting)} areas cross a boundary of a layer "
                     "above</h2>" + _table(nesting))
    for layer in h.layers:
        table = h.summary(layer)
        cols = [c for c in ["name", "kind", "centre_names", "n_zones", "residents", "jobs",
                            "population", "self_containment_supply"] if c in table.columns]
        unassigned = h[layer].unassigned.value_counts()
        parts.append(f"<h2>Layer {html_text(layer)}: {len(table)} areas</h2>"
                     + _table(table[cols].sort_values("n_zones", ascending=False)))
        if len(unassigned):
            parts.append("<p>Unassigned zones by reason:</p>"
                         + _table(unassigned.rename("zones").to_frame()))
    params = json.dumps(dict(h.params), indent=2, default=str, ensure_ascii=False)
    parts.append(f"<h2>Parameters of the run</h2><pre>{html_text(params)}</pre>")
    parts.append("</body></html>")
    return write_text(path, "\n".join(parts))
