"""Real national data sets, loaded into FlowGraphs with their zone layers.

The data live outside the repository, in a data folder (see :func:`data_dir`). Every loader
returns a :class:`~regionalize.FlowGraph` with zone attributes and geometry, and records
the quirks of its source in ``graph.meta["quirks"]`` (and in its docstring).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataNotFoundError, InvalidParameterError, RegionalizeError
from .flows import FlowGraph
from .io.readers import read_flows, read_matrix, read_table

__all__ = [
    "data_dir",
    "list_datasets",
    "load",
    "load_korea_ktdb",
    "load_us_counties",
    "load_us_cbsa_2013",
    "us_cbsa_centres",
    "KOREA_METROPOLITAN_CENTRES",
    "load_us_commuting_zones_1990",
    "load_sardinia",
    "load_brindisi",
    "load_ew_ltla",
]

ENV_VAR = "REGIONALIZE_DATA"


def _candidates() -> list[Path]:
    repo = Path(__file__).resolve().parents[1]
    return [repo.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]


def data_dir(required: bool = True) -> Path | None:
    """The folder holding the shared national data sets.

    Looked up in this order: the ``REGIONALIZE_DATA`` environment variable, then
    ``../shared/data`` beside the repository (or beside the working directory).

    Parameters
    ----------
    required : bool
        Raise when there is no data folder (default); ``False`` returns ``None`` instead.

    Returns
    -------
    pathlib.Path or None

    Raises
    ------
    DataNotFoundError
        When ``required`` and no folder is found, or ``REGIONALIZE_DATA`` is not a folder.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> from unittest import mock
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with mock.patch.dict(os.environ, {"REGIONALIZE_DATA": tmp}):
    ...         print(rz.datasets.data_dir() == pathlib.Path(tmp))
    True
    >>> with mock.patch.dict(os.environ, {"REGIONALIZE_DATA": "/no/such/folder"}):
    ...     print(rz.datasets.data_dir(required=False))
    ...     rz.datasets.data_dir()
    Traceback (most recent call last):
    ...
    regionalize.errors.DataNotFoundError: REGIONALIZE_DATA points to /no/such/folder, which is not a folder. Set it to the folder that holds the data sets (e.g. korea-sigun-ktdb-od/), or unset it.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if path.is_dir():
            return path
        if required:
            raise DataNotFoundError(
                f"{ENV_VAR} points to {path}, which is not a folder. Set it to the folder that "
                "holds the data sets (e.g. korea-sigun-ktdb-od/), or unset it."
            )
        return None
    for path in _candidates():
        if path.is_dir():
            return path
    if required:
        raise DataNotFoundError(
            f"No data folder found: set {ENV_VAR} to the folder that holds the national data sets "
            "(looked for ../shared/data beside the repository and the working directory)."
        )
    return None


def _folder(name: str, root: str | os.PathLike | None) -> Path:
    base = Path(root) if root is not None else data_dir()
    path = base / name
    if not path.is_dir():
        raise DataNotFoundError(
            f"Data set folder {name!r} not found in {base}; set {ENV_VAR} to the folder that "
            f"contains {name}/."
        )
    return path


def _read_zones(path: Path, **kwargs):
    import geopandas as gpd

    return gpd.read_file(path, engine="pyogrio", **kwargs)


