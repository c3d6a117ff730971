"""Seeing a network: Graphviz drawings of genomes and compiled networks.

``draw_net(genome_or_network)`` builds a ``graphviz.Digraph`` (its DOT text
is ``.source``); ``render(graph, "net.svg")`` lays it out and writes SVG, PNG
or PDF.  Rendering uses the system Graphviz ``dot`` when it is on ``PATH``,
else pygraphviz (whose wheel bundles Graphviz: ``pip install "neatlab[render]"``).

Layout: inputs share the first rank (a ``rank=source`` subgraph), outputs the
last (``rank=sink``), and hidden nodes are grouped by the depth the compiler
gives them (``neat.nn.feedforward.node_layers``; for recurrent graphs the
longest-path depth from ``neat.genome.graph``, nodes on a cycle left to ``dot``).
Edges are green for positive and red for negative weights, thicker for larger
``|weight|``; disabled connections are dashed grey or hidden.  A key under the
picture says so (``legend=False`` leaves it out).

This module is imported lazily: ``import neat`` does not load it.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from ..errors import ConfigError, RenderError
from ..files import atomic_write_bytes, atomic_write_text
from ..genome import Genome, NodeKind
from ..genome.graph import longest_path_depths
from ..nn._common import enabled_edges
from ..nn.base import CompiledNetwork
from ..nn.compiler import compile as compile_network
from ..nn.feedforward import FeedForwardNetwork, node_layers

__all__ = ["draw_net", "render", "DISABLED_OPTIONS", "RENDER_FORMATS"]

DISABLED_OPTIONS = ("dashed", "hidden")
"""Values of ``draw_net(disabled=...)``."""

RENDER_FORMATS = ("svg", "png", "pdf")
"""Formats ``render`` lays out; ``"dot"`` / ``"gv"`` write the DOT text itself."""

RANKDIRS = ("LR", "TB", "RL", "BT")

INSTALL_HINT = (
    'install pygraphviz, whose wheel bundles Graphviz: pip install "neatlab[render]" '
    "(or pip install pygraphviz), or install the system Graphviz so that `dot` is on PATH "
    "(e.g. apt install graphviz, brew install graphviz, conda install graphviz)"
)

POSITIVE, NEGATIVE, ZERO, DISABLED = "#2e7d32", "#c62828", "#757575", "#9e9e9e"
_NODE_STYLE = {
    "input": {"shape": "box", "style": "filled", "fillcolor": "#e0e0e0"},
    "output": {"shape": "ellipse", "style": "filled", "fillcolor": "#bbdefb", "peripheries": "2"},
    "hidden": {"shape": "ellipse", "style": "filled", "fillcolor": "white"},
}


@dataclass
class _Drawing:
    """What is drawn, as plain per-node and per-edge lists keyed by genome node id."""

    ids: list[int]
    kinds: list[str]
    bias: list[float]
    response: list[float]
    activation: list[str]
    aggregation: list[str]
    rank: list[int]  # hidden nodes' depth group; -1: no group (left to dot)
    src: list[int]
    dst: list[int]
    weight: list[float]
    enabled: list[bool]
    innovation: list[int | None]
    num_inputs: int
    num_outputs: int
    known_ids: set[int]  # every id a name may refer to (pruned nodes included)


# --- what to draw -------------------------------------------------------------
def _depth_groups(num_nodes: int, num_inputs: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Layer of every node counted as ``node_layers`` counts, for any graph; -1 on or behind a cycle.

    ``1 + longest-path depth`` over the edges that do not come from an input
    (``node_layers``' own definition, which it applies to kept nodes only);
    self-loops are left out too, as they do not order nodes.
    """
    inner = (src >= num_inputs) & (src != dst)
    depth = longest_path_depths(num_nodes, src[inner], dst[inner])
    return np.where(depth >= 0, depth + 1, -1)


