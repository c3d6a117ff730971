"""HyperNEAT on BipedalWalker-v3: a CPPN paints a controller laid out like the walker's body.

The controller is a substrate network (``neat.nn.Substrate``) in 3-D: ``z``
is the layer (observations at ``z = -1``, a 3 x 4 hidden sheet at ``z = 0``,
the four motors at ``z = 1``); ``x`` is the side of the body (leg 1 left,
leg 2 right, the hull and the lidar in the middle) and ``y`` the height
(hull on top, hips, knees, feet at the bottom).  So a hip's angle sensor
sits above its knee's, the two legs mirror each other, and a motor lies
right above the sensors of its own joint: a CPPN can reuse one pattern for
both legs (a function of ``|x|``) and wire each joint to its own sensors
(a function of ``x1 - x2``).  Observations connect to the hidden sheet and
to the motors, the hidden sheet to the motors; the CPPN also paints every
node's bias.  Its inputs are ``x1, y1, z1, x2, y2, z2, d``.

Every generation all CPPNs are decoded at once (``decode_population``) and
the decoded networks play their episodes in lockstep, one population
forward per step (``neat.evaluation.gym.rollout.play``); training episodes
stop after ``--max-steps`` steps.  A starting point, not a solution: walking
takes hundreds of generations.

Run:  python examples/hyperneat_walker.py [--seed N] [--generations N] [--population N] [--episodes N]
      [--max-steps N] [--test-episodes N] [--out runs/hyperneat_walker]
Needs the box2d extra: pip install "neatlab[box2d]" (without it the script says so and exits with status 2).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from collections.abc import Sequence

import numpy as np

import neat
from neat.cli import missing_extra, save_run
from neat.evaluation.gym import GymEvaluator
from neat.evaluation.gym.envs import SerialEnvs
from neat.evaluation.gym.rollout import Policy, episode_seeds, play, replay_seeds
from neat.evaluation.gym.spaces import actions_from_outputs
from neat.evolution.presets import cppn_config
from neat.files import atomic_write_text
from neat.nn import PopulationNetwork
from neat.nn.hyperneat import decode_population
from neat.nn.substrate import Substrate, grid

ENV_ID = "BipedalWalker-v3"

# (name, x, y) of each observation, in the env's order: x = side (leg 1 < 0 < leg 2), y = height.
OBSERVATIONS = [
    ("hull angle", -0.15, 1.0), ("hull angular velocity", 0.15, 1.0),
    ("x velocity", -0.15, 0.8), ("y velocity", 0.15, 0.8),
    ("hip 1 angle", -0.6, 0.35), ("hip 1 speed", -0.4, 0.35),
    ("knee 1 angle", -0.6, -0.35), ("knee 1 speed", -0.4, -0.35), ("leg 1 on ground", -0.5, -1.0),
    ("hip 2 angle", 0.6, 0.35), ("hip 2 speed", 0.4, 0.35),
    ("knee 2 angle", 0.6, -0.35), ("knee 2 speed", 0.4, -0.35), ("leg 2 on ground", 0.5, -1.0),
    # The 10 lidar rays sweep from straight ahead to straight down: a column in the middle, top to bottom.
    *((f"lidar {i + 1}", 0.0, 0.6 - 1.6 * i / 9) for i in range(10)),
]
# The motors, above the sensors of their joints.
ACTIONS = [("hip 1 torque", -0.5, 0.35), ("knee 1 torque", -0.5, -0.35),
           ("hip 2 torque", 0.5, 0.35), ("knee 2 torque", 0.5, -0.35)]


def walker_substrate() -> Substrate:
    """The controller's geometry (see the module docstring)."""
    inputs = [(x, y, -1.0) for _, x, y in OBSERVATIONS]
    outputs = [(x, y, 1.0) for _, x, y in ACTIONS]
    return Substrate(
        inputs, outputs, hidden=[grid(3, 4, z=0.0)], connections=((0, 1), (1, 2), (0, 2)),
        bias_output=True, activation="tanh",
    )


class DecodedPolicy(Policy):
    """``Policy`` over networks decoded already: a ``PopulationNetwork`` instead of genomes to compile."""

    def __init__(self, stack: PopulationNetwork) -> None:
        self.rows = np.arange(len(stack))
        self._stack = stack
        self._nets = []
        self.refills = True


