"""A deceptive maze navigation task (after Lehman and Stanley, 2011), as a gymnasium env.

A round robot in a 2-D maze of wall segments senses the walls with six
rangefinders and the goal's direction with four pie-slice radars, and is
driven by two outputs, a turn rate and a forward speed.  The fitness is how
close it ends to the goal; in the *hard* maze the straight way to the goal
leads into a dead end, so that fitness is deceptive, and novelty search (the
final position as the behaviour: ``info["position"]``) is the classic remedy.

Geometry, in maze units (the robot's radius is 8):

- rangefinders at -90, -45, 0, 45, 90 and 180 degrees from the heading, range
  100; observed as ``distance / 100`` in ``[0, 1]`` (1: no wall within range);
- radars: four 90-degree slices of the goal's bearing, front (-45..45
  degrees), left (45..135), back (135..225), right (225..315); observed as
  0/1, exactly one of them 1;
- action ``(turn, speed)`` in ``[-1, 1]``: the heading turns by ``turn *
  0.25`` rad, then the robot moves ``(speed + 1) / 2 * 3`` units forward (it
  never backs up); a move that would bring it within its radius of a wall is
  not made (the robot stops, as in the paper), so it never crosses a wall;
- reward 0 on every step but the last; on the last (the goal reached, which
  terminates, or ``max_steps`` reached, which truncates) the fitness
  ``1 - distance_to_goal / diagonal`` (1 at the goal).  The episode's return
  is therefore the fitness of its final position.

``gymnasium`` is imported by this module; ``import neat`` does not import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from ..errors import ConfigError
from .geometry import point_segment_distances, ray_distances_batch

__all__ = ["Maze", "MAZES", "MazeEnv", "register_envs", "render_maze", "ENV_IDS", "sense", "is_free", "move",
           "fitness_of_distances"]

ROBOT_RADIUS = 8.0
RANGE = 100.0
MAX_TURN = 0.25
MAX_SPEED = 3.0  # < 2 * ROBOT_RADIUS: a step between free positions never crosses a wall (see move)
GOAL_RADIUS = 8.0
RANGEFINDER_ANGLES = np.deg2rad([-90.0, -45.0, 0.0, 45.0, 90.0, 180.0])


@dataclass(frozen=True)
class Maze:
    """A maze: size, walls (the outer box included), start pose and goal.

    Attributes
    ----------
    name : str
    width, height : float
        The maze is the box ``[0, width] x [0, height]``.
    walls : numpy.ndarray
        ``(S, 4)`` segments ``(x1, y1, x2, y2)``.
    start : tuple of float
        ``(x, y, heading)`` of the robot at reset (heading in radians).
    goal : tuple of float
        ``(x, y)``.
    """

    name: str
    width: float
    height: float
    walls: np.ndarray
    start: tuple[float, float, float]
    goal: tuple[float, float]

    @property
    def diagonal(self) -> float:
        """The longest distance in the maze; the fitness is ``1 - distance / diagonal``."""
        return float(np.hypot(self.width, self.height))


def _box(w: float, h: float) -> list[tuple[float, float, float, float]]:
    return [(0, 0, w, 0), (w, 0, w, h), (w, h, 0, h), (0, h, 0, 0)]


def _maze(name: str, w: float, h: float, inner: list, start: tuple, goal: tuple) -> Maze:
    walls = np.array(_box(w, h) + inner, dtype=np.float64)
    walls.setflags(write=False)
    return Maze(name, float(w), float(h), walls, start, goal)


MAZES: dict[str, Maze] = {
    # A serpentine: up through the gap on the right, back left, then right to the goal.
    "medium": _maze(
        "medium", 200, 200,
        [(0, 70, 140, 70), (60, 130, 200, 130), (100, 70, 100, 100)],
        start=(25.0, 25.0, 0.0), goal=(175.0, 170.0),
    ),
    # The goal sits above a dead end straight ahead of the start; the way there
    # zig-zags up the right-hand side and comes back along the top.
    "hard": _maze(
        "hard", 200, 300,
        [(0, 220, 150, 220), (60, 60, 60, 220), (60, 60, 160, 60), (100, 140, 200, 140)],
        start=(25.0, 25.0, np.pi / 2), goal=(25.0, 265.0),
    ),
}

ENV_IDS = {"neat/Maze-medium-v0": "medium", "neat/Maze-hard-v0": "hard"}


def _maze_of(maze: str | Maze) -> Maze:
    if isinstance(maze, Maze):
        return maze
    if maze not in MAZES:
        raise ConfigError(f"MazeEnv: maze must be one of {', '.join(map(repr, MAZES))}, got {maze!r}")
    return MAZES[maze]


# --- the robots' physics, for N robots at once (MazeEnv: N = 1; MazeVectorEnv: N sub-envs) ---------------
def sense(maze: Maze, positions: np.ndarray, headings: np.ndarray) -> np.ndarray:
    """``(N, 10)`` float32 observations of robots at ``(N, 2)`` positions with ``(N,)`` headings."""
    n = len(positions)
    angles = headings[:, None] + RANGEFINDER_ANGLES[None, :]
    ranges = ray_distances_batch(positions, angles, maze.walls, RANGE) / RANGE
    to_goal = np.asarray(maze.goal, dtype=np.float64) - positions
    bearing = (np.arctan2(to_goal[:, 1], to_goal[:, 0]) - headings + np.pi / 4) % (2 * np.pi)
    observations = np.zeros((n, 10), dtype=np.float32)
    observations[:, :6] = ranges
    observations[np.arange(n), 6 + np.minimum((bearing // (np.pi / 2)).astype(np.int64), 3)] = 1.0
    return observations


def is_free(maze: Maze, points: np.ndarray) -> np.ndarray:
    """``(N,)`` bools: whether a robot's disc at each of ``(N, 2)`` points is inside the box and clear of every wall."""
    x, y = points[:, 0], points[:, 1]
    r = ROBOT_RADIUS
    inside = (r <= x) & (x <= maze.width - r) & (r <= y) & (y <= maze.height - r)
    return inside & (point_segment_distances(points, maze.walls).min(axis=1) >= r)


