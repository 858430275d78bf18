#!/usr/bin/env python3
"""Check the package's layout rules on ``regionalize/`` by reading its source (AST, no import).

Rules (each violation is printed as ``path:line: CODE message``, sorted):

- ``L1`` no module imports an underscore-prefixed *name* from another module
  (``from x import _y``). Dunder names (``__version__``) and private *modules*
  (``from . import _common``, ``from ._ids import leading_zero_hint``) are fine.
- ``L2`` no import cycle among ``regionalize`` modules at module level. Imports inside
  functions and under ``if TYPE_CHECKING:`` do not count; importing ``a.b.c`` counts as
  importing the packages ``a.b`` (their ``__init__`` runs first) unless the importer is inside.
- ``L3`` no file under ``regionalize/`` is longer than ``MAX_LINES`` lines.
- ``L4`` the one-way layer order of ``LAYERS`` holds: a module imports (at module level) only
  from its own layer or a lower one; layers of equal rank are siblings and import neither
  each other. The same import inside a function is a warning (``W4``), not an error.
- ``L5`` every module belongs to a layer (a new public module must be added to ``LAYERS``).
- ``W6`` (a warning) a package's internals stay inside it: a private module in a
  subpackage (``regionalize/layers/_common.py``) is imported only by modules of that
  subpackage. The private helpers at the top (``regionalize/_areas.py``) are shared.
  ``INTERNALS = "L6"`` makes it an error.

The layers (ARCHITECTURE.md): foundation (errors) < engine (``_core``) < toolkit < layers <
methods < outputs < faces.

Exit status 1 when there is an error, else 0 (warnings are printed but do not fail).
Run: ``.venv/bin/python tools/check_layout.py [--root regionalize] [--no-warnings]``.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

# ---------------------------------------------------------------------------- the rules' data
#: layer -> (rank, module names or patterns). A module imports from its own layer or a lower
#: rank only; two layers of the same rank are siblings (neither imports the other).
#: A dotted name covers the module and, when it is a package, everything inside it
#: ("regionalize.io" is regionalize/io/__init__.py and regionalize/io/*.py), except the root
#: "regionalize", which is only regionalize/__init__.py. A pattern with * ? [ ] is an fnmatch
#: pattern on dotted names (* also matches dots). When several entries fit a module, the
#: longest wins, and a name beats a pattern of the same length.
LAYERS: dict[str, tuple[int, list[str]]] = {
    # the exception classes and parameter checks everything raises
    "foundation": (0, ["regionalize.errors"]),
    # the network-constraint engine: arrays in, arrays out; imports only the foundation
    "engine": (1, ["regionalize._core"]),
    # the objects and measures every layer and method shares, and the private helpers
    "toolkit": (
        2,
        [
            "regionalize._base",
            "regionalize._ids",
            "regionalize._files",
            "regionalize._markup",
            "regionalize._memory",
            "regionalize._dask",
            "regionalize.flows",
            "regionalize.partition",
            "regionalize.contiguity",
            "regionalize.synthetic",
            "regionalize.quality",
            "regionalize.compare",
            "regionalize.vintages",
            "regionalize._*",
        ],
    ),
    # the layers of the design
    "layers": (3, ["regionalize.layers"]),
    # the published methods: may build on the layers' public estimators (a CBSA is a
    # metropolitan area under OMB's rules), never on their internals (W6).
    # Give it rank 3 to make layers and methods siblings that import neither each other.
    "methods": (4, ["regionalize.methods"]),
    # what combines layers, and what reads, writes, draws and reports them
    "outputs": (
        5,
        [
            "regionalize.hierarchy",
            "regionalize.io",
            "regionalize.delineate",
            "regionalize.scenarios",
            "regionalize.stability",
            "regionalize.soft_membership",
            "regionalize.monitor",
            "regionalize.plot",
            "regionalize.report",
            "regionalize.datasets",
        ],
    ),
    # what people touch: the command line, the demo, and the package's public namespace
    "faces": (6, ["regionalize.cli", "regionalize._cli_*", "regionalize._demo", "regionalize"]),
}

#: the package itself: its name in LAYERS means its __init__.py only
PACKAGE = "regionalize"

#: the longest file allowed under the package, in lines
MAX_LINES = 900

#: the code of a subpackage's private module imported from outside it: "W6" reports it as a
#: warning, "L6" would make it an error
INTERNALS = "W6"

#: known, accepted exceptions while a refactor is under way: (CODE, path, detail), e.g.
#: ("L3", "regionalize/monitor.py", ""), where detail is the imported module (L4, W4, W6),
#: the imported name (L1) or "" (L2, L3, L5). Keep it short, and empty at rest.
ALLOW: set[tuple[str, str, str]] = set()


# ---------------------------------------------------------------------------- the machinery
@dataclass(frozen=True)
class Import:
    """One import statement's target inside the package."""

    src: str  # importing module
    dst: str  # imported module
    line: int
    level: str  # "module", "function" or "typing" (under if TYPE_CHECKING)
    implicit: bool = False  # a package whose __init__ runs because a submodule is imported


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    code: str
    message: str

    @property
    def error(self) -> bool:
        return not self.code.startswith("W")

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}"


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_private(name: str) -> bool:
    """An underscore-prefixed name that is not a dunder (``_x``, not ``__version__``)."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def walk_imports(tree: ast.Module):
    """Yield (node, level) for every import statement, level "module"/"function"/"typing"."""

    def visit(nodes, level):
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield node, level
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                body = node.body if isinstance(node.body, list) else []
                yield from visit(body, "function")
            elif isinstance(node, ast.If) and is_type_checking(node.test):
                yield from visit(node.body, "typing" if level == "module" else level)
                yield from visit(node.orelse, level)
            else:
                yield from visit(ast.iter_child_nodes(node), level)

    yield from visit(tree.body, "module")


class Layout:
    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, Path] = {}
        self.packages: set[str] = set()
        for path in sorted(root.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            name = module_name(path, root)
            self.files[name] = path
            if path.name == "__init__.py":
                self.packages.add(name)
        self.findings: list[Finding] = []
        self.imports: list[Import] = []

    def rel(self, module: str) -> str:
        """The module's file, relative to the folder that holds the package."""
        return self.files[module].relative_to(self.root.parent).as_posix()

    def add(self, module: str, line: int, code: str, message: str, detail: str = "") -> None:
        if (code, self.rel(module), detail) in ALLOW:
            return
        self.findings.append(Finding(self.rel(module), line, code, message))

    def package_of(self, module: str) -> str:
        return module if module in self.packages else module.rpartition(".")[0]

    def known(self, dotted: str) -> str | None:
        """The longest known module that ``dotted`` names or lies in (None: not ours)."""
        while dotted:
            if dotted in self.files:
                return dotted
            dotted = dotted.rpartition(".")[0]
        return None

    # ------------------------------------------------------------------ reading
    def read(self) -> None:
        for module, path in self.files.items():
            text = path.read_text(encoding="utf-8")
            n_lines = len(text.splitlines())
            if n_lines > MAX_LINES:
                self.add(
                    module,
                    MAX_LINES + 1,
                    "L3",
                    f"{n_lines} lines, over the limit of {MAX_LINES}: split the module",
                    "",
                )
            try:
                tree = ast.parse(text, filename=str(path))
            except SyntaxError as exc:
                self.add(module, exc.lineno or 1, "E0", f"cannot parse: {exc.msg}")
                continue
            for node, level in walk_imports(tree):
                self.read_import(module, node, level)

    def read_import(self, module: str, node: ast.Import | ast.ImportFrom, level: str) -> None:
        targets: list[str] = []
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = self.known(alias.name)
                if target:
                    targets.append(target)
        else:
            if node.level:
                base = self.package_of(module)
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                name = alias.name
                submodule = f"{base}.{name}"
                if submodule in self.files:  # a module: `from . import flows`, `from . import _x`
                    targets.append(submodule)
                    continue
                if is_private(name):
                    self.add(
                        module,
                        node.lineno,
                        "L1",
                        f"imports the private name {name!r} from {base or '.'}: make it "
                        "public (no underscore) in a private module, or move the code",
                        name,
                    )
                target = self.known(base)
                if target:
                    targets.append(target)
        for target in dict.fromkeys(targets):
            if target == module:
                continue
            self.imports.append(Import(module, target, node.lineno, level))
            # importing a.b.c first runs the __init__ of a.b (unless we are inside a.b already)
            pkg = target.rpartition(".")[0]
            while pkg and pkg.count("."):
                if not (module == pkg or module.startswith(pkg + ".")):
                    self.imports.append(Import(module, pkg, node.lineno, level, implicit=True))
                pkg = pkg.rpartition(".")[0]

    # ------------------------------------------------------------------ layers
    def layer_of(self, module: str) -> str | None:
        best: tuple[int, int, str] | None = None
        for layer, (_, patterns) in LAYERS.items():
            for pattern in patterns:
                if any(c in pattern for c in "*?["):
                    if not fnmatch.fnmatchcase(module, pattern):
                        continue
                    key = (len(pattern), 0, layer)
                elif module == pattern or (pattern != PACKAGE and module.startswith(pattern + ".")):
                    key = (len(pattern), 1, layer)
                else:
                    continue
                if best is None or key[:2] > best[:2]:
                    best = key
        return best[2] if best else None

    def check_layers(self) -> None:
        layer = {m: self.layer_of(m) for m in self.files}
        for module in self.files:
            if layer[module] is None:
                self.add(
                    module,
                    1,
                    "L5",
                    f"module {module} is in no layer: add it to LAYERS in tools/check_layout.py",
                )
        for imp in self.imports:
            if imp.implicit or imp.level == "typing":
                continue
            pkg, _, leaf = imp.dst.rpartition(".")
            if (
                pkg != PACKAGE
                and is_private(leaf)
                and not (imp.src == pkg or imp.src.startswith(pkg + "."))
            ):
                self.add(
                    imp.src,
                    imp.line,
                    INTERNALS,
                    f"imports {imp.dst}, an internal of {pkg}: use what {pkg} makes public, "
                    f"or move the shared code to a private module at the top "
                    f"(regionalize/_name.py)",
                    imp.dst,
                )
            a, b = layer[imp.src], layer[imp.dst]
            if a is None or b is None or a == b:
                continue
            rank_a, rank_b = LAYERS[a][0], LAYERS[b][0]
            if rank_b < rank_a:
                continue
            what = "a sibling" if rank_b == rank_a else "a higher"
            if imp.level == "module":
                self.add(
                    imp.src,
                    imp.line,
                    "L4",
                    f"{a} module imports {imp.dst}, in {what} "
                    f"layer ({b}): move the shared code down, or import the other way",
                    imp.dst,
                )
            else:
                self.add(
                    imp.src,
                    imp.line,
                    "W4",
                    f"{a} module imports {imp.dst}, in {what} layer ({b}), inside a function",
                    imp.dst,
                )

    # ------------------------------------------------------------------ cycles
    def check_cycles(self) -> None:
        graph: dict[str, dict[str, Import]] = {m: {} for m in self.files}
        for imp in sorted(self.imports, key=lambda i: (i.src, i.dst, i.implicit, i.line)):
            if imp.level == "module":
                graph[imp.src].setdefault(imp.dst, imp)
        for scc in strongly_connected(graph):
            start = scc[0]
            cycle = shortest_cycle(graph, start, set(scc))
            steps = []
            for src, dst in zip(cycle, cycle[1:], strict=False):
                imp = graph[src][dst]
                via = " (its package __init__ runs)" if imp.implicit else ""
                steps.append(f"{self.rel(src)}:{imp.line} -> {dst}{via}")
            first = graph[cycle[0]][cycle[1]]
            others = ", ".join(scc)
            self.add(
                start,
                first.line,
                "L2",
                f"module-level import cycle among {len(scc)} modules ({others}): "
                + "; ".join(steps)
                + ". Move an import into the function that needs it, "
                "or move the shared code down a layer",
            )

    def run(self, warnings: bool = True) -> list[Finding]:
        self.read()
        self.check_layers()
        self.check_cycles()
        found = sorted(set(self.findings))
        return [f for f in found if warnings or f.error]


