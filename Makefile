# Two commands do all set-up on a fresh machine:
#   make demo   -> virtualenv, install, migrate SQLite, load demo data, serve on 127.0.0.1:$(PORT)
#   make test   -> virtualenv, install (and Debian's chromium for browser tests), run pytest
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
APT_PACKAGES := chromium poppler-utils fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
# What pip needs to build PyICU (Vietnamese collation) from source: ICU's headers, pkg-config, a C++ compiler.
BUILD_APT_PACKAGES := libicu-dev pkg-config g++

.PHONY: demo test venv system-deps build-deps apt-install migrate demo-data serve bench load clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PYTHON))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes, so a second `make demo` starts at once.
$(STAMP): pyproject.toml | $(BIN)/python build-deps
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

# Browser tests drive Debian's Chromium; PDFs are looked at with poppler's pdftoppm.
system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

# Before pip: PyICU compiles against ICU (both `make demo` and `make test` need it).
build-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(BUILD_APT_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

migrate: venv
	$(BIN)/python manage.py migrate --noinput

demo-data: migrate
	$(BIN)/python manage.py load_demo

# One background worker (django-tasks' db_worker: publication, e-mail) runs beside runserver and
# stops with it; the queue is the demo's own SQLite database, so no other service is needed.
demo: demo-data
	$(BIN)/python manage.py demo_accounts
	@echo "Cổng DTI: http://127.0.0.1:$(PORT)/"
	@$(BIN)/python manage.py db_worker --no-reload --verbosity 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: venv system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	@for f in bench/[!_]*.py; do $(BIN)/python $$f || exit 1; done

# Deadline day against gunicorn + PostgreSQL on loopback (DATABASE_URL, default database dti_load).
# LOAD_ARGS="--users 10,25,50 --seconds 30" to choose the steps.
load: venv
	$(BIN)/pip install --quiet -e ".[load]"
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts

# Back up a populated portal (PostgreSQL dump + stored files), restore it into a fresh database and
# folder, and prove nothing was lost (ops/backup_drill.py). Needs PostgreSQL on 127.0.0.1:5432.
backup-drill: venv
	$(BIN)/python ops/backup_drill.py