# ---------------------------------------------------------------------------- Korea
def load_korea_ktdb(root: str | os.PathLike | None = None) -> FlowGraph:
    """KTDB passenger trips between the 159 South Korean si/gun, with their polygons.

    Parameters
    ----------
    root : path, optional
        The data folder; by default :func:`regionalize.datasets.data_dir`.

    Returns
    -------
    FlowGraph
        159 zones, ids as KOSTAT census codes (``"11"`` Seoul, ``"21"`` Busan, ...,
        ``"31010"`` Suwon), zone attributes ``name`` (English), ``province`` (two-digit code),
        ``kind`` (``"metropolitan city"``, ``"si"`` or ``"gun"``: within a province, codes
        ending below 500 are cities) and ``city`` (True for si and metropolitan cities);
        geometry in EPSG:4326.

    Notes
    -----
    - Flows are *all-purpose passenger trips per day* (expanded, non-integer), not
      commuting only; total about 22.4 million.
    - **The diagonal is zero**: trips inside a unit are absent, so self-containment cannot be
      computed and shares must use out-trips (``share="outcommuters"``) as denominator.
    - Seoul, the six metropolitan cities and Sejong are single units (two-digit codes); Jeju
      and Ulleung are absent.
    - Codes are KOSTAT census codes (``11010``), not MOIS codes (``11110``).
    - The polygons (2023 boundaries) were reprojected from EPSG:5179 to EPSG:4326; use
      ``graph.to_crs(5179)`` for metric work.

    Examples
    --------
    With the data folder present (not run here), the graph and two of its zones:

    >>> g = rz.datasets.load_korea_ktdb()  # doctest: +SKIP
    >>> g  # doctest: +SKIP
    <FlowGraph 'korea-ktdb-sigun' of 159 zones and 25,020 flows (total 22,376,808; no diagonal; geometry EPSG:4326)>
    >>> g.zones.loc[["11", "31010"]]  # doctest: +SKIP
            name province               kind  city
    zone
    11     Seoul       11  metropolitan city  True
    31010  Suwon       31                 si  True
    """
    folder = _folder("korea-sigun-ktdb-od", root)
    g = read_matrix(
        folder / "OD_SiGun_matrix.csv",
        id_column="sourceunit",
        label_columns=["sourceunit_nm"],
        name="korea-ktdb-sigun",
    )
    zones = g.zones.rename(columns={"sourceunit_nm": "name"})
    codes = g.ids.to_series()
    single = codes.str.len() == 2  # Seoul, the metropolitan cities and Sejong: one unit each
    zones["province"] = codes.str[:2].to_numpy()
    zones["kind"] = np.where(
        single, "metropolitan city", np.where(codes.str[-3:].astype(int) < 500, "si", "gun")
    )
    zones["city"] = zones["kind"] != "gun"
    g = g.replace(zones=zones)
    shapes = _read_zones(folder / "KR_SiGun_epsg4326.geojson")
    g = g.with_geometry(shapes[["SiGun_CD", "geometry"]], id_column="SiGun_CD")
    return g.replace(
        meta={
            "source": str(folder),
            "dataset": "korea-ktdb-sigun",
            "unit": "passenger trips per day (all purposes)",
            "projected_crs": "EPSG:5179",
            "quirks": [
                "all-purpose passenger trips, not commuting only",
                "diagonal is zero: intra-unit trips absent",
                "Seoul, metropolitan cities and Sejong are single units",
                "KOSTAT census codes, not MOIS codes",
            ],
        }
    )


#: Korea's five metropolitan centres in the balanced-development policy (KOSTAT census codes):
#: Seoul; Busan with Ulsan; Daegu; Gwangju; Daejeon with Sejong.
KOREA_METROPOLITAN_CENTRES = {
    "Seoul": "11",
    "Busan-Ulsan": ["21", "26"],
    "Daegu": "22",
    "Gwangju": "24",
    "Daejeon-Sejong": ["25", "29"],
}


# ---------------------------------------------------------------------------- United States
_US_DOMESTIC_MAX_STATE = 56  # state FIPS 01..56 are the 50 states and DC (with gaps)
_PUERTO_RICO = "72"
# 2009-2013 county codes that the 2017 boundaries carry under a newer code
_US_POLYGON_RECODES = {"46102": "46113", "02158": "02270"}


