# Two entry points for a fresh machine with Python 3.11+ and make:
#   make run   set up and produce the sample report (out/2024/312001/v1/report.docx)
#   make test  set up and run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run validate test test-fast lint bench clean

$(BIN)/jixiao: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

setup: $(BIN)/jixiao

run: setup
	$(BIN)/jixiao run --year 2024 --data data --out out

validate: setup
	$(BIN)/jixiao validate --year 2024 --data data

# Lint first: the configured ruff rules hold in CI too.
test: lint
	$(BIN)/python -m pytest

# Domain, rules, adapters and in-process bad inputs without the Prefect engine or LibreOffice (about a minute).
test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow" tests/unit tests/rules tests/integration

lint: setup
	$(BIN)/ruff check flows tools tests benchmarks

# The timed comparisons; each writes benchmarks/results/<name>.json. On 2 CPUs: one department
# and reruns a few minutes each, the export families a minute, the 200-unit city about half an hour,
# the 2,000-unit province on Dask most of an hour.
bench: setup
	$(BIN)/python benchmarks/one_department.py
	$(BIN)/python benchmarks/rerun.py
	$(BIN)/python benchmarks/ingest_families.py
	$(BIN)/python benchmarks/city_scale.py
	$(BIN)/python benchmarks/province_dask.py
	$(BIN)/python benchmarks/parse_per_unit.py
	$(BIN)/python benchmarks/validation_per_unit.py
	$(BIN)/python benchmarks/validation_batching.py
	$(BIN)/python benchmarks/render_per_unit.py
	$(BIN)/python benchmarks/heap_during_render.py

clean:
	rm -rf out .jixiao