def _genome_drawing(genome: Genome, prune: bool) -> _Drawing:
    cfg, nodes, conns = genome.config, genome.nodes, genome.conns
    n, n_in, n_out = len(nodes.id), cfg.num_inputs, cfg.num_outputs
    src, dst, _ = enabled_edges(genome)  # positions; checks what drawing relies on
    rank = _depth_groups(n, n_in, src, dst)
    layers = node_layers(n, n_in, n_out, src, dst) if cfg.feed_forward else None
    if layers is not None:  # the compiler's layers; nodes it prunes keep their depth group
        rank = np.where(layers >= 0, layers, rank)
    keep = np.ones(n, dtype=bool)
    conn_keep = np.ones(len(conns.innovation), dtype=bool)
    if prune:
        # Exactly the nodes the compiler keeps; the connections it evaluates are
        # then the enabled ones into a kept node (their sources are kept too).
        kept_ids = compile_network(genome).node_ids
        keep = np.isin(nodes.id, kept_ids)
        conn_keep = conns.enabled & np.isin(conns.dst, kept_ids)
    kinds = [NodeKind(int(k)).name.lower() for k in nodes.kind[keep].tolist()]
    acts, aggs = genome.activation_names(), genome.aggregation_names()
    positions = np.flatnonzero(keep).tolist()
    c = conns.take(conn_keep)
    return _Drawing(
        ids=nodes.id[keep].tolist(),
        kinds=kinds,
        bias=nodes.bias[keep].tolist(),
        response=nodes.response[keep].tolist(),
        activation=[acts[i] for i in positions],
        aggregation=[aggs[i] for i in positions],
        rank=np.asarray(rank)[keep].tolist(),
        src=c.src.tolist(),
        dst=c.dst.tolist(),
        weight=c.weight.tolist(),
        enabled=c.enabled.tolist(),
        innovation=c.innovation.tolist(),
        num_inputs=n_in,
        num_outputs=n_out,
        known_ids=set(nodes.id.tolist()),
    )


def _network_drawing(net: CompiledNetwork) -> _Drawing:
    n, n_in = net.num_nodes, net.num_inputs
    if isinstance(net, FeedForwardNetwork):
        # The compiler's own layers: layer l holds indices [layer_bounds[l-1], layer_bounds[l]).
        rank = np.searchsorted(net.layer_bounds, np.arange(n), side="right")
    else:
        rank = _depth_groups(n, n_in, net.edge_src, net.edge_dst)
    outputs = set(net.output_indices.tolist())
    ids = net.node_ids.tolist()
    return _Drawing(
        ids=ids,
        kinds=["input" if i < n_in else "output" if i in outputs else "hidden" for i in range(n)],
        bias=net.bias.tolist(),
        response=net.response.tolist(),
        activation=[net.activation_names[c] for c in net.activation_codes.tolist()],
        aggregation=[net.aggregation_names[c] for c in net.aggregation_codes.tolist()],
        rank=np.asarray(rank).tolist(),
        src=[ids[i] for i in net.edge_src.tolist()],
        dst=[ids[i] for i in net.edge_dst.tolist()],
        weight=net.edge_weight.tolist(),
        enabled=[True] * net.num_connections,
        innovation=[None] * net.num_connections,
        num_inputs=n_in,
        num_outputs=net.num_outputs,
        known_ids={*ids, *net.pruned_ids.tolist()},
    )


