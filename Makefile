# Two commands matter on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
BUILD  := build

.PHONY: demo test lint typecheck pytest lab sandbox media notebooks bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# Runtime + sandbox + notebook extras: what the demo needs.
$(VENV)/.demo-installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e '.[sandbox,notebook,parquet,evaluation,provenance]'
	touch $@

# Everything, including the test and lint tools.
$(VENV)/.dev-installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e '.[dev]'
	touch $@ $(VENV)/.demo-installed

demo: $(VENV)/.demo-installed
	$(VENV)/bin/resemble-nb demo --out $(BUILD)

test: $(VENV)/.dev-installed lint typecheck pytest

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.dev-installed
	$(VENV)/bin/mypy resemble_nb

pytest: $(VENV)/.dev-installed
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# As root (a container, a lab VM) Jupyter refuses to start without --allow-root: pass it.
ALLOW_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root)
LAB_ARGS ?=

lab: $(VENV)/.demo-installed
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --notebook-dir=. $(ALLOW_ROOT) $(LAB_ARGS)

sandbox: $(VENV)/.demo-installed
	$(VENV)/bin/resemble-nb sandbox

media: $(VENV)/.dev-installed
	$(PY) scripts/make_sample_media.py

notebooks: $(VENV)/.dev-installed
	$(PY) scripts/refresh_notebooks.py

bench: $(VENV)/.dev-installed
	for f in benchmarks/*.py; do $(PY) $$f || exit 1; done

clean:
	rm -rf $(BUILD) .pytest_cache .mypy_cache .ruff_cache
