# Every target creates/refreshes the virtual environment first, so a fresh clone needs
# nothing but Python 3.11+ and access to the package registry.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run console test lint typecheck pytest bench seed sync clean

$(STAMP): pyproject.toml double/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ./double -e '.[dev]'
	@touch $(STAMP)

## run: connect to Discord with DISCORD_TOKEN; without a token, open the offline console
run: $(STAMP)
	@$(BIN)/python -m bot run; status=$$?; \
	if [ $$status -eq 78 ]; then \
		echo "Starting the offline console instead (no Discord needed)."; \
		exec $(BIN)/python -m bot console; \
	fi; exit $$status

console: $(STAMP)
	$(BIN)/python -m bot console

## test: lint, format check, type check, then the whole test suite
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

## bench: every benchmark against the local Discord double; writes bench/results.json
bench: $(STAMP)
	$(BIN)/python -m bench

seed: $(STAMP)
	$(BIN)/python -m bot seed

sync: $(STAMP)
	$(BIN)/python -m bot sync

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
