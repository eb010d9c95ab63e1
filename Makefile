# The two commands of the README: `make demo` (the main job: the survey report of the
# bundled 2007 study from the SQLite database) and `make test`. Both install what they need
# into .venv from the lock files (requirements/*.lock, compiled from pyproject.toml).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := out/demo.sqlite

.PHONY: demo test lint bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.main: requirements/main.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/main.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements/dev.lock $(VENV)/.main
	$(BIN)/python -m pip install --quiet -r requirements/dev.lock
	touch $@

demo: $(VENV)/.main
	rm -rf out && mkdir -p out
	$(BIN)/ecocluster init --db $(DEMO_DB)
	$(BIN)/ecocluster examples load red-river-2007 --db $(DEMO_DB)
	$(BIN)/ecocluster examples load red-river-2003 --db $(DEMO_DB)
	$(BIN)/ecocluster waves --db $(DEMO_DB)
	$(BIN)/ecocluster report --db $(DEMO_DB) --wave red-river-2007 --campaign monitoring-red-river --symbiosis-example symbiosis-craft-village -o out/report-red-river-2007
	$(BIN)/ecocluster report --db $(DEMO_DB) --wave red-river-2003 -o out/report-red-river-2003
	$(BIN)/ecocluster form export --instrument red-river-2007 --format xlsx -o out/red_river_2007.xlsx
	$(BIN)/ecocluster form export --instrument red-river-2007 --format xform -o out/red_river_2007.xml
	$(BIN)/ecocluster network import --published kalundborg -o out/kalundborg
	$(BIN)/ecocluster zone report --example eip-pilot-zones --symbiosis-example symbiosis-industrial-zone -o out/zone-eip-pilot-zones
	$(BIN)/ecocluster benchmark report --example eaf-steel-sector -o out/benchmark-eaf-steel-sector
	$(BIN)/ecocluster benchmark report --example hoi-an-green-industry-2030 -o out/benchmark-hoi-an
	$(BIN)/ecocluster benchmark report --example binh-yen-aluminium -o out/benchmark-binh-yen

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_analysis.py
	$(BIN)/python benchmarks/bench_network.py
	$(BIN)/python benchmarks/bench_monitoring.py
	$(BIN)/python benchmarks/bench_symbiosis.py

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 -o requirements/main.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -o requirements/dev.lock

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