def load_us_counties(
    root: str | os.PathLike | None = None,
    *,
    include_puerto_rico: bool = True,
    geometry: bool = True,
) -> FlowGraph:
    """ACS 2009-2013 county-to-county commuting, with margins of error and county polygons.

    Parameters
    ----------
    root : path, optional
        The data folder; by default :func:`regionalize.datasets.data_dir`.
    include_puerto_rico : bool
        Keep the 78 Puerto Rico municipios as zones (3,221 zones) or leave them out (3,143).
    geometry : bool
        Attach the 2017 cartographic county polygons (us-atlas 1:10m).

    Returns
    -------
    FlowGraph
        Rows are residence counties, columns workplace counties (5-digit FIPS text); the
        matrix holds workers 16+ and ``graph.moe`` the published 90% margins of error. Zone
        attributes: ``name``, ``state_fips``, ``outside`` (workers whose workplace is not a zone
        of the graph: abroad, or in Puerto Rico when it is left out).

    Notes
    -----
    - The file ends with three footer rows (an NA row and two notes): dropped.
    - Workplace state codes are three characters (``"001"``); codes 301/303 and ``NA`` are
      foreign workplaces: kept per zone in ``outside``, not in the matrix.
    - Flows into the 50 states and DC total 139,681,106; with Puerto Rico and abroad the
      file sums to 140,843,659.
    - Polygon recodes: 2017 boundaries use 46102 (Oglala Lakota, formerly Shannon 46113) and
      02158 (Kusilvak, formerly Wade Hampton 02270); they are attached under the 2009-2013
      codes. 51515 (Bedford city, merged into Bedford County 51019 in 2013) has no polygon:
      it is kept with an empty geometry, as is 51610 (Falls Church), whose polygon is empty
      at the 1:10m scale. About 20 TopoJSON polygons are invalid after
      quantisation and are repaired with ``make_valid``; the layer has no CRS in the file
      and is set to EPSG:4326.

    Examples
    --------
    With the data folder present (not run here):

    >>> rz.datasets.load_us_counties()  # doctest: +SKIP
    <FlowGraph 'us-counties-2009-2013' of 3,221 zones and 135,705 flows (total 140,738,397; diagonal present; margins of error; geometry EPSG:4326)>
    >>> rz.datasets.load_us_counties(include_puerto_rico=False, geometry=False)  # doctest: +SKIP
    <FlowGraph 'us-counties-2009-2013' of 3,143 zones and 133,543 flows (total 139,679,674; diagonal present; margins of error)>
    """
    folder = _folder("us-acs-county-commuting-2009-2013", root)
    id_cols = ["h_state_fips", "h_county_fips", "w_state_fips", "w_county_fips"]
    raw = read_table(folder / "jtw2009_2013.csv", text_columns=id_cols, sep=",")
    footer = raw["h_county_fips"].isna()
    raw = raw.loc[~footer]
    home = raw["h_state_fips"].str.strip() + raw["h_county_fips"].str.strip()
    w_state = pd.to_numeric(raw["w_state_fips"], errors="coerce")
    has_county = raw["w_county_fips"].notna()
    domestic = has_county & ((w_state <= _US_DOMESTIC_MAX_STATE) | (w_state == 72))
    work = raw["w_state_fips"].str[-2:] + raw["w_county_fips"].str.strip()
    keep_home = (
        np.ones(len(raw), bool)
        if include_puerto_rico
        else (home.str[:2] != _PUERTO_RICO).to_numpy()
    )
    in_graph = domestic.to_numpy() & keep_home
    if not include_puerto_rico:
        in_graph &= (work.str[:2] != _PUERTO_RICO).fillna(True).to_numpy()
    flows = pd.DataFrame(
        {"origin": home, "destination": work, "flow": raw["flow"], "moe": raw["moe"]}
    ).loc[in_graph]
    outside = raw.loc[keep_home & ~in_graph].groupby(home[keep_home & ~in_graph])["flow"].sum()
    homes = pd.Index(sorted(home[keep_home].unique()), name="zone")
    zones = pd.DataFrame(
        {
            "state_fips": homes.str[:2].to_numpy(),
            "outside": outside.reindex(homes, fill_value=0).to_numpy(),
        },
        index=homes,
    )
    g = FlowGraph.from_dataframe(flows, moe="moe", zones=zones, name="us-counties-2009-2013")
    quirks = [
        "3 footer rows dropped",
        "foreign workplaces (state codes 301, 303, NA) kept per zone in 'outside'",
        "workplace state codes are 3 characters",
    ]
    if not include_puerto_rico:
        quirks.append("Puerto Rico left out; flows to Puerto Rico in 'outside'")
    if geometry:
        shapes = _read_zones(
            folder.parent / "us-county-boundaries" / "counties-10m.json", layer="counties"
        )
        import shapely

        invalid = int((~shapes.geometry.is_valid).sum())
        shapes = shapes.set_crs("EPSG:4326")
        shapes["geometry"] = shapely.make_valid(shapes.geometry.to_numpy())
        shapes["id"] = shapes["id"].replace(_US_POLYGON_RECODES)
        names = shapes.set_index("id")["name"]
        g = g.with_geometry(
            shapes[["id", "geometry"]], id_column="id", extra="drop", missing="keep"
        )
        name = names.reindex(g.ids)
        if "51515" in g.ids:
            name.loc["51515"] = "Bedford city"
        g = g.with_zones(pd.DataFrame({"name": name.to_numpy()}, index=g.ids))
        quirks += [
            f"{invalid} invalid TopoJSON polygons repaired with make_valid; CRS set to EPSG:4326",
            "polygons 46102 and 02158 attached as 46113 and 02270 (2009-2013 codes)",
            "51515 Bedford city has no polygon (merged into 51019 in 2013)",
            "51610 Falls Church is an empty polygon at 1:10m: no geometry",
        ]
    meta = dict(g.meta)
    meta.update(
        {
            "source": str(folder),
            "dataset": "us-counties-2009-2013",
            "unit": "workers 16+ (ACS 5-year estimates)",
            "projected_crs": "EPSG:5070",
            "quirks": quirks + list(meta.get("repairs", [])),
        }
    )
    return g.replace(meta=meta)


