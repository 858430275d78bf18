#!/usr/bin/env bash
# The one command at the end of a day of moving code (also `make baselines`):
#   1. sort imports (ruff check --fix --select I) and format (ruff format) the Python code;
#   2. regenerate the mypy baseline from scratch (tools/typecheck.py --update --allow-growth),
#      since errors follow the code into its new files;
#   3. run `make lint typecheck`: what is left is for people to fix (docstrings, layout).
# Review `git diff` (formatting touches many files; the baseline diff shows type errors that
# appeared or went away), then commit. CI (.ci/run) runs the same checks, then the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
make --no-print-directory VENV="$VENV" "$VENV/.installed"   # the tools come from the test extra
BIN=$VENV/bin
PATHS=(regionalize tests benchmarks examples tools)

echo "== 1/3 imports and formatting"
"$BIN/ruff" check --fix --select I "${PATHS[@]}"
"$BIN/ruff" format "${PATHS[@]}"

echo "== 2/3 mypy baseline"
before=$(grep -vc '^#' tools/mypy-baseline.txt 2>/dev/null || true)
"$BIN/python" tools/typecheck.py --update --allow-growth
after=$(grep -vc '^#' tools/mypy-baseline.txt)
echo "tools/mypy-baseline.txt: ${before:-0} -> $after errors"

echo "== 3/3 make lint typecheck"
status=0
make --no-print-directory -k VENV="$VENV" lint typecheck || status=$?
if [ "$status" -ne 0 ]; then
    echo "finish: formatting and the baseline are done; lint or typecheck still fails (above):"
    echo "fix those in the code (see CONTRIBUTING.md), then run: make lint typecheck"
else
    echo "finish: all clean. Review git diff, commit; CI runs: bash .ci/run"
fi
exit "$status"
