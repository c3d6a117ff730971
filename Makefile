# Two commands do all the setup on a fresh machine with Python >= 3.10:
#   make demo   - create .venv, install the project with its picture extras (viz) and classic-control
#                 (pygame, to watch the champion), evolve a CartPole controller
#                 from networks with no connections (examples/cartpole.py --config
#                 examples/cartpole_demo.toml); the champion, its topology (SVG), the fitness and
#                 species plots (PNG) and the statistics land in runs/cartpole/
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

# what `make demo` and `neatlab replay --render` of its champion need: matplotlib, pygraphviz, pygame
$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[viz,classic-control]"
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	@touch $@

demo: $(VENV)/.installed-demo
	$(BIN)/python examples/cartpole.py --config examples/cartpole_demo.toml --out runs/cartpole
	@echo "Watch the champion balance the pole (opens a window):"
	@echo "  $(BIN)/python -m neat replay runs/cartpole/champion.json --env CartPole-v1 --episodes 3 --render"

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
	$(BIN)/python benchmarks/property_depth.py --steps 1000000

docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --clean

clean:
	rm -rf $(VENV) build site *.egg-info .pytest_cache .hypothesis .ruff_cache