def load_us_cbsa_2013(root: str | os.PathLike | None = None) -> pd.DataFrame:
    """The official OMB February 2013 CBSA/CSA delineation, one row per county.

    Parameters
    ----------
    root : path, optional
        The data folder; by default :func:`regionalize.datasets.data_dir`.

    Returns
    -------
    pandas.DataFrame
        Indexed by 5-digit county FIPS (zero-padded: the file is not) with ``cbsa``,
        ``cbsa_title``, ``kind`` (``"metropolitan"``/``"micropolitan"``),
        ``metro_division``, ``csa``, ``csa_title`` and ``central`` (True for central
        counties). Counties outside every CBSA are not listed.

    See Also
    --------
    regionalize.datasets.us_cbsa_centres : The central counties of each CBSA, as centres.
    regionalize.methods.CoreBasedAreas : The OMB rule, to compare with this delineation.

    Examples
    --------
    With the data folder present (not run here): 1,882 counties in 929 CBSAs.

    >>> cbsa = rz.datasets.load_us_cbsa_2013()  # doctest: +SKIP
    >>> cbsa["kind"].value_counts().to_dict()  # doctest: +SKIP
    {'metropolitan': 1236, 'micropolitan': 646}
    >>> cbsa.loc["01001", ["cbsa", "cbsa_title", "central"]].to_dict()  # doctest: +SKIP
    {'cbsa': '33860', 'cbsa_title': 'Montgomery, AL', 'central': True}
    """
    folder = _folder("us-acs-county-commuting-2009-2013", root)
    raw = read_table(
        folder / "cbsa2fipsxw_2013.csv",
        sep=",",
        text_columns=[
            "cbsacode",
            "metrodivisioncode",
            "csacode",
            "fipsstatecode",
            "fipscountycode",
        ],
    )
    raw = raw.dropna(subset=["fipsstatecode", "fipscountycode"])
    fips = raw["fipsstatecode"].str.zfill(2) + raw["fipscountycode"].str.zfill(3)
    kind = raw["metropolitanmicropolitanstatis"].str.split().str[0].str.lower()
    out = pd.DataFrame(
        {
            "cbsa": raw["cbsacode"].to_numpy(),
            "cbsa_title": raw["cbsatitle"].to_numpy(),
            "kind": kind.to_numpy(),
            "metro_division": raw["metrodivisioncode"].to_numpy(),
            "csa": raw["csacode"].to_numpy(),
            "csa_title": raw["csatitle"].to_numpy(),
            "central": (raw["centraloutlyingcounty"] == "Central").to_numpy(),
        },
        index=pd.Index(fips.to_numpy(), name="zone"),
    )
    return out


