"""Shared fixtures: the real-data directory and small hand-checked toys."""

from __future__ import annotations

import _hypothesis_profiles
import pytest

from regionalize.datasets import data_dir as _data_dir

# every hypothesis test is derandomized unless HYPOTHESIS_PROFILE asks for exploration
_hypothesis_profiles.load()


@pytest.fixture(scope="session")
def data_dir():
    """The shared national data (REGIONALIZE_DATA or ../shared/data); skip when absent."""
    path = _data_dir(required=False)
    if path is None:
        pytest.skip("real data not found: set REGIONALIZE_DATA to the shared data folder")
    return path
