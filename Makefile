# Every target does its own set-up and is safe to re-run; the second time it is quick.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENDOR := joinedup/static/vendor
export JOINEDUP_ENVIRONMENT ?= demo

.PHONY: demo serve test lint bench setup browser clean-demo

setup: $(VENV)/.installed $(VENDOR)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Joined Up needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check 'setuptools>=70.1'
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# The Makefile too: a change to what is copied below must reach every checkout's vendor folder.
$(VENDOR)/.installed: package.json package-lock.json Makefile
	@command -v npm >/dev/null || { echo "npm is needed (Node 20+): apt-get install nodejs npm"; exit 1; }
	npm ci --silent --no-audit --no-fund
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/nhsuk $(VENDOR)/axe
	# The source maps too: the files name them, and production's collectstatic (hashed names) refuses a missing one.
	cp -r node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.{css,js}{,.map} node_modules/nhsuk-frontend/dist/nhsuk/assets $(VENDOR)/nhsuk/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	# The NHS fonts are served only from assets.nhs.uk, which our Content Security Policy (rightly) does not
	# allow; without these rules the design system's own fallback (Arial) is used and nothing is blocked.
	perl -0pi -e 's/\@font-face\{[^}]*\}//g' $(VENDOR)/nhsuk/nhsuk-frontend.min.css
	touch $@

# Browser tests drive Debian's Chromium; install it when it is missing (needs root, as on CI).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

demo: setup
	# The stand-ins' keys and loopback addresses (GOV.UK Notify, MESH) first: the demo's settings read them.
	$(PY) -m standins --prepare
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_region
	$(PY) manage.py seed_demo --people 2000 --seed 2026
	$(PY) manage.py demo_sign_ins
	$(PY) manage.py portal_demo_sign_ins
	# The application and the stand-ins (NHS login and CIS2: standins/oidc) together; Ctrl-C stops them all.
	$(VENV)/bin/honcho start -f Procfile.demo

# Production processes on PostgreSQL (docs/operations.md): gunicorn, the task worker and the scheduler, under honcho.
# Needs DATABASE_URL (postgres://...); JOINEDUP_ENVIRONMENT=production also needs the production variables.
serve: export JOINEDUP_TASK_BACKEND ?= django_tasks_db.DatabaseBackend
serve: export PATH := $(abspath $(VENV))/bin:$(PATH)
serve: setup
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
	  *) echo "make serve runs against PostgreSQL: set DATABASE_URL=postgres://user@host:port/name"; exit 1;; esac
	$(PY) manage.py migrate --no-input -v 0
	@if [ "$$JOINEDUP_ENVIRONMENT" = production ]; then $(PY) manage.py collectstatic --no-input -v 0; fi
	exec $(PY) -m joinedup.config.serve

test: export JOINEDUP_ENVIRONMENT = test
test: setup browser
	$(PY) -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# make bench: every benchmark at a quick size; make bench ID=P3: one at its full size.
bench: setup
	$(PY) -m bench $(if $(ID),--id $(ID) --full,)

clean-demo:
	rm -f var/joinedup.sqlite3 var/demo-sign-ins.json
