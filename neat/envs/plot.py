"""``plot_maze``: a maze with trajectories and final positions, drawn with matplotlib (imported on use)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, RenderError
from ..files import atomic_write_bytes
from .maze import GOAL_RADIUS, Maze, _maze_of

__all__ = ["plot_maze", "maze_figure"]

FORMATS = ("png", "svg", "pdf")


def maze_figure(
    maze: str | Maze,
    trajectories: Sequence[Any] | None = None,
    positions: Any = None,
    *,
    title: str | None = None,
    size: float = 4.0,
) -> Any:
    """The maze picture as a ``matplotlib.figure.Figure`` on its own Agg canvas (``plot_maze`` writes it).

    Parameters
    ----------
    maze
        ``"medium"``, ``"hard"`` or a ``Maze``.
    trajectories
        Paths of robots, each ``(T, 2)`` x, y (e.g. ``MazeEnv.trajectory``), drawn as thin lines.
    positions
        ``(N, 2)`` final positions (e.g. a population's behaviours), drawn as dots.
    title
        The axes' title; default: the maze's name.
    size
        Height of the figure in inches; the width follows the maze's aspect.
    """
    m = _maze_of(maze)
    try:
        import matplotlib  # noqa: F401  (a clear error when matplotlib itself is missing)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.collections import LineCollection
        from matplotlib.figure import Figure
        from matplotlib.patches import Circle
    except ImportError:
        raise RenderError('plot_maze needs matplotlib: pip install "neatlab[plot]" (or pip install matplotlib)') from None
    figure = Figure(figsize=(size * m.width / m.height + 0.4, size), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    for k, path in enumerate(trajectories or ()):
        p = np.asarray(path, dtype=np.float64).reshape(-1, 2)
        ax.plot(p[:, 0], p[:, 1], color="tab:blue", lw=0.6, alpha=0.5, label="trajectories" if k == 0 else None)
    if positions is not None and np.size(positions):
        q = np.asarray(positions, dtype=np.float64).reshape(-1, 2)
        ax.scatter(q[:, 0], q[:, 1], s=8, color="tab:red", zorder=5, label="final positions")
    ax.add_collection(LineCollection(m.walls.reshape(-1, 2, 2), colors="black", linewidths=2.0))
    ax.add_patch(Circle(m.goal, GOAL_RADIUS, color="tab:green", zorder=4, label="goal"))
    ax.plot(*m.start[:2], marker="o", color="tab:orange", ms=7, zorder=4, ls="none", label="start")
    ax.set_xlim(-2, m.width + 2)
    ax.set_ylim(-2, m.height + 2)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(f"{m.name} maze" if title is None else title)
    return figure


def plot_maze(
    maze: str | Maze,
    trajectories: Sequence[Any] | None = None,
    positions: Any = None,
    path: str | Path = "maze.png",
    *,
    title: str | None = None,
    dpi: int = 120,
) -> Path:
    """Draw ``maze`` with ``trajectories`` and final ``positions`` (see ``maze_figure``) to ``path``.

    Returns
    -------
    pathlib.Path
        ``path``, written atomically (``.png``, ``.svg`` or ``.pdf``).

    Raises
    ------
    ConfigError
        ``path`` has another suffix.
    RenderError
        matplotlib is not installed.
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ConfigError(f"plot_maze: cannot write {str(path)!r}: give a path ending in .png, .svg or .pdf")
    figure = maze_figure(maze, trajectories, positions, title=title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi)
    atomic_write_bytes(path, buffer.getvalue())
    return path