def _names_by_id(node_names: Any, drawing: _Drawing, input_ids: list[int], output_ids: list[int]) -> dict[int, str]:
    """``node_names`` (a mapping id -> name, or names of the inputs then the outputs) as a dict."""
    if node_names is None:
        return {}
    if isinstance(node_names, Mapping):
        names: dict[int, str] = {}
        for key, name in node_names.items():
            if isinstance(key, bool) or not isinstance(key, (int, np.integer)):
                raise ConfigError(f"node_names keys must be node ids (int), got {key!r}")
            if int(key) not in drawing.known_ids:
                raise ConfigError(
                    f"node_names names node {int(key)}, which is not a node of this network "
                    f"(inputs {input_ids}, outputs {output_ids})"
                )
            names[int(key)] = str(name)
        return names
    if isinstance(node_names, (str, bytes)) or not isinstance(node_names, Sequence):
        raise ConfigError(
            "node_names must be a mapping of node id to name, or a sequence of names of the inputs "
            f"then the outputs; got {type(node_names).__name__}"
        )
    expected = drawing.num_inputs + drawing.num_outputs
    if len(node_names) != expected:
        raise ConfigError(
            f"node_names has {len(node_names)} names but the network has {drawing.num_inputs} inputs and "
            f"{drawing.num_outputs} outputs: give {expected} names (inputs first, then outputs), "
            "or a mapping of node id to name"
        )
    return {node_id: str(name) for node_id, name in zip([*input_ids, *output_ids], node_names)}


