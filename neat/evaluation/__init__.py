"""Fitness: the generic ``Evaluator`` (any executor), gymnasium agents, and the command line's tasks.

- ``evaluator``: ``Evaluator(fitness, executor=...)``, per-genome fitness over any ``concurrent.futures.Executor``;
- ``gym``: ``GymEvaluator`` and the mapping of gymnasium spaces;
- ``tasks``: what ``[task]`` in a config evolves for (datasets, gym envs).
"""

from .evaluator import Evaluator, FitnessFunction

__all__ = ["Evaluator", "FitnessFunction"]
