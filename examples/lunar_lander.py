"""Evolve a LunarLander-v3 pilot (gymnasium, box2d) with NEAT.

LunarLander: land a craft between the flags.  Eight observations (position,
velocity, angle, angular velocity, two leg contacts), four actions (nothing,
left engine, main engine, right engine: four outputs, argmax).  Shaped reward
from the env: moving towards the pad and slowing down pays, firing engines
costs, crashing -100, coming to rest +100; an episode ends on landing,
crashing, flying off screen or after 1000 steps.  Solved: mean return >= 200.
Needs the box2d extra: ``pip install "neatlab[box2d]"`` (without it the script says so and exits with status 2).

Returns vary a lot from one start to the next (the terrain and the initial
push are random), so each genome plays ``--episodes`` (5) episodes per
generation, the same starts for every genome, new starts every generation;
fitness is the mean return.  A genome that is good on five starts is often
lucky: the best genomes of each generation that average 150 or better are
replayed on 50 validation episodes (seeds training never uses), the best
validated genome so far is the champion, and the run stops when it averages
230 there.  The champion is saved as JSON and tested on 100 fresh episodes.

Hidden nodes are ``tanh``; outputs are ``identity`` (only their argmax
matters).  A generation of 150 genomes plays 750 episodes of up to 1000
steps: 2.5-6 s on one core of the 2-core development machine.  With the
fixed threshold step of earlier versions, seeds 0-5 were solved in 49, 116,
133, 113, 72 and 45 generations; with the adaptive steering (the default
since), in 168 (of a 300-generation budget), more than 300, 102, 120, 50
and 89 (docs/gym_examples.md).
``--workers N`` plays the training episodes in N processes
(``GymEvaluator(..., executor=ProcessPoolExecutor(N))``); the fitness, and so
the whole run, does not depend on N (2 workers: about 1.6x faster there).

Run:  python examples/lunar_lander.py [--seed N] [--out runs/lunar_lander] [--generations N]
      [--episodes N] [--test-episodes N] [--population N] [--workers N]
"""

from __future__ import annotations

import sys

from _common import Task, run_task

TASK = Task(
    name="lunar_lander",
    env_id="LunarLander-v3",
    description="Evolve a LunarLander-v3 pilot with NEAT.",
    solved=200.0,
    episodes=5,
    validate_at=150.0,
    validation_target=230.0,
    validation_episodes=50,
    candidates=2,
    parallel=True,
    node_names=("x", "y", "x velocity", "y velocity", "angle", "angular velocity", "left leg on ground",
                "right leg on ground", "do nothing", "fire left engine", "fire main engine", "fire right engine"),
)

if __name__ == "__main__":
    sys.exit(run_task(TASK))
