"""CartPole-v1 success rate and cost over independent seeds.

Each run is ``examples/cartpole.py``'s: population 50 (examples/cartpole.toml),
10 training episodes per genome, stop at the first genome that balances every
training episode and averages >= 490 on 50 validation episodes, at most 100
generations.  Success = the champion's mean return on 100 fresh episodes is
>= 475.  Prints one JSON object on its last line with ``runs``,
``success_rate``, ``generations_median``, ``env_steps_median`` (training and
validation steps, over all runs), ``seconds_median`` (to the champion, testing
excluded) and ``champion_test_return_mean`` (mean over runs of the champions'
mean return on 100 fresh episodes).

Run:  python benchmarks/cartpole.py --runs 20
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

from _common import evolve  # noqa: E402
from cartpole import TASK  # noqa: E402

import neat  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--serial", action="store_true", help="plain envs instead of CartPole's vector env")
    parser.add_argument("--config", type=pathlib.Path, default=ROOT / "examples" / "cartpole.toml")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 runs of at most 3 generations")
    args = parser.parse_args()
    config = neat.Config.from_toml_file(args.config)
    runs, generations = (2, 3) if args.quick else (args.runs, None)

    results = []
    for seed in range(args.first_seed, args.first_seed + runs):
        run = evolve(
            TASK,
            config,
            seed=seed,
            episodes=args.episodes,
            generations=generations,
            vectorized=False if args.serial else None,
        )
        test = float(np.mean(run["test_returns"]))
        results.append({**run, "test": test, "solved": test >= TASK.solved})
        hidden, enabled = run["champion"].size()
        print(
            f"seed {seed:4d}: {'solved' if test >= TASK.solved else 'FAILED'}  generations {run['generations']:3d}  "
            f"env steps {run['env_steps']:8d}  {run['seconds']:6.2f}s  test {test:6.1f}  "
            f"hidden {hidden} enabled {enabled}",
            flush=True,
        )
    figures = {
        "runs": len(results),
        "success_rate": sum(r["solved"] for r in results) / len(results),
        "generations_median": float(np.median([r["generations"] for r in results])),
        "env_steps_median": float(np.median([r["env_steps"] for r in results])),
        "seconds_median": round(float(np.median([r["seconds"] for r in results])), 3),
        "champion_test_return_mean": round(float(np.mean([r["test"] for r in results])), 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
