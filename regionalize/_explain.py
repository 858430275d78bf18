"""What a layer says about itself: the centre rule in words, why a layer is empty, and the
likely causes, each naming the parameter (and command-line flag) to change."""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

from ._core.constraint import BELOW, NOT_DOMINANT, ORDER_CAP

__all__ = [
    "number_text",
    "rule_text",
    "found_text",
    "dropped_text",
    "no_centre_reason",
    "DIRECTION",
    "GIVE_CENTRES",
    "likely_causes",
    "collect_empty_layers",
    "empty_layer_message",
    "report_empty",
    "explain_centres",
]


def number_text(x) -> str:
    if not math.isfinite(x) or abs(x) >= 1e12:
        return f"{x:.3g}"
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.3g}"


def percent_text(x) -> str:
    return f"{100 * x:g}%"


def rule_text(rule: dict) -> str:
    """The centre rule in words: "at least 223,768 jobs (1% of all) and a job ratio >= 1"."""
    least = rule["min_size"]
    least = math.ceil(least) if 10 <= abs(least) < 1e12 else least
    text = f"at least {number_text(least)} {rule['what']}"
    if rule.get("min_size_share") is not None:
        text += f" ({percent_text(rule['min_size_share'])} of all)"
    if rule.get("min_job_ratio") is not None:
        text += f" and a job ratio >= {rule['min_job_ratio']:g}"
    candidates = rule.get("candidates")
    if candidates == "a list of zones":
        text += ", among the candidate zones given"
    elif candidates is not None:
        text += f", among the {candidates!r} zones"
    return text


def found_text(rule: dict, dropped: int = 0, minimum: str | None = None) -> str:
    """Say what the centre rule found, e.g. "6 centres found: at least 223,768 jobs (1% of
    all) and a job ratio >= 1"."""
    k = rule["found"]
    text = f"{k} centre{'' if k == 1 else 's'} found: {rule_text(rule)}"
    return text + dropped_text(dropped, minimum, "of them ")


def dropped_text(dropped: int, minimum: str | None, of: str = "") -> str:
    if not dropped:
        return ""
    return f"; {dropped} {of}dropped: their area was below the minimum size" + (
        f" ({minimum})" if minimum else ""
    )


def no_centre_reason(rule: dict) -> str:
    """Why the centre rule found nothing, with the numbers."""
    if rule["largest_size"] <= 0:
        why = f"no zone has any {rule['what']}: the flows are all zero"
    elif rule["zones_allowed"] == 0:
        why = "no zone may be a centre"
    elif rule["zones_big_enough"] == 0:
        why = f"the largest zone has {number_text(rule['largest_size'])} {rule['what']}"
    elif rule["zones_with_job_ratio"] == 0:
        n = rule["zones_big_enough"]
        why = (
            f"{n} zone{' is' if n == 1 else 's are'} that big, but none has a job ratio "
            f">= {rule['min_job_ratio']:g}"
        )
    else:
        why = "every candidate is tied to a bigger one"
    return f"no centre was found by the centre rule ({rule_text(rule)}; {why})"


DIRECTION = (
    "the flows may be the wrong way round: rows (origins) must be where people live "
    "and columns where they work; read a matrix with workplaces as rows with "
    "rows='workplace' in read_matrix (--rows workplace on the command line), or "
    "swap the origin and destination columns"
)


GIVE_CENTRES = (
    "give the centres yourself: centres=[...] (--centres or --centres-file on the command line)"
)


