# Cordon: one entry point for people. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp
ARGS   ?=

.DEFAULT_GOAL := help
.PHONY: help install run demo test lint pytest bench translations package package-test relay clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create the virtual environment and install Cordon with its tools

run: $(STAMP)  ## start the desktop app (the demo operation when there is no profile yet); ARGS=... passes arguments
	$(BIN)/cordon demo --if-no-profile $(ARGS)

demo: $(STAMP)  ## start an embedded relay and a realistic demo operation, then the app
	$(BIN)/cordon demo $(ARGS)

relay: $(STAMP)  ## run a relay on 127.0.0.1:8765 with its data in ./relay-data
	$(BIN)/cordon-relay serve --data relay-data --port 8765

lint: $(STAMP)  ## ruff, mypy and the import walls (import-linter contracts in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/mypy sync forms locales desktop
	$(BIN)/lint-imports

pytest: $(STAMP)  ## the test suite alone
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(ARGS)

test: lint pytest  ## lint, then the whole test suite

bench: $(STAMP)  ## benchmarks: each figure beside its baseline measured in the same run
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests/benchmarks -s -p no:randomly $(ARGS)

translations: $(STAMP)  ## extract strings into locales/cordon.pot and update every catalog
	$(BIN)/python -m locales.tools update

package: $(STAMP)  ## build the desktop application for this platform (PyInstaller, into dist/)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/pyinstaller/cordon.spec
	$(BIN)/python packaging/linux/assemble.py dist

package-test: package  ## build the desktop application, then smoke-test the build
	packaging/smoke_test.sh dist/cordon/cordon

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache test-artifacts
