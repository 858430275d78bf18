"""Redraw the README's picture of Korea's layers (docs/img/korea_layers.png).

    .venv/bin/python docs/make_readme_figure.py

The same delineation as ``make demo`` on the KTDB si/gun table: urban areas coloured,
metropolitan and megaregion outlines over them, and the areas as a tree.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import regionalize as rz  # noqa: E402
from regionalize._demo import delineation_preset  # noqa: E402

OUT = Path(__file__).parent / "img" / "korea_layers.png"

g = rz.datasets.load_korea_ktdb()
h = rz.delineate(g, **delineation_preset(g))
fig = plt.figure(figsize=(13, 7.5))
grid = fig.add_gridspec(1, 2, width_ratios=[1.0, 1.25], wspace=0.28)
rz.plot.plot_hierarchy(h, ax=fig.add_subplot(grid[0]), label_centres=12,
                       title=f"Korea (KTDB si/gun): {h!r}".replace("<Hierarchy over ", "")
                       .rstrip(">"))
rz.plot.plot_tree(h, ax=fig.add_subplot(grid[1]))
OUT.parent.mkdir(parents=True, exist_ok=True)
fig.savefig(OUT, dpi=80, bbox_inches="tight")
print(f"wrote {OUT} ({OUT.stat().st_size / 1e3:.0f} kB)")
