"""Bad parameters give one clear error naming the parameter; no exception from numpy,
pandas, igraph or scipy escapes the public API. Numpy scalars are accepted where Python
numbers are, give the same result, and are recorded as plain Python numbers."""

from __future__ import annotations

import inspect
import json
from functools import partial

import numpy as np
import pandas as pd
import pytest
from _toys import FLOWS

import regionalize as rz
from regionalize.errors import (
    InvalidParameterError,
    RegionalizeError,
    check_int,
    check_parameter,
    check_seed,
    plain_scalar,
)
from regionalize.layers import LifeZones, accessibility, combine_life_zones


@pytest.fixture(scope="module")
def g():
    """The eight-zone toy of _toys, with a population column for the life zones."""
    graph = rz.FlowGraph.from_dataframe(
        pd.DataFrame(FLOWS, columns=["origin", "destination", "flow"])
    )
    return graph.with_zones(pd.DataFrame({"population": np.arange(8) * 10 + 5.0}, index=graph.ids))


@pytest.fixture(scope="module")
def metro(g):
    return rz.metropolitan_areas(g, ["01", "05"])


FACILITIES = pd.DataFrame({"zone": ["01", "05"], "service": "school", "capacity": [1.0, 2.0]})


def costs(g):
    """Travel costs: distance along the row of zones (no geometry needed)."""
    x = np.arange(g.n_zones, dtype=float)
    return np.abs(x[:, None] - x[None, :])


def fn_metro(graph, **params):
    return rz.metropolitan_areas(graph, ["01", "05"], **params)


def raises_naming(call, name: str, cls=InvalidParameterError):
    """``call()`` raises ``cls`` and the message names the parameter ``name``."""
    with pytest.raises(cls) as err:
        call()
    assert f"'{name}'" in str(err.value), str(err.value)
    return str(err.value)


# ---------------------------------------------------------------- seeds
@pytest.mark.parametrize(
    "call, hint",
    [
        (lambda g: rz.methods.leiden(g, seed="a"), "[0, 9223372036854775807]"),
        (lambda g: rz.methods.leiden(g, seed=-1), "[0, 9223372036854775807]"),
        (lambda g: rz.methods.leiden(g, seed=True), "an int"),
        (lambda g: rz.methods.leiden(g, seed=2**63), "[0, 9223372036854775807]"),
        (lambda g: rz.methods.infomap(g, seed=1.5), "32-bit"),
        (lambda g: rz.methods.infomap(g, seed=-1), "[0, 4294967294]"),
        (lambda g: rz.methods.infomap(g, seed=2**32 - 1), "[0, 4294967294]"),
        (lambda g: rz.methods.infomap(g, seed=np.bool_(True)), "an int"),
        (lambda g: rz.stability.stability(g, fn_metro, runs=2, seed="x"), "non-negative int"),
        (lambda g: rz.stability.stability(g, fn_metro, runs=2, seed=-1), "[0, inf)"),
        (lambda g: rz.stability.stability(g, fn_metro, runs=2, seed=1.5), "SeedSequence"),
        (lambda g: rz.stability.resample(g, seed="x"), "numpy.random.Generator"),
        (lambda g: rz.stability.resample(g, seed=float("nan")), "non-negative int"),
    ],
    ids=[
        "leiden-str",
        "leiden-negative",
        "leiden-bool",
        "leiden-huge",
        "infomap-float",
        "infomap-negative",
        "infomap-33-bit",
        "infomap-numpy-bool",
        "stability-str",
        "stability-negative",
        "stability-float",
        "resample-str",
        "resample-nan",
    ],
)
def test_bad_seeds_are_one_clear_error(g, call, hint):
    if "leiden" in inspect.getsource(call):
        pytest.importorskip("leidenalg")
    if "infomap" in inspect.getsource(call):
        pytest.importorskip("infomap")
    msg = raises_naming(lambda: call(g), "seed")
    assert hint in msg, msg


