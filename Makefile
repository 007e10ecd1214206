# gameday: `make run` opens the tabletop on the default scenario, `make test` runs the suite.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run drill test check bench conformance clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/gameday play

drill: $(STAMP)
	$(VENV)/bin/gameday drill db-pool-exhaustion --responder expert

test: $(STAMP)
	$(VENV)/bin/pytest -n auto -q

check: $(STAMP)
	$(VENV)/bin/ruff check gameday tests benchmarks
	$(VENV)/bin/ruff format --check gameday tests benchmarks
	$(VENV)/bin/mypy gameday
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(VENV)/bin/pytest -m bench -s -q -p no:xdist benchmarks/bench_*.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