def move(maze: Maze, positions: np.ndarray, headings: np.ndarray, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One step of ``N`` robots: ``(positions, headings)`` after ``(N, 2)`` actions (clipped to [-1, 1]).

    The heading turns by ``turn * MAX_TURN``; the robot moves ``(speed + 1) / 2 * MAX_SPEED``
    forward unless that would bring it within its radius of a wall (or across one): then it stays.
    """
    a = np.clip(actions, -1.0, 1.0)
    headings = (headings + a[:, 0] * MAX_TURN + np.pi) % (2 * np.pi) - np.pi
    speed = (a[:, 1] + 1.0) / 2.0 * MAX_SPEED
    targets = positions + speed[:, None] * np.stack([np.cos(headings), np.sin(headings)], axis=1)
    # No crossing test: from a free position (at least ROBOT_RADIUS from every wall) to a free target, a step
    # of at most MAX_SPEED < 2 * ROBOT_RADIUS cannot meet a wall (each of its points lies within MAX_SPEED / 2
    # of a free end); tests/envs/test_maze.py checks that no step crosses one.
    ok = is_free(maze, targets)
    return np.where(ok[:, None], targets, positions), headings


def goal_distances(maze: Maze, positions: np.ndarray) -> np.ndarray:
    """``(N,)`` distances of ``(N, 2)`` positions to the goal."""
    to_goal = np.asarray(maze.goal, dtype=np.float64) - positions
    return np.hypot(to_goal[:, 0], to_goal[:, 1])


def fitness_of_distances(maze: Maze, distances: np.ndarray) -> np.ndarray:
    """``1 - distance / diagonal`` (at least 0; 1 within the goal's radius), for ``(N,)`` distances."""
    return np.where(distances <= GOAL_RADIUS, 1.0, np.maximum(0.0, 1.0 - distances / maze.diagonal))


def check_env_arguments(where: str, max_steps: Any, start_noise: Any, render_mode: Any) -> None:
    """``ConfigError`` naming ``where`` unless the arguments of a maze env are valid."""
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
        raise ConfigError(f"{where}: max_steps must be an integer >= 1, got {max_steps!r}")
    if not (np.isfinite(start_noise) and start_noise >= 0):
        raise ConfigError(f"{where}: start_noise must be a finite number >= 0, got {start_noise!r}")
    if render_mode not in (None, "rgb_array"):
        raise ConfigError(f'{where}: render_mode must be None or "rgb_array", got {render_mode!r}')


def noisy_start(maze: Maze, rng: np.random.Generator, start_noise: float) -> tuple[np.ndarray, float]:
    """The start ``(position, heading)``: the maze's, jittered by ``start_noise`` (drawn from ``rng``) if > 0."""
    x, y, heading = maze.start
    position = np.array([x, y], dtype=np.float64)
    if start_noise > 0:
        for _ in range(100):  # a noisy start that is clear of the walls
            noise = rng.normal(0.0, start_noise, size=3)
            candidate = position + noise[:2]
            if is_free(maze, candidate[None])[0]:
                position, heading = candidate, heading + noise[2] / 10
                break
    return position, float(heading)


class MazeEnv(gymnasium.Env):
    """The maze task as a ``gymnasium.Env`` (see the module's description).

    Parameters
    ----------
    maze
        ``"medium"``, ``"hard"`` or a ``Maze``.
    max_steps
        The episode is truncated after this many steps (400 as in the paper).
    start_noise
        Standard deviation of a noise added to the start position (units) and
        heading (radians / 10) at reset, drawn from the env's seeded
        ``np_random``; 0 (default): the start is the maze's, always.
    render_mode
        ``"rgb_array"`` or ``None``; ``render()`` returns an ``(H, W, 3)``
        uint8 image either way.

    Observations are ``(10,)`` float32: six rangefinders in ``[0, 1]`` then
    four radars in ``{0, 1}``.  Every step's ``info`` holds ``"position"``
    (``(2,)`` final-so-far x, y: the behaviour for novelty search),
    ``"heading"``, ``"distance"`` to the goal and ``"fitness"``.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 30}

    def __init__(
        self,
        maze: str | Maze = "hard",
        max_steps: int = 400,
        start_noise: float = 0.0,
        render_mode: str | None = None,
    ) -> None:
        self.maze = _maze_of(maze)
        check_env_arguments("MazeEnv", max_steps, start_noise, render_mode)
        self.max_steps = int(max_steps)
        self.start_noise = float(start_noise)
        self.render_mode = render_mode
        low = np.zeros(10, dtype=np.float32)
        self.observation_space = spaces.Box(low, np.ones(10, dtype=np.float32), dtype=np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        self._walls = np.asarray(self.maze.walls)
        self._goal = np.asarray(self.maze.goal, dtype=np.float64)
        self.position = np.asarray(self.maze.start[:2], dtype=np.float64)
        self.heading = float(self.maze.start[2])
        self.steps = 0
        self.trajectory: list[np.ndarray] = [self.position.copy()]

    # --- sensing ----------------------------------------------------------------------
    def _observe(self) -> np.ndarray:
        return sense(self.maze, self.position[None], np.array([self.heading]))[0]

    def _distance(self) -> float:
        return float(goal_distances(self.maze, self.position[None])[0])

    def _info(self) -> dict[str, Any]:
        d = self._distance()
        return {
            "position": self.position.copy(),
            "heading": self.heading,
            "distance": d,
            "fitness": self.fitness_of(d),
        }

    def fitness_of(self, distance: float) -> float:
        """``1 - distance / diagonal`` (1 within the goal's radius)."""
        return float(fitness_of_distances(self.maze, np.array([distance], dtype=np.float64))[0])

    def is_free(self, point: np.ndarray) -> bool:
        """Whether the robot's disc at ``point`` keeps clear of every wall (and is inside the box)."""
        return bool(is_free(self.maze, np.asarray(point, dtype=np.float64).reshape(1, 2))[0])

    # --- the gymnasium API -----------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        position, heading = noisy_start(self.maze, self.np_random, self.start_noise)
        self.position, self.heading, self.steps = position, heading, 0
        self.trajectory = [self.position.copy()]
        return self._observe(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        a = np.clip(np.asarray(action, dtype=np.float64).reshape(-1), -1.0, 1.0)
        if a.shape != (2,) or not np.all(np.isfinite(a)):
            raise ConfigError(f"MazeEnv.step: action must be 2 finite numbers (turn, speed), got {action!r}")
        positions, headings = move(self.maze, self.position[None], np.array([self.heading]), a[None])
        self.position, self.heading = positions[0], float(headings[0])
        self.steps += 1
        self.trajectory.append(self.position.copy())
        info = self._info()
        terminated = info["distance"] <= GOAL_RADIUS
        truncated = not terminated and self.steps >= self.max_steps
        reward = info["fitness"] if (terminated or truncated) else 0.0
        return self._observe(), float(reward), bool(terminated), bool(truncated), info

    def render(self) -> np.ndarray:  # type: ignore[override]
        """An ``(H, W, 3)`` uint8 picture: walls black, goal green, trajectory grey, robot red."""
        return render_maze(self.maze, trajectory=np.asarray(self.trajectory), heading=self.heading)


def _stamp(image: np.ndarray, points: np.ndarray, scale: float, color: tuple[int, int, int], radius: float) -> None:
    """Paint discs of ``radius`` pixels at ``points`` (maze units) into ``image`` (y up)."""
    h, w, _ = image.shape
    r = int(np.ceil(radius))
    offsets = np.array([(dx, dy) for dx in range(-r, r + 1) for dy in range(-r, r + 1) if dx * dx + dy * dy <= radius**2])
    if len(offsets) == 0:
        offsets = np.zeros((1, 2), dtype=int)
    px = np.rint(points[:, 0] * scale).astype(int)[:, None] + offsets[None, :, 0]
    py = (h - 1 - np.rint(points[:, 1] * scale).astype(int))[:, None] - offsets[None, :, 1]
    keep = (px >= 0) & (px < w) & (py >= 0) & (py < h)
    image[py[keep], px[keep]] = color


def render_maze(
    maze: str | Maze, trajectory: np.ndarray | None = None, heading: float | None = None, scale: float = 2.0
) -> np.ndarray:
    """A NumPy rasterisation of ``maze`` (and a trajectory, the robot at its end): ``(H, W, 3)`` uint8."""
    m = _maze_of(maze)
    image = np.full((int(m.height * scale) + 1, int(m.width * scale) + 1, 3), 255, dtype=np.uint8)
    for x1, y1, x2, y2 in m.walls:
        n = int(np.hypot(x2 - x1, y2 - y1) * scale * 2) + 2
        s = np.linspace(0.0, 1.0, n)[:, None]
        _stamp(image, np.array([x1, y1]) + s * np.array([x2 - x1, y2 - y1]), scale, (0, 0, 0), 1.0)
    _stamp(image, np.array([m.goal]), scale, (0, 170, 0), GOAL_RADIUS * scale)
    if trajectory is not None and len(trajectory):
        path = np.asarray(trajectory, dtype=np.float64).reshape(-1, 2)
        _stamp(image, path, scale, (150, 150, 150), 0.5)
        _stamp(image, path[-1:], scale, (210, 30, 30), ROBOT_RADIUS * scale)
        if heading is not None:
            tip = path[-1] + np.linspace(0, ROBOT_RADIUS * 1.5, 12)[:, None] * [np.cos(heading), np.sin(heading)]
            _stamp(image, tip, scale, (0, 0, 0), 1.0)
    return image


def register_envs() -> None:
    """Register ``neat/Maze-medium-v0`` and ``neat/Maze-hard-v0`` with gymnasium (again: no-op).

    Each has a vector entry point, ``MazeVectorEnv`` (all robots stepped at once with NumPy):
    ``gymnasium.make_vec(id, num_envs=n, vectorization_mode="vector_entry_point")``.

    ``import neat.envs`` calls it; or name the module in the id, which makes
    gymnasium import it first (in worker processes too):
    ``gymnasium.make("neat.envs:neat/Maze-hard-v0")``.
    """
    for env_id, maze in ENV_IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(
                id=env_id,
                entry_point="neat.envs.maze:MazeEnv",
                vector_entry_point="neat.envs.maze_vector:MazeVectorEnv",
                kwargs={"maze": maze},
            )
