#!/usr/bin/env python3
"""How many public callables carry a runnable Examples section (the docs' target: 90%).

Public callables are the functions and classes named in ``__all__`` of :mod:`regionalize`
and of its public subpackages and modules, and the public methods of those classes (their
own, not inherited). Run: ``.venv/bin/python tools/doc_coverage.py [--missing] [--min 90]``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys

MODULES = [
    "regionalize",
    "regionalize.methods",
    "regionalize.layers",
    "regionalize.io",
    "regionalize.quality",
    "regionalize.compare",
    "regionalize.stability",
    "regionalize.soft_membership",
    "regionalize.scenarios",
    "regionalize.monitor",
    "regionalize.plot",
    "regionalize.datasets",
    "regionalize.contiguity",
    "regionalize.synthetic",
    "regionalize.errors",
    "regionalize.partition",
    "regionalize.hierarchy",
    "regionalize.flows",
    "regionalize.report",
]


def public_callables() -> dict[str, object]:
    found: dict[int, tuple[str, object]] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr, None)
            if inspect.ismodule(obj) and not callable(obj):
                continue
            if not (inspect.isclass(obj) or inspect.isfunction(obj) or callable(obj)):
                continue
            found.setdefault(id(obj), (f"{name}.{attr}", obj))
    out: dict[str, object] = {}
    for qual, obj in found.values():
        out[qual] = obj
        if inspect.isclass(obj):
            for meth, member in vars(obj).items():
                if meth.startswith("_"):
                    continue
                fn = member.fget if isinstance(member, property) else member
                if isinstance(member, (staticmethod, classmethod)):
                    fn = member.__func__
                if inspect.isfunction(fn) and not isinstance(member, property):
                    out[f"{qual}.{meth}"] = fn
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--missing", action="store_true", help="list the callables without")
    parser.add_argument("--min", type=float, default=0.0, help="fail below this percentage")
    args = parser.parse_args()
    items = public_callables()
    missing = sorted(
        q for q, obj in items.items() if "Examples\n" not in (inspect.getdoc(obj) or "") + "\n"
    )
    share = 100 * (1 - len(missing) / len(items))
    if args.missing:
        print("\n".join(missing))
    print(
        f"{len(items) - len(missing)} of {len(items)} public callables have Examples ({share:.1f}%)"
    )
    return 1 if share < args.min else 0


if __name__ == "__main__":
    sys.exit(main())
