# Two commands do all the set-up on a fresh machine:
#   make demo   - create .venv, install regionalize, run the main job, write outputs/demo/
#   make test   - create .venv with the test extras, run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= outputs/demo

.PHONY: demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
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

lint: $(VENV)/.installed
	$(BIN)/ruff check regionalize tests benchmarks examples

clean:
	rm -rf $(VENV) outputs benchmarks/results .pytest_cache
