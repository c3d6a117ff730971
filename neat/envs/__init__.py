"""Environments this package registers with gymnasium: ``import neat.envs`` registers them.

``import neat`` does not import this package (nor gymnasium); import it, then
``gymnasium.make("neat/Maze-hard-v0")``, or let gymnasium import it:
``gymnasium.make("neat.envs:neat/Maze-hard-v0")`` (the form to give an
evaluator whose envs are made in other processes).

- ``neat/Maze-medium-v0``, ``neat/Maze-hard-v0``: ``MazeEnv``, a robot in a
  deceptive maze (``neat.envs.maze``); ``plot_maze`` draws a maze with
  trajectories and final positions (matplotlib, imported on use).
"""

from __future__ import annotations

from .maze import ENV_IDS, MAZES, Maze, MazeEnv, register_envs, render_maze
from .plot import plot_maze

__all__ = ["ENV_IDS", "MAZES", "Maze", "MazeEnv", "plot_maze", "register_envs", "render_maze"]

register_envs()
