"""Delineation layers: metropolitan and urban areas, megaregions, life zones, nodal trees."""

from .life_zone_tools import accessibility, combine_life_zones
from .life_zones import LifeZones, life_zones
from .megaregions import Megaregions, megaregions
from .metropolitan import MetropolitanAreas, metropolitan_areas
from .nodal import DominantFlows, dominant_flows
from .urban import UrbanAreas, urban_areas

__all__ = [
    "MetropolitanAreas",
    "metropolitan_areas",
    "UrbanAreas",
    "urban_areas",
    "Megaregions",
    "megaregions",
    "DominantFlows",
    "dominant_flows",
    "LifeZones",
    "life_zones",
    "combine_life_zones",
    "accessibility",
]
