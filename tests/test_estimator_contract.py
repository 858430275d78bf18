"""One contract for every public estimator (layers and methods).

Parameters come from the ``__init__`` signature (``get_params``/``set_params``, nothing
fitted or private), a wrong keyword is one InvalidParameterError naming the parameters,
``fit`` returns the estimator, the function twin spells out the same parameters and returns
the same Partition, and the repr rebuilds an equal estimator.
"""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest

import regionalize as rz
from regionalize import methods as M
from regionalize._base import Estimator
from regionalize.errors import InvalidParameterError


def _public_estimators() -> set[type]:
    found = set()
    for module in (rz, rz.methods, rz.layers if hasattr(rz, "layers") else rz):
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if inspect.isclass(obj) and issubclass(obj, Estimator):
                found.add(obj)
    return found


@pytest.fixture(scope="module")
def korea():
    return rz.datasets.load("korea-ktdb-sigun")


@pytest.fixture(scope="module")
def layers(korea):
    metro = rz.metropolitan_areas(korea)
    return {"metropolitan": metro, "urban": rz.urban_areas(korea, metro)}


def _top(graph, k=5) -> list[str]:
    order = np.argsort(-np.asarray(graph.jobs, float), kind="stable")
    return [str(z) for z in graph.ids[order[:k]]]


# estimator -> (build(graph), fit(est, graph, layers), twin(graph, layers, **params), attribute)
CASES = {
    rz.MetropolitanAreas: (
        lambda g: rz.MetropolitanAreas(tau=0.1, max_order=3),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: rz.metropolitan_areas(g, **p),
        "partition_",
    ),
    rz.UrbanAreas: (
        lambda g: rz.UrbanAreas(tau=0.1),
        lambda e, g, L: e.fit(g, L["metropolitan"]),
        lambda g, L, **p: rz.urban_areas(g, L["metropolitan"], **p),
        "partition_",
    ),
    rz.Megaregions: (
        lambda g: rz.Megaregions(threshold=0.1),
        lambda e, g, L: e.fit(g, L["metropolitan"], L["urban"]),
        lambda g, L, **p: rz.megaregions(g, L["metropolitan"], L["urban"], **p),
        "partition_",
    ),
    rz.DominantFlows: (
        lambda g: rz.DominantFlows(),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: rz.dominant_flows(g, **p),
        "partition_",
    ),
    M.CensusMetropolitanAreas: (
        lambda g: M.CensusMetropolitanAreas(_top(g)),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: M.census_metropolitan_areas(g, **p),
        "partition_",
    ),
    M.CoreBasedAreas: (
        lambda g: M.CoreBasedAreas(_top(g)),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: M.core_based_areas(g, **p),
        "cbsa_",
    ),
    M.FunctionalUrbanAreas: (
        lambda g: M.FunctionalUrbanAreas(_top(g)),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: M.functional_urban_areas(g, **p),
        "partition_",
    ),
    M.UrbanEmploymentAreas: (
        lambda g: M.UrbanEmploymentAreas(_top(g)),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: M.urban_employment_areas(g, **p),
        "partition_",
    ),
    M.CommutingZones: (
        lambda g: M.CommutingZones(cutoff=0.95),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: M.commuting_zones(g, **p),
        "partition_",
    ),
    M.LabourMarketAreas: (
        lambda g: M.LabourMarketAreas(),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: M.labour_market_areas(g, **p),
        "partition_",
    ),
    M.Intramax: (
        lambda g: M.Intramax(k=12),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: M.intramax(g, **p),
        "partition_",
    ),
    M.FlowBCA: (
        lambda g: M.FlowBCA(),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: M.flowbca(g, **p),
        "partition_",
    ),
    M.Leiden: (
        lambda g: M.Leiden(seed=3),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: M.leiden(g, **p),
        "partition_",
    ),
    M.Infomap: (
        lambda g: M.Infomap(seed=3),
        lambda e, g, L: e.fit(g),
        lambda g, L, **p: M.infomap(g, **p),
        "partition_",
    ),
    rz.LifeZones: (
        lambda g: rz.LifeZones("work", population="residents", tau=0.1),
        lambda e, g, L: e.fit(g, flows=g),
        lambda g, L, **p: rz.life_zones(g, flows=g, **p),
        "partition_",
    ),
}


