"""regionalize: functional regions from commuting origin-destination data.

Commuting OD tables become :class:`FlowGraph` objects (sparse flows, zone ids, zone
attributes and polygons); the delineation methods turn them into nested layers of
functional regions: a :class:`Partition` per layer, several nested in a :class:`Hierarchy`.

Examples
--------
>>> import regionalize as rz
>>> g = rz.synthetic_country(60, seed=1)  # or rz.read_flows("od.csv", "home", "work", "n")
>>> rz.delineate(g)
<Hierarchy over 60 zones: megaregion=1, metropolitan=1, urban=4>
"""

from . import compare, datasets, methods, plot, quality, soft_membership, stability
from ._version import __version__
from .delineate import delineate
from .errors import (
    DataNotFoundError,
    InsufficientMemoryError,
    InvalidFileError,
    InvalidODError,
    InvalidParameterError,
    InvalidZonesError,
    RegionalizeError,
)
from .flows import FlowGraph
from .io import aggregate_flows, read_flows, read_hierarchy, read_matrix
from .layers import (
    DominantFlows,
    LifeZones,
    Megaregions,
    MetropolitanAreas,
    UrbanAreas,
    accessibility,
    combine_life_zones,
    dominant_flows,
    life_zones,
    megaregions,
    metropolitan_areas,
    urban_areas,
)
from .partition import Partition
from .scenarios import evaluate_grouping
from .vintages import Vintages, crosswalk_weights

__all__ = [
    "FlowGraph",
    "Partition",
    "Hierarchy",
    "delineate",
    "MetropolitanAreas",
    "UrbanAreas",
    "Megaregions",
    "DominantFlows",
    "LifeZones",
    "life_zones",
    "combine_life_zones",
    "accessibility",
    "metropolitan_areas",
    "urban_areas",
    "megaregions",
    "dominant_flows",
    "read_flows",
    "read_matrix",
    "aggregate_flows",
    "read_hierarchy",
    "build_contiguity",
    "Contiguity",
    "Vintages",
    "crosswalk_weights",
    "synthetic_country",
    "datasets",
    "plot",
    "quality",
    "stability",
    "soft_membership",
    "compare",
    "evaluate_grouping",
    "methods",
    "monitor",
    "report",
    "RegionalizeError",
    "InvalidODError",
    "InvalidZonesError",
    "InvalidParameterError",
    "DataNotFoundError",
    "InsufficientMemoryError",
    "InvalidFileError",
    "__version__",
]


def __getattr__(name):
    # geometry-heavy modules load on first use, keeping `import regionalize` light
    import importlib

    if name in ("build_contiguity", "Contiguity"):
        return getattr(importlib.import_module(".contiguity", __name__), name)
    if name == "Hierarchy":
        return importlib.import_module(".hierarchy", __name__).Hierarchy
    if name in ("monitor", "report"):
        return importlib.import_module(f".{name}", __name__)
    if name == "synthetic_country":
        return importlib.import_module(".synthetic", __name__).synthetic_country
    raise AttributeError(f"module 'regionalize' has no attribute {name!r}")
