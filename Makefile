# The two commands a newcomer needs: `make run` and `make test`. Both create the virtualenv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# uv installs exactly what uv.lock says (hashes checked), here, in CI and in the image alike.
# It comes from PyPI through pip into a bootstrap virtualenv of its own, because `uv sync`
# removes from .venv whatever the lock does not list (uv itself included).
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
# The system python3.11, never one uv would download.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test lint bench install clean worker migrate demo lock docs screenshots

$(UV):
	@echo "→ installing uv $(UV_VERSION) into $(TOOLS) (first time only)…"
	@test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@touch $(UV)

$(STAMP): uv.lock pyproject.toml $(UV)
	@echo "→ installing the locked dependencies into $(VENV)…"
	@$(UV) sync --frozen --extra dev --python $(PYTHON) --quiet
	@touch $(STAMP)

# After editing the dependencies in pyproject.toml: `make lock` (see README, "Dependencies").
lock: $(UV)
	$(UV) lock --python $(PYTHON)

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
	$(UV) lock --check --python $(PYTHON) --quiet
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
	$(BIN)/python bench/first_free.py
	$(BIN)/python bench/console.py
	$(BIN)/python bench/themes.py

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache .mypy_cache .ruff_cache .hypothesis

# The documentation site (docs/, mkdocs.yml), strict: a warning or a broken link fails it.
# Written to build/docs, which the service serves at /docs (api/docs_site.py).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# The PNGs the pages show, taken from the running demo by Playwright (docs/screenshots.py).
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py
