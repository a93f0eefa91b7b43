# Tremplin — the commands the README uses. Python 3.11+ and make are all a fresh machine needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# One pytest worker per core; `make test TEST_WORKERS=0` runs in one process, PYTEST_ARGS adds options.
TEST_WORKERS ?= auto
# `make demo PORT=8123` serves on that port; links in e-mails follow SITE_URL.
PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)
PYTEST_ARGS ?=

.PHONY: help install demo serve test test-postgres lint bench lighthouse chromium lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	@# Debian ships venv separately (python3-venv): install it when it is missing.
	$(PYTHON) -m venv $(VENV) || (rm -rf $(VENV) && $(SUDO) apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV))
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed ## Create the virtualenv and install the locked dependencies

demo: install ## Set up SQLite with demo content and serve it (http://127.0.0.1:8000, or PORT=8123)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@$(MAKE) --no-print-directory serve

serve: install ## Serve the database as it is, without re-seeding (PORT=8000 by default)
	@echo ""
	@echo "  Site public : $(SITE_URL)/   Catalogue : $(SITE_URL)/formations/"
	@echo "  Administration : $(SITE_URL)/admin/"
	@echo "    super-administrateur : admin@tremplin.localhost / $${DEMO_PASSWORD:-tremplin-demo}"
	@echo "    équipe d'un campus   : equipe.aubervilliers@tremplin.localhost / $${DEMO_PASSWORD:-tremplin-demo}"
	@echo "  Espace candidat·e : $(SITE_URL)/mon-espace/"
	@echo "    candidate (Léa Martin) : lea.martin@exemple.fr / $${DEMO_PASSWORD:-tremplin-demo}"
	@echo "  Espace financeurs : $(SITE_URL)/financeurs/"
	@echo "    Région : financeur.region@exemple.fr / $${DEMO_PASSWORD:-tremplin-demo} (aussi financeur.fse@, financeur.fondation@)"
	@echo ""
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

chromium: ## Install Debian's Chromium for the browser tests, if missing
	@test -x $(CHROMIUM) || ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium)

test: install chromium ## Run the whole test suite in parallel (DATABASE_URL picks PostgreSQL, SQLite otherwise)
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install ## Check style with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install ## Measure catalogue, public pages (rendered and cached), staff list, a session's people and attendance, funders' dashboard, exports, imports, a load run on gunicorn, and Lighthouse
	$(BIN)/python -m benchmarks.catalogue --write docs/benchmarks.md
	$(BIN)/python -m benchmarks.pages --write docs/benchmarks.md
	$(BIN)/python -m benchmarks.applications --write docs/benchmarks.md
	$(BIN)/python -m benchmarks.sessions --write docs/benchmarks.md
	$(BIN)/python -m benchmarks.dashboard --write docs/benchmarks.md
	$(BIN)/python -m benchmarks.exports --write docs/benchmarks.md
	$(BIN)/python -m benchmarks.imports --write docs/benchmarks.md
	$(BIN)/python -m benchmarks.load --write docs/benchmarks.md
	@$(MAKE) --no-print-directory lighthouse

lighthouse: install chromium ## Lighthouse (mobile) on the home page, the catalogue and a formation page: 95 or more in each category
	$(BIN)/python -m benchmarks.lighthouse --write docs/benchmarks.md

lock: | $(BIN)/python ## Re-resolve requirements.lock from pyproject.toml
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras --extra dev --output-file requirements.lock pyproject.toml

clean: ## Remove the virtualenv, the SQLite database and uploaded files
	rm -rf $(VENV) db.sqlite3 media staticfiles
