"""Evolve an InvertedDoublePendulum-v5 balancer (gymnasium, MuJoCo) with NEAT: continuous actions.

InvertedDoublePendulum: a cart carries two poles, one on top of the other;
a force in [-1, 1] on the cart (one ``tanh`` output, so the force is the
output itself) must keep the tip up.  Nine observations (cart position, sines
and cosines of the two angles, velocities, constraint force), fed as they
are.  Reward about 9.3 per step alive (minus small distance and velocity
penalties); an episode ends when the tip drops below y = 1 or after 1000
steps, so a full episode returns about 9,350.  Needs the mujoco extra:
``pip install "neatlab[mujoco]"`` (without it the script says so and exits with status 2).

Each genome plays ``--episodes`` (5) episodes per generation; fitness is the
mean return.  The best genomes of a generation that average 9,000 or more are
replayed on 50 validation episodes; the run stops at the first that averages
9,300 there (one fall in 50 episodes already misses that).  With 3 training
and 20 validation episodes, runs stopped sooner with champions that fell on
some test episodes (8,800 mean).  Early generations are cheap (the poles fall
within a few dozen steps); a generation costs seconds once genomes balance.  The champion is saved as JSON and tested on 100 fresh episodes
(target: mean return >= 9,000).

Run:  python examples/inverted_double_pendulum.py [--seed N] [--out runs/inverted_double_pendulum]
      [--generations N] [--episodes N] [--test-episodes N] [--population N]
"""

from __future__ import annotations

import sys

from _common import Task, run_task

TASK = Task(
    name="inverted_double_pendulum",
    env_id="InvertedDoublePendulum-v5",
    description="Evolve an InvertedDoublePendulum-v5 balancer with NEAT.",
    solved=9000.0,
    episodes=5,
    validate_at=9000.0,
    validation_target=9300.0,
    validation_episodes=50,
    # pole 1's angle is measured from the cart, pole 2's from pole 1
    node_names=("cart position", "sin(pole 1 angle)", "sin(pole 2 angle)", "cos(pole 1 angle)",
                "cos(pole 2 angle)", "cart velocity", "pole 1 angular velocity", "pole 2 angular velocity",
                "constraint force on cart", "force on cart"),
)

if __name__ == "__main__":
    sys.exit(run_task(TASK))