def strongly_connected(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """Cycles' strongly connected components (sorted members, sorted list), Tarjan's."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    members.append(top)
                    if top == node:
                        break
                if len(members) > 1 or node in graph[node]:
                    out.append(sorted(members))
    return sorted(out)


def shortest_cycle(graph: dict[str, dict[str, Import]], start: str, within: set[str]) -> list[str]:
    """The shortest path start -> ... -> start inside ``within`` (breadth first, sorted)."""
    previous: dict[str, str] = {}
    queue = deque([start])
    seen = {start}
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node]):
            if child not in within:
                continue
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if child not in seen:
                seen.add(child)
                previous[child] = node
                queue.append(child)
    return [start, start]  # unreachable for a strongly connected component


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_root = Path(__file__).resolve().parent.parent / "regionalize"
    parser.add_argument("--root", default=str(default_root), help="the package folder")
    parser.add_argument("--no-warnings", action="store_true", help="print errors only")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    if not (root / "__init__.py").is_file():
        print(f"check_layout: {root} is not a package folder", file=sys.stderr)
        return 2
    layout = Layout(root)
    findings = layout.run(warnings=not args.no_warnings)
    for finding in findings:
        print(finding)
    errors = sum(f.error for f in findings)
    warnings = len(findings) - errors
    if errors:
        print(
            f"check_layout: {errors} error(s), {warnings} warning(s). The layers, the line "
            "limit and the accepted exceptions are data at the top of tools/check_layout.py."
        )
        return 1
    print(f"check_layout: OK ({len(layout.files)} modules, {warnings} warning(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
