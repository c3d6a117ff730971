"""NEAT and the fixed-topology GA on the same tasks with equal evaluation budgets.

Tasks:

- XOR (budget 45,000 genome evaluations; success: every case on the right
  side of 0.5);
- CartPole-v1 (budget 6,400 genome evaluations of 10 episodes; success: best
  training mean >= 475, then the champion is tested on 100 fresh episodes);
- LunarLander-v3 (box2d; budget 18,000 episodes: 6,000 genome evaluations of
  3 episodes, i.e. 40 generations of 150, run to the end; then the 5 best genomes of the
  last generation replay 20 validation episodes, the best of them is the
  champion, tested on 100 fresh episodes; success: test mean >= 200).

NEAT uses the example configs (examples/xor.toml, cartpole.toml,
lunar_lander.toml); the GA uses ``neat.evolution.presets.fixed_topology_ga`` (XOR:
2-4-1 tanh hidden, population 150, T 20, sigma 0.3; CartPole: the seed
article's 4-16-2 ReLU, population 64, T 1, sigma 0.1; LunarLander: 8-16-4
tanh hidden, fan-in scaled start weights, population 150, T 20, sigma 0.1).
Prints a table per task and one JSON object on its last line.

Run:  python benchmarks/ga_vs_neat.py [--runs 5] [--tasks xor,cartpole,lunar_lander] [--lander-runs 3]
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

from xor import evaluate as xor_evaluate  # noqa: E402
from xor import solves_xor  # noqa: E402

import neat  # noqa: E402
from neat.evolution.presets import fixed_topology_ga  # noqa: E402


def xor_configs() -> dict[str, neat.Config]:
    neat_config = neat.Config.from_toml_file(ROOT / "examples" / "xor.toml")
    ga = fixed_topology_ga(2, 1, (4,), hidden_activation="tanh", output_activation="neat_sigmoid",
                           population_size=150, truncation_size=20, sigma=0.3)
    return {"NEAT": neat_config, "GA": ga}


def cartpole_configs() -> dict[str, neat.Config]:
    neat_config = neat.Config.from_toml_file(ROOT / "examples" / "cartpole.toml")
    ga = fixed_topology_ga(4, 2, (16,), population_size=64, truncation_size=1, sigma=0.1)
    return {"NEAT": neat_config, "GA": ga}


def lunar_lander_configs() -> dict[str, neat.Config]:
    neat_config = neat.Config.from_toml_file(ROOT / "examples" / "lunar_lander.toml")
    ga = fixed_topology_ga(8, 4, (16,), hidden_activation="tanh", output_activation="identity",
                           population_size=150, truncation_size=20, sigma=0.1, weight_init_scaling="fan_in")
    return {"NEAT": neat_config, "GA": ga}


def run_lunar_lander(config: neat.Config, seed: int, budget: int) -> dict:
    pop = neat.Population(config, seed=seed)
    with neat.GymEvaluator("LunarLander-v3", episodes=3, seed=seed) as evaluator:
        start = time.perf_counter()
        pop.run(evaluator, generations=budget // (config.run.population_size * 3))
        scores = evaluator(pop.genomes, generation=pop.generation)
        finalists = [pop.genomes[int(i)] for i in np.argsort(-scores, kind="stable")[:5]]
        validation = [float(np.mean(evaluator.replay(g, 20, seed=seed + 1_000_000))) for g in finalists]
        champion = finalists[int(np.argmax(validation))]
        seconds = time.perf_counter() - start
        test = float(np.mean(evaluator.replay(champion, 100, seed=seed + 2_000_000)))
    return {"solved": test >= 200.0, "evaluations": pop.evaluations, "score": test,
            "size": champion.size(), "seconds": seconds}


def run_xor(config: neat.Config, seed: int, budget: int) -> dict:
    pop = neat.Population(config, seed=seed)
    start = time.perf_counter()
    pop.run(xor_evaluate, generations=budget // config.run.population_size,
            stop=lambda p: solves_xor(p.best_genome))
    solved = solves_xor(pop.best_genome)
    return {"solved": solved, "evaluations": pop.evaluations, "score": pop.best_fitness,
            "size": pop.best_genome.size(), "seconds": time.perf_counter() - start}


def run_cartpole(config: neat.Config, seed: int, budget: int) -> dict:
    pop = neat.Population(config, seed=seed)
    with neat.GymEvaluator("CartPole-v1", episodes=10, seed=seed) as evaluator:
        start = time.perf_counter()
        pop.run(evaluator, generations=budget // config.run.population_size,
                stop=lambda p: p.best_fitness >= 475.0)
        seconds = time.perf_counter() - start
        test = float(np.mean(evaluator.replay(pop.best_genome, 100, seed=seed + 2_000_000)))
    return {"solved": pop.best_fitness >= 475.0, "evaluations": pop.evaluations, "score": test,
            "size": pop.best_genome.size(), "seconds": seconds}


def summarize(results: list[dict]) -> dict:
    solved = [r for r in results if r["solved"]]
    return {
        "success_rate": len(solved) / len(results),
        "evaluations_to_solve_median": float(np.median([r["evaluations"] for r in solved])) if solved else None,
        "final_score_mean": round(float(np.mean([r["score"] for r in results])), 3),
        "hidden_nodes_mean": round(float(np.mean([r["size"][0] for r in results])), 2),
        "enabled_connections_mean": round(float(np.mean([r["size"][1] for r in results])), 2),
        "seconds_median": round(float(np.median([r["seconds"] for r in results])), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lander-runs", type=int, default=3, help="seeds for LunarLander (minutes per run)")
    parser.add_argument("--tasks", default="xor,cartpole,lunar_lander", help="comma-separated tasks to run")
    args = parser.parse_args()
    tasks = {
        "xor": (xor_configs, run_xor, 45_000, args.runs, "final score: best XOR fitness (16 = perfect)"),
        "cartpole": (cartpole_configs, run_cartpole, 6_400, args.runs,
                     "final score: champion's mean over 100 fresh episodes"),
        "lunar_lander": (lunar_lander_configs, run_lunar_lander, 18_000, args.lander_runs,
                         "the budget counts episodes: 6,000 genome evaluations of 3 episodes, run to the end; final "
                         "score: champion's mean over 100 fresh episodes; evaluations to solve: the whole run"),
    }
    chosen = [name.strip() for name in args.tasks.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(tasks))
    if unknown:
        parser.error(f"unknown task(s) {', '.join(unknown)}; choose from {', '.join(tasks)}")
    table = {}
    for task in chosen:
        make_configs, runner, budget, runs, note = tasks[task]
        configs = make_configs()
        print(f"\n{task} (budget {budget} evaluations, {runs} seeds; {note})")
        print("| method | success | evaluations to solve (median) | final score | hidden / enabled | seconds |")
        print("| --- | --- | --- | --- | --- | --- |")
        for method, config in configs.items():
            summary = summarize([runner(config, seed, budget) for seed in range(runs)])
            table[f"{task}_{method.lower()}"] = summary
            print(f"| {method} | {summary['success_rate']:.2f} | {summary['evaluations_to_solve_median']} | "
                  f"{summary['final_score_mean']} | {summary['hidden_nodes_mean']} / "
                  f"{summary['enabled_connections_mean']} | {summary['seconds_median']} |", flush=True)
    print(json.dumps(table))


if __name__ == "__main__":
    main()
