"""Hypothesis budgets and randomness of every test that uses hypothesis.

``make test`` (and CI) must pass on every run, so by default every hypothesis test is
**derandomized**: its examples are drawn from a seed fixed by the test itself, the same on
every machine and every run, and no example database is read or written. Exploring for new
failing cases is a separate, random run:

    HYPOTHESIS_PROFILE=explore .venv/bin/pytest tests/test_properties.py tests/test_fuzz.py \
        --hypothesis-seed=12345          # the default budget, random examples from a seed
    HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/test_properties.py tests/test_fuzz.py
                                         # 1,000 examples per test, random (tens of minutes)

A case found this way is added to the test as an ``@example`` (see
``test_zone_ids_do_not_matter``), so that the derandomized run keeps checking it.

The global profile is loaded by ``tests/conftest.py`` (tests with their own ``@settings``
inherit its randomness); the property and fuzz tests take their budget per test from
:func:`budget`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

#: the profile in use: $HYPOTHESIS_PROFILE when it is one of ours, else "regionalize"
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "regionalize")
if PROFILE not in ("regionalize", "explore", "long"):
    PROFILE = "regionalize"

#: whether examples are random (an exploration run) or fixed (the test suite)
RANDOM = PROFILE in ("explore", "long")

_COMMON = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
}
_FIXED = {"derandomize": True, "database": None}

settings.register_profile("regionalize", max_examples=30, **_COMMON, **_FIXED)
settings.register_profile("explore", max_examples=30, derandomize=False, **_COMMON)
settings.register_profile("long", max_examples=1000, derandomize=False, **_COMMON)


def load() -> None:
    """Make the active profile the default of every hypothesis test (tests/conftest.py)."""
    settings.load_profile(PROFILE)


def budget(examples: int | None = None) -> settings:
    """Settings of the active profile; ``examples`` overrides the default budget only
    (the long profile always runs its own, larger one)."""
    base = settings.get_profile(PROFILE)
    if examples is not None and PROFILE != "long":
        return settings(base, max_examples=examples)
    return settings(base)
