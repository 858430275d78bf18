"""The methods planners compare against, under the same API and the same Partition output."""

from .cbsa import CoreBasedAreas, combined_areas, core_based_areas
from .cma import CensusMetropolitanAreas, census_metropolitan_areas
from .community import Infomap, Leiden, infomap, leiden
from .commuting_zones import CommutingZones, commuting_zones
from .flowbca import FlowBCA, flowbca
from .fua import (
    FunctionalUrbanAreas,
    UrbanEmploymentAreas,
    aires_attraction_villes,
    functional_urban_areas,
    urban_employment_areas,
)
from .intramax import Intramax, intramax
from .merge_tree import MergeTree
from .ttwa import TTWA_PRESETS, LabourMarketAreas, cohesion, labour_market_areas, validity

__all__ = [
    "CommutingZones",
    "commuting_zones",
    "CoreBasedAreas",
    "core_based_areas",
    "combined_areas",
    "CensusMetropolitanAreas",
    "census_metropolitan_areas",
    "FunctionalUrbanAreas",
    "functional_urban_areas",
    "aires_attraction_villes",
    "UrbanEmploymentAreas",
    "urban_employment_areas",
    "Leiden",
    "leiden",
    "Infomap",
    "infomap",
    "Intramax",
    "intramax",
    "FlowBCA",
    "flowbca",
    "MergeTree",
    "LabourMarketAreas",
    "labour_market_areas",
    "validity",
    "cohesion",
    "TTWA_PRESETS",
]
