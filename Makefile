# Every target creates/refreshes the virtual environment first, so a fresh clone needs
# nothing but Python 3.11+ and access to the package registry.
#
# Two layers in one venv: `make install` (and `make run`) installs only what the bot needs,
# exactly as locked in requirements.lock; `make test` and the other developer targets add
# the dev tools from requirements-dev.lock. `make lock` re-resolves both after a change to
# pyproject.toml.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check

.PHONY: install run console test lint typecheck pytest bench seed sync lock clean python-check

# One clear line instead of pip backtracking for minutes on an old Python.
python-check:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "error: Golden Hour needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) -V 2>/dev/null || echo 'not found'). Install 3.11+ and run: make PYTHON=python3.11 $(MAKECMDGOALS)" >&2; \
		exit 1; }

# A venv whose python or pip no longer runs (Python upgraded, a copy interrupted) is rebuilt.
$(RUNTIME): requirements.lock pyproject.toml double/pyproject.toml | python-check
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || { \
		test ! -e $(VENV) || echo "Rebuilding the broken virtual environment in $(VENV)"; \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e . -e ./double
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check >&2; \
		echo "error: requirements.lock no longer matches pyproject.toml; run: make lock" >&2; exit 1; }
	@touch $(RUNTIME)

$(STAMP): $(RUNTIME) requirements-dev.lock
	$(PIP) install -r requirements-dev.lock
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check >&2; \
		echo "error: requirements-dev.lock no longer matches pyproject.toml; run: make lock" >&2; exit 1; }
	@touch $(STAMP)

## install: the production install: runtime dependencies only, from requirements.lock
install: $(RUNTIME)

## lock: re-resolve requirements.lock and requirements-dev.lock after editing pyproject.toml
lock: | python-check
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml double/pyproject.toml -q --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml double/pyproject.toml -c requirements.lock -q --extra dev --python-version 3.11 --generate-hashes -o requirements-dev.lock

## run: connect to Discord with DISCORD_TOKEN; without a token, open the offline console
run: $(RUNTIME)
	@$(BIN)/python -m bot run; status=$$?; \
	if [ $$status -eq 78 ]; then \
		echo "Starting the offline console instead (no Discord needed)."; \
		exec $(BIN)/python -m bot console; \
	fi; exit $$status

console: $(RUNTIME)
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

seed: $(RUNTIME)
	$(BIN)/python -m bot seed

sync: $(RUNTIME)
	$(BIN)/python -m bot sync

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
