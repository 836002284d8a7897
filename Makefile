# Two entry points: `make demo` and `make test`. Each builds what it needs itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the deploy tests verify the systemd units with Debian's systemd-analyze
SYSTEMD_ANALYZE := /usr/bin/systemd-analyze
# the report tests open the HTML report in Debian's headless Chromium
CHROMIUM := /usr/bin/chromium
# the fleet tests run real workers on Debian's redis-server
REDIS_SERVER := /usr/bin/redis-server

.PHONY: demo test lint bench bench-memory bench-hostile bench-explain bench-recrawl bench-fleet clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

$(SYSTEMD_ANALYZE):
	apt-get install -y -q systemd || (apt-get update -q && apt-get install -y -q systemd)

demo: $(STAMP)
	$(BIN)/crawler demo

$(CHROMIUM):
	apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium)

$(REDIS_SERVER):
	apt-get install -y -q redis-server || (apt-get update -q && apt-get install -y -q redis-server)

test: $(STAMP) $(SYSTEMD_ANALYZE) $(CHROMIUM) $(REDIS_SERVER)
	$(BIN)/ruff check crawler tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/decisions.py

bench-memory: $(STAMP)
	$(BIN)/python bench/memory.py

bench-hostile: $(STAMP)
	$(BIN)/python bench/hostile.py

bench-explain: $(STAMP)
	$(BIN)/python bench/explain.py --s3

bench-recrawl: $(STAMP)
	$(BIN)/python bench/recrawl.py

bench-fleet: $(STAMP) $(REDIS_SERVER)
	$(BIN)/python bench/fleet.py

clean:
	rm -rf $(VENV) corpus .pytest_cache
