"""The notebooks in ``notebooks/`` run top to bottom, and are stored without outputs.

Each notebook is executed headless with nbclient in a kernel running this interpreter (a
temporary kernelspec found through ``JUPYTER_PATH``, so no ``ipykernel install`` step is
needed), with the Agg matplotlib backend and a temporary working directory. A notebook must
neither fail nor print a warning, and must leave nothing in its working directory. Without
the national data folder the execution tests skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
KERNEL = "regionalize-notebook-tests"
# the named data sets each notebook reads (see regionalize.datasets.list_datasets)
REQUIRES = {
    "01_korea_layers": ["korea-ktdb-sigun"],
    "02_scenarios": ["korea-ktdb-sigun"],
    "03_us_cbsa_validation": ["us-counties-2009-2013"],
    "04_sardinia_methods": ["sardinia-2001"],
    "05_your_own_data": ["sardinia-2001"],
}


def _id(path: Path) -> str:
    return path.stem


def test_notebooks_found():
    assert NOTEBOOKS, "no notebooks/*.ipynb found"
    assert {p.stem for p in NOTEBOOKS} >= set(REQUIRES)


# ------------------------------------------------------------------ stored without outputs
def _problems(text: str) -> list[str]:
    """What is wrong with a stored notebook: outputs, execution counts, widget state."""
    nb = json.loads(text)
    problems = []
    if nb.get("nbformat") != 4:
        problems.append(f"nbformat {nb.get('nbformat')}, expected 4")
    for k, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {k} has {len(cell['outputs'])} outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {k} has execution_count {cell['execution_count']}")
        if "execution" in cell.get("metadata", {}):
            problems.append(f"cell {k} has execution timings in its metadata")
    if "widgets" in nb.get("metadata", {}):
        problems.append("the notebook metadata holds widget state")
    if nb.get("metadata", {}).get("kernelspec", {}).get("name") != "python3":
        problems.append("the kernelspec is not python3")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_stored_without_outputs(path):
    problems = _problems(path.read_text(encoding="utf-8"))
    assert not problems, (
        f"{path.name}: {'; '.join(problems)}. Clear the outputs before "
        "committing (Jupyter: Edit > Clear Outputs of All Cells)."
    )


def _git(*args: str) -> subprocess.CompletedProcess | None:
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        return None
    return subprocess.run([git, *args], cwd=REPO, capture_output=True, text=True, check=False)


def test_notebooks_in_git_stored_without_outputs():
    """The versions staged in git (what the next commit holds) have no outputs either."""
    listed = _git("ls-files", "--", "notebooks/*.ipynb")
    if listed is None or listed.returncode != 0:
        pytest.skip("not a git checkout")
    bad = {}
    for name in listed.stdout.split():
        shown = _git("show", f":{name}")
        if shown is None or shown.returncode != 0:
            continue
        problems = _problems(shown.stdout)
        if problems:
            bad[name] = problems
    assert not bad, f"notebooks staged with outputs: {bad}"


# ------------------------------------------------------------------ executed
@pytest.fixture(scope="module")
def jupyter_path(tmp_path_factory):
    """A folder with a kernelspec that runs ipykernel in this very interpreter."""
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (regionalize notebook tests)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    return root


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_notebook_runs(path, data_dir, jupyter_path, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    from regionalize.datasets import list_datasets

    available = list_datasets(data_dir)["available"]
    missing = [d for d in REQUIRES.get(path.stem, []) if not available.get(d, False)]
    if missing:
        pytest.skip(f"data set(s) {', '.join(missing)} not in {data_dir}")
    paths = [str(jupyter_path), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(paths))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("REGIONALIZE_DATA", str(data_dir))
    work = tmp_path / "cwd"
    work.mkdir()

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, kernel_name=KERNEL, timeout=600, resources={"metadata": {"path": str(work)}}
    )
    client.execute()

    printed = [
        (k, out.get("text", ""))
        for k, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "stream" and out.name == "stderr"
    ]
    assert not printed, f"{path.name} printed to stderr (warnings?): {printed}"
    assert not list(work.iterdir()), (
        f"{path.name} left files in its working directory: {sorted(os.listdir(work))}"
    )
