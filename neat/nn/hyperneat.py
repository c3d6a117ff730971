"""HyperNEAT: decoding CPPN genomes into networks on a substrate.

A CPPN is an ordinary feed-forward genome (see
``neat.evolution.presets.cppn_config``) with ``substrate.cppn_inputs``
inputs and ``substrate.cppn_outputs`` outputs.  Decoding it asks it for the
weight of every connection the substrate allows, one forward pass over all
coordinate pairs, applies the expression rule (``expressed_weights``, the
module docstring of ``neat.nn.substrate``), and builds the network:

``decode(cppn, substrate)``
    One CPPN -> a ``FeedForwardNetwork``.
``decode_population(cppns, substrate)``
    A generation of CPPNs -> a ``PopulationNetwork``: the CPPNs are compiled
    at once (as ``compile_population`` compiles them), each is evaluated
    over all coordinate pairs (in chunks of pairs, to bound memory), the
    expression rule runs on the whole ``(P, connections)`` table, and the
    expressed weights are scattered into the stack's weight arrays once.
``decode_weights(cppns, substrate)``
    The same query, returned as a ``(P, num_connections)`` array of weights
    (0 where not expressed) over the fixed connection list
    ``substrate_connections(substrate)``.

The decoded network
-------------------
It is an ordinary compiled network of this library (same ``forward``,
``save`` / ``load_network``, population stacks, drawing, gym evaluation):

- node *indices* by layer: inputs ``0 .. n_in - 1`` (the substrate's inputs
  in order), then every hidden layer in order, then the outputs (in order);
  ``substrate.layer_bounds`` gives the ranges; one network layer per
  substrate layer, every node kept (also one that nothing reaches);
- node *ids* as in a genome: inputs ``0 .. n_in - 1``, outputs
  ``n_in .. n_in + n_out - 1``, hidden nodes from ``n_in + n_out`` on;
- edges: the expressed connections, in the order of
  ``substrate_connections``, an unexpressed one left out;
- bias: from the CPPN's bias output (``bias_output=True``), else 0;
  response 1; aggregation ``sum``; activation ``substrate.activation``
  (outputs: ``substrate.output_activation`` when given).

Why each CPPN is evaluated on its own
--------------------------------------
A ``PopulationNetwork`` of the CPPNs would evaluate all of them in one call,
but it pads every CPPN to the deepest and widest one of the generation:
evolved CPPNs differ in depth (one chain of added nodes makes a 12-layer
stack), so the stack computes several times more (padding) nodes than the
CPPNs have, each over every coordinate pair, and float64 ``sin`` / ``cos``
cost 10-20 ns an element.  One ``forward`` per CPPN per chunk computes only
real nodes; with chunks of thousands of pairs the Python overhead of the
loop is negligible (measured on the 150 evolved CPPNs of
``benchmarks/hyperneat.py`` over 14,641 pairs, a 9-layer stack: compiling
the stack and one forward took 581 ms, this loop 127 ms, on a loaded
2-core machine).

Exactness
---------
``decode`` evaluates the CPPN with its ``FeedForwardNetwork.forward`` on
batches of pairs; ``decode_population`` and ``decode_weights`` compile a
generation of genomes at once (as ``compile_population`` does) and run each
CPPN's ``FeedForwardNetwork.forward`` on the same batches.  The three ways agree (and agree with querying ``compile(cppn).forward``
pair by pair) up to float rounding: a matrix product over a batch may round
differently from one over a single vector (1 ulp or so), and a weight that
close to the threshold (or an LEO output that close to 0) may be expressed
by one and not by the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..genome import Genome
from ..genome.pool import GenePool
from ._common import float_dtype
from .feedforward import FeedForwardNetwork, compile_feedforward
from .population import PopulationNetwork
from .stack import StackArrays, networks_of, stack_arrays_from_pool
from .substrate import Substrate

__all__ = [
    "decode",
    "decode_population",
    "decode_weights",
    "substrate_connections",
    "expressed_weights",
    "CHUNK_BYTES",
]

CHUNK_BYTES = 4 * 2**20
"""Default memory bound of one chunk of the CPPN query (its buffers), in bytes.

