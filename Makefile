# Cadence: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite setup messages browser redis screenshots lint bench soak clean

# Installs a Debian package when a command is missing (as root, or through sudo),
# refreshing the package lists once if the first attempt does not find it.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
apt_install = { echo "Installing $(1) from Debian's packages…"; \
	$(SUDO) apt-get install -y -q $(1) >/dev/null 2>&1 \
	|| { $(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q $(1) >/dev/null; } \
	|| { echo "Could not install $(1): install it with your system's package manager."; exit 1; }; }

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Cadence needs Python 3.11 or newer (set PYTHON=…).")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	@# PyICU builds against the system's ICU (no wheel on PyPI): its headers, pkg-config, g++.
	@{ command -v pkg-config >/dev/null && pkg-config --exists icu-i18n && command -v g++ >/dev/null; } \
		|| $(call apt_install,libicu-dev pkg-config g++)
	@# WeasyPrint (the reports' PDF) draws text with Pango.
	@{ pkg-config --exists pangoft2 2>/dev/null || ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; } \
		|| $(call apt_install,libpango-1.0-0 libpangoft2-1.0-0)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Front-end packages (htmx, FullCalendar, axe-core for the browser tests), pinned by
# package-lock.json and served from node_modules (config/settings.py, STATICFILES_DIRS).
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Cadence needs Node.js 20+ and npm (see README.md)."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

# French and English message catalogs, compiled from locale/*/LC_MESSAGES/django.po.
messages: $(STAMP)
	@command -v msgfmt >/dev/null || $(call apt_install,gettext)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

setup: $(STAMP) $(NODE_STAMP) messages

# The local run's broker: a Redis that `make run` starts itself (config/supervisor.py),
# installed from the system's packages when missing. Not needed when REDIS_URL is set.
redis:
	@[ -n "$$REDIS_URL" ] || command -v redis-server >/dev/null || $(call apt_install,redis-server)

# The whole product under one supervisor (config/supervisor.py): its own Redis (unless
# REDIS_URL is set), the Celery worker and scheduler, and the web server, on SQLite
# unless DATABASE_URL says otherwise. A process that dies is restarted, saying which and
# why; Ctrl-C stops them all.
run: export DEBUG ?= 1
# The demo's approvers sign in with "demo" alone (README.md, "Demo logins"); empty it to
# try two-factor authentication: `make run TWO_FACTOR_EXEMPT_USERNAMES=`.
run: export TWO_FACTOR_EXEMPT_USERNAMES ?= head,director,admin
run: setup redis
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo ""
	@echo "  Cadence: http://$(HOST):$(PORT)/  (demo users cm, head, director, contrib67, contrib13, admin; password: demo)"
	@echo ""
	@exec $(PY) -m config.supervisor --host $(HOST) --port $(PORT)

# The local run under load for SOAK_SECONDS (30 minutes by default): a post due every
# second and a simulated user clicking through the pages. See docs/performance.md.
SOAK_SECONDS ?= 1800
soak: setup redis
	$(PY) bench/soak.py --seconds $(SOAK_SECONDS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The browser tests drive Debian's Chromium through Playwright (no browser download).
browser:
	@command -v chromium >/dev/null || $(call apt_install,chromium)

test: setup browser redis
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	@# The unit suite on both cores (pytest-xdist), then what drives
	@# real processes — Chromium, the Bluesky server, workers, the local run — one at a
	@# time: each starts its own servers and would only fight the others for the cores.
	@eval "$$($(PY) -m tests.services)" \
		&& $(VENV)/bin/pytest -n 2 --durations=10 \
			--ignore=tests/browser --ignore=tests/bluesky --ignore=tests/integration \
		&& $(VENV)/bin/pytest --durations=15 tests/browser tests/bluesky tests/integration

# The unit suite on SQLite whatever answers on this machine: CI runs it after the
# PostgreSQL run, so that neither database hides an ordering or locking difference.
# (The Bluesky server tests talk to their own PDS, not to our database: once is enough.)
test-sqlite: setup
	env -u DATABASE_URL -u REDIS_URL $(VENV)/bin/pytest -q -n 2 \
		-m "not browser and not postgres and not bluesky" --ignore=tests/integration

# Regenerates the README's screenshots (docs/screenshots/) from the browser tests.
screenshots: setup browser
	CADENCE_SCREENSHOTS=1 $(VENV)/bin/pytest tests/browser -q

bench: setup
	@ls bench/*.py >/dev/null 2>&1 || { echo "No benchmarks yet."; exit 0; }
	for script in bench/*.py; do [ $$script = bench/soak.py ] || $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules var staticfiles
