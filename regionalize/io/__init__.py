"""Reading OD tables; writing delineations (GeoPackage, GeoParquet, CSV)."""

from .hierarchy_files import read_hierarchy
from .partitioned import aggregate_flows
from .readers import read_flows, read_matrix, read_table
from .writers import write_csv, write_gpkg, write_parquet, write_zone_table

__all__ = [
    "aggregate_flows",
    "read_flows",
    "read_hierarchy",
    "read_matrix",
    "read_table",
    "write_csv",
    "write_gpkg",
    "write_parquet",
    "write_zone_table",
]
