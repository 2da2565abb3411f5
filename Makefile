# shangmi — set-up, run and test. Every target is safe to repeat.
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.installed
ASSETS := src/shangmi/static/vendor/.installed

.PHONY: setup run test test-browser lint clean

setup: $(STAMP) $(ASSETS)

$(STAMP): requirements/lock.txt pyproject.toml
	@PY="$$(scripts/find-python.sh)" || exit 1; \
	if [ ! -x $(VENV)/bin/python ] || ! $(VENV)/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		rm -rf $(VENV); echo "Creating $(VENV) with $$PY"; "$$PY" -m venv $(VENV); fi
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet --require-hashes -r requirements/lock.txt
	$(VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(ASSETS): package.json package-lock.json scripts/vendor-assets.sh
	@command -v npm >/dev/null || { echo "npm is needed to install the front-end assets (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	scripts/vendor-assets.sh
	@touch $@

run: setup
	$(VENV)/bin/shangmi run

# The suite runs on every core (pytest-xdist, one test database per worker); the browser tests share
# one live server and the demo officer's enrolment, so they run after it, in one process.
test: setup
	$(VENV)/bin/python -m pytest -n auto -m "not browser"
	$(VENV)/bin/python -m pytest -m browser

test-browser: setup
	$(VENV)/bin/python -m pytest -m browser

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks conftest.py
	$(VENV)/bin/ruff format --check src tests benchmarks conftest.py

clean:
	rm -rf $(VENV) node_modules src/shangmi/static/vendor
