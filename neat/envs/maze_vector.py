"""``MazeVectorEnv``: ``num_envs`` maze robots stepped at once with NumPy (a gymnasium ``VectorEnv``).

The vector entry point of ``neat/Maze-medium-v0`` and ``neat/Maze-hard-v0``::

    envs = gymnasium.make_vec("neat/Maze-hard-v0", num_envs=250, vectorization_mode="vector_entry_point")

Every sub-env is exactly (bit for bit) a ``MazeEnv``: the same observations,
rewards, terminations, truncations and ``info`` values, computed by the same
functions (``neat.envs.maze.sense``, ``move``, ...) over all robots at once:
the ray casts and collision tests are broadcast over robots x rays x walls.

Vector API (gymnasium 1.x):

- ``reset(seed=s)``: sub-env ``i`` is reset with seed ``s + i``;
  ``seed=[s0, s1, ...]`` gives each its own (``None`` entries keep their
  generator); ``options={"reset_mask": mask}`` resets only the sub-envs
  ``mask`` selects (the others keep their state), as ``SyncVectorEnv`` does;
- autoreset ``NEXT_STEP`` (gymnasium's default): the step after a sub-env's
  episode ended resets it (its action is ignored; reward 0, not done), so its
  last step's ``info`` is that of the episode's end;
- ``info`` holds, for every sub-env, ``"position"`` ``(n, 2)``, ``"heading"``,
  ``"distance"`` and ``"fitness"``, each with its ``"_key"`` mask.

``start_noise`` draws from one generator per sub-env, seeded as a
``MazeEnv``'s ``reset(seed=...)`` seeds its ``np_random``: the same starts.
The sub-envs keep no trajectories (``MazeEnv.trajectory`` does).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from ..errors import ConfigError
from .maze import (
    GOAL_RADIUS,
    Maze,
    _maze_of,
    check_env_arguments,
    fitness_of_distances,
    goal_distances,
    move,
    noisy_start,
    render_maze,
    sense,
)

__all__ = ["MazeVectorEnv"]


class MazeVectorEnv(VectorEnv):
    """``num_envs`` ``MazeEnv`` s in NumPy arrays (see the module's description).

    Parameters
    ----------
    num_envs
        Number of sub-envs (robots).
    maze, max_steps, start_noise, render_mode
        As ``MazeEnv``'s, for every sub-env.

    Attributes
    ----------
    positions : (num_envs, 2) float64
    headings, steps : (num_envs,)
        Each robot's pose and the steps of its episode so far.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 30, "autoreset_mode": AutoresetMode.NEXT_STEP}
    seed_per_sub_env = True
    """``reset`` takes a seed per sub-env and a ``reset_mask``: ``GymEvaluator`` steps this env by default."""

    def __init__(
        self,
        num_envs: int = 1,
        maze: str | Maze = "hard",
        max_steps: int = 400,
        start_noise: float = 0.0,
        render_mode: str | None = None,
    ) -> None:
        if isinstance(num_envs, bool) or not isinstance(num_envs, (int, np.integer)) or num_envs < 1:
            raise ConfigError(f"MazeVectorEnv: num_envs must be an integer >= 1, got {num_envs!r}")
        self.maze = _maze_of(maze)
        check_env_arguments("MazeVectorEnv", max_steps, start_noise, render_mode)
        self.num_envs = int(num_envs)
        self.max_steps = int(max_steps)
        self.start_noise = float(start_noise)
        self.render_mode = render_mode
        self.single_observation_space = spaces.Box(
            np.zeros(10, dtype=np.float32), np.ones(10, dtype=np.float32), dtype=np.float32
        )
        self.single_action_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        n = self.num_envs
        start = np.asarray(self.maze.start[:2], dtype=np.float64)
        self.positions = np.tile(start, (n, 1))
        self.headings = np.full(n, float(self.maze.start[2]))
        self.steps = np.zeros(n, dtype=np.int64)
        self._autoreset = np.zeros(n, dtype=bool)  # episode ended on the last step: reset on the next
        self._rngs: list[np.random.Generator | None] = [None] * n

    # --- helpers -------------------------------------------------------------------------------------
    def _seeds(self, seed: Any) -> list[int | None]:
        if seed is None:
            return [None] * self.num_envs
        if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            return [int(seed) + i for i in range(self.num_envs)]
        seeds = list(seed)
        if len(seeds) != self.num_envs:
            raise ConfigError(
                f"MazeVectorEnv.reset: {len(seeds)} seeds for {self.num_envs} sub-envs; give one per sub-env, "
                "an int (sub-env i gets seed + i) or None"
            )
        return [None if s is None else int(s) for s in seeds]

    def _reset_envs(self, idx: np.ndarray, seeds: list[int | None]) -> None:
        """Reset sub-envs ``idx`` to their (noisy) start, as ``MazeEnv.reset(seed=...)`` does."""
        for i in idx.tolist():
            s = seeds[i]
            if s is not None or self._rngs[i] is None:
                self._rngs[i], _ = seeding.np_random(s)
            if self.start_noise > 0:
                self.positions[i], self.headings[i] = noisy_start(self.maze, self._rngs[i], self.start_noise)
            else:
                self.positions[i] = self.maze.start[:2]
                self.headings[i] = float(self.maze.start[2])
        self.steps[idx] = 0
        self._autoreset[idx] = False

    def _info(self, distances: np.ndarray, fitness: np.ndarray, mask: np.ndarray) -> dict[str, Any]:
        m = np.asarray(mask, dtype=bool)
        return {
            "position": self.positions.copy(), "_position": m.copy(),
            "heading": self.headings.copy(), "_heading": m.copy(),
            "distance": distances, "_distance": m.copy(),
            "fitness": fitness, "_fitness": m.copy(),
        }

    # --- the vector API ------------------------------------------------------------------------------
    def reset(self, *, seed: Any = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset every sub-env (or those ``options["reset_mask"]`` selects); ``(observations, info)``."""
        seeds = self._seeds(seed)
        mask = np.ones(self.num_envs, dtype=bool)
        if options is not None and "reset_mask" in options:
            mask = np.asarray(options["reset_mask"])
            if mask.dtype != np.bool_ or mask.shape != (self.num_envs,):
                raise ConfigError(
                    f"MazeVectorEnv.reset: reset_mask must be a ({self.num_envs},) bool array, "
                    f"got {mask.dtype} {mask.shape}"
                )
        self._reset_envs(np.flatnonzero(mask), seeds)
        distances = goal_distances(self.maze, self.positions)
        info = self._info(distances, fitness_of_distances(self.maze, distances), mask)
        return sense(self.maze, self.positions, self.headings), info

    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step every sub-env; those whose episode ended on the last step are reset instead."""
        n = self.num_envs
        a = np.asarray(actions, dtype=np.float64)
        if a.shape != (n, 2):
            raise ConfigError(
                f"MazeVectorEnv.step: actions have shape {a.shape}; expected ({n}, 2): (turn, speed) per sub-env"
            )
        resetting = self._autoreset.copy()
        stepping = ~resetting
        bad = stepping & ~np.isfinite(a).all(axis=1)
        if bad.any():
            raise ConfigError(
                f"MazeVectorEnv.step: the actions of sub-env(s) {np.flatnonzero(bad)[:10].tolist()} are not finite "
                "numbers; each action must be 2 finite numbers (turn, speed)"
            )
        if stepping.all():
            self.positions, self.headings = move(self.maze, self.positions, self.headings, a)
        elif stepping.any():
            idx = np.flatnonzero(stepping)
            self.positions[idx], self.headings[idx] = move(self.maze, self.positions[idx], self.headings[idx], a[idx])
        self.steps[stepping] += 1
        if resetting.any():
            self._reset_envs(np.flatnonzero(resetting), [None] * n)
        distances = goal_distances(self.maze, self.positions)
        fitness = fitness_of_distances(self.maze, distances)
        terminated = stepping & (distances <= GOAL_RADIUS)
        truncated = stepping & ~terminated & (self.steps >= self.max_steps)
        ended = terminated | truncated
        rewards = np.where(ended, fitness, 0.0)
        self._autoreset = ended
        info = self._info(distances, fitness, np.ones(n, dtype=bool))
        return sense(self.maze, self.positions, self.headings), rewards, terminated, truncated, info

    def render(self) -> tuple[np.ndarray, ...] | None:  # type: ignore[override]
        """One ``(H, W, 3)`` uint8 picture per sub-env (the robot where it is); ``None`` without ``render_mode``."""
        if self.render_mode is None:
            return None
        return tuple(
            render_maze(self.maze, trajectory=p[None], heading=float(h)) for p, h in zip(self.positions, self.headings)
        )