Small enough that a chunk's buffers stay in the processor's caches: with
32 MiB chunks decoding a million connections took 8 times as long."""

CPPNs = GenePool | Sequence[Genome] | Sequence[FeedForwardNetwork] | PopulationNetwork


# --- the connection list ---------------------------------------------------------
def substrate_connections(substrate: Substrate) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every connection the substrate allows, in the fixed order the decoders use.

    For each ``(source layer, target layer)`` of ``substrate.layer_pairs`` in
    order, every source node (outer loop) to every target node (inner loop).

    Returns
    -------
    src_index, dst_index : (num_connections,) int64
        Node indices in the decoded network (``substrate.layer_bounds``).
    pairs : (num_connections, 2 D) float64
        ``(x1, y1, [z1,] x2, y2, [z2])`` of each connection: what the CPPN
        is queried with (before the distance input).
    """
    src, dst = _connection_indices(substrate)
    coords = substrate.node_coordinates
    return src.copy(), dst.copy(), np.concatenate((coords[src], coords[dst]), axis=1)


def _connection_indices(substrate: Substrate) -> tuple[np.ndarray, np.ndarray]:
    """``(src_index, dst_index)``, computed once per substrate (read-only)."""
    cached = substrate._cache.get("connections")
    if cached is None:
        bounds = substrate.layer_bounds
        src_parts, dst_parts = [], []
        for a, b in substrate.layer_pairs:
            s = np.arange(bounds[a], bounds[a + 1], dtype=np.int64)
            d = np.arange(bounds[b], bounds[b + 1], dtype=np.int64)
            src_parts.append(np.repeat(s, len(d)))
            dst_parts.append(np.tile(d, len(s)))
        cached = (np.concatenate(src_parts), np.concatenate(dst_parts))
        for array in cached:
            array.flags.writeable = False
        substrate._cache["connections"] = cached
    return cached


