# Two commands: `make test` and `make book`. Both create .venv when missing or stale.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Idle torch threads sleep instead of spinning (see redshift_utils/__init__.py): on a shared
# machine, spinning threads slowed sweeps up to 8x. A value set by the user wins.
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: test book precision robustness goldens bench gpu-check lint venv clean

venv: $(STAMP)

# Rebuild the environment whenever requirements.txt changes (the stamp is older than it).
$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip check
	@# Make redshift_utils importable from any folder (myst-nb runs chapters inside notebooks/).
	$(PY) -c "import pathlib, site; pathlib.Path(site.getsitepackages()[0], 'redshift-book.pth').write_text('$(CURDIR)\n')"
	@touch $(STAMP)

# Unit tests, every chapter at the smoke preset through the CLI (float32 from a cold and a warm
# cache, and float64) compared with tests/golden/ within the tolerance policy of
# tests/golden_compare.py, and a smoke build of the whole book with -W. No progress bars.
test: $(STAMP)
	$(PY) -m ruff check redshift_utils tests benchmarks
	$(PY) tests/lint_notebooks.py
	TQDM_DISABLE=1 $(PY) -m pytest -q

# The published site: every chapter executed at the `book` preset (REDSHIFT_PRESET=paper for
# the paper's scale), HTML in _build/html (other presets: _build/<preset>/_build/html); then the
# Japanese edition from the same execution cache in _build/html/ja, and the slide decks in
# _build/html/slides/<lang>/.
book: $(STAMP)
	$(PY) -m redshift_utils book --preset $${REDSHIFT_PRESET:-book}

# The book preset in float64 (into _build/float64/), then the float32 book again, whose scoreboard
# then lists each claim's verdict in both precisions and flags the ones that change as fragile.
precision: $(STAMP)
	REDSHIFT_DTYPE=float64 $(PY) -m redshift_utils book --preset book
	REDSHIFT_DTYPE=float32 $(PY) -m redshift_utils book --preset book

# Every chapter at the book preset with base seeds 0, 1, 2 (about 35 minutes: seed 0 comes from the
# book build's cache; not part of CI);
# the scoreboard then shows in how many seeds each verdict holds.
robustness: $(STAMP)
	$(PY) -m redshift_utils robustness --preset book --seeds 0 1 2
	$(PY) -m redshift_utils book --preset book

# Re-execute every chapter at the smoke preset into tests/golden/ (after changing a chapter).
goldens: $(STAMP)
	$(PY) tests/make_goldens.py

# ruff on the library, tests and benchmarks, and on every notebook's code (through jupytext).
lint: $(STAMP)
	$(PY) -m ruff check redshift_utils tests benchmarks
	$(PY) tests/lint_notebooks.py

bench: $(STAMP)
	@set -e; for script in benchmarks/run_benchmarks.py benchmarks/bench_*.py; do \
		if [ -f "$$script" ]; then echo "== $$script"; $(PY) "$$script"; fi; done

# On a machine with a CUDA GPU: the device tests, every chapter at the smoke preset on the GPU
# against the CPU goldens (float32), and the stage times of the paper preset's units per device.
gpu-check: $(STAMP)
	@$(PY) -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)" || { \
		echo "gpu-check needs a CUDA GPU: torch.cuda.is_available() is False here"; exit 2; }
	TQDM_DISABLE=1 $(PY) -m pytest -q -rs tests/test_device.py tests/test_transformer.py::test_gpu_decoding_matches_cpu
	REDSHIFT_DEVICE=cuda TQDM_DISABLE=1 $(PY) -m pytest -q tests/test_notebooks.py \
		-k "matches_its_golden and not warm and not float64"
	$(PY) benchmarks/bench_device.py

clean:
	rm -rf _build
