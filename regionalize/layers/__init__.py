"""Delineation layers: metropolitan areas, urban areas, megaregions, dominant-flow trees."""

from .megaregions import Megaregions, megaregions
from .metropolitan import MetropolitanAreas, metropolitan_areas
from .nodal import DominantFlows, dominant_flows
from .urban import UrbanAreas, urban_areas

__all__ = [
    "MetropolitanAreas", "metropolitan_areas",
    "UrbanAreas", "urban_areas",
    "Megaregions", "megaregions",
    "DominantFlows", "dominant_flows",
]
