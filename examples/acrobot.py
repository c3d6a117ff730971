"""Evolve an Acrobot-v1 controller (gymnasium) with NEAT.

Acrobot: two links hang from a joint; torque (-1, 0, +1, three outputs,
argmax) at the middle joint must swing the tip above a line.  Reward -1 per
step until then, at most 500 steps: the return is minus the time taken
(gymnasium's threshold: -100).  The six observations (cos/sin of both angles,
two angular velocities) are fed as they are.

Each genome plays ``--episodes`` episodes per generation (the same starts for
every genome, new starts every generation); fitness is the mean return.  The
best genomes of a generation that average -100 or better are replayed on 50
validation episodes; the run stops at the first that averages -80 there.  The
champion is saved as JSON and tested on 100 fresh episodes (solved: mean
return >= -100).

Run:  python examples/acrobot.py [--seed N] [--out runs/acrobot] [--generations N]
      [--episodes N] [--test-episodes N] [--population N]
"""

from __future__ import annotations

import sys

from _common import Task, run_task

TASK = Task(
    name="acrobot",
    env_id="Acrobot-v1",
    description="Evolve an Acrobot-v1 controller with NEAT.",
    solved=-100.0,
    episodes=5,
    validate_at=-100.0,
    validation_target=-80.0,
    validation_episodes=50,
    # angle 1: the first link's, 0 = hanging straight down; angle 2: the second link's, relative to the first
    node_names=("cos(angle 1)", "sin(angle 1)", "cos(angle 2)", "sin(angle 2)", "angular velocity 1",
                "angular velocity 2", "torque -1", "torque 0", "torque +1"),
)

if __name__ == "__main__":
    sys.exit(run_task(TASK))
