# Gongkai: two commands. `make demo` serves the portal with demo data; `make test` runs every check.
PYTHON ?= python3.11
VENV   ?= .venv

.PHONY: demo test serve install lint typecheck clean

demo:
	@PYTHON=$(PYTHON) VENV=$(VENV) bash scripts/demo.sh

test:
	@PYTHON=$(PYTHON) VENV=$(VENV) bash scripts/test.sh

install:
	@PYTHON=$(PYTHON) VENV=$(VENV) EXTRAS=test bash scripts/venv.sh

lint: install
	$(VENV)/bin/ruff check .
	GONGKAI_TESTING=1 $(VENV)/bin/mypy gongkai

clean:
	rm -rf $(VENV) var/test-*.sqlite3* var/static
