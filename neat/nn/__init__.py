"""Phenotypes: genomes compiled into NumPy networks.

``compile(genome)`` gives a ``FeedForwardNetwork`` (one dense matrix product
per layer), a ``RecurrentNetwork`` (one node-by-node matrix, one time step
per call) or a ``CTRNNNetwork`` (continuous-time: each node moves toward its
new value at a rate set by its time constant), chosen by the genome's config.  ``compile_population(genomes)``
stacks many networks so that one call evaluates all of them: a
``PopulationNetwork`` of feed-forward ones, or a ``RecurrentPopulationNetwork``
of recurrent ones (one call per time step, each network with its state).
``save_network`` / ``load_network`` write and read ``.npz`` files that need
neither the genome nor the evolution code.  ``Substrate`` places nodes in
space and ``decode`` / ``decode_population`` turn CPPN genomes into
networks on it (HyperNEAT).
"""

from .compiler import compile
from .export import load_network, save_network
from .feedforward import FeedForwardNetwork, compile_feedforward
from .hyperneat import decode, decode_population, decode_weights, expressed_weights, substrate_connections
from .population import PopulationNetwork, compile_population
from .recurrent import CTRNNNetwork, RecurrentNetwork, compile_recurrent
from .recurrent_population import RecurrentPopulationNetwork
from .substrate import Substrate, grid

__all__ = [
    "CTRNNNetwork",
    "FeedForwardNetwork",
    "PopulationNetwork",
    "RecurrentNetwork",
    "RecurrentPopulationNetwork",
    "Substrate",
    "compile",
    "compile_feedforward",
    "compile_population",
    "compile_recurrent",
    "decode",
    "decode_population",
    "decode_weights",
    "expressed_weights",
    "grid",
    "load_network",
    "save_network",
    "substrate_connections",
]
