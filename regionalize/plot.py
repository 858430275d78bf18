"""Static maps of a Hierarchy (matplotlib)."""

from __future__ import annotations

import numpy as np

from .errors import InvalidZonesError

__all__ = ["plot_hierarchy"]


def plot_hierarchy(h, *, fill: str | None = None, outlines=None, crs=None, ax=None,
                   label_centres: int = 25, title: str | None = None):
    """Draw nested layers together: ``fill`` coloured by area (default: the lowest layer),
    the other layers as outlines (default: the layers above it, bolder higher up), central
    zones marked and the largest areas named.

    Parameters
    ----------
    h : Hierarchy
    fill : str, optional
        Layer whose areas are coloured; unassigned zones are light grey.
    outlines : list of str, optional
        Layers drawn as area outlines.
    crs : optional
        Projection to draw in; default the graph's ``meta["projected_crs"]`` when its
        geometry is in longitude/latitude.
    label_centres : int
        Name the centres of this many largest areas of the ``fill`` layer.
    """
    import matplotlib.pyplot as plt

    graph = h.graph
    if graph.geometry is None:
        raise InvalidZonesError("The graph has no geometry to map; attach zone polygons with "
                                "graph.with_geometry(...).")
    layers = list(h.layers)
    fill = fill or layers[-1]
    if outlines is None:
        outlines = layers[:layers.index(fill)]
    zones = h.to_geodataframe()
    target = crs or (graph.meta.get("projected_crs") if graph.crs is not None
                     and graph.crs.is_geographic else None)
    if target:
        zones = zones.to_crs(target)
    zones = zones[zones.geometry.notna()]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 10))
    palette = [plt.get_cmap("tab20")(i) for i in range(20)] + \
        [plt.get_cmap("tab20b")(i) for i in range(20)]
    codes = h[fill].codes()
    code_of = dict(zip(h.graph.ids, codes, strict=True))
    colours = np.array([palette[code_of[z] % len(palette)] if code_of[z] >= 0
                        else (0.9, 0.9, 0.9, 1.0) for z in zones.index])
    zones.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.2)
    # higher layers: wider, dashed and grey; the layer just above the fill: thin and black
    for i, layer in enumerate(outlines):
        col = zones[layer]
        areas = zones[col.notna()].dissolve(by=layer)
        lowest = i == len(outlines) - 1
        areas.boundary.plot(ax=ax, color="black" if lowest else "0.35",
                            linewidth=0.9 if lowest else 1.4,
                            linestyle="-" if lowest else (0, (4, 2)))
    part = h[fill]
    sizes = part.areas["n_zones"].sort_values(ascending=False)
    pts = zones.geometry.representative_point()
    for area in sizes.index[:label_centres]:
        centres = [c for c in part.areas.loc[area, "centres"] if c in pts.index]
        if not centres:
            continue
        p = pts.loc[centres[0]]
        ax.plot(p.x, p.y, "o", color="black", markersize=3)
        ax.annotate(part.areas.loc[area, "name"], (p.x, p.y), fontsize=7, xytext=(3, 3),
                    textcoords="offset points",
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "alpha": 0.7, "lw": 0})
    ax.set_axis_off()
    outline_text = ", ".join(f"{layer} outlines" for layer in outlines)
    ax.set_title(title or f"{graph.name}: {fill} areas" + (f" with {outline_text}"
                                                          if outlines else ""))
    return ax
