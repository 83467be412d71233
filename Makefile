# make run: set up and serve the demo on SQLite.  make test: run the whole suite.
# make lint: ruff, then the type checker.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app workshop
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run serve test lint bench clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

# A secret key made once per install, kept out of git with the rest of instance/.
instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@
	chmod 600 $@

# Plain http on this machine only, so the session cookie cannot be Secure here.
RUN_ENV = FLASK_SECRET_KEY=$$(cat instance/secret_key) FLASK_SESSION_COOKIE_SECURE=false

run: install instance/secret_key
	$(RUN_ENV) $(FLASK) db upgrade
	$(RUN_ENV) $(FLASK) demo load
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	@# With Flickr configured, the sync worker runs beside the web server and stops with it.
	@if [ -n "$$FLASK_FLICKR_API_KEY" ]; then \
	  echo "Flickr is configured: running the sync worker too"; \
	  $(RUN_ENV) $(FLASK) flickr sync & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	fi; \
	$(RUN_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install
	@for script in bench/*.py; do [ -e "$$script" ] && $(BIN)/python "$$script"; done; true

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
