"""The tree of a Hierarchy (:func:`plot_tree`): every area of every layer as a circle sized
by its population, linked to the area of the layer above that holds most of its zones.
Needs no geometry.
"""

from __future__ import annotations

import numpy as np

from .._markup import matplotlib_text
from ._style import area_size, new_axes, palette

__all__ = ["plot_tree"]


def _parents(upper, lower) -> dict:
    """Area of ``upper`` holding most zones of every area of ``lower`` (None: unassigned)."""
    import pandas as pd

    frame = pd.DataFrame({"lower": lower.codes(), "upper": upper.codes()})
    frame = frame[frame.lower >= 0]
    counts = frame.groupby(["lower", "upper"]).size().reset_index(name="n")
    best = counts.sort_values(
        ["lower", "n", "upper"], ascending=[True, False, False]
    ).drop_duplicates("lower")
    up_ids = upper.areas.index
    low_ids = lower.areas.index
    return {
        low_ids[r.lower]: (up_ids[r.upper] if r.upper >= 0 else None) for r in best.itertuples()
    }


def _tilt_if_crowded(ax, texts) -> None:
    """Turn a row of labels 45 degrees (anchored at their right end) when any two overlap."""
    if len(texts) < 2:
        return
    renderer = ax.figure.canvas.get_renderer()
    boxes = sorted((t.get_window_extent(renderer) for t in texts), key=lambda b: b.x0)
    if any(a.x1 + 2 > b.x0 for a, b in zip(boxes, boxes[1:], strict=False)):
        for t in texts:
            t.set(rotation=45, ha="right", rotation_mode="anchor")


def plot_tree(h, *, layers=None, ax=None, max_labels: int = 60):
    """Draw the hierarchy as a tree: every area of every layer, top layer first.

    Parameters
    ----------
    h : Hierarchy
    layers : list of str, optional
        Layers to draw, top first (default: all, in the Hierarchy's order).
    ax : matplotlib.axes.Axes, optional
    max_labels : int
        Name at most this many areas per layer (the largest); labels of layers with many
        areas are turned vertical.

    Returns
    -------
    matplotlib.axes.Axes
        One row per layer; each area a circle (one PathCollection per layer, gid
        ``"tree-<layer>"``, one point per area) with area proportional to its population
        (residents when there is no population), linked to the area of the layer above
        that holds most of its zones; when they are mostly unassigned there, to the area of
        the nearest layer further up that holds them (e.g. a small urban area outside the
        metropolitan areas hangs from its megaregion). Areas unassigned in every layer above
        hang from the top.

    Notes
    -----
    Works without geometry. When layers do not nest, an area hangs from the upper area
    holding most of its zones.

    See Also
    --------
    regionalize.plot.plot_hierarchy : The same layers on a map.

    Examples
    --------
    One megaregion, one metropolitan area and four urban areas, one row each:

    >>> import matplotlib.pyplot as plt
    >>> h = rz.delineate(rz.synthetic_country(60, seed=1))
    >>> ax = rz.plot.plot_tree(h)
    >>> {c.get_gid(): len(c.get_offsets()) for c in ax.collections if c.get_gid()}
    {'tree-megaregion': 1, 'tree-metropolitan': 1, 'tree-urban': 4}
    >>> plt.close(ax.figure)
    """
    from matplotlib.collections import LineCollection

    layers = list(layers) if layers is not None else list(h.layers)
    if not layers:
        raise ValueError("plot_tree needs at least one layer")
    for layer in layers:
        h[layer]  # KeyError naming the layers
    # nodes: (layer, area); parent links to the layer above
    children: dict = {None: []}
    parent_of: dict = {}
    for depth, layer in enumerate(layers):
        ids = list(h[layer].areas.index)
        # the nearest layer above in which the area's zones are mostly assigned
        ups: dict = {}
        for above in range(depth - 1, -1, -1):
            for a, up in _parents(h[layers[above]], h[layer]).items():
                if up is not None and a not in ups:
                    ups[a] = (layers[above], up)
        for a in ids:
            node = (layer, a)
            parent = ups.get(a)
            parent_of[node] = parent
            children.setdefault(parent, []).append(node)
            children.setdefault(node, [])
    sizes = {layer: area_size(h, layer)[0] for layer in layers}
    measure = area_size(h, layers[0])[1]

    # children sorted by size; leaves take successive slots, parents centred over children
    def key(node):
        return -sizes[node[0]].get(node[1], 0.0)

    x: dict = {}
    slot = [0]

    def place(node):
        kids = sorted(children.get(node, []), key=key)
        for k in kids:
            place(k)
        if node is None:
            return
        if kids:
            x[node] = float(np.mean([x[k] for k in kids]))
        else:
            x[node] = float(slot[0])
            slot[0] += 1

    # roots: the top layer, then lower areas hanging from nothing, in layer order
    roots = sorted(children[None], key=lambda n: (layers.index(n[0]), key(n)))
    for r in roots:
        place(r)
    n_slots = max(slot[0], 1)
    ax = new_axes(ax, figsize=(max(8.0, min(0.3 * n_slots, 30.0)), 1.8 + 1.9 * len(layers)))
    vmax = max(float(s.max()) if len(s) else 0.0 for s in sizes.values()) or 1.0
    segs = []
    for node, parent in parent_of.items():
        if parent is not None:
            segs.append([(x[parent], -layers.index(parent[0])), (x[node], -layers.index(node[0]))])
    if segs:
        ax.add_collection(LineCollection(segs, colors="0.6", linewidths=0.8, zorder=1))
    # limits first: the crowding test below measures labels in display space
    ax.set_xlim(-1, n_slots)
    ax.set_ylim(-len(layers) + 0.4, 0.5)
    for depth, layer in enumerate(layers):
        part = h[layer]
        ids = list(part.areas.index)
        xs = [x[(layer, a)] for a in ids]
        s = sizes[layer].reindex(ids).fillna(0.0).to_numpy(dtype=float)
        marker = 20 + 900 * s / vmax
        ax.scatter(
            xs,
            np.full(len(ids), -depth, dtype=float),
            s=marker,
            color=palette(max(len(layers), 1))[depth],
            edgecolor="0.2",
            linewidth=0.5,
            zorder=3,
            gid=f"tree-{layer}",
            alpha=0.9,
        )
        named = set(sizes[layer].sort_values(ascending=False).index[:max_labels])
        row = []
        for a, xv, ms in zip(ids, xs, marker, strict=True):
            if a not in named:
                continue
            # below the circle (radius in points = sqrt(s) / 2)
            row.append(
                ax.annotate(
                    str(part.areas.at[a, "name"]),
                    (xv, -depth),
                    xytext=(0, -(np.sqrt(ms) / 2 + 2)),
                    textcoords="offset points",
                    ha="center",
                    va="top",
                    fontsize=7,
                    zorder=4,
                    parse_math=False,
                )
            )
        _tilt_if_crowded(ax, row)
        ax.text(
            -0.02,
            -depth,
            f"{layer}\n({len(ids)})",
            ha="right",
            va="center",
            parse_math=False,
            fontsize=9,
            fontweight="bold",
            transform=ax.get_yaxis_transform(),
        )
    ax.set_axis_off()
    ax.set_title(
        matplotlib_text(f"{h.graph.name or 'hierarchy'}: areas by layer (circle area: {measure})"),
        fontsize=10,
    )
    return ax
