# nexphys: `make run` sets everything up and starts the app; `make test` runs the whole suite.
# Without DATABASE_URL / REDIS_URL, both use embedded PostgreSQL and Redis kept under instance/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WITH_SERVICES := $(BIN)/python -m nexphys.devservers run --
export FLASK_APP := wsgi.py
PORT ?= 5000
export NEXPHYS_PUBLIC_PORT := $(PORT)

.PHONY: run test stop setup lint bench flask clean help

help:
	@echo "make run    set up and start app, worker and scheduler (http://localhost:$(PORT))"
	@echo "make test   run the whole test suite"
	@echo "make stop   stop this checkout's embedded PostgreSQL and Redis (other checkouts' keep running)"
	@echo "            ports per checkout: instance/servers.json; '$(BIN)/python -m nexphys.devservers status'"
	@echo "make lint   ruff"
	@echo "make flask ARGS='tenants list'   any flask command, with the services up"
	@echo "make bench  run the benchmarks and record figures in docs/benchmarks.md"

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(WITH_SERVICES) sh -c '$(BIN)/flask db upgrade && $(BIN)/flask tenants migrate && \
		$(BIN)/flask demo seed && PORT=$(PORT) $(BIN)/python -m nexphys.demo.banner && \
		NEXPHYS_SCHEMA_POOL_SIZE=$${NEXPHYS_SCHEMA_POOL_SIZE:-5} exec $(BIN)/honcho start -f Procfile -p $(PORT)'

test: $(STAMP)
	$(WITH_SERVICES) $(BIN)/python -m pytest $(PYTEST_ARGS)

stop: $(STAMP)
	$(BIN)/python -m nexphys.devservers down

flask: $(STAMP)  ## e.g. make flask ARGS="tenants list"
	$(WITH_SERVICES) $(BIN)/flask $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check nexphys tests bench migrations wsgi.py

bench: $(STAMP)
	$(WITH_SERVICES) $(BIN)/python -m bench.run_all

clean: stop
	rm -rf $(VENV) instance
