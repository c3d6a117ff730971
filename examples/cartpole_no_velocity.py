"""Balance CartPole-v1 without its velocities: a memory task for a recurrent NEAT network.

CartPole observes four numbers: cart position, cart velocity, pole angle and
pole angular velocity.  ``NoVelocity``, a gymnasium ``ObservationWrapper``,
keeps only the cart position and the pole angle (a ``Box`` of 2).  No
function of the current observation alone balances the pole for long: which
way it is falling is the *change* of the angle from one step to the next,
and a network can only know that if it remembers the previous step.  So the
config evolves recurrent genomes (``[genome] feed_forward = false``): each
connection out of a hidden or output node carries that node's value from the
previous step (see docs/recurrent.md), which is all a genome needs to
compute a velocity as a difference, and ``GymEvaluator`` steps every
genome's network once per env step, each episode with its own state.

Training, validation and the final test all play the wrapped env (the
module-level factory ``no_velocity_env``, which worker processes can
pickle).  The inputs are the observations divided by ``INPUT_SCALE``
(``GymEvaluator(..., observation_normalization=(0, INPUT_SCALE))``): the
episode ends once the pole leans 0.21 rad or the cart is 2.4 from the
centre, and the angle changes by about 0.01 rad a step, a difference that
start weights of order 1 barely see.  Divided by 0.05, the angle spans
+-4 and its step-to-step change is of order 0.2.  (Unscaled, the same
config was validated within 150 generations in 1 run of 3; scaled by the
termination bounds, 2.4 and 0.21, in 8-31 generations.)

A genome whose training fitness reaches 500 (every training episode
balanced to the time limit) replays 50 fresh validation episodes; the run
stops at the first averaging >= 490 there.  The champion is saved
under runs/cartpole_no_velocity/ (champion.json, its topology champion.svg,
the fitness plot fitness.png, stats.csv) and replayed on 100 episodes it has
never seen (solved: mean return >= 475, gymnasium's CartPole-v1 threshold).

Run:  python examples/cartpole_no_velocity.py [--seed N] [--out runs/cartpole_no_velocity]
      [--generations N] [--episodes N] [--test-episodes N] [--population N]
"""

from __future__ import annotations

import sys

import gymnasium
import numpy as np
from _common import Task, run_task

KEPT = [0, 2]  # CartPole's observations: 0 cart position, 1 cart velocity, 2 pole angle, 3 pole angular velocity
INPUT_SCALE = (0.5, 0.05)  # network inputs: cart position / 0.5, pole angle / 0.05


class NoVelocity(gymnasium.ObservationWrapper):
    """CartPole's observation without the velocities: ``(cart position, pole angle)``."""

    def __init__(self, env: gymnasium.Env) -> None:
        super().__init__(env)
        space = env.observation_space
        self.observation_space = gymnasium.spaces.Box(space.low[KEPT], space.high[KEPT], dtype=space.dtype)

    def observation(self, observation: np.ndarray) -> np.ndarray:
        return observation[KEPT]


def no_velocity_env() -> gymnasium.Env:
    """CartPole-v1 seen through ``NoVelocity``: the env of training, validation and test."""
    return NoVelocity(gymnasium.make("CartPole-v1"))


TASK = Task(
    name="cartpole_no_velocity",
    env_id="CartPole-v1",
    description="Evolve a recurrent CartPole-v1 controller that sees no velocities, with NEAT.",
    solved=475.0,
    episodes=10,
    validate_at=500.0,
    validation_target=490.0,
    validation_episodes=50,
    evaluator={"observation_normalization": (0.0, np.asarray(INPUT_SCALE))},
    train_env=no_velocity_env,
    test_env=no_velocity_env,
    node_names=("cart position", "pole angle", "push left", "push right"),
)

if __name__ == "__main__":
    sys.exit(run_task(TASK))