@pytest.mark.parametrize("method", ["leiden", "infomap"])
def test_numpy_integer_seeds_give_the_python_seed_result(g, method):
    pytest.importorskip("leidenalg" if method == "leiden" else "infomap")
    fit = getattr(rz.methods, method)
    est = getattr(rz.methods, method.capitalize())(seed=np.int64(3)).fit(g)
    assert est.get_params()["seed"] == 3 and type(est.get_params()["seed"]) is int
    assert est.partition_.labels.equals(fit(g, seed=3).labels)
    assert type(est.partition_.params["seed"]) is int


def test_numpy_seeds_in_stability_are_recorded_as_ints(g):
    a = rz.stability.stability(g, fn_metro, runs=3, seed=np.int64(7))
    b = rz.stability.stability(g, fn_metro, runs=3, seed=7)
    assert type(a.params["seed"]) is int
    np.testing.assert_array_equal(a.labels, b.labels)
    r1 = rz.stability.resample(g, seed=np.uint32(5))
    r2 = rz.stability.resample(g, seed=5)
    assert (r1.matrix != r2.matrix).nnz == 0


# ---------------------------------------------------------------- centres
@pytest.mark.parametrize(
    "centres, shown",
    [
        (["01", None], "entry 1 is None"),
        ([np.nan], "entry 0 is nan"),
        ({"A": None}, "'A' is None"),
        ([["01", None]], "entry 0 holds None"),
        ({"A": ["01", float("nan")]}, "'A' holds nan"),
        (["01", 5.0], "entry 1 is 5.0"),
        (["01", True], "entry 1 is True"),
        ([[["01"]]], "entry 0 holds ['01']"),
        (5.5, "Got 5.5"),
        (b"01", "Got b'01'"),
    ],
    ids=[
        "None",
        "NaN",
        "mapping-None",
        "group-None",
        "mapping-group-NaN",
        "float",
        "bool",
        "nested-too-deep",
        "scalar-float",
        "bytes",
    ],
)
@pytest.mark.parametrize(
    "fit",
    [
        lambda g, c: rz.metropolitan_areas(g, c),
        lambda g, c: rz.delineate(g, c),
        lambda g, c: rz.urban_areas(g, centres=c),
        lambda g, c: rz.MetropolitanAreas(c).fit(g),
    ],
    ids=["metropolitan_areas", "delineate", "urban_areas", "MetropolitanAreas"],
)
def test_missing_or_odd_centres_name_centres_and_the_entry(g, fit, centres, shown):
    msg = raises_naming(lambda: fit(g, centres), "centres")
    assert shown in msg, msg
    assert "zone ids" in msg and ("Remove them" in msg or "Got" in msg), msg


def test_valid_centre_forms_still_work(g):
    one = rz.metropolitan_areas(g, "01").labels
    assert one.equals(rz.metropolitan_areas(g, ["01"]).labels)
    ids = np.array(["01", "05"])  # numpy strings
    assert rz.metropolitan_areas(g, ids).labels.equals(
        rz.metropolitan_areas(g, ["01", "05"]).labels
    )
    assert rz.metropolitan_areas(g, {"A": ("01", "02")}).areas["name"].tolist() == ["A"]


# ---------------------------------------------------------------- delineate's option dicts
@pytest.mark.parametrize(
    "option, value, says",
    [
        ("megaregions", "yes", "True for its defaults or False to leave the layer out"),
        ("megaregions", None, "True for its defaults or False to leave the layer out"),
        ("megaregions", 1, "a dict of keyword arguments of Megaregions"),
        ("urban", 5, "a dict of keyword arguments of UrbanAreas, or None for the defaults"),
        ("urban", False, "a dict of keyword arguments of UrbanAreas"),
        ("metropolitan", [1], "a dict of keyword arguments of MetropolitanAreas"),
        ("metropolitan", "tau=0.2", "a dict of keyword arguments of MetropolitanAreas"),
    ],
)
def test_option_of_the_wrong_type_says_it_takes_a_dict(g, option, value, says):
    msg = raises_naming(lambda: rz.delineate(g, ["01"], **{option: value}), option)
    assert says in msg, msg


