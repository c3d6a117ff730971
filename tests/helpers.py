"""Small builders shared by the tests."""

import numpy as np

from neat import Config, Genome


def hand_genome(config, nodes, conns, *, validate=True):
    """A genome from readable lists.

    nodes: list of (id, kind) with kind 0/1/2; attributes default to bias 0, response 1.
    conns: list of (innovation, src, dst, weight, enabled).
    """
    ids = [n[0] for n in nodes]
    kinds = [n[1] for n in nodes]
    k = len(nodes)
    node_arrays = {
        "id": ids,
        "kind": kinds,
        "bias": np.zeros(k),
        "response": np.ones(k),
        "activation": np.zeros(k, dtype=int),
        "aggregation": np.zeros(k, dtype=int),
    }
    conn_arrays = {
        "innovation": [c[0] for c in conns],
        "src": [c[1] for c in conns],
        "dst": [c[2] for c in conns],
        "weight": [c[3] for c in conns],
        "enabled": [c[4] for c in conns],
    }
    return Genome(config, node_arrays, conn_arrays, validate=validate)


XOR = Config(genome={"num_inputs": 2, "num_outputs": 1})
