"""Compiled networks as ONNX models: run an evolved network in onnxruntime (or any ONNX runtime) without this package.

Needs the ``onnx`` extra (``pip install "neatlab[onnx]"``: onnx, and
onnxruntime to run the models); ``import neat`` does not load it.

- ``to_onnx(network)`` gives an ``onnx.ModelProto``; ``save_onnx(network, path)``
  writes it to a file; ``export_genome_file(genome.json, net.onnx)`` compiles a
  saved genome (or reads a saved ``.npz`` network) and writes it, as
  ``python -m neat export`` does.
- A ``FeedForwardNetwork`` becomes ``y = f(x)``: input ``x`` of shape
  ``(batch, num_inputs)``, output ``y`` of shape ``(batch, num_outputs)``, the
  batch size free.  Each layer is one ``MatMul`` over every earlier node plus
  the biases for its sum-aggregation nodes, one ``Gather`` and reduction per
  group of nodes with another aggregation, then the activations.
- A ``RecurrentNetwork`` becomes one time step: inputs ``x`` ``(batch,
  num_inputs)`` and ``state`` ``(batch, num_nodes)``, outputs ``y`` and
  ``new_state`` (same shapes).  ``state`` is ``network.state``: every node's
  value, by node index, zeros at the start (``reset()``); feed ``new_state``
  back as the next step's ``state``.
- Every built-in activation and aggregation exports (see
  ``neat.interop.onnx_functions``); a function of your own needs an ONNX
  form (``register_onnx_activation``), else exporting is a ``ConfigError``
  naming it.
- Models are float32 (the default) or float64, operator set 17, IR version 8.
  The weights are folded as ``network.forward`` folds them and every function
  is computed by the same formula, so each node function agrees with the
  network's to 1e-6 in float32; only a matrix product's order of additions
  differs (onnxruntime is not NumPy's BLAS), which steep functions magnify in
  a deep network: a float32 model is then as close to the float64 network as
  ``network.astype(numpy.float32)`` is (see the "export" page of the docs).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..files import atomic_write_bytes
from ..nn import FeedForwardNetwork, RecurrentNetwork, load_network
from ..nn import compile as compile_network
from .jsonfiles import load_genome
from .onnx_functions import (
    ActivationForm,
    AggregationForm,
    OnnxGraph,
    exportable_activations,
    exportable_aggregations,
    is_matrix_product,
    onnx_activation,
    onnx_aggregation,
    register_onnx_activation,
    register_onnx_aggregation,
)

__all__ = [
    "OPSET",
    "IR_VERSION",
    "ActivationForm",
    "AggregationForm",
    "OnnxGraph",
    "to_onnx",
    "save_onnx",
    "export_genome_file",
    "register_onnx_activation",
    "register_onnx_aggregation",
    "exportable_activations",
    "exportable_aggregations",
]

OPSET = 17
"""The ONNX operator set the models use (onnxruntime >= 1.13 runs it)."""

IR_VERSION = 8
"""The ONNX IR version written into the models (that of operator set 17)."""

Network = FeedForwardNetwork | RecurrentNetwork


def _import_onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ConfigError('exporting to ONNX needs the onnx package: pip install "neatlab[onnx]"') from None
    return onnx


def _float_dtype(dtype: Any) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ConfigError(f"an ONNX model's dtype must be float32 or float64, got {dtype!r}")
    return dt


def to_onnx(network: Network, *, dtype: Any = np.float32, name: str | None = None) -> Any:
    """The network as an ONNX model.

    Parameters
    ----------
    network : FeedForwardNetwork or RecurrentNetwork
    dtype : float32 (default) or float64
        The type of the model's inputs, outputs and arithmetic, whatever the
        network's own ``dtype``.
    name : str, optional
        The graph's name (default ``"neatlab_feedforward"`` / ``"neatlab_recurrent"``).

    Returns
    -------
    onnx.ModelProto
        Checked with ``onnx.checker``.  Inputs ``x`` (and ``state``), outputs
        ``y`` (and ``new_state``); see the module docstring.

    Raises
    ------
    ConfigError
        A node's activation or aggregation has no ONNX form (the message
        names it), ``dtype`` is not a float type, or onnx is not installed.
    """
    if not isinstance(network, (FeedForwardNetwork, RecurrentNetwork)):
        raise TypeError(f"expected a FeedForwardNetwork or RecurrentNetwork, got {type(network).__name__}")
    onnx = _import_onnx()
    graph = OnnxGraph(_float_dtype(dtype))
    n_in, n = network.num_inputs, network.num_nodes
    if isinstance(network, FeedForwardNetwork):
        kind, inputs, outputs = "feedforward", [("x", n_in)], [("y", network.num_outputs)]
        values = "x"
        bounds = network.layer_bounds.tolist()
        for start, stop in zip(bounds[:-1], bounds[1:]):
            layer = _block(graph, network, values, start, stop)
            values = graph.op("Concat", values, layer, axis=1)
        graph.nodes.append(("Gather", [values, graph.const(network.output_indices)], ["y"], {"axis": 1}))
    else:
        kind = "recurrent"
        inputs = [("x", n_in), ("state", n)]
        outputs = [("y", network.num_outputs), ("new_state", n)]
        previous = graph.op("Slice", "state", graph.axes(n_in), graph.axes(n), graph.axes(1))
        values = graph.op("Concat", "x", previous, axis=1)
        layer = _block(graph, network, values, n_in, n)
        graph.nodes.append(("Concat", ["x", layer], ["new_state"], {"axis": 1}))
        graph.nodes.append(("Gather", ["new_state", graph.const(network.output_indices)], ["y"], {"axis": 1}))
    return _model(onnx, graph, name or f"neatlab_{kind}", inputs, outputs, _describe(network, kind))


def save_onnx(network: Network, path: str | PathLike[str], *, dtype: Any = np.float32) -> None:
    """Write ``network`` as an ONNX model to ``path`` (atomically); see ``to_onnx``."""
    atomic_write_bytes(path, to_onnx(network, dtype=dtype).SerializeToString())


def export_genome_file(path: str | PathLike[str], output: str | PathLike[str], *, dtype: Any = np.float32) -> Network:
    """Export a saved genome's network (or a saved network) to the ONNX file ``output``: ``python -m neat export``.

    Parameters
    ----------
    path
        A genome JSON file (``neat.save_genome``), compiled as its config says
        (feed-forward or recurrent); or a network ``.npz`` file
        (``neat.save_network``).
    output
        The ONNX file to write (e.g. ``net.onnx``).
    dtype : float32 (default) or float64

    Returns
    -------
    FeedForwardNetwork or RecurrentNetwork
        The network exported.

    Raises
    ------
    ConfigError, InvalidGenomeError, CheckpointError
        The file cannot be read, or the network cannot be exported (see ``to_onnx``).
    """
    network = load_network(path) if Path(path).suffix.lower() == ".npz" else compile_network(load_genome(path))
    try:
        save_onnx(network, output, dtype=dtype)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return network


# --- one block of nodes ------------------------------------------------------
def _block(graph: OnnxGraph, network: Network, values: str, start: int, stop: int) -> str:
    """The values ``(batch, stop - start)`` of the nodes ``start .. stop - 1``, as ``network`` computes them.

    ``values`` holds the node values the block reads, by node index: ``(batch,
    start)`` in a feed-forward network, ``(batch, num_nodes)`` in a recurrent one.
    The weights, biases and responses are folded as ``neat.nn._common.build_blocks``
    folds them (in float64, then cast), and each node is computed by the same
    operations: ``W @ values + bias`` for the sum nodes, ``response * agg(w * inputs)
    + bias`` for the others, then the activation.
    """
    net, width = network, stop - start
    act = [net.activation_names[c] for c in net.activation_codes[start:stop].tolist()]
    agg = [net.aggregation_names[c] for c in net.aggregation_codes[start:stop].tolist()]
    forms = {name: onnx_activation(name, _where(net, start + j)) for j, name in _firsts(act, range(width))}
    scale = np.array([forms[name][0] for name in act])
    bias, response = net.bias[start:stop] * scale, net.response[start:stop] * scale  # in float64, as build_blocks
    into = (net.edge_dst >= start) & (net.edge_dst < stop)
    order = np.argsort(net.edge_dst[into], kind="stable")  # each node's inputs in innovation order
    src, dst, weight = net.edge_src[into][order], net.edge_dst[into][order] - start, net.edge_weight[into][order]
    fan = np.bincount(dst, minlength=width)
    by_matmul = np.array([is_matrix_product(name) for name in agg], dtype=bool)
    pieces, columns = [], []
    if by_matmul.any():  # one matrix product over every value read, plus the biases
        rows = np.flatnonzero(by_matmul)
        W = np.zeros((start if isinstance(net, FeedForwardNetwork) else net.num_nodes, width))
        on = by_matmul[dst]
        np.add.at(W, (src[on], dst[on]), weight[on] * response[dst[on]])
        z = graph.op("MatMul", values, W[:, rows].astype(graph.dtype))
        pieces.append(graph.op("Add", z, bias[rows].astype(graph.dtype)))
        columns.append(rows)
    empty = ~by_matmul & (fan == 0)
    if empty.any():  # another aggregation of no inputs: the bias alone
        rows = np.flatnonzero(empty)
        batch = graph.op("Slice", graph.op("Shape", values), graph.axes(0), graph.axes(1))
        shape = graph.op("Concat", batch, graph.axes(len(rows)), axis=0)
        pieces.append(graph.op("Expand", bias[rows].astype(graph.dtype)[None, :], shape))
        columns.append(rows)
    first = np.concatenate(([0], np.cumsum(fan)))
    gathered = np.flatnonzero(~by_matmul & (fan > 0))
    for name, k in sorted({(agg[j], int(fan[j])) for j in gathered.tolist()}):
        rows = np.array([j for j in gathered.tolist() if agg[j] == name and fan[j] == k])
        form = onnx_aggregation(name, _where(net, start + int(rows[0])))
        at = first[rows][:, None] + np.arange(k)
        inputs = graph.op("Gather", values, src[at], axis=1)  # (batch, nodes, fan)
        reduced = form(graph, graph.op("Mul", inputs, weight[at].astype(graph.dtype)), k)
        scaled = graph.op("Mul", response[rows].astype(graph.dtype), reduced)
        pieces.append(graph.op("Add", scaled, bias[rows].astype(graph.dtype)))
        columns.append(rows)
    z = pieces[0] if len(pieces) == 1 else graph.op("Concat", *pieces, axis=1)
    placed = np.concatenate(columns)
    if not np.array_equal(placed, np.arange(width)):
        z = graph.op("Gather", z, np.argsort(placed), axis=1)
    return _activations(graph, z, act, forms)


def _activations(graph: OnnxGraph, z: str, names: list[str], forms: dict[str, tuple[float, ActivationForm]]) -> str:
    """Each column of ``z`` through its node's activation: one call per run of equal names."""
    runs, a = [], 0
    for b in range(1, len(names) + 1):
        if b == len(names) or names[b] != names[a]:
            runs.append((a, b))
            a = b
    if len(runs) == 1:
        return forms[names[0]][1](graph, z)
    outs = []
    for a, b in runs:
        part = graph.op("Slice", z, graph.axes(a), graph.axes(b), graph.axes(1))
        outs.append(forms[names[a]][1](graph, part))
    return graph.op("Concat", *outs, axis=1)