@pytest.mark.parametrize(
    "option, value, valid",
    [
        ("metropolitan", {"foo": 1}, "min_size_share"),
        ("urban", {1: 2}, "within_metropolitan"),
        ("megaregions", {"treshold": 0.2}, "merge_threshold"),
        ("metropolitan", {"centres": ["01"]}, "pass centres= to delineate itself"),
    ],
)
def test_unknown_option_keys_list_the_valid_keys(g, option, value, valid):
    msg = raises_naming(lambda: rz.delineate(g, ["01"], **{option: value}), option)
    assert "Valid keys:" in msg and valid in msg, msg


def test_valid_option_dicts_still_work(g):
    h = rz.delineate(g, ["01", "05"], urban={"min_zones": 1}, megaregions=True)
    assert h.layers[0] == "megaregion"
    assert list(rz.delineate(g, ["01", "05"], megaregions=np.False_).layers) == [
        "metropolitan",
        "urban",
    ]


# ---------------------------------------------------------------- numpy scalars
def test_check_parameter_accepts_numpy_numbers_as_plain_python():
    assert check_parameter("X", "tau", np.float32(0.2), interval=(0, 1)) == 0.2
    assert type(check_parameter("X", "tau", np.float64(0.5), interval=(0, 1))) is float
    assert type(check_parameter("X", "n", np.int64(2), interval=(1, np.inf))) is int
    assert check_parameter("X", "d", np.str_("keep"), allowed=["keep", "drop"]) == "keep"
    assert check_parameter("X", "b", np.True_, allowed=[True, False]) is True
    assert check_int("X", "k", np.int32(3), low=1) == 3
    assert check_seed("X", np.uint64(9)) == 9
    assert plain_scalar((np.float32(0.05), 0.1)) == (0.05, 0.1)


@pytest.mark.parametrize(
    "value",
    [True, np.True_, float("nan"), np.nan, float("inf"), -np.inf, "0.2", np.array([0.2]), None],
)
def test_check_parameter_refuses_bools_nan_inf_and_non_numbers(value):
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'x' parameter of X must be a float "
        r"in \[0, inf\)\. Got .* instead\.",
    ):
        check_parameter("X", "x", value, interval=(0, np.inf))


@pytest.mark.parametrize("value", [1, 0, "1", np.array(["keep", "keep"])])
def test_options_match_exactly(value):
    with pytest.raises(InvalidParameterError, match="'x' parameter of X must be one of"):
        check_parameter("X", "x", value, allowed=[True, False, "keep"])


@pytest.mark.parametrize(
    "call, params, python",
    [
        (rz.MetropolitanAreas, {"centres": ["01", "05"], "tau": np.float32(0.2)}, {"tau": 0.2}),
        (
            rz.MetropolitanAreas,
            {
                "centres": ["01", "05"],
                "tau": np.float64(0.05),
                "max_order": np.int64(2),
                "min_zones": np.int8(1),
            },
            {"tau": 0.05, "max_order": 2, "min_zones": 1},
        ),
        (
            rz.UrbanAreas,
            {
                "tau": np.float32(0.2),
                "max_order": np.int64(2),
                "min_zones": np.int32(2),
                "large_max_order": np.int16(1),
            },
            {"tau": 0.2, "max_order": 2, "min_zones": 2, "large_max_order": 1},
        ),
        (rz.DominantFlows, {"tau": np.float32(0.1)}, {"tau": 0.1}),
        (
            partial(LifeZones, "school"),
            {"k": np.int32(3), "min_population": np.int64(30)},
            {"k": 3, "min_population": 30},
        ),
    ],
    ids=["metro-tau", "metro-order", "urban", "dominant", "life-zones-k"],
)
def test_numpy_scalars_give_the_python_result_and_plain_params(g, call, params, python):
    kw = {"facilities": FACILITIES, "costs": costs(g)} if isinstance(call, partial) else {}
    a = call(**params).fit(g, **kw)
    b = call(**{**params, **python}).fit(g, **kw)
    assert a.partition_.labels.equals(b.partition_.labels)
    for name, value in python.items():
        got = a.get_params()[name]
        assert got == value and type(got) is type(value), (name, got)
    json.dumps(
        {
            k: v
            for k, v in a.partition_.params.items()
            if isinstance(v, (int, float, str, type(None)))
        }
    )
    for name, value in python.items():
        if name in a.partition_.params:
            assert type(a.partition_.params[name]) is type(value)