def test_every_public_estimator_is_covered():
    missing = sorted(c.__name__ for c in _public_estimators() - set(CASES))
    assert not missing, f"add these estimators to the contract cases: {missing}"


@pytest.mark.parametrize("cls", list(CASES), ids=lambda c: c.__name__)
def test_parameters_come_from_the_signature(cls, korea):
    est = CASES[cls][0](korea)
    sig = inspect.signature(cls.__init__)
    names = [
        p
        for p in sig.parameters
        if p != "self"
        and sig.parameters[p].kind
        not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    ]
    assert list(est.get_params()) == names == cls.param_names()
    # set_params round-trips and returns the estimator
    params = est.get_params()
    assert est.set_params(**params) is est
    assert est.get_params() == params


@pytest.mark.parametrize("cls", list(CASES), ids=lambda c: c.__name__)
def test_fit_returns_self_and_params_stay_parameters(cls, korea, layers):
    build, fit, _, attr = CASES[cls]
    est = build(korea)
    before = est.get_params()
    assert fit(est, korea, layers) is est
    after = est.get_params()
    assert list(after) == list(before)  # nothing fitted or private leaks in
    assert not any(k.startswith("_") or k.endswith("_") for k in after)
    part = getattr(est, attr)
    assert isinstance(part, rz.Partition)
    # what the layer records about its run is JSON text (run.json) without fitted state
    record = json.loads(json.dumps(dict(part.params), default=str))
    assert not any(k.startswith("_") for k in record)


@pytest.mark.parametrize("cls", list(CASES), ids=lambda c: c.__name__)
def test_function_twin_spells_out_the_parameters_and_agrees(cls, korea, layers):
    build, fit, twin, attr = CASES[cls]
    est = build(korea)
    expected = getattr(fit(est, korea, layers), attr)
    got = twin(korea, layers, **est.get_params())
    assert got.equals(expected)
    assert got.params.keys() == expected.params.keys()


TWINS = {
    rz.MetropolitanAreas: [rz.metropolitan_areas],
    rz.UrbanAreas: [rz.urban_areas],
    rz.Megaregions: [rz.megaregions],
    rz.DominantFlows: [rz.dominant_flows],
    rz.LifeZones: [rz.life_zones],
    M.CoreBasedAreas: [M.core_based_areas, M.combined_areas],
    M.CensusMetropolitanAreas: [M.census_metropolitan_areas],
    M.FunctionalUrbanAreas: [M.functional_urban_areas],
    M.UrbanEmploymentAreas: [M.urban_employment_areas],
    M.CommutingZones: [M.commuting_zones],
    M.LabourMarketAreas: [M.labour_market_areas],
    M.Intramax: [M.intramax],
    M.FlowBCA: [M.flowbca],
    M.Leiden: [M.leiden],
    M.Infomap: [M.infomap],
}


@pytest.mark.parametrize("cls", list(TWINS), ids=lambda c: c.__name__)
def test_twin_signature_lists_every_parameter(cls):
    names = cls.param_names()
    for twin in TWINS[cls]:
        sig = inspect.signature(twin)
        kinds = {p.kind for p in sig.parameters.values()}
        assert inspect.Parameter.VAR_KEYWORD not in kinds, twin.__name__
        assert list(sig.parameters)[0] == "graph"
        assert set(names) <= set(sig.parameters), (twin.__name__, set(names) - set(sig.parameters))
        for name in names:  # same defaults as the estimator
            default = inspect.signature(cls.__init__).parameters[name].default
            assert sig.parameters[name].default == default or (
                default is inspect.Parameter.empty
            ), (twin.__name__, name)
        doc = twin.__doc__ or ""
        assert "Parameters" in doc and "Returns" in doc, twin.__name__


