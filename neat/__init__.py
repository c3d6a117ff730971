"""NEAT: NeuroEvolution of Augmenting Topologies, on NumPy arrays.

The public API is re-exported here; each stage lives in its own module.
"""

from .checkpoint import Checkpointer, load_checkpoint, save_checkpoint
from .config import (
    Config,
    GenomeConfig,
    MutationConfig,
    ReproductionConfig,
    RunConfig,
    SpeciationConfig,
    StagnationConfig,
)
from .crossover import align_by_innovation, crossover
from .distance import distance, distances, pack_genomes
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
from .functions import register_activation, register_aggregation
from .genome import ConnectionGenes, Genome, NodeGenes, NodeKind
from .gym import GymEvaluator, genome_shape
from .innovation import InnovationTracker
from .io import load_genome, save_genome
from .mutation import (
    add_connection,
    add_node,
    delete_connection,
    delete_node,
    mutate,
    mutate_functions,
    mutate_node_attributes,
    mutate_weights,
    toggle_enabled,
)
from .neat_python import NeatPythonConfigWarning, read_neat_python
from .nn import (
    FeedForwardNetwork,
    PopulationNetwork,
    RecurrentNetwork,
    compile,
    compile_population,
    load_network,
    save_network,
)
from .population import Population
from .presets import fixed_topology_ga
from .reporting import ProgressReporter, Reporter, StatisticsReporter, StdOutReporter
from .rng import make_rng, spawn
from .topology import new_genome, new_genomes

__version__ = "0.1.0"

__all__ = [
    "CheckpointError",
    "Checkpointer",
    "Config",
    "ConfigError",
    "ConnectionGenes",
    "EvaluationError",
    "Evaluator",
    "ExtinctionError",
    "FeedForwardNetwork",
    "Genome",
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
    "load_network",
    "load_genome",
    "make_rng",
    "mutate",
    "mutate_functions",
    "mutate_node_attributes",
    "mutate_weights",
    "new_genome",
    "new_genomes",
    "pack_genomes",
    "register_activation",
    "read_neat_python",
    "register_aggregation",
    "save_checkpoint",
    "save_network",
    "save_genome",
    "spawn",
    "toggle_enabled",
]