def test_numpy_scalars_through_delineate_are_recorded_plain(g):
    h = rz.delineate(
        g,
        ["01", "05"],
        tau=np.float32(0.2),
        max_order=np.int64(2),
        megaregions={"threshold": np.float64(0.1)},
    )
    ref = rz.delineate(g, ["01", "05"], tau=0.2, max_order=2, megaregions={"threshold": 0.1})
    for layer in h.layers:
        assert h[layer].labels.equals(ref[layer].labels)
    assert type(h.params["metropolitan"]["tau"]) is float
    assert h.params["metropolitan"]["tau"] == 0.2
    assert type(h.params["urban"]["max_order"]) is int
    assert type(h.params["megaregion"]["threshold"]) is float


def test_numpy_bools_still_refused_where_numbers_are_expected(g):
    raises_naming(lambda: rz.metropolitan_areas(g, ["01"], tau=np.True_), "tau")
    raises_naming(lambda: rz.metropolitan_areas(g, ["01"], max_order=True), "max_order")
    raises_naming(lambda: rz.life_zones(g, "school", facilities=FACILITIES, k=np.True_), "k")


# ---------------------------------------------------------------- the sweep: one per hole
@pytest.mark.parametrize(
    "call, name",
    [
        # layers
        (lambda g, m: rz.metropolitan_areas(g, ["01"], min_size="big"), "min_size"),
        (lambda g, m: rz.metropolitan_areas(g, ["01"], min_job_ratio=[1]), "min_job_ratio"),
        (lambda g, m: rz.metropolitan_areas(g, ["01"], min_zones="2"), "min_zones"),
        (lambda g, m: rz.metropolitan_areas(g, ["01"], max_order=2.0), "max_order"),
        (lambda g, m: rz.metropolitan_areas(g, ["01"], tau=float("inf")), "tau"),
        (lambda g, m: rz.metropolitan_areas(g, ["01"], size=["jobs"]), "size"),
        (lambda g, m: rz.metropolitan_areas(g, ["01"], classes=0.1), "classes"),
        (lambda g, m: rz.metropolitan_areas(g, ["01"], classes=("a",)), "classes"),
        (lambda g, m: rz.metropolitan_areas(g, ["01"], dominance=np.array([1, 2])), "dominance"),
        (lambda g, m: rz.metropolitan_areas(g, ["01"], share=np.array([1, 2])), "share"),
        (lambda g, m: rz.metropolitan_areas(g, ["01"], cluster_cores="yes"), "cluster_cores"),
        (lambda g, m: rz.metropolitan_areas(g, ["01"], name=np.array([1, 2])), "name"),
        (lambda g, m: rz.metropolitan_areas(g, candidates=["01", None]), "candidates"),
        (lambda g, m: rz.metropolitan_areas(g, candidates=3.5), "candidates"),
        (lambda g, m: rz.metropolitan_areas(pd.DataFrame(FLOWS), ["01"]), "graph"),
        (lambda g, m: rz.urban_areas(g, "metro"), "metropolitan"),
        (lambda g, m: rz.urban_areas(g, m, large_max_order=None), "large_max_order"),
        (lambda g, m: rz.urban_areas(g, m, within_metropolitan="no"), "within_metropolitan"),
        (lambda g, m: rz.urban_areas(g, m, min_size_share=None), "min_size_share"),
        (lambda g, m: rz.urban_areas(g, m, min_population="many"), "min_population"),
        (lambda g, m: rz.urban_areas(g, m, merge_tau=2), "merge_tau"),
        (lambda g, m: rz.urban_areas(g, m, population_column=3), "population_column"),
        (lambda g, m: rz.megaregions(g, None), "metropolitan"),
        (lambda g, m: rz.megaregions(g, m, groups=["01"]), "groups"),
        (lambda g, m: rz.megaregions(g, m, groups={"A": ["01", None]}), "groups"),
        (lambda g, m: rz.megaregions(g, m, include_unassigned="yes"), "include_unassigned"),
        (lambda g, m: rz.dominant_flows(g, size=3), "size"),
        (lambda g, m: rz.dominant_flows(g, classes=None), "classes"),
        (lambda g, m: rz.delineate(g, ["01"], progress="x"), "progress"),
        (lambda g, m: rz.delineate(g, ["01"], tau="0.1"), "tau"),
        (lambda g, m: rz.delineate(g, ["01"], max_order=-1), "max_order"),
        # life zones
        (lambda g, m: LifeZones(None).fit(g, facilities=FACILITIES), "service"),
        (lambda g, m: rz.life_zones(g, "school", facilities=FACILITIES, k="3"), "k"),
        (lambda g, m: rz.life_zones(g, "school", facilities=FACILITIES, k=0), "k"),
        (
            lambda g, m: rz.life_zones(g, "school", facilities=FACILITIES, max_cost="far"),
            "max_cost",
        ),
        (
            lambda g, m: rz.life_zones(g, "school", facilities=FACILITIES, population={"a": 1}),
            "population",
        ),
        (lambda g, m: rz.life_zones(g, "school", facilities=FACILITIES, costs={"a": 1}), "costs"),
        (lambda g, m: rz.life_zones(g, "school", facilities=[1]), "facilities"),
        (lambda g, m: rz.life_zones(g, "school", flows="od"), "flows"),
        (lambda g, m: rz.life_zones(g, "school", facilities=FACILITIES, within="urban"), "within"),
        (lambda g, m: accessibility(g, FACILITIES, "school", k=None), "k"),
        (lambda g, m: accessibility(g, FACILITIES, "school", desert_cost="far"), "desert_cost"),
        (lambda g, m: accessibility(g, "facilities.csv", "school"), "facilities"),
        (lambda g, m: combine_life_zones(g, [m], min_shared=1.5), "min_shared"),
        (lambda g, m: combine_life_zones(g, [m], min_shared="1"), "min_shared"),
        (lambda g, m: combine_life_zones(g, m), "layers"),
        (lambda g, m: combine_life_zones(g, [m, "x"]), "layers[1]"),
        # community engines
        (lambda g, m: rz.methods.leiden(g, n_iterations=0), "n_iterations"),
        (lambda g, m: rz.methods.leiden(g, n_iterations=None), "n_iterations"),
        (lambda g, m: rz.methods.leiden(g, resolution="high"), "resolution"),
        (lambda g, m: rz.methods.leiden(g, resolution=-1), "resolution"),
        (lambda g, m: rz.methods.infomap(g, trials=0), "trials"),
        (lambda g, m: rz.methods.infomap(g, trials=2**40), "trials"),
        (lambda g, m: rz.methods.infomap(g, diagonal=np.array([1, 2])), "diagonal"),
        (lambda g, m: rz.methods.infomap(pd.DataFrame(FLOWS)), "graph"),
        # stability
        (lambda g, m: rz.stability.stability(g, "fn", runs=2), "delineate_fn"),
        (lambda g, m: rz.stability.stability(g, fn_metro, runs=2, executor=2**40), "executor"),
        (
            lambda g, m: rz.stability.stability(g, fn_metro, runs=2, executor=np.array([1, 2])),
            "executor",
        ),
        (lambda g, m: rz.stability.stability(g, fn_metro, runs=2, layer=3), "layer"),
        (
            lambda g, m: rz.stability.stability(
                g, partial(rz.delineate, centres=["01"], megaregions=False), runs=2, layer="metro"
            ),
            "layer",
        ),
        (
            lambda g, m: rz.stability.stability(g, fn_metro, runs=2, method=np.array([1, 2])),
            "method",
        ),
        (lambda g, m: rz.stability.sweep(g, fn_metro, {"tau": [0.1]}, summary=3), "summary"),
        (lambda g, m: rz.stability.sweep(g, 3, {"tau": [0.1]}), "delineate_fn"),
        (lambda g, m: rz.stability.resample(pd.DataFrame(FLOWS)), "graph"),
        (lambda g, m: rz.stability.ProcessExecutor(workers=2**40), "workers"),
    ],
)
def test_parameters_that_crashed_inside_a_dependency(g, metro, call, name):
    src = inspect.getsource(call)
    if "leiden" in src:
        pytest.importorskip("leidenalg")
    if "infomap" in src:
        pytest.importorskip("infomap")
    raises_naming(lambda: call(g, metro), name)


