"""Evolve a BipedalWalker-v3 gait (gymnasium, box2d) with NEAT: a starting point, not a solution.

BipedalWalker: a two-legged robot must walk to the end of a bumpy track.
24 observations (hull angle and velocities, joint angles and speeds, leg
contacts, 10 lidar readings), four motor torques in [-1, 1] (``tanh``
outputs, so each torque is the output itself).  Reward: about 300 in total
for moving forward to the end, minus torque costs; falling ends the episode
with -100; at most 1600 steps.  Solved: mean return >= 300 over 100 episodes.
Needs the box2d extra: ``pip install "neatlab[box2d]"`` (without it the script says so and exits with status 2).

**This will not solve in minutes.**  The env is slow (about 5,000 steps/s on
one core), and walking needs hundreds of generations even for methods that
solve it.  The config here is a runnable starting point that learns to
shuffle forward in a short run: the default 30 generations took 10 minutes
on one core (about 20 s per generation) and the champion averaged 126 over
100 test episodes (seed 0).

To cut the cost of genomes that just stand still, training episodes stop
after ``TRAINING_MAX_STEPS`` steps (validation and test episodes run to the
env's own 1600-step limit).  Each genome plays ``--episodes`` (2) episodes
per generation; the best genome of each generation, if its mean is positive,
is replayed on 10 validation episodes, and the best validated genome is the
champion (the run would stop at one averaging 300).  For a longer run:
``--generations 500 --workers 2`` (the training episodes in 2 processes), a
larger ``--population``, more ``--episodes``.

Run:  python examples/bipedal_walker.py [--seed N] [--out runs/bipedal_walker] [--generations N]
      [--episodes N] [--test-episodes N] [--population N] [--workers N]
"""

from __future__ import annotations

import sys

from _common import Task, run_task

TRAINING_MAX_STEPS = 800

TASK = Task(
    name="bipedal_walker",
    env_id="BipedalWalker-v3",
    description="Evolve a BipedalWalker-v3 gait with NEAT (a starting point; it does not solve in minutes).",
    solved=300.0,
    episodes=2,
    validate_at=0.0,
    validation_target=300.0,
    validation_episodes=10,
    candidates=1,
    training={"max_steps": TRAINING_MAX_STEPS},
    parallel=True,
    node_names=(
        "hull angle", "hull angular velocity", "x velocity", "y velocity",
        "hip 1 angle", "hip 1 speed", "knee 1 angle", "knee 1 speed", "leg 1 on ground",
        "hip 2 angle", "hip 2 speed", "knee 2 angle", "knee 2 speed", "leg 2 on ground",
        *(f"lidar {i}" for i in range(1, 11)),
        "hip 1 torque", "knee 1 torque", "hip 2 torque", "knee 2 torque",
    ),
)

if __name__ == "__main__":
    sys.exit(run_task(TASK))
