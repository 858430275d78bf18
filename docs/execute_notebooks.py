"""Execute the notebooks of ``notebooks/`` for the site (called by ``conf.py``).

Each notebook runs top to bottom with nbclient in a kernel of this interpreter, in a
temporary working directory, and its executed copy (outputs and figures) is written to
``docs/notebooks/``. A copy is reused while its source notebook is unchanged (the source's
SHA-256 is kept beside it in ``docs/_build/notebooks/``). The notebooks run here, in their
own process, rather than inside the Sphinx build: executed from within the build the widget
notebook's kernel waited forever on a fresh clone.

    python docs/execute_notebooks.py
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "notebooks"
TARGET = HERE / "notebooks"
MARKS = HERE / "_build" / "notebooks"


def main() -> int:
    TARGET.mkdir(exist_ok=True)
    MARKS.mkdir(parents=True, exist_ok=True)
    for path in sorted(SOURCE.glob("*.ipynb")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        target, mark = TARGET / path.name, MARKS / f"{path.stem}.sha256"
        if target.exists() and mark.exists() and mark.read_text() == digest:
            continue
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as work:
            client = NotebookClient(
                nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": work}}
            )
            client.execute()
        nbformat.write(nb, target)
        mark.write_text(digest)
        print(f"executed {path.name} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
