"""The version of regionalize (the package metadata reads it from here)."""

__version__ = "0.1.0.dev0"