# --- drawing ------------------------------------------------------------------
def draw_net(
    net: Genome | CompiledNetwork,
    *,
    node_names: Mapping[int, str] | Sequence[str] | None = None,
    disabled: str = "dashed",
    prune: bool = False,
    show_weights: bool = False,
    show_activations: bool = True,
    rankdir: str = "LR",
    legend: bool = True,
    graph_attr: Mapping[str, str] | None = None,
) -> graphviz.Digraph:
    """A Graphviz drawing of a genome or a compiled network.

    Parameters
    ----------
    net
        A ``neat.Genome``, or a network from ``neat.compile`` (``FeedForwardNetwork``
        or ``RecurrentNetwork``), drawn from its arrays (node ids, edges, weights).
    node_names
        Labels instead of node ids: a mapping ``{node id: name}`` (any nodes), or a
        sequence of ``num_inputs + num_outputs`` names, inputs first, then outputs
        (e.g. a gymnasium environment's observation and action names).
    disabled
        ``"dashed"`` draws disabled connections as dashed grey edges (which do
        not steer the layout); ``"hidden"`` leaves them out.  A compiled network
        has none.
    prune
        Draw only what ``neat.compile`` keeps: the nodes from which an output can
        be reached (and the inputs), and the enabled connections between them.
        A compiled network is already pruned.
    show_weights
        Label every edge with its weight.
    show_activations
        Add the activation function's name to the label of every non-input node.
        Tooltips (shown by SVG viewers) always give the node's kind, activation,
        aggregation, bias and response, and each edge's weight (and innovation).
    rankdir
        Direction of the flow from inputs to outputs: ``"LR"`` (default), ``"TB"``,
        ``"RL"`` or ``"BT"``.
    legend
        A key under the picture: which shapes are inputs, outputs and hidden
        nodes, and what edge colour, width and dashes mean (only what is drawn).
    graph_attr
        More Graphviz graph attributes (e.g. ``{"size": "8,5", "dpi": "150"}``);
        they override the defaults.

    Returns
    -------
    graphviz.Digraph
        ``.source`` is the DOT text; write a picture with ``render``.

    Raises
    ------
    ConfigError
        ``net`` is neither a genome nor a compiled network, ``node_names`` has the
        wrong length or names an unknown node, or an option has an unknown value.
    InvalidGenomeError
        The genome cannot be read (e.g. a connection to a node that does not exist),
        or, with ``prune``, cannot be compiled.
    """
    if disabled not in DISABLED_OPTIONS:
        raise ConfigError(f"disabled must be one of {list(DISABLED_OPTIONS)}, got {disabled!r}")
    if rankdir not in RANKDIRS:
        raise ConfigError(f"rankdir must be one of {list(RANKDIRS)}, got {rankdir!r}")
    if isinstance(net, Genome):
        drawing = _genome_drawing(net, bool(prune))
    elif isinstance(net, CompiledNetwork):
        drawing = _network_drawing(net)
    else:
        raise ConfigError(
            "draw_net draws a neat.Genome or a compiled network (neat.compile(genome): FeedForwardNetwork or "
            f"RecurrentNetwork), got {type(net).__name__}"
        )
    input_ids = [i for i, k in zip(drawing.ids, drawing.kinds) if k == "input"]
    output_ids = [i for i, k in zip(drawing.ids, drawing.kinds) if k == "output"]
    names = _names_by_id(node_names, drawing, input_ids, output_ids)

    drawn = [k for k in range(len(drawing.src)) if drawing.enabled[k] or disabled == "dashed"]
    key = _legend(drawing, drawn, show_activations) if legend else {}
    graph = graphviz.Digraph(
        name="network",
        graph_attr={"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.6", **key, **dict(graph_attr or {})},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"arrowsize": "0.6"},
    )
    groups: dict[str, list[int]] = {"inputs": [], "outputs": []}
    for i, node_id in enumerate(drawing.ids):
        kind = drawing.kinds[i]
        label = graphviz.escape(names.get(node_id, str(node_id)))
        tooltip = f"node {node_id} ({kind})"
        if node_id in names:
            tooltip += f": {graphviz.escape(names[node_id])}"
        if kind != "input":
            if show_activations:
                label += f"\\n{graphviz.escape(drawing.activation[i])}"
            tooltip += (
                f"\\nactivation {drawing.activation[i]}\\naggregation {drawing.aggregation[i]}"
                f"\\nbias {drawing.bias[i]:.4g}\\nresponse {drawing.response[i]:.4g}"
            )
        attrs = {**_NODE_STYLE[kind], "label": label, "tooltip": tooltip}
        if kind == "input":
            groups["inputs"].append(node_id)
        elif kind == "output":
            groups["outputs"].append(node_id)
        elif drawing.rank[i] >= 0:
            groups.setdefault(f"depth_{drawing.rank[i]}", []).append(node_id)
        graph.node(str(node_id), **attrs)
    for group, members in groups.items():
        if not members:
            continue
        rank = {"inputs": "source", "outputs": "sink"}.get(group, "same")
        with graph.subgraph(name=group) as sub:
            sub.attr(rank=rank)
            for node_id in members:
                sub.node(str(node_id))
            if group in ("inputs", "outputs"):
                # Invisible edges within the rank keep inputs and outputs in their order
                # (observation / action order), which dot would otherwise shuffle.
                for a, b in zip(members, members[1:]):
                    sub.edge(str(a), str(b), style="invis")

    largest = max((abs(drawing.weight[k]) for k in drawn), default=0.0)
    for k in drawn:
        w = drawing.weight[k]
        width = 0.5 + 3.5 * abs(w) / largest if largest > 0 else 1.0
        innovation = drawing.innovation[k]
        tooltip = f"{drawing.src[k]} -> {drawing.dst[k]}: weight {w:.4g}"
        if innovation is not None:
            tooltip += f" (innovation {innovation})"
        attrs = {"penwidth": f"{width:.3g}", "tooltip": tooltip}
        if drawing.enabled[k]:
            attrs["color"] = POSITIVE if w > 0 else NEGATIVE if w < 0 else ZERO
        else:
            attrs.update(color=DISABLED, fontcolor=DISABLED, style="dashed", constraint="false")
            attrs["tooltip"] += ", disabled"
        if show_weights:
            attrs["label"] = f"{w:.3g}"
            attrs["fontsize"] = "9"
        graph.edge(str(drawing.src[k]), str(drawing.dst[k]), **attrs)
    return graph


def _legend(drawing: _Drawing, drawn: list[int], show_activations: bool) -> dict[str, str]:
    """Graph attributes for a key under the picture, naming only what it shows."""
    shapes = ["boxes: inputs", "double ovals: outputs"]
    if "hidden" in drawing.kinds:
        shapes.append("single ovals: hidden nodes (named by node id)")
    lines = [", ".join(shapes)]
    if show_activations and len(drawing.kinds) > drawing.num_inputs:
        lines[0] += "; below a name: the node's activation function"
    if drawn:
        edges = "edges: green = positive weight, red = negative, thicker = larger |weight|"
        if not all(drawing.enabled[k] for k in drawn):
            edges += ", dashed grey = disabled"
        lines.append(edges)
    label = "".join(graphviz.escape(line) + "\\l" for line in lines)  # \l: left-justified lines
    return {"label": label, "labelloc": "b", "labeljust": "l", "fontname": "Helvetica", "fontsize": "9",
            "fontcolor": "#555555"}