def test_runs_too_many_for_memory_is_refused_before_running(g, monkeypatch):
    monkeypatch.setenv("REGIONALIZE_MEMORY_LIMIT", "1GB")
    with pytest.raises(RegionalizeError, match="runs=1,099,511,627,776.*Use fewer runs"):
        rz.stability.stability(g, fn_metro, runs=2**40)


BAD_VALUES = ["a", -1, float("nan"), [1], np.array([1, 2]), object(), 10**30]


def _fuzz_targets(g, metro):
    fac = FACILITIES
    return {
        "delineate": (lambda **kw: rz.delineate(g, **kw), rz.delineate, ()),
        "MetropolitanAreas": (
            lambda **kw: rz.MetropolitanAreas(**kw).fit(g),
            rz.MetropolitanAreas,
            (),
        ),
        "UrbanAreas": (lambda **kw: rz.UrbanAreas(**kw).fit(g, metro), rz.UrbanAreas, ()),
        "Megaregions": (lambda **kw: rz.Megaregions(**kw).fit(g, metro), rz.Megaregions, ()),
        "DominantFlows": (lambda **kw: rz.DominantFlows(**kw).fit(g), rz.DominantFlows, ()),
        "LifeZones": (
            lambda **kw: LifeZones(**{"service": "school", **kw}).fit(
                g, facilities=fac, costs=costs(g)
            ),
            LifeZones,
            (),
        ),
        "combine_life_zones": (
            lambda **kw: combine_life_zones(g, **{"layers": [metro], **kw}),
            combine_life_zones,
            (),
        ),
        "stability": (
            lambda **kw: rz.stability.stability(g, **{"delineate_fn": fn_metro, "runs": 2, **kw}),
            rz.stability.stability,
            (),
        ),
        "resample": (lambda **kw: rz.stability.resample(g, **kw), rz.stability.resample, ()),
    }


