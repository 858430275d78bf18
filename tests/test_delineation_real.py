"""Acceptance checks of the layers on real national data (skipped without the data folder)."""

from __future__ import annotations

import numpy as np
import pytest

import regionalize as rz
from regionalize.datasets import KOREA_METROPOLITAN_CENTRES


@pytest.fixture(scope="module")
def korea(data_dir):
    return rz.datasets.load_korea_ktdb()


@pytest.fixture(scope="module")
def korea_metro(korea):
    # KTDB has no diagonal: shares are over out-trips ("auto"); 20% links, two orders
    return rz.metropolitan_areas(korea, KOREA_METROPOLITAN_CENTRES, tau=0.20, max_order=2)


def members_by_name(graph, partition, area):
    names = graph.zones["name"]
    return set(names[partition.members(area)])


EXPECTED_MEMBERS = {
    # the Nakdonggang River Council's Gyeongnam members and the Haeoreum Alliance
    "21+26": {"Yangsan", "Gimhae", "Gyeongju", "Pohang"},
    "22": {"Gyeongsan", "Chilgok", "Goryeong"},
    "24": {"Hwasun", "Naju", "Damyang", "Jangseong"},
    "25+29": {"Gyeryong", "Geumsan", "Okcheon", "Gongju"},
    "11": {"Incheon", "Goyang", "Seongnam", "Bucheon", "Uijeongbu"},
}


@pytest.mark.parametrize("area", sorted(EXPECTED_MEMBERS))
def test_korea_metropolitan_members(korea, korea_metro, area):
    assert EXPECTED_MEMBERS[area] <= members_by_name(korea, korea_metro, area)


def test_korea_metropolitan_shape(korea, korea_metro):
    assert korea_metro.areas["name"].tolist() == list(KOREA_METROPOLITAN_CENTRES)
    assert korea_metro.params["share"] == "outcommuters"
    d = korea_metro.details
    assert d["order"].max() == 2
    # Pohang joins through Gyeongju (its largest destination), at the second order
    pohang = korea.ids[korea.zones["name"] == "Pohang"][0]
    gyeongju = korea.ids[korea.zones["name"] == "Gyeongju"][0]
    assert d.loc[pohang, "order"] == 2 and d.loc[pohang, "via"] == gyeongju
    jeonju = korea.ids[korea.zones["name"] == "Jeonju"][0]
    assert korea_metro.labels[jeonju] is None


@pytest.mark.parametrize("candidates", ["city", None])
def test_korea_small_and_medium_urban_areas(korea, korea_metro, candidates):
    urban = rz.urban_areas(
        korea, korea_metro, tau=0.20, max_order=2, min_job_ratio=None, candidates=candidates
    )
    areas = urban.areas
    smua = areas[areas["kind"] == "small/medium urban"]
    assert (smua["n_zones"] >= 2).all()
    assert 12 <= len(smua) <= 30
    assert {"Jeonju", "Mokpo", "Jinju", "Suncheon", "Andong"} <= set(smua["name"])
    # the large urban areas are the metropolitan cores with their first-order belt
    large = areas[areas["kind"] == "large urban"]
    assert list(large.index) == list(korea_metro.areas.index)
    belt = korea_metro.details["order"].fillna(99) <= 1
    assert set(urban.labels[belt].dropna().index) == set(korea_metro.labels[belt].index)


def test_us_outlying_counties_against_omb_2013(data_dir):
    g = rz.datasets.load_us_counties(geometry=False)
    cbsa = rz.datasets.load_us_cbsa_2013()
    cbsa = cbsa[cbsa.index.isin(g.ids)]
    centres = rz.datasets.us_cbsa_centres(cbsa)
    # OMB 2010 standards: >= 25% of employed residents work in the central counties, or
    # >= 25% of the county's jobs are held by their residents; strongest tie wins
    p = rz.metropolitan_areas(g, centres, tau=0.25, max_order=1, share="either")
    to_cbsa = {area: cbsa.loc[c[0], "cbsa"] for area, c in p.areas["centres"].items()}
    ours = p.details.query("role == 'member'")["area"].map(to_cbsa)
    official = cbsa.loc[~cbsa["central"], "cbsa"]
    same = int((ours.reindex(official.index) == official).sum())
    extra = len(ours.index.difference(official.index))
    assert len(official) == 543
    assert same >= 480
    assert extra <= 45


@pytest.mark.parametrize("name", ["korea-ktdb-sigun", "sardinia-2001"])
def test_every_area_of_every_layer_is_one_piece(data_dir, name):
    # with polygons, every area is connected through the contiguity graph (islands linked
    # to their nearest zone), the large urban areas included
    from scipy.sparse.csgraph import connected_components

    from regionalize._demo import delineation_preset

    g = rz.datasets.load(name)
    h = rz.delineate(g, **delineation_preset(g))
    adj = g.build_contiguity(islands="nearest").adjacency
    pieces = {}
    for layer in h.layers:
        codes = h[layer].codes()
        for k, area in enumerate(h[layer].areas.index):
            idx = np.flatnonzero(codes == k)
            n, _ = connected_components(adj[idx][:, idx], directed=False)
            if n > 1:
                pieces[(layer, area)] = n
    assert pieces == {}
    if name == "sardinia-2001":
        # Piscinas reached Cagliari's belt through Teulada (order 2): cut off, and said so
        d = h["urban"].details
        cut = d["reason"].fillna("").str.contains("cut off from the large urban area")
        assert cut.sum() >= 1
