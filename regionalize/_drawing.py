"""Matplotlib drawing shared by the plotting package and the monitor."""

from __future__ import annotations

__all__ = ["one_draw"]


def one_draw(fn):
    """Run a map function without the figure redraws geopandas asks for after every layer.

    ``GeoDataFrame.plot`` calls ``canvas.draw_idle()``, which on non-interactive canvases
    (Agg: scripts, notebooks) renders the whole figure at once: a figure of small multiples
    was redrawn after every layer of every map. Those requests are dropped while ``fn``
    runs; interactive canvases get one request at the end.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from matplotlib.backend_bases import FigureCanvasBase

        original = FigureCanvasBase.draw_idle
        FigureCanvasBase.draw_idle = lambda self, *a, **k: None
        try:
            ax = fn(*args, **kwargs)
        finally:
            FigureCanvasBase.draw_idle = original
        canvas = getattr(getattr(ax, "figure", None), "canvas", None)
        if canvas is not None and type(canvas).draw_idle is not original:
            canvas.draw_idle()  # an interactive canvas: refresh once
        return ax

    return wrapper