def _firsts(names: list[str], positions: Any) -> list[tuple[int, str]]:
    """``(position, name)`` for the first of ``positions`` with each name."""
    seen: dict[str, int] = {}
    for j in positions:
        seen.setdefault(names[j], j)
    return [(j, name) for name, j in seen.items()]


def _where(network: Network, index: int) -> str:
    return f"used by node id {int(network.node_ids[index])}, node index {index}"


# --- the model -----------------------------------------------------------------
def _describe(network: Network, kind: str) -> str:
    text = (
        f"A neatlab {kind} network: x (batch, {network.num_inputs}) -> y (batch, {network.num_outputs}); "
        f"{network.num_nodes} nodes, {network.num_connections} connections."
    )
    if kind == "recurrent":
        text += (
            f" One time step: state (batch, {network.num_nodes}) holds every node's value by node index, "
            "zeros at the start; feed new_state back as the next state."
        )
    return text


def _model(
    onnx: Any, graph: OnnxGraph, name: str, inputs: list[tuple[str, int]], outputs: list[tuple[str, int]], doc: str
) -> Any:
    helper, numpy_helper = onnx.helper, onnx.numpy_helper
    nodes = [
        helper.make_node(op, ins, outs, name=f"{op}_{k}", **attributes)
        for k, (op, ins, outs, attributes) in enumerate(graph.nodes)
    ]
    initializers = [numpy_helper.from_array(array, key) for key, array in graph.initializers.items()]

    def info(key: str, width: int) -> Any:
        return helper.make_tensor_value_info(key, graph.float_type, ["batch", width])

    model = helper.make_model(
        helper.make_graph(
            nodes, name, [info(*i) for i in inputs], [info(*o) for o in outputs], initializers, doc_string=doc
        ),
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="neatlab",
        doc_string=doc,
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model
