"""XOR success rate and cost over independent seeds (the NEAT paper's benchmark).

Each run: population 150, at most 300 generations, success = every XOR case on
the right side of 0.5 (as in the paper).  Config: examples/xor.toml.  Prints
one JSON object on its last line with ``success_rate``, ``evaluations_mean``,
``evaluations_median``, ``evaluations_max`` (over successful runs),
``generations_mean``, ``hidden_nodes_mean``, ``enabled_connections_mean`` (of
the winners), ``seconds_per_run_median`` and
``bookkeeping_ms_per_generation`` (speciation + reproduction only, median over
all generations of all runs).

Run:  python benchmarks/xor.py --runs 100
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

from xor import evaluate, solves_xor  # noqa: E402

import neat  # noqa: E402


class BookkeepingTimer(neat.Reporter):
    """Times from the end of evaluation to the end of the generation: speciation + reproduction."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._start = 0.0

    def post_evaluate(self, population, fitness) -> None:
        self._start = time.perf_counter()

    def end_generation(self, population) -> None:
        self.times.append(time.perf_counter() - self._start)


def one_run(config: neat.Config, seed: int, timer: BookkeepingTimer) -> dict:
    start = time.perf_counter()
    pop = neat.Population(config, seed=seed, reporters=[timer])
    winner = pop.run(evaluate, generations=300, stop=lambda p: solves_xor(p.best_genome))
    hidden, enabled = winner.size()
    return {
        "solved": solves_xor(winner),
        "evaluations": pop.evaluations,
        "generations": pop.generation + 1,
        "hidden": hidden,
        "enabled": enabled,
        "seconds": time.perf_counter() - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--config", type=pathlib.Path, default=ROOT / "examples" / "xor.toml")
    args = parser.parse_args()
    config = neat.Config.from_toml_file(args.config).replace(run={"population_size": 150, "max_generations": 300})
    timer = BookkeepingTimer()
    runs = []
    for seed in range(args.first_seed, args.first_seed + args.runs):
        runs.append(one_run(config, seed, timer))
        r = runs[-1]
        print(f"seed {seed:4d}: {'solved' if r['solved'] else 'FAILED'} evals {r['evaluations']:6d} "
              f"hidden {r['hidden']} enabled {r['enabled']} {r['seconds']:.3f}s", flush=True)
    solved = [r for r in runs if r["solved"]]
    evals = [r["evaluations"] for r in solved]
    results = {
        "runs": len(runs),
        "success_rate": len(solved) / len(runs),
        "evaluations_mean": round(float(np.mean(evals)), 1) if evals else None,
        "evaluations_median": float(np.median(evals)) if evals else None,
        "evaluations_max": int(max(evals)) if evals else None,
        "generations_mean": round(float(np.mean([r["generations"] for r in solved])), 2) if solved else None,
        "hidden_nodes_mean": round(float(np.mean([r["hidden"] for r in solved])), 3) if solved else None,
        "enabled_connections_mean": round(float(np.mean([r["enabled"] for r in solved])), 3) if solved else None,
        "seconds_per_run_median": round(float(np.median([r["seconds"] for r in runs])), 4),
        "bookkeeping_ms_per_generation": round(float(np.median(timer.times)) * 1e3, 3) if timer.times else None,
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
