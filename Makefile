# Two commands do all the setup on a fresh machine with Python >= 3.10:
#   make demo   - create .venv, install the project (with its picture extras), run the main example;
#                 the champion, its topology (SVG) and fitness plot (PNG) land in runs/cartpole/
#   make test   - create .venv, install the project with test extras, run the suite
#   make docs   - build the documentation site into site/ (mkdocs build --strict)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is required; set PYTHON=/path/to/python3.10+")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[viz]"
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[docs]"
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
	$(BIN)/python benchmarks/forward.py
	$(BIN)/python benchmarks/xor.py --runs 100
	$(BIN)/python benchmarks/gym_eval.py
	$(BIN)/python benchmarks/cartpole.py --runs 20
	$(BIN)/python benchmarks/ga_cartpole.py --runs 20
	$(BIN)/python benchmarks/ga_vs_neat.py --runs 5

docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --clean

clean:
	rm -rf $(VENV) build site *.egg-info .pytest_cache .hypothesis .ruff_cache
