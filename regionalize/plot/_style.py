"""How every static map looks: area colours, legends, labels and axes.

Shared by the maps of :mod:`regionalize.plot` and the Monitor's maps
(:mod:`regionalize.plot.change`): :func:`area_colours` (public through
:mod:`regionalize.plot`) and the categorical :func:`palette` behind it, the colour of
unassigned zones, the legend at the right of a map, area name labels and their
decluttering, new axes, and :func:`one_draw`, which keeps a map from redrawing its figure
after every layer.
"""

from __future__ import annotations

import numpy as np

from .._drawing import one_draw
from .._markup import matplotlib_text

__all__ = [
    "UNASSIGNED_COLOUR",
    "GREY",
    "one_draw",
    "new_axes",
    "palette",
    "assign_colours",
    "area_colours",
    "side_legend",
    "map_label",
    "declutter",
    "area_size",
]

#: the colour of zones in no area, on every map and in the report
UNASSIGNED_COLOUR = "#e0e0e0"
#: UNASSIGNED_COLOUR as RGBA (monitor maps)
GREY = (224 / 255, 224 / 255, 224 / 255, 1.0)


def new_axes(ax, figsize=(9, 10)):
    """``ax``, or the axes of a new figure of ``figsize``."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def palette(n: int) -> list:
    """``n`` categorical colours without greys (grey means "unassigned"): tab10 for up to 9,
    else tab20 / tab20b / tab20c (strong shades first); cycled beyond their 54 distinct colours
    (maps use :func:`assign_colours`, which keeps touching areas apart when colours repeat)."""
    import matplotlib.pyplot as plt

    def no_grey(colours):
        return [c for c in colours if max(c[:3]) - min(c[:3]) > 0.05]

    small = no_grey([plt.get_cmap("tab10")(i) for i in range(10)])
    if n <= len(small):
        return small[:n]
    base = []
    for name in ("tab20", "tab20b", "tab20c"):
        cmap = plt.get_cmap(name)
        k = 2 if name == "tab20" else 4
        base += [cmap(i) for shade in range(k) for i in range(shade, 20, k)]
    base = list(dict.fromkeys(tuple(c) for c in no_grey(base)))  # distinct colours
    return [base[i % len(base)] for i in range(n)]


def assign_colours(graph, part) -> list:
    """One colour per area of ``part`` (in ``part.areas`` order).

    Up to the palette's 54 distinct colours every area has its own. Beyond that colours
    must repeat, so they are chosen so that touching areas never share one: areas are
    coloured largest first, each taking the first colour, counted from its own position
    in the palette, that no already-coloured neighbour uses (neighbours from the zones'
    polygon contiguity; areas touch when any of their zones do). Deterministic.
    """
    n = part.n_areas
    colours = palette(min(n, 54))
    if n <= len(colours) or graph.geometry is None:
        return [colours[i % len(colours)] for i in range(n)] if colours else []
    import scipy.sparse as sp

    codes = part.codes()
    adj = sp.coo_array(graph.build_contiguity().adjacency)
    a, b = codes[adj.row], codes[adj.col]
    keep = (a >= 0) & (b >= 0) & (a != b)
    touch = sp.csr_array((np.ones(int(keep.sum())), (a[keep], b[keep])), shape=(n, n))
    size = np.bincount(codes[codes >= 0], minlength=n)
    colour = np.full(n, -1)
    for area in np.lexsort((np.arange(n), -size)):
        used = set(colour[touch.indices[touch.indptr[area] : touch.indptr[area + 1]]].tolist())
        for step in range(len(colours)):
            c = (area + step) % len(colours)
            if c not in used:
                break
        colour[area] = c
    return [colours[c] for c in colour]


def area_colours(h, layer: str):
    """The colour of every area of a layer, as used by every map and the report.

    Parameters
    ----------
    h : Hierarchy
    layer : str

    Returns
    -------
    pandas.Series
        ``"#rrggbb"`` per area id (in ``h[layer].areas`` order). Deterministic: the same
        Hierarchy gives the same colours in :func:`plot_layer`, :func:`plot_hierarchy`,
        :func:`explore` and the HTML report. Up to 54 areas each has its own colour;
        beyond that colours repeat, never between touching areas (when the zones have
        polygons). Zones in no area are :data:`UNASSIGNED_COLOUR`.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("a", "a", 9), ("b", "b", 5), ("b", "a", 5), ("c", "c", 9)]
    >>> g = rz.FlowGraph.from_dataframe(pd.DataFrame(rows, columns=["origin",
    ...                                                          "destination", "flow"]))
    >>> h = rz.Hierarchy(g, [rz.metropolitan_areas(g, ["a", "c"])])
    >>> area_colours(h, "metropolitan").to_dict()
    {'a': '#1f77b4', 'c': '#ff7f0e'}
    """
    import pandas as pd
    from matplotlib.colors import to_hex

    part = h[layer]
    colours = assign_colours(h.graph, part)
    return pd.Series(
        [to_hex(c) for c in colours], index=part.areas.index, dtype=object, name="colour"
    )


def side_legend(ax, handles: list, title: str) -> None:
    """The legend of a map, right of the axes (nothing when there is nothing to show)."""
    if handles:
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=7,
            title=matplotlib_text(title),
            title_fontsize=8,
            frameon=False,
        )


def map_label(ax, text, x, y, fontsize=7):
    """An area name at ``(x, y)`` on a white box (text as given, never mathtext)."""
    return ax.annotate(
        text,
        (x, y),
        fontsize=fontsize,
        xytext=(3, 3),
        textcoords="offset points",
        zorder=6,
        parse_math=False,
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.75, "lw": 0},
    )


def declutter(ax, texts) -> None:
    """Hide labels overlapping a label drawn before them (``texts`` by priority)."""
    if not texts:
        return
    renderer = ax.figure.canvas.get_renderer()
    kept = []
    for t in texts:
        box = t.get_window_extent(renderer).expanded(1.05, 1.1)
        if any(box.overlaps(k) for k in kept):
            t.set_visible(False)
        else:
            kept.append(box)


def area_size(h, layer):
    """Residents per area of ``layer`` (population when the zone table has one)."""
    s = h.summary(layer)
    col = (
        "population" if "population" in s.columns and s["population"].notna().any() else "residents"
    )
    return s[col].fillna(0.0).astype(float), col
