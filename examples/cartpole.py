"""Evolve a CartPole-v1 controller (gymnasium) with NEAT.

Each genome plays ``--episodes`` episodes per generation (the same starts for
every genome, new starts every generation, all genomes and episodes stepped
in lockstep through CartPole's vector env); its fitness is the mean return
(500 = the pole stayed up to the env's time limit every time).  A genome that
balances every training episode is then tested on 50 fresh validation
episodes; the run stops once one averages >= 490 there.  The champion is
saved under runs/cartpole/ (champion.json, its topology champion.svg, the
fitness plot fitness.png, stats.csv) and replayed on 100 episodes it has
never seen (solved: mean return >= 475, the gymnasium threshold).

``make demo`` runs it with ``--config examples/cartpole_demo.toml``: networks
that start with no connections, so the run takes about a dozen generations
and its fitness and species plots show NEAT growing a controller.

Run:  python examples/cartpole.py [--seed N] [--out runs/cartpole] [--generations N] [--serial]
      [--config examples/cartpole_demo.toml]
"""

from __future__ import annotations

import sys

from _common import Task, run_task

TASK = Task(
    name="cartpole",
    env_id="CartPole-v1",
    description="Evolve a CartPole-v1 controller with NEAT.",
    solved=475.0,
    episodes=10,
    validate_at=500.0,
    validation_target=490.0,
    validation_episodes=50,
    node_names=("cart position", "cart velocity", "pole angle", "pole angular velocity", "push left", "push right"),
)

if __name__ == "__main__":
    sys.exit(run_task(TASK))
