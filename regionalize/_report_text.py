"""The words of the HTML report: its style sheet, the titles of its columns and quality
measures, the glossary, and what each parameter means."""

from __future__ import annotations

__all__ = ["STYLE", "COLUMN_TITLES", "QUALITY_TITLES", "GLOSSARY", "PARAMETER_HELP", "SHARE_WORDS"]

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1100px;color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:2em;
border-bottom:1px solid #ddd}h3{font-size:1.05em;margin-top:1.4em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#f4f4f4;font-weight:600}td.t,th.t{text-align:left}
img{max-width:100%;border:1px solid #eee}.note{color:#555;font-size:.9em}
.lead{font-size:1.05em}.sw{display:inline-block;width:.9em;height:.9em;
border:1px solid #777;vertical-align:-.1em;margin-right:.35em}
details{margin:.15em 0}summary{cursor:pointer}details p{margin:.2em 0 .6em 1.4em;
font-size:.9em}dt{font-weight:600;margin-top:.6em}dd{margin-left:1.4em}
ul.how li{margin:.3em 0}.ok{color:#1a7f37}.weak{color:#b35900}
table.params{width:100%}table.params td:nth-child(2){width:40%}
"""


#: plain column headers of the area tables (summary and quality columns)
COLUMN_TITLES = {
    "name": "area",
    "kind": "kind",
    "centre_names": "central zone(s)",
    "n_zones": "zones",
    "residents": "employed residents",
    "jobs": "jobs",
    "population": "population",
    "self_containment_supply": "self-containment (residents working in the area)",
    "self_containment_demand": "self-containment (jobs held by residents)",
    "validity": "TTWA validity (1 or more meets the criteria)",
}


QUALITY_TITLES = {
    "areas": "areas",
    "unassigned_zones": "zones in no area",
    "internal_share": "commuters living and working in the same area",
    "sc_supply": "self-containment (residents working in the area)",
    "sc_demand": "self-containment (jobs held by residents)",
    "valid_share": "areas meeting the TTWA criteria",
    "modularity": "modularity",
}


#: the glossary: (term, explanation); sources are named in the text
GLOSSARY = [
    (
        "Functional area",
        "A group of zones that people live and work in together: most residents work inside "
        "it and most jobs are held by residents. Unlike administrative boundaries, functional "
        "areas are drawn from the commuting flows themselves.",
    ),
    (
        "Employed residents and jobs",
        "Counted from the flows: the employed residents of a zone are all flows leaving it "
        "(including people working in their own zone), its jobs all flows arriving in it. They "
        "are in the units of the flows: people for census commuting tables, trips for a trip "
        "table.",
    ),
    (
        "Centre (central zone), member, order",
        "Each area of the network-constraint layers grows around a centre (one zone, or "
        "several zones forming one polycentric core). A zone joins directly (first order) "
        "when at least the link threshold of its commuters goes to the centre and the centre "
        "is its main destination; higher orders join through a zone already in the area.",
    ),
    (
        "Link threshold (tau)",
        "The smallest share of a zone's commuters that counts as a link, e.g. 10%. The usual "
        "strength classes are 5%, 10% and 20%: a higher threshold gives smaller, tighter "
        "areas and leaves more zones outside every area.",
    ),
    (
        "Self-containment",
        "Supply side: the share of the area's employed residents who also work in the area. "
        "Demand side: the share of the area's jobs held by people living in the area. The UK "
        "Office for National Statistics draws travel-to-work areas (TTWAs, 2011, with the "
        "method of Coombes and Bond 2008) so that, generally, at least 75% of an area's "
        "resident workforce work in the area and at least 75% of the people working there "
        "live there, with at least 3,500 workers; for areas of more than 25,000 workers, "
        "self-containment as low as 66.7% is accepted.",
    ),
    (
        "TTWA validity",
        "The ONS trade-off between size and self-containment in one number (Coombes and Bond "
        "2008): with the UK parameters (at least 3,500 workers and 66.7% self-containment, "
        "target 25,000 workers and 75%), an area is valid when its validity is 1 or more. The "
        "lower of the two self-containments counts. It is a yardstick, not a rule of this "
        "delineation: metropolitan areas of a trip table, or life zones, are not meant to "
        "meet it.",
    ),
    (
        "Share of commuters living and working in the same area",
        "All flows that stay inside an area (including people working in their own zone), as "
        "a share of all flows. Zones in no area count as areas of their own.",
    ),
    (
        "Modularity",
        "How much more commuting stays inside the areas than expected if each zone's "
        "commuters went to destinations in proportion to their jobs alone (directed "
        "modularity, Leicht and Newman 2008). 0 means no more than chance; the maximum is "
        "below 1. Newman and Girvan (2004) report that networks with clear community "
        "structure typically reach 0.3 to 0.7, and values above about 0.3 are usually taken "
        "as meaningful structure (Clauset, Newman and Moore 2004).",
    ),
    (
        "ARI and NMI (comparing two delineations)",
        "Used by `regionalize compare`, e.g. against an official delineation or another year. "
        "The adjusted Rand index (ARI, Hubert and Arabie 1985) is 1 for identical groupings "
        "and about 0 for groupings no more alike than chance (it can be negative); Steinley "
        "(2004) reads 0.90 or more as excellent agreement, 0.80 good, 0.65 moderate and less "
        "than 0.65 poor. Normalised mutual information (NMI) runs from 0 (independent) to 1 "
        "(identical); it has no agreed thresholds and tends to be higher than the ARI for the "
        "same pair.",
    ),
    (
        "Zones in no area (unassigned)",
        "Zones whose commuting ties to every area stay below the threshold, or that the rules "
        "left out (for example a centre too small to hold an area); the reason is given for "
        "each.",
    ),
]


#: what each recorded parameter means, in a few words
PARAMETER_HELP = {
    "centres": "central zones of the areas (a '+' joins the zones of one core)",
    "tau": "link threshold: smallest share of a zone's commuters that counts as a link",
    "max_order": "longest chain of links from the centre (empty: no limit)",
    "share": "what a zone's commuting shares are counted against",
    "dominance": "which destination a zone may join (strict: only its largest one)",
    "size": "what the size rule for centres measures",
    "min_size": "smallest size of a centre (empty: a share of the total instead)",
    "min_size_share": "smallest size of a centre, as a share of the national total",
    "min_job_ratio": "smallest jobs / employed residents of a centre",
    "candidates": "zones allowed to be centres (empty: any zone)",
    "merge_tau": "link between centres at which they form one core",
    "cluster_cores": "touching candidate zones grouped into one core",
    "min_zones": "smallest number of zones of an area",
    "min_population": "smallest population of an area",
    "population_column": "zone column holding the population",
    "contiguity": "each area kept one connected piece of territory",
    "classes": "link strength classes recorded for each zone",
    "large_max_order": "a large urban area: the metropolitan core with links up to this order",
    "within_metropolitan": "small/medium urban areas allowed inside metropolitan areas",
    "threshold": "interchange (share of commuters both ways) needed to join a megaregion",
    "merge_threshold": "interchange at which two metropolitan areas share a megaregion",
    "include_unassigned": "zones in no area may join a megaregion",
    "groups": "megaregions given by the user",
    "name": "layer name given by the user",
    "min_sc": "smallest self-containment (TTWA)",
    "target_size": "target size (TTWA)",
    "target_sc": "target self-containment (TTWA)",
    "k": "number of areas",
    "q": "stop when the largest relative flow falls below this",
    "cut": "cut height of the dendrogram",
    "seed": "random seed",
    "method": "method and its reference",
}


SHARE_WORDS = {
    "residents": "employed residents",
    "outcommuters": "out-commuters",
    "jobs": "jobs",
    "either": "employed residents or jobs",
}
