"""Invariants of the full pipeline on a synthetic country with polygons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import regionalize as rz


@pytest.fixture(scope="module")
def country():
    return rz.synthetic_country(600, seed=3)


@pytest.fixture(scope="module")
def hierarchy(country):
    return rz.delineate(country)


def test_layers_valid_and_nested(country, hierarchy):
    h = hierarchy
    assert h.layers == ("megaregion", "metropolitan", "urban")
    assert h.is_nested
    for layer in h.layers:
        d = h[layer].details
        assert list(d.index) == list(country.ids)  # every zone in every layer
        assert (d["area"].notna() | d["reason"].notna()).all()
    assert h["metropolitan"].n_areas >= 1 and h["urban"].n_areas > h["metropolitan"].n_areas
    assert repr(h).startswith("<Hierarchy over 600 zones: megaregion=")


def test_contiguous_areas(country, hierarchy):
    c = country.build_contiguity(islands="nearest")
    for layer in ("metropolitan", "urban"):
        part = hierarchy[layer]
        for area in part:
            members = list(part.members(area))
            assert c.subset(members).n_components == 1, (layer, area)


def test_repeatable(country, hierarchy):
    again = rz.delineate(country)
    for layer in hierarchy.layers:
        assert again[layer].equals(hierarchy[layer])


def test_flow_scaling_and_relabelling(country, hierarchy):
    flows = country.to_frame()
    scaled = rz.FlowGraph.from_dataframe(
        flows.assign(flow=flows["flow"] * 3), geometry=country.geometry
    )
    h2 = rz.delineate(scaled)
    for layer in hierarchy.layers:
        pd.testing.assert_series_equal(h2[layer].labels, hierarchy[layer].labels)
    rename = {z: f"R{z}" for z in country.ids}
    relabelled = rz.FlowGraph.from_dataframe(
        flows.assign(
            origin=flows["origin"].map(rename), destination=flows["destination"].map(rename)
        ),
        geometry=country.geometry.rename(index=rename),
    )
    h3 = rz.delineate(relabelled)
    for layer in hierarchy.layers:
        expect = [
            None if a is None else "+".join(f"R{z}" for z in a.split("+"))
            for a in hierarchy[layer].labels
        ]
        got = h3[layer].labels.reindex([rename[z] for z in country.ids])
        assert got.tolist() == expect


def test_inputs_unmodified(country):
    before = country.matrix.copy()
    zones = country.zones
    rz.delineate(country)
    assert (country.matrix != before).nnz == 0
    pd.testing.assert_frame_equal(country.zones, zones)
    assert np.isfinite(country.residents).all()


def test_delineate_reports_progress_per_layer():
    g = rz.synthetic_country(300, seed=4)
    seen = []
    h = rz.delineate(
        g,
        metropolitan={"cluster_cores": True, "min_size_share": 0.002},
        progress=lambda layer, part, seconds: seen.append((layer, part, seconds)),
    )
    assert [s[0] for s in seen] == ["metropolitan", "urban", "megaregion"]
    for layer, part, seconds in seen:
        assert part.equals(h[layer]) and seconds >= 0
