"""User text never becomes markup: every HTML and Markdown sink shows hostile names literally.

Zone, area, layer, graph and column names are user data. Three payload families go through
every sink: script tags, event handlers (in text and breaking out of an attribute) and
Markdown/table breakers (``|``, a newline, backticks and emphasis). Each test checks that
the payload is not markup in the output AND that the output reads as the original text once
rendered (escaped exactly once: double escaping shows ``&lt;`` to the reader and is a bug
too). The sinks: the interactive map (``plot.explore``), the notebook HTML of FlowGraph,
Hierarchy, Partition and Monitor, ``summary.md`` (``_demo._markdown``) and ``report.html``
(``report.write_report``).
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from _toys import FLOWS, IDS, hand_partition, squares

from regionalize._demo import _markdown, summarise
from regionalize._markup import html_href, html_text, map_text, markdown_cell, markdown_row
from regionalize.flows import FlowGraph
from regionalize.hierarchy import Hierarchy
from regionalize.monitor import monitor

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ATTR = '" onmouseover="alert(1)'
PIPE = "a|b"
NEWLINE = "new\nline\r\nend"
MARKS = "`code` *em* _u_ [link](http://x) ~~s~~ \\* # end"
#: one hostile name per zone (ids 01..08); the first must read "Saint-Étienne & <Lyon>"
ZONE_NAMES = [
    "Saint-Étienne & <Lyon>",
    SCRIPT,
    IMG,
    ATTR,
    PIPE,
    NEWLINE,
    MARKS,
    "{{ 7*7 }} {% if 1 %}j2{% endif %} &lt;",
]
AREA_NAMES = {"M1": "<img src=y onerror=alert(2)> & co", "M2": "{{ 6*7 }} | <b>bold</b>"}
LAYER = "<svg onload=alert(3)>metro|`x`"
GRAPH_NAME = '<svg/onload=alert(4)> "g" & <script>alert(5)</script>'
COLUMN = "<script>alert(6)</script>|col"
PAYLOADS = [SCRIPT, IMG, ATTR, "<img src=y", "<svg", "<b>", "<script>alert("]
TAGS_OF_PAYLOADS = {"script", "img", "svg", "b"}


def _graph() -> FlowGraph:
    zones = pd.DataFrame({"name": ZONE_NAMES, COLUMN: range(8)}, index=IDS)
    flows = pd.DataFrame(FLOWS, columns=["origin", "destination", "flow"])
    return FlowGraph.from_dataframe(flows, zones=zones, geometry=squares(), name=GRAPH_NAME)


def _partition(name: str = LAYER):
    return hand_partition(
        name,
        {"M1": ["01", "02", "03"], "M2": ["05", "06"]},
        {"M1": ("01",), "M2": ("05", "06")},
        IDS,
        names=AREA_NAMES,
    )


@pytest.fixture(scope="module")
def graph():
    return _graph()


@pytest.fixture(scope="module")
def h(graph):
    return Hierarchy(graph, [_partition()])


class _Parse(HTMLParser):
    """Tags, attributes, text outside scripts and the text of each script of a document."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text, self.scripts, self.hrefs = [], [], [], [], []
        self._in = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]
        self.hrefs += [v for name, v in attrs if name == "href"]
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in is None:
            self.text.append(data)


def _assert_inert(page: _Parse) -> None:
    """No element nor event handler from a payload; the page's own scripts aside."""
    assert not TAGS_OF_PAYLOADS - {"script"} & set(page.tags)
    assert not [a for a in page.attrs if a.startswith("on")]
    for script in page.scripts:  # the scripts are folium's own, never a payload's
        assert not any(p in script for p in PAYLOADS)


def _js_strings(scripts: list[str]) -> list[str]:
    """Every double-quoted (JSON) string literal of the scripts, decoded as JavaScript does."""
    found = []
    for script in scripts:
        for literal in re.findall(r'"(?:[^"\\\n]|\\.)*"', script):
            try:
                found.append(json.loads(literal))
            except ValueError:
                continue
    return found


def _reads_as(strings: list[str], original: str) -> bool:
    """Some string is ``original`` escaped exactly once for ``innerHTML`` (no raw markup)."""
    return any("<" not in s and '"' not in s and html.unescape(s) == original for s in strings)


# ---------------------------------------------------------------------------- the toolkit
@pytest.mark.parametrize(
    "text", [*ZONE_NAMES, *AREA_NAMES.values(), LAYER, GRAPH_NAME, COLUMN, "", "plain", "&amp;"]
)
def test_html_text_and_map_text_escape_once(text):
    for escape in (html_text, map_text):
        out = escape(text)
        assert not set("<>\"'") & set(out)
        assert html.unescape(out) == text  # reads as the original: escaped exactly once
    assert "{" not in map_text(text) and "}" not in map_text(text)  # no Jinja2 delimiters
    assert html_text(None) == "" and markdown_cell(None) == ""


