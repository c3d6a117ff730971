"""Complexity regulation on a long run: the mean network size with and without it, and the task's success.

Each seed runs twice for ``--generations`` generations (the run does not stop
at a solution, so the networks have every chance to bloat): once as
configured (no regulation), once with ``[reproduction] complexity_regulation``
(``--regulation``, ``--ceiling``).  Per generation the mean number of enabled
connections is recorded; success is the best genome found solving the task.

Tasks (``--task``): ``xor`` (examples/xor.toml, population 150, success =
every XOR case on the right side of 0.5), ``cartpole`` (examples/cartpole.toml,
population 50, 5 episodes per genome and generation, success = the best
genome's mean return on 100 fresh episodes >= 475) or ``maze``
(examples/maze.toml, ``--maze hard|medium``, ``--method novelty|fitness|blend``
as examples/maze_novelty.py, ``--population``; success = a robot reached the
goal; the last generation "solves" it when one of its robots did).

Prints a line per run and, last, one JSON object; for ``regulated`` and
``unregulated`` each: ``..._mean_connections_max`` (the largest population
mean of enabled connections over all generations of all runs),
``..._mean_connections_mean`` (the mean over all generations of all runs),
``..._mean_connections_final`` (mean over runs of the last generation's mean),
``..._generations_over_ceiling`` (share of all generations whose mean exceeded
the ceiling), ``..._success`` (share of runs that found a solution),
``..._final_champion_success`` (share of runs whose last generation still
solves the task), ``..._best_fitness_mean`` (the best fitness found, mean over
runs), ``..._first_solved_median`` (xor, maze: the median over the runs that
found a solution of the first generation that did; null when none did); then ``regulated_simplify_share`` (share of generations bred in the
simplifying phase), ``ceiling`` and the run's settings.

Run:  python benchmarks/complexity.py [--task xor|cartpole|maze] [--runs 10] [--generations 300] [--ceiling 12]
      [--regulation absolute|relative] [--maze hard] [--method novelty] [--population N]
      [--set speciation.target_species=10 ...]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import numpy as np

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

import neat  # noqa: E402
from neat.evolution.complexity import mean_complexity  # noqa: E402


class SizeRecorder(neat.Reporter):
    """The mean enabled connections and the phase of every generation evaluated, and the first that solved the task."""

    def __init__(self, solves_now=None) -> None:
        self.means: list[float] = []
        self.phases: list[str | None] = []
        self.solves_now = solves_now
        self.first_solved: int | None = None

    def post_evaluate(self, population, fitness) -> None:
        self.means.append(mean_complexity(population.pool, "connections"))
        self.phases.append(population.phase)
        if self.first_solved is None and self.solves_now is not None and self.solves_now(population):
            self.first_solved = population.generation


class Task:
    """A task: its config, the evaluate function of a run, and whether a run solved it."""

    def __init__(self, name: str, seed: int, args: argparse.Namespace) -> None:
        self.name = name
        self.search = None
        self.close = lambda: None
        self.solves_now = None  # (population) -> whether the run has found a solution (cartpole: not checked)
        if name == "xor":
            from xor import evaluate, solves_xor

            self.config = neat.Config.from_toml_file(ROOT / "examples" / "xor.toml").replace(
                run={"population_size": args.population or 150})
            self.evaluate, self._solves = evaluate, solves_xor
            self.solves_now = lambda population: solves_xor(population.best_genome)
        elif name == "cartpole":
            self.config = neat.Config.from_toml_file(ROOT / "examples" / "cartpole.toml")
            if args.population:
                self.config = self.config.replace(run={"population_size": args.population})
            evaluator = neat.GymEvaluator("CartPole-v1", episodes=5, seed=seed)

            def solves(genome) -> bool:
                return float(np.mean(evaluator.replay(genome, 100, seed=seed + 2_000_000))) >= 475.0

            self.evaluate, self._solves = evaluator, solves
        else:
            import maze_novelty

            from neat.evaluation.gym import GymEvaluator
            from neat.evaluation.novelty import NoveltySearch

            self.config = maze_novelty.maze_config(args.population)
            evaluator = GymEvaluator(maze_novelty.env_id(args.maze), vectorized="vector_entry_point",
                                     behaviour=maze_novelty.final_position)
            self.search = NoveltySearch(evaluator, mode=args.method, seed=seed, **maze_novelty.NOVELTY)
            self.evaluate = self.search
            self.solves_now = lambda population: bool(self.search.fitness.max() >= 1.0)
            self.close = evaluator.close

    def solved(self, population: neat.Population) -> tuple[bool, bool, float]:
        """(the run found a solution, its last generation still solves the task, the best fitness found)."""
        if self.search is not None:  # the maze: fitness 1 at the goal
            return (self.search.best_fitness >= 1.0, bool(self.search.fitness.max() >= 1.0),
                    float(self.search.best_fitness))
        return (self._solves(population.best_genome), self._solves(population.generation_champion),
                float(population.best_fitness))


def one_run(args: argparse.Namespace, seed: int, regulation: dict | None, changes: dict) -> dict:
    task = Task(args.task, seed, args)
    config = task.config.replace(**changes)
    if regulation is not None:
        config = config.replace(reproduction=regulation)
    sizes = SizeRecorder(task.solves_now)
    start = time.perf_counter()
    population = neat.Population(config, seed=seed, reporters=[sizes])
    try:
        population.run(task.evaluate, generations=args.generations)
    finally:
        task.close()
    solved, final_solved, best_fitness = task.solved(population)
    return {"means": sizes.means, "phases": sizes.phases, "solved": solved, "final_solved": final_solved,
            "best_fitness": best_fitness, "first_solved": sizes.first_solved, "seconds": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=("xor", "cartpole", "maze"), default="xor")
    parser.add_argument("--maze", choices=("hard", "medium"), default="hard")
    parser.add_argument("--method", choices=("novelty", "fitness", "blend"), default="novelty")
    parser.add_argument("--population", type=int, default=None, help="population size (default: the task's)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--generations", type=int, default=300)
    parser.add_argument("--regulation", choices=("absolute", "relative"), default="absolute")
    parser.add_argument("--ceiling", type=float, default=12.0)
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="change a config key in both runs, e.g. speciation.target_species=10 (a TOML value)")
    args = parser.parse_args()
    changes: dict[str, dict] = {}
    for item in args.set:
        name, value = item.split("=", 1)
        section, key = name.split(".", 1)
        changes.setdefault(section, {})[key] = tomllib.loads(f"v = {value}")["v"]
    regulation = {"complexity_regulation": args.regulation, "complexity_ceiling": args.ceiling}
    out: dict[str, list] = {"regulated": [], "unregulated": []}
    for seed in range(args.first_seed, args.first_seed + args.runs):
        for kind, setting in (("unregulated", None), ("regulated", regulation)):
            r = one_run(args, seed, setting, changes)
            out[kind].append(r)
            first = "" if r["first_solved"] is None else f" in generation {r['first_solved']}"
            print(f"seed {seed:4d} {kind:11s}: {'solved' + first if r['solved'] else 'FAILED'} (last generation's champion "
                  f"{'solves' if r['final_solved'] else 'fails'})  best fitness {r['best_fitness']:.4f}  "
                  f"mean connections max {max(r['means']):7.2f} mean {np.mean(r['means']):7.2f} final {r['means'][-1]:7.2f}  {r['seconds']:.1f}s", flush=True)

    def summary(kind: str) -> dict[str, float | None]:
        runs = out[kind]
        first = [r["first_solved"] for r in runs if r["first_solved"] is not None]
        means = np.concatenate([r["means"] for r in runs])
        return {
            f"{kind}_mean_connections_max": round(float(means.max()), 3),
            f"{kind}_mean_connections_mean": round(float(means.mean()), 3),
            f"{kind}_mean_connections_final": round(float(np.mean([r["means"][-1] for r in runs])), 3),
            f"{kind}_generations_over_ceiling": round(float(np.mean(means > args.ceiling)), 4),
            f"{kind}_success": round(float(np.mean([r["solved"] for r in runs])), 3),
            f"{kind}_final_champion_success": round(float(np.mean([r["final_solved"] for r in runs])), 3),
            f"{kind}_best_fitness_mean": round(float(np.mean([r["best_fitness"] for r in runs])), 4),
            f"{kind}_first_solved_median": None if not first else float(np.median(first)),
        }

    phases = [p for r in out["regulated"] for p in r["phases"]]
    result = {
        **summary("regulated"),
        **summary("unregulated"),
        "regulated_simplify_share": round(phases.count("simplify") / len(phases), 3),
        "ceiling": args.ceiling,
        "task": args.task,
        **({"maze": args.maze, "method": args.method} if args.task == "maze" else {}),
        "population": args.population,
        "regulation": args.regulation,
        "runs": args.runs,
        "generations": args.generations,
        "changes": changes,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
