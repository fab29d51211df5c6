# Everything a newcomer needs: `make run` and `make test` set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SYSLIBS_STAMP := $(VENV)/.system-libs-stamp

.PHONY: run demo test lint typecheck bench bench-scale package install-desktop clean

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
	$(VENV)/bin/lint-imports

typecheck: setup
	$(VENV)/bin/mypy pipedriven_desktop tests benchmarks

test: lint typecheck
	$(VENV)/bin/pytest

bench: setup
	$(PY) -m benchmarks

# The data-sized figures at 1,000,000 contacts beside 100,000 (the 1M mirror, about
# 4 GiB, is generated once into benchmarks/.cache; the run prints how long that took).
bench-scale: setup
	$(PY) -m benchmarks.scale

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

# --- Packaging (packaging/README.md) -----------------------------------------------------------
# One-folder PyInstaller bundle in dist/pipedriven-desktop/; prints its size and build time.
package: setup
	$(PY) -m pip install -q -e '.[package]'
	@start=$$(date +%s); \
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN packaging/pipedriven-desktop.spec --distpath dist --workpath build && \
	echo "Built dist/pipedriven-desktop in $$(( $$(date +%s) - start )) s: $$(du -sh dist/pipedriven-desktop | cut -f1)"

# The bundle's launcher and icons in the current user's application menu
# (`bash packaging/install-desktop.sh --uninstall` removes them).
install-desktop:
	@test -x dist/pipedriven-desktop/pipedriven-desktop || $(MAKE) package
	bash packaging/install-desktop.sh

# Build the bundle, then run it: --version, a migrated database, a demo screenshot, the .desktop.
.PHONY: smoke-package
smoke-package: package
	bash packaging/smoke-test.sh dist/pipedriven-desktop
