"""Root conftest: the doctest namespace, whatever is collected first."""

import pytest

import regionalize


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace["rz"] = regionalize