def us_cbsa_centres(cbsa: pd.DataFrame, zones=None) -> dict[str, list[str]]:
    """The official central counties of each CBSA, ``{cbsa code: [county fips]}``, from
    :func:`regionalize.datasets.load_us_cbsa_2013`; restricted to ``zones`` when given.

    Parameters
    ----------
    cbsa : pandas.DataFrame
        Indexed by county FIPS, with columns ``cbsa`` and ``central`` (bool), as
        :func:`regionalize.datasets.load_us_cbsa_2013` returns it.
    zones : list of str, optional
        Keep only these counties (e.g. ``graph.ids``); a CBSA left without a central county
        is left out.

    Returns
    -------
    dict
        CBSA code -> list of its central counties, sorted by CBSA code: the ``centres`` of
        :class:`regionalize.methods.CoreBasedAreas` or :class:`regionalize.MetropolitanAreas`.

    Examples
    --------
    >>> import pandas as pd
    >>> cbsa = pd.DataFrame({"cbsa": ["10100", "10100", "10140"], "central": [True, False, True]},
    ...                     index=["46013", "46045", "53027"])
    >>> rz.datasets.us_cbsa_centres(cbsa)
    {'10100': ['46013'], '10140': ['53027']}
    >>> rz.datasets.us_cbsa_centres(cbsa, zones=["46013", "46045"])
    {'10100': ['46013']}
    """
    central = cbsa[cbsa["central"]]
    if zones is not None:
        central = central[central.index.isin(zones)]
    return {code: list(grp.index) for code, grp in central.groupby("cbsa", sort=True)}


def load_us_commuting_zones_1990(root: str | os.PathLike | None = None) -> pd.Series:
    """The 1990 commuting zones of Tolbert & Sizer (USDA ERS): county FIPS -> CZ code.

    Parameters
    ----------
    root : path, optional
        The data folder; by default :func:`regionalize.datasets.data_dir`.

    Returns
    -------
    pandas.Series
        ``cz1990`` (text) indexed by 5-digit county FIPS: 3,141 counties in 741 zones.

    See Also
    --------
    regionalize.methods.commuting_zones : The method, to rerun on newer flows.

    References
    ----------
    .. [1] Tolbert, C. M. and Sizer, M. (1996). U.S. Commuting Zones and Labor Market Areas:
       A 1990 Update. Economic Research Service, U.S. Department of Agriculture.

    Examples
    --------
    With the data folder present (not run here):

    >>> cz = rz.datasets.load_us_commuting_zones_1990()  # doctest: +SKIP
    >>> len(cz), cz.nunique(), cz["01001"]  # doctest: +SKIP
    (3141, 741, '11101')
    """
    folder = _folder("us-acs-county-commuting-2009-2013", root)
    raw = read_table(folder / "czones1990.csv", sep=",", text_columns=["fips", "czone1990"])
    return pd.Series(
        raw["czone1990"].to_numpy(),
        index=pd.Index(raw["fips"].str.zfill(5), name="zone"),
        name="cz1990",
    )


# ---------------------------------------------------------------------------- Italy
def _load_istat(stem: str, root, name: str, code_prefix: str) -> FlowGraph:
    folder = _folder("italy-sardinia-lma", root)
    shapes = _read_zones(folder / f"shp{stem}.geojson")
    zones = pd.DataFrame(
        {
            "name": shapes["NOME_COM"].to_numpy(),
            "province": shapes["COD_PRO"].to_numpy(),
            "population": shapes["POP2001"].to_numpy(),
        },
        index=shapes["PRO_COM"].to_numpy(),
    )
    g = read_flows(
        folder / f"{stem}.csv",
        "community_live",
        "community_work",
        "amount",
        sep=",",
        zones=zones,
        geometry=shapes[["PRO_COM", "geometry"]],
        geometry_id="PRO_COM",
        name=name,
    )
    return g.replace(
        meta={
            "source": str(folder),
            "dataset": name,
            "unit": "workers (2001 census commuting for work)",
            "projected_crs": "EPSG:32632",
            "quirks": [
                f"ISTAT municipality codes (PRO_COM, {code_prefix}xxx) stored as integers: "
                "read as text",
                "names from the polygons (NOME_COM), as published: both they and names_*.csv "
                "dropped accented letters (e.g. 'Tortol' for Tortolì, 'Lod' for Lodè) and mix "
                "upper and title case",
                "diagonal present (people working in their municipality of residence)",
            ],
        }
    )


