# Two commands do all the set-up on a fresh machine:
#   make demo   - create .venv, install regionalize, run the main job, write outputs/demo/
#   make test   - create .venv with the test extras, run the whole test suite
# The project's habits (CONTRIBUTING.md); the tools come from the test extra:
#   make lint      - ruff check, ruff format --check, tools/check_layout.py
#   make format    - ruff check --fix --select I (imports), then ruff format
#   make typecheck - mypy against tools/mypy-baseline.txt (tools/typecheck.py)
#   make check     - lint + typecheck + test
#   make baselines - tools/finish.sh: format, regenerate the mypy baseline, lint + typecheck
#   make bench-scale - the comparison methods up to 250k synthetic zones (benchmarks/run.py)
#   make docs      - the documentation site in docs/_build/html (warnings are errors)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= outputs/demo
# what ruff checks and formats
LINT_PATHS := regionalize tests benchmarks examples tools

.PHONY: demo test bench bench-scale lint format typecheck check baselines docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

$(VENV)/.docs-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/regionalize demo --out $(OUT)

test: $(VENV)/.installed
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/life_zones.py
	$(BIN)/python benchmarks/methods.py
	$(BIN)/python benchmarks/agglomerative.py
	$(BIN)/python benchmarks/ttwa.py
	$(BIN)/python benchmarks/stability.py
	$(BIN)/python benchmarks/dask_aggregate.py --cleanup

# the comparison methods on fine-grained synthetic countries up to 250k zones, each step as
# a ratio to one leidenalg and one Infomap run in the same process (~15 min here)
SCALE_CASES := synthetic-10000,synthetic-35000,synthetic-100000,synthetic-250000
SCALE_STEPS := delineate,ttwa,intramax,commuting_zones,leiden,infomap,peer_leidenalg,peer_infomap
bench-scale: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py --out scale --cases $(SCALE_CASES) --steps $(SCALE_STEPS)

# every step runs, then the target fails if any did
lint: $(VENV)/.installed
	@status=0; \
	echo "+ ruff check $(LINT_PATHS)"; $(BIN)/ruff check $(LINT_PATHS) || status=1; \
	echo "+ ruff format --check $(LINT_PATHS)"; \
	$(BIN)/ruff format --check --output-format concise $(LINT_PATHS) || { status=1; echo "(make format fixes this)"; }; \
	echo "+ tools/check_layout.py"; $(BIN)/python tools/check_layout.py || status=1; \
	exit $$status

format: $(VENV)/.installed
	$(BIN)/ruff check --fix --select I $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

typecheck: $(VENV)/.installed
	$(BIN)/python tools/typecheck.py

check: lint typecheck test

# the one command at the end of a refactor: format, new mypy baseline, then lint + typecheck
baselines: $(VENV)/.installed
	bash tools/finish.sh

# the site: nitpicky, warnings are errors; notebooks executed once and cached in docs/_build
docs: $(VENV)/.docs-installed
	$(BIN)/python tools/doc_coverage.py --min 90
	$(BIN)/sphinx-build -W --keep-going -n -q -b html docs docs/_build/html
	@echo "open docs/_build/html/index.html"

clean:
	rm -rf $(VENV) outputs benchmarks/results .pytest_cache .mypy_cache