def test_fuzzed_parameters_raise_only_regionalize_errors(g, metro, monkeypatch):
    """Every keyword of every public entry point, with values of the wrong kind: whatever
    happens, nothing but a RegionalizeError comes out."""
    monkeypatch.setenv("REGIONALIZE_MEMORY_LIMIT", "1GB")
    escaped = []
    for owner, (call, target, skip) in _fuzz_targets(g, metro).items():
        sig = inspect.signature(target)
        for pname, p in sig.parameters.items():
            if pname in ("self", "graph") or pname in skip or p.kind is p.VAR_KEYWORD:
                continue
            for bad in BAD_VALUES:
                try:
                    call(**{pname: bad})
                except (RegionalizeError, UserWarning):  # an empty layer warns, saying why
                    pass
                except Exception as exc:  # noqa: BLE001 - what the test looks for
                    escaped.append(f"{owner}({pname}={bad!r}): {type(exc).__name__}: {exc}")
    assert not escaped, "\n".join(escaped)


def test_more_worker_processes_than_the_machine_can_hold_are_refused():
    """100,000 worker processes would exhaust memory and the process table before any work:
    refused, naming the limit (32 per core)."""
    from regionalize.stability import MAX_WORKERS, ProcessExecutor, resolve_executor

    with pytest.raises(InvalidParameterError, match=f"\\[1, {MAX_WORKERS}\\]"):
        ProcessExecutor(100_000)
    with pytest.raises(InvalidParameterError, match="worker processes"):
        resolve_executor(100_000)
