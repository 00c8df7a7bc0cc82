# 提案办理系统: the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
SIZE ?= 1000000

.PHONY: run test install install-dev browser lint check messages bench clean lock upgrade

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Installs exactly the locked versions, each checked against its hash; re-installs only when a lock
# file changed. The locks are made from requirements.in / requirements-dev.in by `make lock`.
$(VENV)/.installed: requirements.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements.lock requirements-dev.lock $(VENV)/.installed
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# Rewrites the lock files from the .in files: keeps the locked versions that still satisfy them and
# resolves what changed. `make lock UPGRADE=1` moves everything to the newest versions the bounds allow.
LOCK := CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras \
	--allow-unsafe --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock: install-dev
	$(LOCK) --output-file requirements.lock requirements.in
	$(LOCK) --output-file requirements-dev.lock requirements-dev.in

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Debian's Chromium and a Chinese font for the browser tests (never a browser download),
# and GNU gettext for the catalogue check.
browser:
	@bash scripts/ensure_browser.sh

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --without-logins
	@bash scripts/run.sh $(HOST) $(PORT)

# The suite in parallel, one pytest-xdist worker per core (TEST_WORKERS=0 runs it in one process);
# loadgroup keeps tests marked xdist_group (the integration tests) together on one worker, and
# tests/conftest_xdist.py gives each worker its own var/ folder and Redis database.
TEST_WORKERS ?= auto
test: install-dev browser
	$(PY) -m pytest -p tests.conftest_xdist -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install-dev
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

messages: install-dev
	$(PY) scripts/merge_translations.py

bench: install-dev
	$(PY) bench/run.py --size $(SIZE)

# After `git pull`: README "Upgrades". Stops before migrating when a migration locks a large table,
# unless ACCEPT_LOCKS=1 (run it in a quiet hour).
upgrade: install
	$(PY) manage.py backup --keep 14
	$(PY) manage.py upgrade_check $(if $(ACCEPT_LOCKS),--accept-locks)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py check --deploy

clean:
	rm -rf var/celery var/db.sqlite3 staticfiles
