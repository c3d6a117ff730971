"""The genotype: genes, invariants, innovations, start topologies and the single-genome operators.

- ``genes``: node and connection genes as structs of arrays;
- ``genome``: the immutable ``Genome``, ``validate()`` (``invariants``) and its dict form;
- ``innovation``: the ``InnovationTracker`` (historical markings);
- ``topology``: the start topologies;
- ``attributes``: fresh weights, biases, responses and node functions;
- ``mutation``, ``crossover``, ``distance``: the operators on one genome (or a batch of them);
- ``graph``: cycles, reachability and depths on edge arrays;
- ``pool``: the gene pool, a generation's genes as one struct of arrays, and its batched
  operators ``pool_crossover``, ``pool_mutation``, ``pool_distance``.

The genome knows nothing of species, phenotypes or files.
"""

from .crossover import align_by_innovation, crossover
from .distance import PackedGenomes, distance, distances, pack_genomes
from .genes import CONN_DTYPES, NODE_DTYPES, ConnectionGenes, NodeGenes, NodeKind, genome_config_of
from .genome import Genome, genome_from_dict, genome_to_dict
from .innovation import InnovationTracker
from .mutation import (
    add_connection,
    add_node,
    delete_connection,
    delete_node,
    mutate,
    mutate_attributes,
    mutate_functions,
    mutate_node_attributes,
    mutate_structure,
    mutate_weights,
    toggle_enabled,
)
from .pool import GenePool, GenomeSequence
from .topology import new_genome, new_genomes

__all__ = [
    "CONN_DTYPES",
    "NODE_DTYPES",
    "ConnectionGenes",
    "GenePool",
    "Genome",
    "GenomeSequence",
    "InnovationTracker",
    "NodeGenes",
    "NodeKind",
    "PackedGenomes",
    "add_connection",
    "add_node",
    "align_by_innovation",
    "crossover",
    "delete_connection",
    "delete_node",
    "distance",
    "distances",
    "genome_config_of",
    "genome_from_dict",
    "genome_to_dict",
    "mutate",
    "mutate_attributes",
    "mutate_functions",
    "mutate_node_attributes",
    "mutate_structure",
    "mutate_weights",
    "new_genome",
    "new_genomes",
    "pack_genomes",
    "toggle_enabled",
]