class HyperNEATGym:
    """``evaluate(cppns, generation=g) -> (P,)`` mean returns of the networks the CPPNs decode to.

    An adapter: ``GymEvaluator`` compiles the genomes it gets, so here the
    CPPNs are decoded first and the networks played with the evaluator's
    own pieces (its env, input and action mappings, the rollout loop).
    """

    def __init__(self, substrate: Substrate, *, episodes: int, seed: int, max_steps: int | None) -> None:
        self.substrate = substrate
        self.gym = GymEvaluator(ENV_ID, episodes=episodes, seed=seed, max_steps=max_steps, vectorized=False)
        self.envs = SerialEnvs(self.gym.make_env)
        self.env_steps = 0

    def returns(self, cppns: Sequence[neat.Genome], seeds: np.ndarray, max_steps: int | None) -> np.ndarray:
        """``(P, len(seeds))`` returns of the decoded networks on the episodes ``seeds``."""
        stack = decode_population(cppns, self.substrate)
        space = self.gym.action_space
        returns, lengths = play(
            self.envs, DecodedPolicy(stack), seeds, len(stack), self.gym.inputs,
            lambda outputs: actions_from_outputs(space, outputs, (-1.0, 1.0)),  # tanh outputs: torques as they are
            max_steps=max_steps, env_name=ENV_ID,
        )
        self.env_steps += int(lengths.sum())
        return returns

    def __call__(self, cppns: Sequence[neat.Genome], *, generation: int = 0) -> np.ndarray:
        seeds = episode_seeds(self.gym.seed, generation, self.gym.episodes)
        return self.returns(cppns, seeds, self.gym.max_steps).mean(axis=1)

    def replay(self, cppn: neat.Genome, episodes: int, seed: int) -> np.ndarray:
        """Returns of ``episodes`` fresh full-length episodes (seeds training never uses)."""
        return self.returns([cppn], replay_seeds(seed, episodes), None)[0]

    def close(self) -> None:
        self.envs.close()
        self.gym.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="HyperNEAT on BipedalWalker-v3 (a starting point, not a solution).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--generations", type=int, default=20)
    parser.add_argument("--population", type=int, default=50)
    parser.add_argument("--episodes", type=int, default=1, help="training episodes per CPPN and generation")
    parser.add_argument("--max-steps", type=int, default=400, help="training episodes stop after this many steps")
    parser.add_argument("--test-episodes", type=int, default=5, help="fresh full episodes the champion plays")
    parser.add_argument("--out", default=pathlib.Path("runs") / "hyperneat_walker", type=pathlib.Path)
    args = parser.parse_args(argv)
    try:
        import gymnasium

        gymnasium.make(ENV_ID).close()
    except Exception as exc:
        hint = missing_extra(exc, ENV_ID)
        if hint is None:
            raise
        print(f"hyperneat_walker.py: {hint}", file=sys.stderr)
        return 2

    substrate = walker_substrate()
    config = cppn_config(substrate.cppn_inputs, substrate.cppn_outputs, population_size=args.population)
    statistics = neat.StatisticsReporter()
    evaluate = HyperNEATGym(substrate, episodes=args.episodes, seed=args.seed, max_steps=args.max_steps)
    try:
        population = neat.Population(config, seed=args.seed, reporters=[neat.StdOutReporter(), statistics])
        champion = population.run(evaluate, args.generations)
        training_steps = evaluate.env_steps
        test = evaluate.replay(champion, args.test_episodes, seed=args.seed + 2_000_000)
    finally:
        evaluate.close()
    hidden, enabled = champion.size()
    print(f"\nchampion CPPN after {population.generation + 1} generations ({training_steps} training env steps): "
          f"{hidden} hidden nodes, {enabled} enabled connections, painting a network of "
          f"{substrate.num_nodes} nodes and up to {substrate.num_connections} connections")
    names = (*substrate.cppn_input_names, *substrate.cppn_output_names)
    for line in save_run(args.out, champion, statistics, node_names=names):
        print(line)
    atomic_write_text(args.out / "substrate.json", json.dumps(substrate.to_dict(), indent=1))
    print(f"substrate -> {args.out / 'substrate.json'}")
    print(f"test on {len(test)} fresh episodes: mean return {test.mean():.1f} (min {test.min():.1f}, "
          f"max {test.max():.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
