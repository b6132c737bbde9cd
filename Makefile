# kaohe — the two commands: `make demo` and `make test`. Both set everything up first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_HOME ?= $(HOME)/.kaohe/prefect

.PHONY: setup demo test lint clean bench bench-province

setup:
	@bash scripts/setup.sh

demo: setup
	@$(PY) scripts/demo.py

# Rendering speed: the bulletin and the statements of 1,000 synthetic units (not a test);
# pipeline speed: a synthetic year at 500 and 5,000 units, and the quality of kaohe's own
# decisions against the truth synth wrote, default and hard noise; kaohe run / score of the
# 建德 example (docs/benchmarks.md).
bench: setup
	$(PY) scripts/bench.py
	$(PY) scripts/bench_pipeline.py
	$(PY) scripts/bench_run.py

# A whole quarterly run of 5,000 synthetic units (issue 16): wall, CPU and peak memory of
# the process tree, the disk of a rerun after a one-row correction, the score/read ratio.
# Takes many minutes (docs/benchmarks.md), hence not part of `make bench`.
bench-province: setup
	$(PY) scripts/bench_province.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Two workers (pytest-xdist): the suite is mostly waiting on PDFs, servers and subprocesses,
# and CI's machine has two cores. Each worker has its own Prefect home and servers.
# --dist loadgroup: the tests marked xdist_group share one worker, so that what they share
# is made once: one server and one browser for the web page's browser tests, one run of an
# example for an e2e module, one Dask cluster (pytest < 9.2: see pyproject.toml).
test: lint
	$(VENV)/bin/pytest -n 2 --dist loadgroup

clean:
	rm -rf examples/*/out examples/*/kaohe.db
