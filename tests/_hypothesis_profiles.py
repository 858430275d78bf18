"""Hypothesis budgets of the property and fuzz tests (tests/test_properties.py,
tests/test_fuzz.py).

By default the budget is modest, so that these files run in well under a minute. For a
longer run::

    HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/test_properties.py tests/test_fuzz.py

The profiles are applied per test (``@budget()``), not loaded globally, so other tests that
use hypothesis keep their own settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "derandomize": False, "print_blob": True,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much]}

settings.register_profile("regionalize", max_examples=30, **_COMMON)
settings.register_profile("long", max_examples=1000, **_COMMON)

#: the profile in use: $HYPOTHESIS_PROFILE when it is one of ours, else "regionalize"
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "regionalize")
if PROFILE not in ("regionalize", "long"):
    PROFILE = "regionalize"


def budget(examples: int | None = None) -> settings:
    """Settings of the active profile; ``examples`` overrides the default budget only
    (the long profile always runs its own, larger one)."""
    base = settings.get_profile(PROFILE)
    if examples is not None and PROFILE != "long":
        return settings(base, max_examples=examples)
    return settings(base)
