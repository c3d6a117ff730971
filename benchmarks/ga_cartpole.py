"""The seed article's CartPole GA over independent seeds.

Each run: 4-16-2 ReLU network, population 64, sigma 0.1, 15 episodes per
genome, the best kept (examples/ga_cartpole.py), at most 20 generations,
stopping when the best mean reward reaches 475.  Prints one JSON object on
its last line: ``reached_475_by_gen5_rate`` (share of runs whose best mean
reward reached 475 within 5 generations, i.e. by generation index 4),
``generations_to_475_median`` (generations evaluated until then, over the
runs that reached it), ``champion_test_return_mean`` (the champions' mean
return over 100 fresh episodes, averaged over runs), the distribution of
generations and the median seconds per run.

Run:  python benchmarks/ga_cartpole.py --runs 20
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))

from ga_cartpole import evolve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--generations", type=int, default=20)
    args = parser.parse_args()
    runs = []
    for seed in range(args.runs):
        r = evolve(seed, args.generations)
        runs.append(r)
        reached = "not reached" if r["reached"] is None else f"generation {r['reached']}"
        print(f"seed {seed:3d}: best {r['best']:6.1f} ({reached}), test {np.mean(r['test_returns']):6.1f}, "
              f"{r['seconds']:.2f}s", flush=True)
    generations = [r["reached"] + 1 for r in runs if r["reached"] is not None]  # generations evaluated
    results = {
        "runs": len(runs),
        "reached_475_by_gen5_rate": sum(g <= 5 for g in generations) / len(runs),
        "reached_475_rate": len(generations) / len(runs),
        "generations_to_475_median": float(np.median(generations)) if generations else None,
        "generations_to_475": sorted(generations),
        "champion_test_return_mean": round(float(np.mean([np.mean(r["test_returns"]) for r in runs])), 2),
        "seconds_per_run_median": round(float(np.median([r["seconds"] for r in runs])), 3),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
