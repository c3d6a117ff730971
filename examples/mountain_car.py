"""Evolve a MountainCar-v0 controller (gymnasium) with NEAT, with a shaped training reward.

MountainCar: an underpowered car in a valley must rock back and forth to reach
the flag at x >= 0.5 on the right hill.  Actions: push left, none, right
(three outputs, argmax); observations: position and velocity, rescaled from
their bounds to [-1, 1] (the velocity's raw range is only +-0.07).  Reward -1
per step until the flag, at most 200 steps.

The reward is sparse: every episode that misses the flag returns exactly -200,
whatever the car did, so at first all genomes tie and evolution has nothing to
select on.  Three ways out, from the simplest:

- more episodes per genome (``--episodes``): only helps once some genomes
  reach the flag now and then;
- a custom ``reducer`` (``GymEvaluator(..., reducer=f)``): reshapes how the
  episode *returns* are combined (e.g. the fraction of episodes under -200);
  it cannot see anything the returns do not contain, so it cannot break
  the -200 ties either;
- **reward shaping in the env** (what this example does): ``shaped_env``, a
  zero-argument factory passed as the training env, wraps MountainCar-v0 in
  ``MaxPositionShaping``, which tracks the largest position the car reached
  and, on the step that ends the episode, adds
  ``SHAPING_SCALE * min(max_position - 0.5, 0)``.  An episode that reaches
  the flag keeps its true return (the bonus is 0); one that misses it gets
  -200 minus up to 170 for how far from the flag it stayed.  So any genome
  that reaches the flag beats any that does not, and among those that miss,
  climbing higher is better.

Only training uses the shaped env: the validation (the best genomes of each
generation that reach the flag on average play 50 fresh episodes; the run
stops at the first averaging -108 there) and the final test (100 fresh
episodes) play the real MountainCar-v0 and report its true return (the goal
is reached when the return is > -200; solved: mean >= -110, gymnasium's
threshold).

Run:  python examples/mountain_car.py [--seed N] [--out runs/mountain_car] [--generations N]
      [--episodes N] [--test-episodes N] [--population N]
"""

from __future__ import annotations

import sys
from typing import Any

import gymnasium
import numpy as np
from _common import Task, run_task

GOAL = 0.5  # MountainCar-v0's goal position
SHAPING_SCALE = 100.0  # shaping per unit of distance between the highest position reached and the goal


class MaxPositionShaping(gymnasium.Wrapper):
    """Adds ``scale * min(max_position - goal, 0)`` to the reward of the step that ends the episode."""

    def __init__(self, env: gymnasium.Env, scale: float = SHAPING_SCALE, goal: float = GOAL) -> None:
        super().__init__(env)
        self.scale, self.goal = scale, goal
        self.max_position = -np.inf

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        self.max_position = float(obs[0])
        return obs, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.max_position = max(self.max_position, float(obs[0]))
        if terminated or truncated:
            reward = float(reward) + self.scale * min(self.max_position - self.goal, 0.0)
        return obs, reward, terminated, truncated, info


def shaped_env() -> gymnasium.Env:
    """MountainCar-v0 with the max-position shaping: the training env."""
    return MaxPositionShaping(gymnasium.make("MountainCar-v0"))


def goal_summary(returns: np.ndarray) -> str:
    reached = int(np.count_nonzero(returns > -200.0))
    return f"goal reached on {reached} of {len(returns)} test episodes"


TASK = Task(
    name="mountain_car",
    env_id="MountainCar-v0",
    description="Evolve a MountainCar-v0 controller with NEAT (shaped training reward).",
    solved=-110.0,  # gymnasium's reward threshold for MountainCar-v0
    episodes=5,
    validate_at=-200.0,
    validation_target=-108.0,
    validation_episodes=50,
    train_env=shaped_env,
    evaluator={"observation_normalization": "bounds"},
    summary=goal_summary,
    node_names=("position", "velocity", "push left", "no push", "push right"),
)

if __name__ == "__main__":
    sys.exit(run_task(TASK))
