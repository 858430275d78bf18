"""The project's own files agree with the package: version, citation, changelog."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import yaml

import regionalize as rz

REPO = Path(__file__).resolve().parents[1]


def test_one_version_everywhere():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert importlib.metadata.version("regionalize") == rz.__version__
    assert citation["version"] == rz.__version__
    assert f"## {rz.__version__}" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


def test_citation_file_names_the_software_and_the_methods():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["title"].startswith("regionalize")
    assert citation["license"] == "BSD-3-Clause"
    titles = " ".join(ref["title"] for ref in citation["references"]).lower()
    for method in (
        "hierarchical aggregation",
        "flowbca",
        "commuting zones",
        "travel-to-work",
        "labour market areas",
        "metropolitan",
        "functional urban area",
        "leiden",
        "random walks",
    ):
        assert method in titles, method
