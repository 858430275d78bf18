#!/usr/bin/env python3
"""Type-check ``regionalize`` with mypy against a baseline that only shrinks.

mypy runs with the configuration in ``pyproject.toml`` (``[tool.mypy]``). Each error is
normalised to ``path: error-code: message`` -- no line or column numbers, so moving code
around does not change it -- and the multiset of errors is compared with
``tools/mypy-baseline.txt``:

- an error that is not in the baseline fails the check (they are printed);
- errors of the baseline that are gone are reported ("the baseline can shrink by N"):
  run with ``--update`` to write the smaller baseline;
- ``--update`` rewrites the baseline (sorted), and refuses to add errors to it unless
  ``--allow-growth`` is given (for a deliberate reset, e.g. after moving code between files).

Usage::

    .venv/bin/python tools/typecheck.py                  # check (make typecheck, CI)
    .venv/bin/python tools/typecheck.py --update         # shrink the baseline
    .venv/bin/python tools/typecheck.py --update --allow-growth   # reset it (tools/finish.sh)

Any further arguments after ``--`` go to mypy. mypy's incremental cache (.mypy_cache/) makes
a second run much faster than the first.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tools" / "mypy-baseline.txt"
HEADER = (
    "# mypy errors accepted for now: `path: error-code: message`, no line numbers, sorted.\n"
    "# Only ever shrinks: fix an error, then `.venv/bin/python tools/typecheck.py --update`.\n"
    "# Regenerated whole by tools/finish.sh (`--update --allow-growth`).\n"
)

# path:line[:column]: severity: message  [code]
LINE = re.compile(
    r"^(?P<path>[^:\n]+?):(?P<line>\d+)(?::\d+)?(?::\d+:\d+)?: (?P<severity>error|note|warning): "
    r"(?P<message>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$"
)
# numbers that move with the code, inside messages ("defined on line 12")
LINE_REF = re.compile(r"\b(on line|at line|line) \d+\b")


def normalise(path: str, code: str | None, message: str) -> str:
    path = Path(path).as_posix()
    try:
        path = Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        pass
    message = LINE_REF.sub(r"\1 N", message.strip())
    return f"{path}: {code or 'misc'}: {message}"


def run_mypy(extra: list[str]) -> tuple[Counter[str], str]:
    cmd = [
        sys.executable,
        "-m",
        "mypy",
        "--no-pretty",
        "--no-error-summary",
        "--show-error-codes",
        "--no-color-output",
        "--hide-error-context",
        *extra,
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash, not installed)
        lines = (proc.stdout + proc.stderr).splitlines()
        sys.stderr.write("".join(f"{line}\n" for line in lines[:40]))
        if len(lines) > 40:
            sys.stderr.write(f"... and {len(lines) - 40} more lines\n")
        raise SystemExit(
            f"typecheck: mypy stopped (exit {proc.returncode}): a syntax error, a crash or a "
            f"configuration problem (above); nothing was compared. Command: {' '.join(cmd)}"
        )
    errors: Counter[str] = Counter()
    for raw in proc.stdout.splitlines():
        match = LINE.match(raw)
        if match and match["severity"] == "error":
            errors[normalise(match["path"], match["code"], match["message"])] += 1
    return errors, proc.stdout


def read_baseline() -> Counter[str] | None:
    if not BASELINE.exists():
        return None
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return Counter(line for line in lines if line.strip() and not line.startswith("#"))


def write_baseline(errors: Counter[str]) -> None:
    BASELINE.write_text(
        HEADER + "".join(f"{e}\n" for e in sorted(errors.elements())), encoding="utf-8"
    )


def show(title: str, errors: Counter[str], limit: int | None = None) -> None:
    items = sorted(errors.elements())
    print(title)
    for item in items[:limit]:
        print(f"  {item}")
    if limit is not None and len(items) > limit:
        print(f"  ... and {len(items) - limit} more")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="mypy on regionalize, against tools/mypy-baseline.txt (only shrinks)"
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="rewrite the baseline with the current errors (sorted)",
    )
    parser.add_argument(
        "--allow-growth",
        action="store_true",
        help="with --update: accept errors that are not in the baseline yet",
    )
    parser.add_argument("mypy_args", nargs="*", help="passed to mypy (after --)")
    args = parser.parse_args(argv)
    if args.allow_growth and not args.update:
        parser.error("--allow-growth goes with --update")

    current, output = run_mypy(args.mypy_args)
    baseline = read_baseline()
    base = baseline if baseline is not None else Counter()
    new = current - base
    gone = base - current
    rel = BASELINE.relative_to(ROOT).as_posix()

    if args.update:
        if new and not args.allow_growth:
            show(
                f"typecheck: {new.total()} error(s) not in {rel}; refusing to grow it:",
                new,
                limit=50,
            )
            print(
                "Fix them, or if they are intended (code moved between files, a new check), "
                "run: .venv/bin/python tools/typecheck.py --update --allow-growth"
            )
            return 1
        write_baseline(current)
        print(
            f"typecheck: wrote {rel}: {current.total()} error(s) "
            f"({base.total()} before; {gone.total()} gone, {new.total()} added)"
        )
        return 0

    if baseline is None:
        print(
            f"typecheck: no baseline {rel}; create it with "
            ".venv/bin/python tools/typecheck.py --update --allow-growth"
        )
        return 1
    status = 0
    if new:
        show(f"typecheck: {new.total()} mypy error(s) not in the baseline {rel}:", new)
        where = [
            line
            for line in output.splitlines()
            if (m := LINE.match(line))
            and m["severity"] == "error"
            and normalise(m["path"], m["code"], m["message"]) in new
        ]
        show("where (mypy's own lines):", Counter(where), limit=50)
        print(
            "Fix them (see the mypy lines above; `.venv/bin/python -m mypy` shows all), or, "
            "if they are intended (code moved between files), regenerate the baseline: "
            ".venv/bin/python tools/typecheck.py --update --allow-growth"
        )
        status = 1
    if gone:
        print(
            f"typecheck: baseline can shrink by {gone.total()}: "
            ".venv/bin/python tools/typecheck.py --update"
        )
        if not new:
            show("fixed since the baseline:", gone, limit=20)
    if not status:
        print(f"typecheck: OK ({current.total()} known error(s) in the baseline, no new one)")
    return status


if __name__ == "__main__":
    sys.exit(main())
