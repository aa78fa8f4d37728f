# The two commands a newcomer needs: `make run` and `make test`. Both create the virtualenv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install clean worker migrate demo

$(STAMP): pyproject.toml
	@echo "→ creating the virtualenv in $(VENV) and installing (first time only)…"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# axe-core (accessibility checks in the browser tests), from the npm registry.
AXE := tests/api/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/api/browser/package-lock.json
	@echo "→ installing axe-core for the browser tests"
	@npm ci --prefix tests/api/browser --silent --no-audit --no-fund
	@touch $(AXE)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m api serve

worker: $(STAMP)
	$(BIN)/python -m api worker

migrate: $(STAMP)
	$(BIN)/python -m api migrate

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint $(AXE)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/booking.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/mail.py
	$(BIN)/python bench/google.py
	$(BIN)/python bench/widget.py
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
