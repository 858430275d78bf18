"""Comparing two partitions of the same zones (the start of the comparison toolkit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["adjusted_rand_index", "contingency"]


def _codes(labels) -> np.ndarray:
    s = pd.Series(labels, copy=False)
    codes, _ = pd.factorize(s, use_na_sentinel=True)
    # unassigned zones (NA) each form a class of their own: they agree with nobody
    na = codes < 0
    codes = codes.astype(np.int64)
    codes[na] = codes.max() + 1 + np.arange(int(na.sum())) if len(codes) else codes[na]
    return codes


def contingency(a, b) -> sp.csr_array:
    """Sparse contingency table of two labelings of the same zones (NA = own singleton)."""
    ca, cb = _codes(a), _codes(b)
    if len(ca) != len(cb):
        raise ValueError("The two partitions must label the same zones.")
    return sp.csr_array((np.ones(len(ca)), (ca, cb)), shape=(ca.max() + 1, cb.max() + 1))


def adjusted_rand_index(a, b) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) of two labelings of the same zones.

    Labels may be any hashable values; missing labels (unassigned zones) count as singletons.

    Examples
    --------
    >>> adjusted_rand_index(["x", "x", "y", "y"], [1, 1, 2, 2])
    1.0
    >>> round(adjusted_rand_index(["x", "x", "y", "y"], [1, 2, 1, 2]), 3)
    -0.5
    """
    c = contingency(a, b)
    n = c.sum()

    def comb2(x):
        x = np.asarray(x, dtype=float)
        return (x * (x - 1) / 2).sum()

    sum_cells = comb2(c.data)
    sum_a = comb2(np.asarray(c.sum(axis=1)).ravel())
    sum_b = comb2(np.asarray(c.sum(axis=0)).ravel())
    expected = sum_a * sum_b / (n * (n - 1) / 2) if n > 1 else 0.0
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return float((sum_cells - expected) / (maximum - expected))
