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
	@# Make redshift_utils importable from any folder (myst-nb runs chapters inside notebooks/).
	$(PY) -c "import pathlib, site; pathlib.Path(site.getsitepackages()[0], 'redshift-book.pth').write_text('$(CURDIR)\n')"
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
