"""Sphinx configuration of the regionalize documentation (``make docs``).

The site is built with warnings as errors and nitpicky cross-references. Names of other
projects are not looked up (the build machine has no network for intersphinx), so references
to them are accepted as text; every reference to regionalize itself must resolve.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import regionalize

HERE = Path(__file__).parent
REPO = HERE.parent


project = "regionalize"
author = "the regionalize developers"
copyright = "2026, the regionalize developers"
release = regionalize.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx-mathjax-offline",  # MathJax served with the site: formulas render offline
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints", "img/README*",
                    "gallery/*.ipynb", "gallery/*.py", "gallery/*.md5", "gallery/*.json",
                    "gallery/*.zip"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"

nitpicky = True
# other projects' names (no intersphinx here): accepted as text
nitpick_ignore_regex = [
    # numpydoc's aliases point builtins and numpy terms at python: and numpy: (intersphinx)
    (r"py:.*", r"(python|numpy|pandas|scipy|matplotlib|geopandas):.*"),
    (r"std:(ref|term|label)", r"(python|numpy|pandas|scipy|matplotlib|geopandas):.*"),
    (r"py:.*", r"(numpy|np|pandas|pd|scipy|sp|geopandas|gpd|shapely|matplotlib|mpl|networkx|nx|"
               r"igraph|dask|distributed|folium|typer|click|pyproj|pyogrio|leidenalg|infomap|"
               r"collections|typing|pathlib|os|io|concurrent|contextlib|datetime|enum|types)"
               r"(\..*)?"),
    (r"py:(class|obj|data)", r"(array-like|array|arrays|callable|mapping|sequence|iterable|"
                             r"path-like|str|int|float|bool|dict|list|tuple|set|None|bytes|"
                             r"object|type|Any|optional|default|or|of|and|ndarray|DataFrame|"
                             r"Series|GeoDataFrame|Index|csr_array|Axes|Figure|Map|Client|"
                             r"PathLike|Path|Callable|Mapping|Sequence|Iterable|Literal|"
                             r"int64|float64)"),
]

# ---------------------------------------------------------------- autodoc / numpydoc
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc sections say the types
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    "FlowGraph": "regionalize.FlowGraph",
    "Partition": "regionalize.Partition",
    "Hierarchy": "regionalize.Hierarchy",
    "Contiguity": "regionalize.Contiguity",
    "MergeTree": "regionalize.methods.MergeTree",
    "Comparison": "regionalize.compare.Comparison",
    "StabilityResult": "regionalize.stability.StabilityResult",
    "SweepResult": "regionalize.stability.SweepResult",
    "Monitor": "regionalize.monitor.Monitor",
    "Executor": "regionalize.stability.Executor",
    "RegionalizeError": "regionalize.RegionalizeError",
    "InvalidParameterError": "regionalize.InvalidParameterError",
    "InvalidODError": "regionalize.InvalidODError",
    "InvalidZonesError": "regionalize.InvalidZonesError",
}
numpydoc_xref_ignore = "all"  # only the aliases above become references
numpydoc_validation_checks: set[str] = set()

# ---------------------------------------------------------------- MyST and notebooks
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "deflist"]
myst_heading_anchors = 3
# pages and notebooks run at build time (cached); without the national data folder they are
# shown without their outputs
_HAS_DATA = regionalize.datasets.data_dir(required=False) is not None
nb_execution_mode = os.environ.get("REGIONALIZE_DOCS_EXECUTE", "cache" if _HAS_DATA else "off")
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_merge_streams = True

# the notebooks live in notebooks/ (run by the tests); the site shows executed copies, made
# by execute_notebooks.py in its own process (reused while a notebook is unchanged), or the
# notebooks without outputs when there is no data folder
nb_execution_excludepatterns = ["notebooks/*"]
_NB_SRC, _NB_DST = REPO / "notebooks", HERE / "notebooks"
_NB_DST.mkdir(exist_ok=True)
if _HAS_DATA and nb_execution_mode != "off":
    subprocess.run([sys.executable, str(HERE / "execute_notebooks.py")], check=True)
else:
    for _nb in sorted(_NB_SRC.glob("*.ipynb")):
        shutil.copyfile(_nb, _NB_DST / _nb.name)

# ---------------------------------------------------------------- the CLI reference
# generated from the typer app at every build (typer's own Markdown), headings one level down
def _write_cli_reference() -> None:
    import typer
    import typer.cli

    from regionalize.cli import app

    command = typer.main.get_command(app)
    text = typer.cli.get_docs_for_click(
        obj=command, ctx=typer.Context(command), name="regionalize"
    )
    text = "\n".join("#" + line if line.startswith("#") else line for line in text.splitlines())
    page = (
        "# Command line reference\n\n"
        "Every command and flag of `regionalize`, generated from the program itself. The "
        "{doc}`guide page <guide/cli>` shows them at work.\n\n" + text + "\n"
    )
    target = HERE / "cli.md"
    if not target.exists() or target.read_text(encoding="utf-8") != page:
        target.write_text(page, encoding="utf-8")


_write_cli_reference()

# ---------------------------------------------------------------- gallery (examples/)
# the scripts that only print run when the site is built (a few seconds each, on the national
# data sets); those that write folders or start workers are shown, not run. Without the data
# folder none runs.
_RUN_EXAMPLES = r"/(korea_layers|korea_scenarios|us_cbsa|us_compare|load_and_aggregate)\.py$"
if not _HAS_DATA:
    _RUN_EXAMPLES = r"^$"
sphinx_gallery_conf = {
    "examples_dirs": str(REPO / "examples"),
    "gallery_dirs": "gallery",
    "filename_pattern": os.environ.get("REGIONALIZE_GALLERY_RUN", _RUN_EXAMPLES),
    "ignore_pattern": r"(__init__|_data)\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "plot_gallery": "True",
}

# ---------------------------------------------------------------- HTML
html_theme = "pydata_sphinx_theme"
html_title = f"regionalize {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_context = {"default_mode": "light"}
html_show_sourcelink = False