def likely_causes(
    rule: dict | None, *, tau: float, min_zones: int | None = None, given: bool = False
) -> list[str]:
    """Likely causes of an empty layer, the most likely first, each naming its parameter."""
    direction, strict = DIRECTION, None
    if rule is not None and rule["found"] == 0:
        share = rule.get("min_size_share")
        size = (
            f"min_size_share (now {share:g})"
            if share is not None
            else f"min_size (now {number_text(rule['min_size'])})"
        )
        if rule["largest_size"] <= 0:
            return [
                f"the table has no {rule['what']} (no flows, or all zero): check the "
                "flow column and size=",
                direction,
            ]
        if rule["zones_allowed"] == 0:
            strict = "candidates= allows no zone: widen it or leave it out"
        elif rule["zones_big_enough"] == 0:
            strict = f"the size threshold is too high for this table: lower {size}"
            if not rule.get("cluster_cores"):
                strict += (
                    ", or, for a city cut into many small zones, pass "
                    "cluster_cores=True (with polygons) to add up touching zones"
                )
        elif rule["zones_with_job_ratio"] == 0:
            strict = (
                f"the job-ratio test removes every large zone: min_job_ratio=None drops "
                f"it (now {rule['min_job_ratio']:g}; --min-job-ratio none)"
            )
            return [direction, strict, GIVE_CENTRES]
        else:
            strict = f"the thresholds are too strict: lower {size} or tau (now {tau:g})"
        return [strict, direction, GIVE_CENTRES]
    attach = (
        f"no zone is tied to a centre at tau={tau:g} or above"
        + (f", and an area needs min_zones={min_zones} zones" if min_zones else "")
        + ": lower tau, raise max_order"
        + (" or lower min_zones" if min_zones else "")
    )
    out = [attach, direction]
    if not given:
        out.append(GIVE_CENTRES)
    return out


_EMPTY_SINK: ContextVar[list | None] = ContextVar("regionalize_empty_layers", default=None)


@contextmanager
def collect_empty_layers():
    """Collect the empty-layer messages of the layers fitted inside (delineate says them
    once, together) instead of one warning per layer. Yields the list."""
    sink: list = []
    token = _EMPTY_SINK.set(sink)
    try:
        yield sink
    finally:
        _EMPTY_SINK.reset(token)


def empty_layer_message(layer: str, reason: str, causes: list[str]) -> str:
    text = f"{layer}: 0 areas: {reason}."
    if causes:
        text += " Likely causes: " + "; ".join(f"({i}) {c}" for i, c in enumerate(causes, 1)) + "."
    return text


def report_empty(layer: str, reason: str, causes: list[str]) -> None:
    """Warn (UserWarning) that a layer has no area, why, and what to change."""
    sink = _EMPTY_SINK.get()
    if sink is not None:
        sink.append((layer, reason, causes))
        return
    warnings.warn(empty_layer_message(layer, reason, causes), UserWarning, stacklevel=4)


def explain_centres(
    params: dict,
    res,
    *,
    rule: dict | None,
    n_found: int,
    kept: list,
    layer: str,
    tau: float,
    min_zones: int | None,
    min_population: float | None = None,
    extra: int = 0,
    warn: bool = True,
) -> None:
    """Record how the centres were chosen (``centre_rule``, ``centre_rule_text``) and, when
    the layer ends with no area (``extra``: areas it has from elsewhere, e.g. the large urban
    areas), why (``empty_reason``): reasons of the unassigned zones rewritten to the real
    cause, and (unless ``warn`` is False: the caller says it) a warning naming the likely
    causes and the parameters to change."""
    dropped = n_found - len(kept)
    minimum = (
        " or ".join(
            f"{name}={number_text(value) if name == 'min_population' else value}"
            for name, value in (("min_zones", min_zones), ("min_population", min_population))
            if value is not None
        )
        or None
    )
    if rule is not None:
        params["centre_rule"] = rule
        params["centre_rule_text"] = found_text(rule, dropped, minimum)
    else:
        params["centre_rule_text"] = (
            f"{n_found} centre{'' if n_found == 1 else 's'} given" + dropped_text(dropped, minimum)
        )
    if kept:
        return
    generic = np.isin(res.reason.astype(str), [BELOW, NOT_DOMINANT, ORDER_CAP]) & (res.area < 0)
    if rule is not None and n_found == 0:
        reason = no_centre_reason(rule)
        res.reason[generic] = reason
    else:
        reason = (
            f"{params['centre_rule_text']}, so no area is left"
            if n_found
            else "no centre was given"
        )
        res.reason[generic] = (
            f"no area is left: every centre's area was below the minimum "
            f"size ({params['centre_rule_text']})"
            if n_found
            else reason
        )
    if extra:  # the layer has areas from elsewhere: only the zones' reasons change
        return
    params["empty_reason"] = reason
    if warn:
        report_empty(
            layer, reason, likely_causes(rule, tau=tau, min_zones=min_zones, given=rule is None)
        )