def load_sardinia(root: str | os.PathLike | None = None) -> FlowGraph:
    """2001 census commuting between the 377 municipalities of Sardinia (Istat).

    The example data of Istat's LabourMarketAreas R package: 391,395 commuters, 248,469 of
    them working in their municipality of residence. Zone attributes ``name``,
    ``province`` and ``population`` (2001); polygons in EPSG:4326.

    Parameters
    ----------
    root : path, optional
        The data folder; by default :func:`regionalize.datasets.data_dir`.

    Returns
    -------
    FlowGraph
        377 zones, ids as ISTAT municipality codes (text).

    Notes
    -----
    Municipality codes (``PRO_COM``) are integers in the source files. Names come from the
    polygon layer as published: like the names file, it dropped accented letters ("Tortol"
    for Tortolì, "Lod" for Lodè) and mixes upper and title case.

    Examples
    --------
    With the data folder present (not run here):

    >>> g = rz.datasets.load_sardinia()  # doctest: +SKIP
    >>> g  # doctest: +SKIP
    <FlowGraph 'sardinia-2001' of 377 zones and 10,997 flows (total 391,395; diagonal present; geometry EPSG:4326)>
    >>> g.zones.head(2)  # doctest: +SKIP
                   name  province  population
    zone
    90001        AGGIUS        90        1686
    90002  Al dei Sardi        90        1949
    """
    return _load_istat("Sardinia", root, "sardinia-2001", "9/10/11")


def load_brindisi(root: str | os.PathLike | None = None) -> FlowGraph:
    """2001 census commuting between the 20 municipalities of the province of Brindisi.

    The same source and quirks as :func:`regionalize.datasets.load_sardinia`.

    Parameters
    ----------
    root : path, optional
        The data folder; by default :func:`regionalize.datasets.data_dir`.

    Returns
    -------
    FlowGraph
        20 zones (ISTAT codes ``74001`` ...), attributes ``name``, ``province`` and
        ``population`` (2001), polygons in EPSG:4326.

    Examples
    --------
    With the data folder present (not run here):

    >>> rz.datasets.load_brindisi()  # doctest: +SKIP
    <FlowGraph 'brindisi-2001' of 20 zones and 337 flows (total 89,192; diagonal present; geometry EPSG:4326)>
    """
    return _load_istat("Brindisi", root, "brindisi-2001", "74")


def load_sardinia_grid_2011(root: str | os.PathLike | None = None) -> FlowGraph:
    """2011 census commuting between the 1 km grid cells of Sardinia (Istat, Geostat grid).

    The second example table of Istat's LabourMarketAreas R package: 55,066 pairs of
    inhabited 1 km cells of the European (Geostat, EPSG:3035) grid, 292,413 commuters. With
    :func:`regionalize.datasets.load_sardinia` (2001, municipalities) it gives two
    censuses of the same island on different zones: a crosswalk from the cells to the
    municipalities puts them on the same zones (see :class:`regionalize.Vintages`).

    Parameters
    ----------
    root : path, optional
        The data folder; by default :func:`regionalize.datasets.data_dir`.

    Returns
    -------
    FlowGraph
        3,566 zones, ids as published (``"1kmN1756E4220"``: the cell whose south-west corner
        is 1,756 km north and 4,220 km east in EPSG:3035), polygons the 1 km squares in
        EPSG:3035; zone attributes ``east`` and ``north`` (metres, the corner).

    Notes
    -----
    The R package does not say which commuters the grid table counts; its total is 25%
    below the 2001 municipal table's (292,413 against 391,395), and only 20% of them work
    in their own cell (63% work in their own municipality in 2001): a cell is much smaller
    than a municipality. Compare the two censuses' areas, not their totals. 34 cells lie
    outside the 2001 municipal polygons of the island: 3 islets off its coast and 31 cells
    on the Italian mainland (about 32 commuters between Sardinia and the mainland).

    Examples
    --------
    With the data folder present (not run here):

    >>> grid = rz.datasets.load_sardinia_grid_2011()  # doctest: +SKIP
    >>> grid  # doctest: +SKIP
    <FlowGraph 'sardinia-grid-2011' of 3,566 zones and 55,066 flows (total 292,413; diagonal present; geometry EPSG:3035)>
    """
    import geopandas as gpd
    import shapely

    folder = _folder("italy-sardinia-lma", root)
    table = pd.read_csv(
        folder / "SardiniaGrid.csv", dtype={"community_live": str, "community_work": str}
    )
    ids = pd.Index(sorted(set(table["community_live"]) | set(table["community_work"])))
    parts = ids.str.extract(r"^1kmN(\d+)E(\d+)$")
    if parts.isna().any().any():
        bad = ids[parts.isna().any(axis=1)][:3].tolist()
        raise RegionalizeError(
            f"SardiniaGrid.csv has cell ids that are not Geostat 1 km ids (e.g. {bad}); "
            "the file is not the one the R package ships."
        )
    north = parts[0].astype(np.int64).to_numpy() * 1000
    east = parts[1].astype(np.int64).to_numpy() * 1000
    zones = pd.DataFrame({"east": east, "north": north}, index=ids)
    squares = gpd.GeoDataFrame(
        {"cell": ids},
        geometry=shapely.box(east, north, east + 1000, north + 1000),
        crs="EPSG:3035",
    )
    g = read_flows(
        table,
        "community_live",
        "community_work",
        "amount",
        zones=zones,
        geometry=squares,
        geometry_id="cell",
        name="sardinia-grid-2011",
    )
    return g.replace(
        meta={
            "source": str(folder),
            "dataset": "sardinia-grid-2011",
            "unit": "workers (2011 census commuting, 1 km Geostat grid cells)",
            "projected_crs": "EPSG:3035",
            "quirks": [
                "cell ids give the south-west corner in km (EPSG:3035): polygons built here",
                "flows stored as floats in the source, all whole numbers",
                "only inhabited cells with a flow appear",
            ],
        }
    )


