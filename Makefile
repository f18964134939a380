# Two commands: `make test` and `make book`. Both create .venv when missing or stale.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test bench lint venv clean

venv: $(STAMP)

# Rebuild the environment whenever requirements.txt changes (the stamp is older than it).
$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip check
	@touch $(STAMP)

test: $(STAMP)
	$(PY) -m ruff check redshift_utils tests benchmarks
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check redshift_utils tests benchmarks

bench: $(STAMP)
	$(PY) benchmarks/run_benchmarks.py

clean:
	rm -rf _build
