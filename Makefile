# Two commands do all the setup on a fresh machine with Python >= 3.10:
#   make demo   - create .venv, install the project, run the main example
#   make test   - create .venv, install the project with test extras, run the suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is required; set PYTHON=/path/to/python3.10+")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

demo: $(VENV)/.installed
	$(BIN)/python examples/cartpole.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check neat tests examples benchmarks

test: lint
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/genome.py
	$(BIN)/python benchmarks/reproduction.py
	$(BIN)/python benchmarks/xor.py --runs 100

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .ruff_cache