@pytest.mark.parametrize(
    "url, kept",
    [
        ("map.html", True),
        ("https://x.org/a?b=1&c=2", True),
        ("sub/a b.gpkg", True),
        ("mailto:a@b.c", True),
        ("javascript:alert(1)", False),
        (" JaVa\tScRiPt:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ('x" onclick="alert(1)', True),
    ],
)
def test_html_href_never_runs_code(url, kept):
    out = html_href(url)
    assert '"' not in out and "<" not in out
    target = html.unescape(out)
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", target)
    assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto")
    assert (target == url) is kept or target == "./" + re.sub(r"[\t\n\r]", "", url.strip())


def _cells(row: str) -> list[str]:
    """The cells of a GFM table row: split on pipes not escaped by a backslash."""
    assert row.startswith("| ") and row.endswith(" |"), row
    cells, cell, i = [], "", 1
    while i < len(row) - 1:
        ch = row[i]
        if ch == "\\":
            cell += row[i : i + 2]
            i += 2
            continue
        if ch == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += ch
        i += 1
    cells.append(cell.strip())
    return cells


def _unmark(cell: str) -> str:
    """What a Markdown renderer shows for an escaped cell: backslash escapes, then entities."""
    return html.unescape(re.sub(r"\\(.)", r"\1", cell))


def _flat(text: str) -> str:
    return " ".join(text.splitlines())


@pytest.mark.parametrize(
    "text", [*ZONE_NAMES, *AREA_NAMES.values(), LAYER, COLUMN, "a\\|b", "ends with \\"]
)
def test_markdown_cell_keeps_one_cell_and_reads_literally(text):
    row = markdown_row(["01", text, 3])
    assert "\n" not in row and "\r" not in row
    cells = _cells(row)
    assert len(cells) == 3
    assert _unmark(cells[1]) == _flat(text)
    assert not any(p in row for p in PAYLOADS)


# ---------------------------------------------------------------------------- the map
@pytest.fixture(scope="module")
def map_html(h):
    folium = pytest.importorskip("folium")
    from regionalize.plot import explore

    m = explore(h, tiles=None)
    folium.LayerControl().add_to(m)  # shows the layer names as HTML too
    return m.get_root().render()


def test_map_is_inert(map_html):
    page = _Parse(map_html)
    assert "html" in page.tags and "script" in page.tags
    _assert_inert(page)
    for payload in [*PAYLOADS, GRAPH_NAME, COLUMN]:
        assert payload not in map_html
    # Jinja2 (the legend is rendered as a template) evaluated nothing; folium's element ids
    # are random hex ("geo_json_...49 = "), so the evaluated text must not follow a hex digit
    assert not re.search(r"(?<![0-9a-f])42 \|", map_html)
    assert not re.search(r"(?<![0-9a-f])49 ", map_html)


def test_map_tooltips_and_popups_read_as_the_names(map_html):
    # tooltip and popup cells and headers are inserted with innerHTML: escaped exactly once
    strings = _js_strings(_Parse(map_html).scripts)
    for name in [*ZONE_NAMES, *AREA_NAMES.values(), f"{LAYER} area", "zone", "role"]:
        assert _reads_as(strings, name), name
    assert not any(p in s for s in strings for p in PAYLOADS)


def test_map_legend_and_layer_names_read_as_the_names(map_html):
    page = _Parse(map_html)
    text = [t.strip() for t in page.text if t.strip()]
    for name in [*AREA_NAMES.values(), f"{LAYER} area", "(unassigned)"]:  # the legend
        assert name in text, name
    strings = _js_strings(page.scripts)  # layer control: inserted with innerHTML
    assert _reads_as(strings, f"{LAYER} zones") and _reads_as(strings, f"{LAYER} areas")


# ---------------------------------------------------------------------------- notebooks
def _notebook_html(obj) -> str:
    """What a notebook shows: ``_repr_html_``, else the text repr (escaped by Jupyter)."""
    if hasattr(obj, "_repr_html_"):
        return obj._repr_html_()
    return f"<pre>{html.escape(repr(obj))}</pre>"


def _monitor(h):
    table = pd.DataFrame({f"{SCRIPT}_2010": range(8), f"{SCRIPT}_2020": range(1, 9)}, index=IDS)
    return monitor(h, table)


@pytest.mark.parametrize("kind", ["FlowGraph", "Hierarchy", "Partition", "Monitor"])
def test_notebook_html_is_inert_and_reads_as_the_names(kind, graph, h):
    obj = {
        "FlowGraph": lambda: graph,
        "Hierarchy": lambda: h,
        "Partition": lambda: h[LAYER],
        "Monitor": lambda: _monitor(h),
    }[kind]()
    out = _notebook_html(obj)
    page = _Parse(out)
    _assert_inert(page)
    assert not page.scripts
    for payload in PAYLOADS:
        assert payload not in out
    text = "".join(page.text)
    names = {
        "FlowGraph": [GRAPH_NAME, COLUMN],
        "Hierarchy": [GRAPH_NAME, LAYER],
        "Partition": [LAYER],
        "Monitor": [SCRIPT, LAYER],
    }[kind]
    for name in names:
        assert name in text, (kind, name)


def test_flowgraph_html_cells(graph):
    page = _Parse(graph._repr_html_())
    assert f"FlowGraph {GRAPH_NAME}" in page.text
    assert f"name, {COLUMN}" in page.text  # the zone attributes, literally


# ---------------------------------------------------------------------------- summary.md
@pytest.fixture(scope="module")
def summary_md(graph, h):
    s = summarise(graph)
    s["hierarchy"] = repr(h)
    table = h.summary(LAYER)[["name", "kind", "n_zones", "residents"]]
    s["layers"] = {
        LAYER: {
            "areas": len(table),
            "unassigned_zones": 3,
            "table": json.loads(table.to_json(orient="index")),
        }
    }
    s["quirks"] = [f"zone {IMG} repaired"]
    return s, _markdown(s)


def test_summary_md_tables_keep_their_cells(summary_md):
    s, text = summary_md
    rows = [
        line for line in text.splitlines() if line.startswith("|") and not set(line) <= set("|-: ")
    ]  # not the delimiter rows
    assert len(rows) > 10
    header = None
    for line in rows:
        cells = _cells(line)
        if header is None or cells[0] in ("zone", "from", "area"):
            header = len(cells)
        assert len(cells) == header, line
    shown = {_unmark(c) for line in rows for c in _cells(line)}
    for name in ZONE_NAMES:  # every zone is a destination or sends a flow in the toy
        if any(d["name"] == name for d in s["top_destinations"]) or any(
            name in (f["from"], f["to"]) for f in s["top_flows"]
        ):
            assert _flat(name) in shown, name
    for name in AREA_NAMES.values():
        assert name in shown


def test_summary_md_has_no_markup(summary_md):
    s, text = summary_md
    for payload in PAYLOADS:
        assert payload not in text
    heading = [line for line in text.splitlines() if line.startswith("# ")][0]
    assert _unmark(heading[2:]) == GRAPH_NAME
    assert f"### {markdown_cell(LAYER)}:" in text


def test_summary_md_renders_literally(summary_md):
    markdown_it = pytest.importorskip("markdown_it")
    _, text = summary_md
    out = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    page = _Parse(out)
    _assert_inert(page)
    assert not {"code", "em", "strong", "a", "s", "del"} & set(page.tags)
    cells = [t for t in page.text if t.strip()]
    for name in ZONE_NAMES[:7]:
        assert any(_flat(name) == c.strip() for c in cells), name
    assert GRAPH_NAME in cells


# ---------------------------------------------------------------------------- report.html
def test_report_is_inert_and_reads_as_the_names(h, tmp_path):
    from regionalize.report import write_report

    path = write_report(
        h,
        tmp_path / "report.html",
        title=GRAPH_NAME,
        links={LAYER: "javascript:alert(1)", "map": "map.html"},
    )
    out = path.read_text(encoding="utf-8")
    page = _Parse(out)
    _assert_inert(page)
    assert not page.scripts
    for payload in PAYLOADS:
        assert payload not in out
    text = [t.strip() for t in page.text]
    assert text.count(GRAPH_NAME) == 2  # <title> and <h1>
    for name in [*AREA_NAMES.values(), LAYER, f"Layer {LAYER}: 2 areas"]:
        assert name in text, name
    assert page.hrefs == ["./javascript:alert(1)", "map.html"]


# ---------------------------------------------------------------------------- matplotlib
DOLLARS = {"M1": "Cost $5 to $10", "M2": "$\\frac{$ x"}  # mathtext; the second cannot parse


def test_static_maps_draw_names_literally():
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from regionalize.plot import plot_flows, plot_hierarchy, plot_layer, plot_tree

    graph = FlowGraph.from_dataframe(
        pd.DataFrame(FLOWS, columns=["origin", "destination", "flow"]),
        geometry=squares(),
        name="$g$ & $h",
    )
    part = hand_partition(
        "l$a$yer",
        {"M1": ["01", "02", "03"], "M2": ["05", "06"]},
        {"M1": ("01",), "M2": ("05", "06")},
        IDS,
        names=DOLLARS,
    )
    h = Hierarchy(graph, [part])
    try:
        for draw, named in (
            (lambda: plot_layer(h, "l$a$yer"), True),
            (lambda: plot_hierarchy(h), True),
            (lambda: plot_tree(h), True),
            (lambda: plot_flows(h, top=5), False),
        ):
            ax = draw()
            ax.figure.savefig(io.BytesIO(), format="png", dpi=40)  # mathtext would raise
            legend = ax.get_legend()
            texts = [
                *ax.texts,
                ax.title,
                *(legend.get_texts() if legend else []),
                *([legend.get_title()] if legend else []),
            ]
            shown = []
            for t in texts:
                s = t.get_text()
                if t.get_parse_math():
                    assert s.count("$") == s.count("\\$"), s  # no mathtext left
                    s = s.replace("\\$", "$")
                shown.append(s)
            assert any("$g$ & $h" in s for s in shown)
            if named:  # the areas' names, as labels (and legend entries)
                assert set(DOLLARS.values()) <= set(shown), shown
    finally:
        plt.close("all")
