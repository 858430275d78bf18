"""The engine: sparse matrices and zone positions in, codes out. No ids, no geometry."""
