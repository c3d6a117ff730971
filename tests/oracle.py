"""A slow, obviously correct evaluator of genomes: the reference the compiled networks are tested against.

It reads the genome's genes directly: a dict of node values, plain Python
loops over nodes and connections, a topological order found by repeated
passes, and the same registered activation/aggregation functions called on
tiny arrays.  Node semantics::

    value = activation(response * aggregation(weighted inputs) + bias)

with the weighted inputs in innovation order and an empty set of inputs
aggregating to 0.
"""

from __future__ import annotations

import numpy as np

from neat.functions import activation_function, aggregation_function
from neat.genome import Genome, genome_config_of


def _incoming(genome: Genome) -> dict[int, list[tuple[int, float]]]:
    """Enabled connections by target id: ``[(source id, weight), ...]`` in innovation order."""
    incoming: dict[int, list[tuple[int, float]]] = {}
    c = genome.conns
    for k in range(len(c.innovation)):
        if c.enabled[k]:
            incoming.setdefault(int(c.dst[k]), []).append((int(c.src[k]), float(c.weight[k])))
    return incoming


def _node_value(genome: Genome, position: int, weighted: list[float]) -> float:
    nodes, cfg = genome.nodes, genome.config
    activation = activation_function(cfg.activation_options[int(nodes.activation[position])])
    aggregation = aggregation_function(cfg.aggregation_options[int(nodes.aggregation[position])])
    total = float(aggregation(np.array(weighted, dtype=np.float64))) if weighted else 0.0
    pre = float(nodes.response[position]) * total + float(nodes.bias[position])
    return float(activation(np.array([pre], dtype=np.float64))[0])


def oracle_values(genome: Genome, x: np.ndarray) -> dict[int, float]:
    """Value of every node of a feed-forward genome for one input vector ``x: (num_inputs,)``."""
    incoming = _incoming(genome)
    ids = [int(i) for i in genome.nodes.id]
    n_in = genome.num_inputs
    values = {ids[i]: float(x[i]) for i in range(n_in)}
    pending = ids[n_in:]
    while pending:
        waiting = []
        for node_id in pending:
            sources = incoming.get(node_id, [])
            if all(src in values for src, _ in sources):
                position = ids.index(node_id)
                values[node_id] = _node_value(genome, position, [values[src] * w for src, w in sources])
            else:
                waiting.append(node_id)
        if len(waiting) == len(pending):
            raise ValueError(f"nodes {waiting} lie on or behind a cycle")
        pending = waiting
    return values


def oracle_forward(genome: Genome, X: np.ndarray) -> np.ndarray:
    """Outputs of a feed-forward genome, row by row: ``(batch, num_inputs) -> (batch, num_outputs)``."""
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    outputs = [int(i) for i in genome.output_ids]
    rows = []
    for x in X:
        values = oracle_values(genome, x)
        rows.append([values[o] for o in outputs])
    return np.array(rows, dtype=np.float64).reshape(len(X), len(outputs))


def oracle_step(genome: Genome, state: dict[int, float], x: np.ndarray) -> tuple[np.ndarray, dict[int, float]]:
    """One recurrent time step: every node from the previous ``state`` (missing ids are 0) and the inputs ``x``.

    Returns the outputs ``(num_outputs,)`` and the new state.
    """
    incoming = _incoming(genome)
    ids = [int(i) for i in genome.nodes.id]
    n_in = genome.num_inputs
    previous = dict(state)
    for i in range(n_in):
        previous[ids[i]] = float(x[i])
    new = {ids[i]: float(x[i]) for i in range(n_in)}
    for position in range(n_in, len(ids)):
        sources = incoming.get(ids[position], [])
        new[ids[position]] = _node_value(genome, position, [previous.get(src, 0.0) * w for src, w in sources])
    return np.array([new[int(o)] for o in genome.output_ids]), new


def build_genome(
    config, hidden=(), conns=(), *, bias=None, response=None, activation=None, aggregation=None, validate=True
) -> Genome:
    """A hand-made genome for the phenotype tests (not part of the oracle).

    ``hidden``: ids of hidden nodes; ``conns``: ``(src, dst, weight)`` or
    ``(src, dst, weight, enabled)`` in innovation order; ``bias``,
    ``response``, ``activation``, ``aggregation``: dicts node id -> value
    (function names for the last two); everything else takes the defaults
    (bias 0, response 1, the first activation/aggregation option).
    """
    cfg = genome_config_of(config)
    n_in, n_out = cfg.num_inputs, cfg.num_outputs
    ids = list(range(n_in + n_out)) + sorted(hidden)
    kind = [0] * n_in + [1] * n_out + [2] * len(hidden)

    def column(values, default, convert=lambda v: v):
        values = values or {}
        return [convert(values[i]) if i in values else default for i in ids]

    nodes = {
        "id": ids,
        "kind": kind,
        "bias": column(bias, 0.0),
        "response": column(response, 1.0),
        "activation": column(activation, 0, cfg.activation_options.index),
        "aggregation": column(aggregation, 0, cfg.aggregation_options.index),
    }
    conns = [tuple(c) + (True,) * (4 - len(c)) for c in conns]
    edges = {
        "innovation": list(range(len(conns))),
        "src": [c[0] for c in conns],
        "dst": [c[1] for c in conns],
        "weight": [c[2] for c in conns],
        "enabled": [c[3] for c in conns],
    }
    return Genome(cfg, nodes, edges, validate=validate)
