# 提案办理系统: the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
SIZE ?= 1000000

.PHONY: run test install install-dev browser lint check messages bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs only when a requirements file changed.
$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Debian's Chromium and a Chinese font for the browser tests (never a browser download),
# and GNU gettext for the catalogue check.
browser:
	@bash scripts/ensure_browser.sh

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@bash scripts/run.sh $(HOST) $(PORT)

test: install-dev browser
	$(PY) -m pytest $(PYTEST_ARGS)

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

clean:
	rm -rf var/celery var/db.sqlite3 staticfiles
