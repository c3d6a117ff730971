"""Genomes as gymnasium agents.

- ``spaces``: observations to network inputs, network outputs to actions;
- ``envs``: serial envs and vector envs, as the stepping loop drives them;
- ``rollout``: episode seeds, the genomes' networks as one policy, the stepping loop;
- ``behaviour``: descriptors of episodes (``GymEvaluator(behaviour=...)``, for novelty search);
- ``evaluator``: ``GymEvaluator`` (fitness of a generation, over any executor) and ``genome_shape``.

``gymnasium`` itself is imported only when an env is made.
"""

from .behaviour import BEHAVIOUR_REDUCERS, BEHAVIOURS
from .evaluator import REDUCERS, VECTORIZATION_MODES, GymEvaluator, genome_shape
from .rollout import episode_seeds, replay_seeds
from .spaces import (
    OUTPUT_RANGES,
    action_size,
    actions_from_outputs,
    observation_size,
    observations_to_inputs,
    output_range_of,
)

__all__ = [
    "BEHAVIOURS",
    "BEHAVIOUR_REDUCERS",
    "GymEvaluator",
    "OUTPUT_RANGES",
    "REDUCERS",
    "VECTORIZATION_MODES",
    "action_size",
    "actions_from_outputs",
    "episode_seeds",
    "genome_shape",
    "observation_size",
    "observations_to_inputs",
    "output_range_of",
    "replay_seeds",
]