# --- the expression rule ---------------------------------------------------------
def expressed_weights(
    weight: np.ndarray, substrate: Substrate, leo: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the substrate's expression rule to raw CPPN outputs.

    Parameters
    ----------
    weight : array of float
        The CPPN's weight outputs ``w``, clipped to ``[-1, 1]`` first.
    substrate
        Gives ``weight_threshold`` (t), ``max_weight`` and ``leo``.
    leo : array of float, same shape, or None
        The link expression outputs; required when ``substrate.leo``.

    Returns
    -------
    weights : float64 array, the shape of ``weight``
        The weight of every expressed connection, 0 elsewhere.  Without LEO
        a connection is expressed where ``|w| >= t`` and its weight is
        ``sign(w) * min(max_weight, (|w| - t) * (max_weight / (1 - t)))`` (the
        ``min`` only undoes a rounding up at ``|w| = 1``); with LEO it is
        expressed where ``leo > 0`` and its weight is ``w * max_weight``.
        A NaN weight (or LEO) output is never expressed.
    expressed : bool array, the shape of ``weight``
    """
    w = np.asarray(weight, dtype=np.float64)
    top = substrate.max_weight
    # |clip(w, -1, 1)|, NaN kept (np.minimum propagates it); the sign comes back from w.
    magnitude = np.minimum(np.abs(w), 1.0)
    if substrate.leo:
        if leo is None:
            raise ConfigError("this substrate has leo = true: expressed_weights needs the CPPN's LEO outputs")
        expressed = np.asarray(leo) > 0.0  # NaN: not expressed
        expressed &= ~np.isnan(magnitude)
        magnitude *= top
    else:
        t = substrate.weight_threshold
        expressed = magnitude >= t  # NaN: False
        magnitude -= t
        magnitude *= top / (1.0 - t)
        np.minimum(magnitude, top, out=magnitude)  # 1 ulp above max_weight at |w| = 1 otherwise
    scaled = np.copysign(magnitude, w, out=magnitude)
    scaled[~expressed] = 0.0
    return scaled, expressed


def _single_cppn(cppn: Genome | FeedForwardNetwork, dtype: np.dtype) -> FeedForwardNetwork:
    if isinstance(cppn, Genome):
        if not cppn.config.feed_forward:
            raise ConfigError(_RECURRENT)
        return compile_feedforward(cppn, dtype)
    if isinstance(cppn, FeedForwardNetwork):
        return cppn if cppn.dtype == dtype else cppn.astype(dtype)
    raise ConfigError(
        f"a CPPN must be a feed-forward Genome or a compiled FeedForwardNetwork, got {type(cppn).__name__}"
    )


_RECURRENT = (
    "HyperNEAT decodes feed-forward CPPNs only; this CPPN's config has [genome] feed_forward = false "
    "(use neat.evolution.presets.cppn_config, or set feed_forward = true)"
)


def _cppn_networks(cppns: Any, dtype: np.dtype) -> list[FeedForwardNetwork]:
    """The CPPNs as compiled feed-forward networks of ``dtype`` (genomes of one config compiled at once)."""
    if isinstance(cppns, (Genome, FeedForwardNetwork)):
        return [_single_cppn(cppns, dtype)]
    if isinstance(cppns, PopulationNetwork):
        return [_single_cppn(net, dtype) for net in cppns.networks]
    pool = cppns if isinstance(cppns, GenePool) else getattr(cppns, "pool", None)
    if isinstance(pool, GenePool):
        return _pool_networks(pool, dtype)
    items = list(cppns)
    if not items:
        raise ConfigError("decoding needs at least one CPPN, got none")
    for p, item in enumerate(items):
        if isinstance(item, Genome) and not item.config.feed_forward:
            raise ConfigError(f"CPPN {p}: {_RECURRENT}")
        if not isinstance(item, (Genome, FeedForwardNetwork)):
            raise ConfigError(
                f"CPPN {p} is a {type(item).__name__}; expected feed-forward Genomes or FeedForwardNetworks"
            )
    first = items[0]
    if all(isinstance(g, Genome) and (g.config is first.config or g.config == first.config) for g in items):
        return _pool_networks(GenePool.pack(items), dtype)
    return [_single_cppn(item, dtype) for item in items]


def _pool_networks(pool: GenePool, dtype: np.dtype) -> list[FeedForwardNetwork]:
    """Every genome of ``pool`` compiled at once (as ``compile_population`` does, without building a stack)."""
    if not pool.config.feed_forward:
        raise ConfigError(_RECURRENT)
    return list(networks_of(stack_arrays_from_pool(pool), dtype, FeedForwardNetwork))


def _query(
    cppns: Any, substrate: Substrate, chunk_bytes: int, cppn_dtype: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Raw CPPN outputs over every connection (and node bias) of the substrate.

    Returns ``weight (P, C)``, ``leo (P, C)`` (None without LEO) and the
    node biases ``(P, num_nodes)`` (None without a bias output; inputs 0).
    """
    if not isinstance(substrate, Substrate):
        raise ConfigError(f"expected a neat.nn.Substrate, got {type(substrate).__name__}")
    nets = _cppn_networks(cppns, float_dtype(cppn_dtype))
    n_in, n_out = substrate.cppn_inputs, substrate.cppn_outputs
    for p, net in enumerate(nets):
        if (net.num_inputs, net.num_outputs) != (n_in, n_out):
            which = "the CPPN" if len(nets) == 1 else f"CPPN {p}"
            raise ConfigError(
                f"{which} has {net.num_inputs} inputs and {net.num_outputs} outputs; this substrate queries {n_in} "
                f"inputs ({', '.join(substrate.cppn_input_names)}) and reads {n_out} outputs "
                f"({', '.join(substrate.cppn_output_names)}): set [genome] num_inputs = {n_in} and "
                f"num_outputs = {n_out}"
            )
    if isinstance(chunk_bytes, bool) or not isinstance(chunk_bytes, (int, np.integer)) or chunk_bytes < 1:
        raise ConfigError(f"chunk_bytes must be a positive integer, got {chunk_bytes!r}")
    src, dst = _connection_indices(substrate)
    C, N, D = len(src), substrate.num_nodes, substrate.dimension
    n_first = substrate.num_inputs
    # Query q asks for (a[q] -> b[q]); the bias queries come after the connections,
    # from the origin (coordinate row N).
    coords = np.concatenate((substrate.node_coordinates, np.zeros((1, D))))
    if substrate.bias_output:
        a = np.concatenate((src, np.full(N - n_first, N, dtype=np.int64)))
        b = np.concatenate((dst, np.arange(n_first, N, dtype=np.int64)))
    else:
        a, b = src, dst
    Q, P = len(a), len(nets)
    # Per pair: one CPPN's buffer (a row per node) and a layer's product, the inputs.
    per_pair = 8 * (2 * max(net.num_nodes + 1 for net in nets) + 2 * n_in)
    chunk = int(max(1, min(Q, chunk_bytes // per_pair)))
    out = np.empty((P, Q, n_out))
    X = np.empty((chunk, n_in))
    for lo in range(0, Q, chunk):
        hi = min(Q, lo + chunk)
        x = X[: hi - lo]
        p1, p2 = coords[a[lo:hi]], coords[b[lo:hi]]
        x[:, :D] = p1
        x[:, D : 2 * D] = p2
        if substrate.distance_input:
            x[:, 2 * D] = _distance(p1, p2)
        for p, net in enumerate(nets):
            out[p, lo:hi] = net.forward(x)
    weight = out[:, :C, 0]
    leo = out[:, :C, 1] if substrate.leo else None
    bias = None
    if substrate.bias_output:
        bias = np.zeros((P, N))
        # max_weight * clip(b, -1, 1); a NaN output gives bias 0.
        raw = np.nan_to_num(out[:, C:, n_out - 1], nan=0.0)
        bias[:, n_first:] = np.clip(raw, -1.0, 1.0) * substrate.max_weight
    return weight, leo, bias


def _distance(p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
    """Euclidean distance of the rows, ``sqrt(dx*dx + dy*dy [+ dz*dz])`` added left to right."""
    diff = p1 - p2
    total = diff[:, 0] * diff[:, 0]
    for k in range(1, diff.shape[1]):
        total += diff[:, k] * diff[:, k]
    return np.sqrt(total)


# --- building the networks -------------------------------------------------------
def _node_arrays(substrate: Substrate) -> dict[str, Any]:
    """What every decoded network of ``substrate`` shares: ids, layers, outputs, functions."""
    n_in, n_out, n_h = substrate.num_inputs, substrate.num_outputs, substrate.num_hidden
    N = substrate.num_nodes
    node_ids = np.concatenate(
        (
            np.arange(n_in),
            np.arange(n_in + n_out, n_in + n_out + n_h),
            np.arange(n_in, n_in + n_out),
        )
    ).astype(np.int64)
    names = [substrate.activation]
    codes = np.zeros(N, dtype=np.int16)
    if substrate.output_activation is not None and substrate.output_activation != substrate.activation:
        names.append(substrate.output_activation)
        codes[N - n_out :] = 1
    bounds = substrate.layer_bounds
    layer = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    slot = np.arange(N) - bounds[layer]
    return {
        "node_ids": node_ids,
        "layer": layer.astype(np.int64),
        "slot": slot.astype(np.int64),
        "output_indices": np.arange(N - n_out, N, dtype=np.int64),
        "activation_codes": codes,
        "activation_names": tuple(names),
    }


def decode(
    cppn: Genome | FeedForwardNetwork,
    substrate: Substrate,
    *,
    dtype: Any = np.float64,
    cppn_dtype: Any = np.float64,
    chunk_bytes: int = CHUNK_BYTES,
) -> FeedForwardNetwork:
    """Decode one CPPN into a ``FeedForwardNetwork`` on ``substrate`` (see the module docstring).

    Parameters
    ----------
    cppn
        A feed-forward ``Genome`` or a compiled ``FeedForwardNetwork`` with
        ``substrate.cppn_inputs`` inputs and ``substrate.cppn_outputs`` outputs.
    substrate
        The node coordinates and the expression rule.
    dtype
        ``float64`` (default) or ``float32``: the decoded network's arithmetic.
    cppn_dtype
        ``float64`` (default) or ``float32``: the arithmetic of the CPPN
        query.  float32 is several times faster (NumPy's float32 ``sin``,
        ``cos`` and ``exp`` are vectorized) and rounds the CPPN's outputs to
        float32 before the expression rule.
    chunk_bytes
        Memory bound of one chunk of the query (pairs are evaluated in chunks).

    Raises
    ------
    ConfigError
        A recurrent CPPN, or one whose numbers of inputs or outputs do not
        match the substrate's.

    Examples
    --------
    >>> import neat
    >>> from neat.evolution.presets import cppn_config
    >>> from neat.nn import Substrate, decode, grid
    >>> substrate = Substrate(grid(3, 3), grid(3, 3))
    >>> config = cppn_config(substrate.cppn_inputs, substrate.cppn_outputs)
    >>> cppn = neat.new_genome(config, neat.InnovationTracker.for_config(config), neat.make_rng(0))
    >>> network = decode(cppn, substrate)
    >>> network.num_inputs, network.num_outputs, network.num_connections <= substrate.num_connections
    (9, 9, True)
    """
    dtype = float_dtype(dtype)
    if not isinstance(cppn, (Genome, FeedForwardNetwork)):
        if isinstance(cppn, (GenePool, PopulationNetwork, Sequence)):
            raise ConfigError("decode takes one CPPN; decode a list of them with decode_population")
        _single_cppn(cppn, dtype)  # raises: not a CPPN
    weight, leo, bias = _query(cppn, substrate, chunk_bytes, cppn_dtype)
    weights, expressed = expressed_weights(weight[0], substrate, None if leo is None else leo[0])
    src, dst = _connection_indices(substrate)
    nodes = _node_arrays(substrate)
    N = substrate.num_nodes
    return FeedForwardNetwork(
        num_inputs=substrate.num_inputs,
        node_ids=nodes["node_ids"],
        layer_bounds=substrate.layer_bounds[1:],
        output_indices=nodes["output_indices"],
        bias=np.zeros(N) if bias is None else bias[0],
        response=np.ones(N),
        activation_codes=nodes["activation_codes"],
        aggregation_codes=np.zeros(N, dtype=np.int16),
        activation_names=nodes["activation_names"],
        aggregation_names=("sum",),
        edge_src=src[expressed],
        edge_dst=dst[expressed],
        edge_weight=weights[expressed],
        dtype=dtype,
        check=False,
    )


def decode_weights(
    cppns: CPPNs | Genome | FeedForwardNetwork,
    substrate: Substrate,
    *,
    cppn_dtype: Any = np.float64,
    chunk_bytes: int = CHUNK_BYTES,
) -> np.ndarray:
    """The expressed, scaled weight of every connection for every CPPN: one batched query.

    Parameters
    ----------
    cppns
        Feed-forward CPPN genomes (a list of one config, a ``GenePool``),
        compiled ``FeedForwardNetwork``s, a ``PopulationNetwork`` of them, or
        one ``Genome`` / ``FeedForwardNetwork`` (then P = 1).
    substrate
        The node coordinates and the expression rule.
    cppn_dtype
        The arithmetic of the CPPN query, as for ``decode``.
    chunk_bytes
        Memory bound of one chunk of the query.

    Returns
    -------
    (P, substrate.num_connections) float64
        Column ``c`` is connection ``c`` of ``substrate_connections(substrate)``;
        0 where it is not expressed.
    """
    weight, leo, _ = _query(cppns, substrate, chunk_bytes, cppn_dtype)
    return expressed_weights(weight, substrate, leo)[0]


def decode_population(
    cppns: CPPNs,
    substrate: Substrate,
    *,
    dtype: Any = np.float64,
    cppn_dtype: Any = np.float64,
    chunk_bytes: int = CHUNK_BYTES,
) -> PopulationNetwork:
    """Decode a generation of CPPNs into one ``PopulationNetwork`` (the stack ``compile_population`` returns).

    Every CPPN over all coordinate pairs (in chunks of at most
    ``chunk_bytes`` of buffers), the expression rule on all weights at once,
    then one scatter of the expressed weights into the stack's weight arrays.  Network ``p`` equals ``decode(cppns[p], substrate)``
    up to float rounding (module docstring); ``stack.networks`` gives them
    one by one.

    Parameters
    ----------
    cppns
        As for ``decode_weights`` (at least one).
    substrate
        The node coordinates and the expression rule.
    dtype
        ``float64`` (default) or ``float32``: the decoded stack's arithmetic.
    cppn_dtype
        The arithmetic of the CPPN query, as for ``decode``.
    chunk_bytes
        Memory bound of one chunk of the query.
    """
    dtype = float_dtype(dtype)
    weight, leo, bias = _query(cppns, substrate, chunk_bytes, cppn_dtype)
    weights, expressed = expressed_weights(weight, substrate, leo)
    P, N = weights.shape[0], substrate.num_nodes
    src, dst = _connection_indices(substrate)
    nodes = _node_arrays(substrate)
    counts = np.count_nonzero(expressed, axis=1)
    base = np.arange(P, dtype=np.int64) * N  # network p's node rows start at p * N
    arrays = StackArrays(
        num_inputs=substrate.num_inputs,
        num_outputs=substrate.num_outputs,
        activation_names=nodes["activation_names"],
        aggregation_names=("sum",),
        node_offsets=np.arange(P + 1, dtype=np.int64) * N,
        node_id=np.tile(nodes["node_ids"], P),
        node_layer=np.tile(nodes["layer"], P),
        node_slot=np.tile(nodes["slot"], P),
        bias=np.zeros(P * N) if bias is None else bias.ravel(),
        response=np.ones(P * N),
        activation=np.tile(nodes["activation_codes"], P),
        aggregation=np.zeros(P * N, dtype=np.int16),
        edge_offsets=np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
        # by network, in connection order within one
        edge_src=np.add.outer(base, src)[expressed],
        edge_dst=np.add.outer(base, dst)[expressed],
        edge_weight=weights[expressed],
        output_node=base[:, None] + nodes["output_indices"][None, :],
        pruned_offsets=np.zeros(P + 1, dtype=np.int64),
        pruned_id=np.zeros(0, dtype=np.int64),
    )
    return PopulationNetwork.from_arrays(arrays, dtype)