# ---------------------------------------------------------------------------- England & Wales
def load_ew_ltla(root: str | os.PathLike | None = None) -> FlowGraph:
    """Census 2021 commuting between the lower-tier local authorities of England and Wales.

    Parameters
    ----------
    root : path, optional
        The data folder; by default :func:`regionalize.datasets.data_dir`.

    Returns
    -------
    FlowGraph
        363 zones (309 English and 22 Welsh LTLAs, plus 32 Scottish council areas that
        appear only as workplaces), ids as 2021 GSS codes, attributes ``name``,
        ``name_welsh``, ``lon``, ``lat``; geometry is **centroid points** in EPSG:27700
        (the source carries no polygons, so contiguity cannot be built from it).

    Notes
    -----
    - Census day (21 March 2021) fell in a COVID-19 lockdown; people working mainly from home
      are on the diagonal (20.9 of 27.7 million).
    - The 32 Scottish rows are all zero: Scottish residents are not in this census.

    Examples
    --------
    With the data folder present (not run here):

    >>> rz.datasets.load_ew_ltla()  # doctest: +SKIP
    <FlowGraph 'ew-ltla-2021' of 363 zones and 72,952 flows (total 27,680,850; diagonal present; geometry EPSG:27700)>
    """
    import geopandas as gpd

    folder = _folder("ew-2021-ltla-commuting", root)
    g = read_matrix(folder / "commuter_matrix.csv", id_column=0, sep=",", name="ew-ltla-2021")
    attrs = _read_zones(folder / "LAD_DEC_2021_GB_BFC.dbf")
    zones = pd.DataFrame(
        {
            "name": attrs["LAD21NM"].to_numpy(),
            "name_welsh": attrs["LAD21NMW"].to_numpy(),
            "lon": attrs["LONG"].to_numpy(),
            "lat": attrs["LAT"].to_numpy(),
        },
        index=attrs["LAD21CD"].to_numpy(),
    )
    g = g.with_zones(zones)
    points = gpd.GeoDataFrame(
        {"geometry": gpd.points_from_xy(attrs["BNG_E"], attrs["BNG_N"])},
        index=attrs["LAD21CD"].to_numpy(),
        crs="EPSG:27700",
    )
    g = g.with_geometry(points)
    return g.replace(
        meta={
            "source": str(folder),
            "dataset": "ew-ltla-2021",
            "unit": "usual residents aged 16+ in employment (Census 2021, ODWP01EW)",
            "projected_crs": "EPSG:27700",
            "quirks": [
                "geometry is centroid points (no polygons in the source)",
                "32 Scottish council areas appear only as workplaces (all-zero rows)",
                "COVID-19 lockdown census: home workers on the diagonal",
            ],
        }
    )


