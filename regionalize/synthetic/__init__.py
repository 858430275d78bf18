"""Seeded synthetic data: countries with commuting flows, and OD tables larger than memory.

- :func:`synthetic_country` (:mod:`.country`) makes a country of 10 to 1,000,000 zones that
  looks like real commuting data (zones, populations, polygons and flows), reproducibly from
  a seed. It feeds tests, the demo's default data and scale benchmarks.
- :func:`write_synthetic_od` (:mod:`.od_files`) writes a seeded, partitioned Parquet OD table
  at a fine level with its crosswalk, for tests and benchmarks of
  :func:`regionalize.io.aggregate_flows`.
"""

from .country import ORIGIN, PROJECTED_CRS, synthetic_country
from .od_files import SyntheticOD, write_synthetic_od

__all__ = [
    "synthetic_country",
    "PROJECTED_CRS",
    "ORIGIN",
    "write_synthetic_od",
    "SyntheticOD",
]
