"""Reading OD tables and zone layers (writers arrive with the Hierarchy)."""

from .readers import read_flows, read_matrix, read_table

__all__ = ["read_flows", "read_matrix", "read_table"]