# ---------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Dataset:
    name: str
    folder: str
    zones: int
    description: str
    loader: Callable[..., FlowGraph]


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "korea-ktdb-sigun",
            "korea-sigun-ktdb-od",
            159,
            "KTDB all-purpose trips between South Korean si/gun (no diagonal)",
            load_korea_ktdb,
        ),
        Dataset(
            "us-counties-2009-2013",
            "us-acs-county-commuting-2009-2013",
            3221,
            "ACS 2009-2013 county commuting with margins of error",
            load_us_counties,
        ),
        Dataset(
            "sardinia-2001",
            "italy-sardinia-lma",
            377,
            "2001 census commuting between Sardinian municipalities",
            load_sardinia,
        ),
        Dataset(
            "brindisi-2001",
            "italy-sardinia-lma",
            20,
            "2001 census commuting between municipalities of Brindisi",
            load_brindisi,
        ),
        Dataset(
            "sardinia-grid-2011",
            "italy-sardinia-lma",
            3566,
            "2011 census commuting between 1 km grid cells of Sardinia",
            load_sardinia_grid_2011,
        ),
        Dataset(
            "ew-ltla-2021",
            "ew-2021-ltla-commuting",
            363,
            "Census 2021 England & Wales LTLA commuting (centroids only)",
            load_ew_ltla,
        ),
    ]
}


def list_datasets(root: str | os.PathLike | None = None) -> pd.DataFrame:
    """The named data sets, with whether each is present in the data folder.

    Parameters
    ----------
    root : path, optional
        The data folder; by default :func:`regionalize.datasets.data_dir`.

    Returns
    -------
    pandas.DataFrame
        Indexed by name (what :func:`regionalize.datasets.load` takes), with ``zones``,
        ``available`` (whether its folder is in ``root``), ``folder`` and ``description``.

    Examples
    --------
    >>> rz.datasets.list_datasets()["zones"]
    name
    korea-ktdb-sigun          159
    us-counties-2009-2013    3221
    sardinia-2001             377
    brindisi-2001              20
    sardinia-grid-2011       3566
    ew-ltla-2021              363
    Name: zones, dtype: int64
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as empty:
    ...     rz.datasets.list_datasets(empty)["available"].tolist()
    [False, False, False, False, False, False]
    """
    base = Path(root) if root is not None else data_dir(required=False)
    return pd.DataFrame(
        [
            {
                "name": d.name,
                "zones": d.zones,
                "available": bool(base and (base / d.folder).is_dir()),
                "folder": d.folder,
                "description": d.description,
            }
            for d in DATASETS.values()
        ]
    ).set_index("name")


def load(name: str, root: str | os.PathLike | None = None, **kwargs) -> FlowGraph:
    """Load a named data set (see :func:`regionalize.datasets.list_datasets`).

    Parameters
    ----------
    name : str
        ``"korea-ktdb-sigun"``, ``"us-counties-2009-2013"``, ``"sardinia-2001"``,
        ``"brindisi-2001"``, ``"sardinia-grid-2011"`` or ``"ew-ltla-2021"``.
    root : path, optional
        The data folder; by default :func:`regionalize.datasets.data_dir`.
    **kwargs
        Passed to the loader (e.g. ``include_puerto_rico=False`` for the US counties).

    Returns
    -------
    FlowGraph
        What the data set's loader returns (:func:`regionalize.datasets.load_sardinia`, ...).

    Raises
    ------
    InvalidParameterError
        For an unknown name, listing the names.
    DataNotFoundError
        When the data folder or the data set's folder is missing.

    Examples
    --------
    >>> rz.datasets.load("korea")
    Traceback (most recent call last):
    ...
    regionalize.errors.InvalidParameterError: Unknown data set 'korea'; choose one of korea-ktdb-sigun, us-counties-2009-2013, sardinia-2001, brindisi-2001, sardinia-grid-2011, ew-ltla-2021.

    With the data folder present (not run here):

    >>> rz.datasets.load("brindisi-2001")  # doctest: +SKIP
    <FlowGraph 'brindisi-2001' of 20 zones and 337 flows (total 89,192; diagonal present; geometry EPSG:4326)>
    """
    if name not in DATASETS:
        raise InvalidParameterError(
            f"Unknown data set {name!r}; choose one of {', '.join(DATASETS)}."
        )
    return DATASETS[name].loader(root, **kwargs)
