"""Novelty search, fitness and a blend of both on the deceptive maze, at equal budgets, over seeds.

Each method (``examples/maze_novelty.py``'s ``evolve``: NEAT with ``examples/maze.toml``,
scores from ``NoveltySearch`` in that mode) runs on seeds ``0 .. runs - 1`` with the same
budget, ``--population`` genomes for at most ``--generations`` generations; a run succeeds
when a robot reaches the goal (fitness 1), which also ends it.  Prints one progress line
per run and, as the LAST line, one JSON object::

    {"novelty_success": s, "fitness_success": f, "blend_success": b,
     "novelty_evaluations_median": ..., "fitness_evaluations_median": ..., "blend_evaluations_median": ...,
     "runs": N, "maze": ..., "generations": ..., "population": ...}

``*_success`` is the fraction of runs that reached the goal; ``*_evaluations_median`` the
median number of genome evaluations (episodes) those successful runs took (``null`` when
none succeeded).  Methods left out with ``--methods`` are left out of the JSON too.
``--workers N`` runs N runs at a time in worker processes (each run is the same whatever N).

Run:  python benchmarks/maze.py [--runs 10] [--maze hard|medium] [--generations 400]
      [--population 250] [--methods novelty,fitness,blend] [--workers N]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

from maze_novelty import MAZES, evolve  # noqa: E402

from neat.evaluation.novelty import MODES  # noqa: E402


def one_run(method: str, maze: str, seed: int, generations: int, population: int) -> dict:
    """One run's summary (plain data, so that it travels back from a worker process)."""
    run = evolve(method, maze, generations=generations, population=population, seed=seed, quiet=True)
    return {
        "method": method, "seed": seed, "solved": run["solved"], "generations": run["generations"],
        "evaluations": run["evaluations"], "best_fitness": run["best_fitness"], "seconds": run["seconds"],
        "archive": int(len(run["search"].archive)),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--maze", choices=MAZES, default="hard")
    parser.add_argument("--generations", type=int, default=400)
    parser.add_argument("--population", type=int, default=250)
    parser.add_argument("--methods", default=",".join(MODES), help="comma-separated, of novelty, fitness, blend")
    parser.add_argument("--workers", type=int, default=0, help="run this many runs at a time in worker processes")
    args = parser.parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in MODES]
    if unknown or not methods:
        parser.error(f"--methods: unknown {unknown}; choose from {', '.join(MODES)}")
    # Seed by seed, every method in turn: a log cut short still compares the methods on the same seeds.
    jobs = [(method, args.maze, seed, args.generations, args.population) for seed in range(args.runs)
            for method in methods]
    print(f"maze {args.maze}: {args.runs} runs x {', '.join(methods)}, population {args.population}, "
          f"at most {args.generations} generations", flush=True)
    start = time.perf_counter()
    results: dict[str, list[dict]] = {m: [] for m in methods}

    def report(r: dict) -> None:
        results[r["method"]].append(r)
        print(f"{r['method']:>8} seed {r['seed']:2d}: {'goal   ' if r['solved'] else 'no goal'}  "
              f"generations {r['generations']:4d}  evaluations {r['evaluations']:7d}  best fitness "
              f"{r['best_fitness']:.4f}  archive {r['archive']:5d}  {r['seconds']:6.1f}s  "
              f"(total {time.perf_counter() - start:7.1f}s)", flush=True)

    if args.workers > 0:
        with concurrent.futures.ProcessPoolExecutor(args.workers) as pool:
            futures = [pool.submit(one_run, *job) for job in jobs]
            for future in concurrent.futures.as_completed(futures):
                report(future.result())
    else:
        for job in jobs:
            report(one_run(*job))
    summary: dict = {}
    for method in methods:
        done = results[method]
        solved = [r["evaluations"] for r in done if r["solved"]]
        summary[f"{method}_success"] = len(solved) / len(done)
        summary[f"{method}_evaluations_median"] = float(np.median(solved)) if solved else None
    summary.update({"runs": args.runs, "maze": args.maze, "generations": args.generations,
                    "population": args.population})
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
