"""NEAT: NeuroEvolution of Augmenting Topologies, on NumPy arrays.

The public API, re-exported from the stages' folders (``neat.config``,
``neat.genome``, ``neat.nn``, ``neat.evolution``, ``neat.evaluation``,
``neat.interop``, ``neat.viz``).  ``import neat`` imports NumPy alone:
gymnasium, networkx, graphviz and matplotlib load where they are used.

The modules of the flat layout before the stage folders (``neat.visualize``,
``neat.plot``, ``neat.gym``, ``neat.mutation``, ...) are still reachable by
their old names, as attributes (``neat.visualize.draw_net``) and in import
statements (``from neat.gym import GymEvaluator``); each is the module of
its stage folder (``neat.viz.draw``, ``neat.viz.plot``, ``neat.evaluation.gym``, ...).
"""

import importlib
import importlib.abc
import importlib.util
import sys

from .config import (
    Config,
    GenomeConfig,
    MutationConfig,
    ReproductionConfig,
    RunConfig,
    SpeciationConfig,
    StagnationConfig,
)
from .errors import (
    CheckpointError,
    ConfigError,
    EvaluationError,
    ExtinctionError,
    InvalidGenomeError,
    NeatError,
    RenderError,
    StatisticsError,
)
from .evaluation import Evaluator
from .evaluation.gym import GymEvaluator, genome_shape
from .evaluation.novelty import NoveltyCheckpointer, NoveltySearch, final_observation_behaviour, knn_novelty
from .evolution import (
    Checkpointer,
    Population,
    ProgressReporter,
    Reporter,
    StatisticsReporter,
    StdOutReporter,
    fixed_topology_ga,
    load_checkpoint,
    save_checkpoint,
)
from .evolution.objectives import MultiObjective, crowding_distance, nsga2_scores, pareto_ranks
from .functions import register_activation, register_aggregation
from .genome import (
    ConnectionGenes,
    GenePool,
    Genome,
    GenomeSequence,
    InnovationTracker,
    NodeGenes,
    NodeKind,
    add_connection,
    add_node,
    align_by_innovation,
    crossover,
    delete_connection,
    delete_node,
    distance,
    distances,
    mutate,
    mutate_functions,
    mutate_node_attributes,
    mutate_weights,
    new_genome,
    new_genomes,
    pack_genomes,
    toggle_enabled,
)
from .interop import NeatPythonConfigWarning, load_genome, read_neat_python, save_genome
from .interop import load_config as load_neat_python_config
from .nn import (
    FeedForwardNetwork,
    PopulationNetwork,
    RecurrentNetwork,
    compile,
    compile_population,
    load_network,
    save_network,
)
from .rng import make_rng, spawn

__version__ = "0.1.0"

__all__ = [
    "MultiObjective",
    "crowding_distance",
    "nsga2_scores",
    "pareto_ranks",
    "NoveltyCheckpointer",
    "NoveltySearch",
    "final_observation_behaviour",
    "knn_novelty",
    "CheckpointError",
    "Checkpointer",
    "Config",
    "ConfigError",
    "ConnectionGenes",
    "EvaluationError",
    "Evaluator",
    "ExtinctionError",
    "FeedForwardNetwork",
    "GenePool",
    "Genome",
    "GenomeSequence",
    "GymEvaluator",
    "GenomeConfig",
    "InnovationTracker",
    "InvalidGenomeError",
    "MutationConfig",
    "NeatError",
    "NeatPythonConfigWarning",
    "NodeGenes",
    "NodeKind",
    "Population",
    "PopulationNetwork",
    "ProgressReporter",
    "RecurrentNetwork",
    "RenderError",
    "Reporter",
    "ReproductionConfig",
    "RunConfig",
    "SpeciationConfig",
    "StagnationConfig",
    "StatisticsError",
    "StatisticsReporter",
    "StdOutReporter",
    "add_connection",
    "add_node",
    "align_by_innovation",
    "compile",
    "compile_population",
    "crossover",
    "delete_connection",
    "delete_node",
    "distance",
    "distances",
    "fixed_topology_ga",
    "genome_shape",
    "load_checkpoint",
    "load_genome",
    "load_network",
    "load_neat_python_config",
    "make_rng",
    "mutate",
    "mutate_functions",
    "mutate_node_attributes",
    "mutate_weights",
    "new_genome",
    "new_genomes",
    "pack_genomes",
    "read_neat_python",
    "register_activation",
    "register_aggregation",
    "save_checkpoint",
    "save_genome",
    "save_network",
    "spawn",
    "toggle_enabled",
]

MOVED_MODULES = {
    "neat.attributes": "neat.genome.attributes",
    "neat.checkpoint": "neat.evolution.checkpoint",
    "neat.compact": "neat.evolution.compact",
    "neat.crossover": "neat.genome.crossover",
    "neat.distance": "neat.genome.distance",
    "neat.graph": "neat.genome.graph",
    "neat.gym": "neat.evaluation.gym",
    "neat.innovation": "neat.genome.innovation",
    "neat.io": "neat.interop.jsonfiles",
    "neat.mutation": "neat.genome.mutation",
    "neat.neat_python": "neat.interop.neat_python",
    "neat.noise": "neat.evolution.noise",
    "neat.plot": "neat.viz.plot",
    "neat.population": "neat.evolution.population",
    "neat.presets": "neat.evolution.presets",
    "neat.reporting": "neat.evolution.reporting",
    "neat.reproduction": "neat.evolution.reproduction",
    "neat.species": "neat.evolution.species",
    "neat.tasks": "neat.evaluation.tasks",
    "neat.topology": "neat.genome.topology",
    "neat.visualize": "neat.viz.draw",
}
"""Old module names of the flat layout -> the modules of the stage folders that replaced them."""

_SUBMODULES = ("cli", "envs", "testing", "viz")


def __getattr__(name: str):  # noqa: ANN202 - module-level attribute hook (PEP 562)
    """``neat.visualize``, ``neat.plot``, ``neat.viz``, ... imported on first use."""
    target = MOVED_MODULES.get(f"neat.{name}")
    if target is None and name in _SUBMODULES:
        target = f"neat.{name}"
    if target is None:
        raise AttributeError(f"module 'neat' has no attribute {name!r}")
    module = importlib.import_module(target)
    globals()[name] = module
    return module


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Lets ``import neat.visualize`` (an old name) give the module of its stage folder."""

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001, ANN201
        if fullname in MOVED_MODULES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):  # noqa: ANN001, ANN201
        return importlib.import_module(MOVED_MODULES[spec.name])

    def exec_module(self, module) -> None:  # noqa: ANN001
        pass  # the module is the stage folder's, already run


if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
    sys.meta_path.append(_MovedModuleFinder())
