"""The loop: species, reproduction strategies, the population, reporters, checkpoints, presets.

- ``species``: speciation by compatibility threshold, stagnation bookkeeping;
- ``strategy``: the contract of a reproduction strategy (data in, ``NextGeneration`` out);
- ``reproduction``: NEAT's strategy (fitness sharing, offspring counts, crossover, mutation);
- ``truncation``: the fixed-topology GA's strategy (truncation selection, one elite);
- ``fitness``: what an ``evaluate`` function returns, and its checks;
- ``population``: ``Population`` (``ask`` / ``tell`` / ``run``) and its ``RunState``;
- ``reporting``: the reporter protocol, stdout, statistics and progress reporters;
- ``checkpoint``: a run in one ``.npz`` file (it reads and rebuilds a ``Population``);
- ``presets``, ``compact``, ``noise``: the fixed-topology GA's config, seed lineages and noise table.
"""

from .checkpoint import Checkpointer, load_checkpoint, save_checkpoint
from .population import Population, RunState
from .presets import fixed_topology_ga
from .reporting import ProgressReporter, Reporter, StatisticsReporter, StdOutReporter
from .species import Species, SpeciesSet

__all__ = [
    "Checkpointer",
    "Population",
    "ProgressReporter",
    "Reporter",
    "RunState",
    "Species",
    "SpeciesSet",
    "StatisticsReporter",
    "StdOutReporter",
    "fixed_topology_ga",
    "load_checkpoint",
    "save_checkpoint",
]
