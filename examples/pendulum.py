"""Evolve a Pendulum-v1 swing-up controller (gymnasium) with NEAT: continuous actions.

Pendulum: a pendulum starts at a random angle and velocity; a torque in
[-2, 2] (one output) must swing it up and hold it upright.  The torque is too
weak to lift it directly from the bottom, so the controller has to pump
energy first.  Reward per step: -(angle^2 + 0.1 velocity^2 + 0.001 torque^2),
200 steps per episode, so returns lie in about [-1600, 0]; a good swing-up
averages about -150.  The three observations (cos, sin of the angle, angular
velocity) are rescaled from their bounds to [-1, 1].  The output node is
``tanh``, so the torque is ``2 * output`` (docs/gym.md, action mapping).
Genomes start as 3-4-1 networks (one fully connected hidden layer of four
``tanh`` nodes) and the species count is steered towards 8 (see
pendulum.toml for why).

Each genome plays ``--episodes`` episodes per generation; fitness is the mean
return.  The best genomes of a generation that average -400 or better are
replayed on 50 validation episodes; the run stops at the first averaging
-200 there.  The champion is saved as JSON and tested on 100 fresh
episodes (target: mean return >= -400).  About 1.5-2 s per generation on
one core; a run takes 1-4 minutes.

Run:  python examples/pendulum.py [--seed N] [--out runs/pendulum] [--generations N]
      [--episodes N] [--test-episodes N] [--population N]
"""

from __future__ import annotations

import sys

from _common import Task, run_task

TASK = Task(
    name="pendulum",
    env_id="Pendulum-v1",
    description="Evolve a Pendulum-v1 swing-up controller with NEAT.",
    solved=-400.0,
    episodes=5,
    validate_at=-400.0,
    validation_target=-200.0,
    validation_episodes=50,
    evaluator={"observation_normalization": "bounds"},
    node_names=("cos(angle)", "sin(angle)", "angular velocity", "torque"),
)

if __name__ == "__main__":
    sys.exit(run_task(TASK))
