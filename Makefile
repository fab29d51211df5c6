# Everything a newcomer needs: `make run` and `make test` set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SYSLIBS_STAMP := $(VENV)/.system-libs-stamp

.PHONY: run demo test lint typecheck bench package install-desktop clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(SYSLIBS_STAMP): scripts/ensure-system-libs.sh | $(STAMP)
	bash scripts/ensure-system-libs.sh
	touch $@

setup: $(STAMP) $(SYSLIBS_STAMP)

# The app: real account when a token is configured, demo data otherwise.
run: setup
	$(PY) -m pipedriven_desktop $(if $(PIPEDRIVE_API_TOKEN),,--demo-if-no-token)

demo: setup
	$(PY) -m pipedriven_desktop --demo

lint: setup
	$(VENV)/bin/ruff check pipedriven_desktop tests benchmarks
	$(VENV)/bin/ruff format --check pipedriven_desktop tests benchmarks

typecheck: setup
	$(VENV)/bin/mypy pipedriven_desktop tests benchmarks

test: lint typecheck
	$(VENV)/bin/pytest

bench: setup
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