# --- rendering ----------------------------------------------------------------
def _render_format(path: Path, format: str | None) -> str:
    fmt = (format if format is not None else path.suffix.lstrip(".")).lower()
    if fmt not in (*RENDER_FORMATS, "dot", "gv"):
        where = f"format {format!r}" if format is not None else f"the suffix of {str(path)!r}"
        raise ConfigError(f"cannot render to {where}: give a path ending in .svg, .png, .pdf or .dot, or format=")
    return fmt


def render(graph: graphviz.Digraph | graphviz.Graph | graphviz.Source | str, path: str | PathLike[str], *,
           format: str | None = None) -> Path:
    """Lay out ``graph`` with Graphviz ``dot`` and write it to ``path``, atomically.

    Parameters
    ----------
    graph
        A drawing from ``draw_net`` (any ``graphviz`` graph), or DOT text.
    path
        Where to write.  Missing parent directories are made.
    format
        ``"svg"``, ``"png"`` or ``"pdf"`` (laid out), or ``"dot"`` / ``"gv"``
        (the DOT text, no Graphviz needed); by default taken from the suffix of ``path``.

    Returns
    -------
    pathlib.Path
        ``path``.

    The system ``dot`` is used when it is on ``PATH``; otherwise pygraphviz
    (``pip install "neatlab[render]"``, which bundles Graphviz).

    Raises
    ------
    ConfigError
        The format is not one of those above.
    RenderError
        Neither ``dot`` nor pygraphviz is available: the DOT text is then written
        next to ``path`` (``path.with_suffix(".dot")``) and the message names that
        file and what to install.  Also raised when Graphviz fails on the graph.
    """
    path = Path(path)
    fmt = _render_format(path, format)
    source = graph if isinstance(graph, str) else graph.source
    if fmt in ("dot", "gv"):
        atomic_write_text(path, source)
        return path
    if shutil.which("dot"):
        atomic_write_bytes(path, _render_with_dot(source, fmt))
        return path
    try:
        import pygraphviz
    except ImportError:
        dot_path = path.with_suffix(".dot")
        atomic_write_text(dot_path, source)
        raise RenderError(
            f"cannot render {str(path)!r}: neither the Graphviz `dot` program nor pygraphviz is available. "
            f"The DOT source was written to {str(dot_path)!r}. To render, {INSTALL_HINT}."
        ) from None
    atomic_write_bytes(path, _render_with_pygraphviz(pygraphviz, source, fmt))
    return path


def _render_with_dot(source: str, fmt: str) -> bytes:
    try:
        return graphviz.Source(source).pipe(format=fmt, engine="dot")
    except graphviz.ExecutableNotFound as exc:  # dot vanished between which() and the call
        raise RenderError(f"the Graphviz `dot` program could not be run ({exc}); {INSTALL_HINT}") from None
    except graphviz.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip() if isinstance(exc.stderr, bytes) else exc.stderr
        raise RenderError(f"Graphviz `dot` failed to render the graph as {fmt}: {detail or exc}") from None


def _render_with_pygraphviz(pygraphviz: Any, source: str, fmt: str) -> bytes:
    try:
        agraph = pygraphviz.AGraph(string=source)
        agraph.layout(prog="dot")
        data = agraph.draw(format=fmt)
    except (OSError, ValueError, TypeError) as exc:
        raise RenderError(f"pygraphviz failed to render the graph as {fmt}: {exc}") from None
    if not data:
        raise RenderError(f"pygraphviz produced no {fmt} output for the graph")
    return data