@pytest.mark.parametrize("cls", list(CASES), ids=lambda c: c.__name__)
def test_repr_rebuilds_an_equal_estimator(cls, korea):
    est = CASES[cls][0](korea)
    namespace = {cls.__name__: cls}
    again = eval(repr(est), namespace)  # noqa: S307 - our own repr
    assert again.get_params() == est.get_params()


@pytest.mark.parametrize("cls", list(CASES), ids=lambda c: c.__name__)
def test_a_wrong_keyword_is_one_clear_error(cls, korea):
    est = CASES[cls][0](korea)
    first = cls.param_names()[-1]
    with pytest.raises(InvalidParameterError, match=f"Did you mean '{first}'"):
        est.set_params(**{first + "x": 1})
    required = [
        p
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self"
        and p.default is inspect.Parameter.empty
        and p.kind == p.POSITIONAL_OR_KEYWORD
    ]
    args = [est.get_params()[p.name] for p in required]
    with pytest.raises(InvalidParameterError, match="Its parameters are"):
        cls(*args, **{first + "x": 1})


@pytest.mark.parametrize("cls", list(TWINS), ids=lambda c: c.__name__)
def test_a_twin_called_wrong_is_one_clear_error(cls, korea):
    name = cls.param_names()[-1]
    for twin in TWINS[cls]:
        with pytest.raises(InvalidParameterError, match=f"Did you mean '{name}'"):
            twin(korea, **{name + "x": 1})


def test_fit_methods_are_documented():
    undocumented = [c.__name__ for c in CASES if not (c.fit.__doc__ or "").strip()]
    assert not undocumented


@pytest.mark.parametrize("cls", list(CASES), ids=lambda c: c.__name__)
def test_declared_constraints_are_checked_before_fit(cls, korea, layers):
    build, fit, _, _ = CASES[cls]
    declared = dict(cls._constraints)
    assert set(declared) <= set(cls.param_names())
    for name in declared:
        est = build(korea).set_params(**{name: object()})
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of {cls.__name__}"):
            fit(est, korea, layers)


def test_compare_quality_and_stability_are_callable_as_their_main_function(korea, layers):
    metro, urban = layers["metropolitan"], layers["urban"]
    assert rz.quality(korea, metro) == rz.quality.quality(korea, metro)
    got, expected = rz.compare(metro, urban), rz.compare.compare(metro, urban)
    assert repr(got) == repr(expected)
    assert rz.compare.adjusted_rand_index(metro.labels, metro.labels) == 1.0  # still a module
    for module, function in [
        (rz.compare, rz.compare.compare),
        (rz.quality, rz.quality.quality),
        (rz.stability, rz.stability.stability),
    ]:
        assert inspect.signature(module) == inspect.signature(function)
    run = rz.stability(korea, rz.metropolitan_areas, runs=2, seed=1)
    again = rz.stability.stability(korea, rz.metropolitan_areas, runs=2, seed=1)
    assert np.array_equal(np.asarray(run.labels), np.asarray(again.labels))


@pytest.mark.parametrize("cls", list(CASES), ids=lambda c: c.__name__)
def test_fit_on_something_else_than_a_graph_is_one_clear_error(cls, korea, layers):
    build, fit, _, _ = CASES[cls]
    est = build(korea)
    with pytest.raises(InvalidParameterError, match="must be a FlowGraph"):
        fit(est, korea.to_frame(), layers)
    # several years: combined first, except where the method averages over them itself
    years = rz.Vintages({"a": korea, "b": korea})
    if cls is M.CommutingZones:  # a year with itself: the single-year zones, years recorded
        both = fit(est, years, layers).partition_
        one = fit(build(korea), korea, layers).partition_
        assert both.details.equals(one.details) and both.params["vintages"] == ["a", "b"]
    else:
        with pytest.raises(InvalidParameterError, match=r"vintages\.combine"):
            fit(est, years, layers)
