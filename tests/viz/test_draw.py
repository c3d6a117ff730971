"""Drawing genomes and networks: DOT structure, pruning, names, networkx export, rendering."""

import re
import shutil
import subprocess
import sys

import graphviz
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neat
from neat import Config, ConfigError, RenderError
from neat.nn import FeedForwardNetwork, compile
from neat.testing import configs, genome_families, grown_genomes
from neat.viz.draw import draw_net, render

from ..helpers import XOR, hand_genome

RECURRENT = Config(genome={"num_inputs": 2, "num_outputs": 1, "feed_forward": False})


def parse(dot):
    """The drawing as read back by Graphviz's own parser (pygraphviz).

    Returns nodes ``{name: attrs}``, the visible edges ``[(src, dst, attrs)]``
    and the subgraphs ``{name: (rank, {node names})}``.
    """
    pgv = pytest.importorskip("pygraphviz")
    agraph = pgv.AGraph(string=dot)
    nodes = {str(n): dict(n.attr) for n in agraph.nodes()}
    edges = [(str(e[0]), str(e[1]), dict(e.attr)) for e in agraph.edges() if e.attr.get("style") != "invis"]
    groups = {str(sg.name): (sg.graph_attr.get("rank"), {str(n) for n in sg.nodes()}) for sg in agraph.subgraphs()}
    return nodes, edges, groups


def ids(values):
    return {str(int(v)) for v in values}


def group_of(groups, node):
    return next(name for name, (_, members) in groups.items() if node in members)


def dead_end_genome():
    """XOR genome: 3 feeds the output, 4 is fed but feeds nothing (dead), 1 -> 2 is disabled."""
    return hand_genome(
        XOR,
        [(0, 0), (1, 0), (2, 1), (3, 2), (4, 2)],
        [(0, 0, 2, 0.5, True), (1, 1, 2, -1.5, False), (2, 0, 3, 1.0, True), (3, 3, 2, -0.7, True),
         (4, 1, 4, 2.0, True)],
    )


@st.composite
def grown(draw, feed_forward=None):
    config = draw(configs(feed_forward=feed_forward))
    if draw(st.booleans()):
        return draw(grown_genomes(config))
    return draw(st.sampled_from(draw(genome_families(config)).genomes))


# --- DOT structure ------------------------------------------------------------
@given(grown(), st.sampled_from(["dashed", "hidden"]))
def test_every_connection_is_an_edge_and_inputs_outputs_have_their_ranks(genome, disabled):
    nodes, edges, groups = parse(draw_net(genome, disabled=disabled).source)
    assert set(nodes) == ids(genome.nodes.id)
    c = genome.conns
    shown = c.enabled | (disabled == "dashed")
    want = sorted(zip(c.src[shown].astype(str), c.dst[shown].astype(str)))
    assert sorted((s, d) for s, d, _ in edges) == want
    dashed = sorted((s, d) for s, d, attrs in edges if attrs.get("style") == "dashed")
    off = ~c.enabled if disabled == "dashed" else np.zeros_like(c.enabled)
    assert dashed == sorted(zip(c.src[off].astype(str), c.dst[off].astype(str)))
    assert groups["inputs"] == ("source", ids(genome.input_ids))
    assert groups["outputs"] == ("sink", ids(genome.output_ids))
    for name, (rank, members) in groups.items():
        if name not in ("inputs", "outputs"):
            assert rank == "same" and members <= ids(genome.hidden_ids)


@given(grown(feed_forward=True))
def test_hidden_nodes_are_grouped_by_the_compilers_layers(genome):
    net = compile(genome)
    _, _, groups = parse(draw_net(genome).source)
    layer = np.searchsorted(net.layer_bounds, np.arange(net.num_nodes), side="right")
    hidden = set(genome.hidden_ids.tolist())
    for index, node_id in enumerate(net.node_ids.tolist()):
        if node_id in hidden:
            assert group_of(groups, str(node_id)) == f"depth_{layer[index]}"


@given(grown())
def test_pruned_drawing_is_what_compile_keeps(genome):
    net = compile(genome)
    kept = ids(net.node_ids)
    want_edges = sorted(zip(net.node_ids[net.edge_src].astype(str), net.node_ids[net.edge_dst].astype(str)))
    for drawing in (draw_net(genome, prune=True), draw_net(net)):
        nodes, edges, groups = parse(drawing.source)
        assert set(nodes) == kept
        assert sorted((s, d) for s, d, _ in edges) == want_edges
        assert not any(attrs.get("style") == "dashed" for *_, attrs in edges)
        assert groups["inputs"][1] == ids(genome.input_ids)
        assert groups["outputs"][1] == ids(genome.output_ids)
    pruned = draw_net(genome, prune=True).source
    assert parse(pruned)[2] == parse(draw_net(net).source)[2]  # same rank groups from genome and network


@pytest.mark.parametrize("rankdir, axis, sign", [("LR", 1, -1), ("TB", 0, 1)])
def test_inputs_and_outputs_keep_their_order_in_the_layout(rankdir, axis, sign):
    pgv = pytest.importorskip("pygraphviz")
    config = Config(genome={"num_inputs": 5, "num_outputs": 3})
    genome = neat.new_genome(config, neat.InnovationTracker.for_config(config), neat.make_rng(0))
    agraph = pgv.AGraph(string=draw_net(genome, rankdir=rankdir).source)
    agraph.layout(prog="dot")
    for members in (genome.input_ids, genome.output_ids):
        coords = [sign * float(agraph.get_node(str(i)).attr["pos"].split(",")[axis]) for i in members.tolist()]
        assert coords == sorted(coords) and len(set(coords)) == len(coords)


def test_prune_drops_a_hidden_node_that_reaches_no_output():
    genome = dead_end_genome()
    nodes, edges, _ = parse(draw_net(genome).source)
    assert set(nodes) == {"0", "1", "2", "3", "4"}
    assert ("1", "4") in [(s, d) for s, d, _ in edges]
    nodes, edges, _ = parse(draw_net(genome, prune=True).source)
    assert set(nodes) == {"0", "1", "2", "3"}
    assert sorted((s, d) for s, d, _ in edges) == [("0", "2"), ("0", "3"), ("3", "2")]


def test_disabled_connections_dashed_grey_or_hidden():
    genome = dead_end_genome()
    _, edges, _ = parse(draw_net(genome).source)
    (disabled,) = [attrs for s, d, attrs in edges if (s, d) == ("1", "2")]
    assert disabled["style"] == "dashed" and disabled["constraint"] == "false"
    assert disabled["color"] == "#9e9e9e"
    _, edges, _ = parse(draw_net(genome, disabled="hidden").source)
    assert ("1", "2") not in [(s, d) for s, d, _ in edges]


def test_edge_colour_by_sign_and_width_by_magnitude():
    _, edges, _ = parse(draw_net(dead_end_genome(), show_weights=True).source)
    attrs = {(s, d): a for s, d, a in edges}
    assert attrs[("0", "2")]["color"] == "#2e7d32"  # +0.5
    assert attrs[("3", "2")]["color"] == "#c62828"  # -0.7
    widths = {k: float(a["penwidth"]) for k, a in attrs.items()}
    assert widths[("1", "4")] > widths[("3", "2")] > widths[("0", "2")]  # |2.0| > |-0.7| > |0.5|
    assert attrs[("3", "2")]["label"] == "-0.7"


def test_nodes_styled_by_kind_with_activation_in_label_and_tooltip():
    nodes, _, _ = parse(draw_net(dead_end_genome()).source)
    assert nodes["0"]["shape"] == "box"
    assert nodes["2"]["peripheries"] == "2"
    assert nodes["3"]["label"] == "3\\nneat_sigmoid"
    assert "bias 0" in nodes["3"]["tooltip"] and "activation neat_sigmoid" in nodes["3"]["tooltip"]
    nodes, _, _ = parse(draw_net(dead_end_genome(), show_activations=False).source)
    assert nodes["3"]["label"] == "3"


def test_names_for_inputs_then_outputs_or_by_id():
    genome = dead_end_genome()
    nodes, _, _ = parse(draw_net(genome, node_names=["cart x", 'say "hi"', "push"]).source)
    assert nodes["0"]["label"] == "cart x"
    assert nodes["1"]["label"] == 'say "hi"'
    assert nodes["2"]["label"].startswith("push\\n")
    nodes, _, _ = parse(draw_net(genome, node_names={3: "h", np.int64(1): "b"}, show_activations=False).source)
    assert (nodes["3"]["label"], nodes["1"]["label"], nodes["0"]["label"]) == ("h", "b", "0")
    # a name for a node the pruned view drops is fine
    draw_net(genome, prune=True, node_names={4: "dead"})
    draw_net(compile(genome), node_names={4: "dead"})


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"node_names": ["a", "b"]}, "2 names but the network has 2 inputs and 1 outputs"),
        ({"node_names": "abc"}, "mapping of node id to name"),
        ({"node_names": {99: "x"}}, "node 99"),
        ({"node_names": {"0": "x"}}, "node ids"),
        ({"disabled": "dotted"}, "disabled must be one of"),
        ({"rankdir": "up"}, "rankdir must be one of"),
    ],
)
def test_bad_options_are_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        draw_net(dead_end_genome(), **kwargs)


@pytest.mark.parametrize("thing", [None, "genome", neat.Config(), [1, 2]])
def test_only_genomes_and_networks_are_drawn(thing):
    with pytest.raises(ConfigError, match="draws a neat.Genome or a compiled network"):
        draw_net(thing)


def test_recurrent_genome_and_network_with_cycles_and_self_loops():
    genome = hand_genome(
        RECURRENT,
        [(0, 0), (1, 0), (2, 1), (3, 2), (4, 2)],
        [(0, 0, 3, 1.0, True), (1, 3, 4, 1.0, True), (2, 4, 3, -1.0, True), (3, 4, 2, 0.5, True),
         (4, 2, 2, 0.3, True), (5, 1, 2, 0.2, True)],
    )
    net = compile(genome)
    assert not isinstance(net, FeedForwardNetwork)
    for drawing in (draw_net(genome), draw_net(net)):
        nodes, edges, groups = parse(drawing.source)
        assert set(nodes) == {"0", "1", "2", "3", "4"}
        assert ("2", "2") in [(s, d) for s, d, _ in edges]
        assert not any({"3", "4"} & members for _, (_, members) in groups.items())  # on a cycle: dot places them


def test_graph_attr_overrides_and_source_is_dot_text():
    drawing = draw_net(dead_end_genome(), graph_attr={"rankdir": "TB", "dpi": "72"}, rankdir="LR")
    assert isinstance(drawing, graphviz.Digraph)
    assert drawing.source.startswith("digraph")
    assert re.search(r"rankdir=TB", drawing.source) and "dpi=72" in drawing.source


def test_import_neat_loads_no_drawing_or_plotting_code():
    code = (
        "import sys, neat\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('graphviz', 'pygraphviz', 'matplotlib')"
        " or m in ('neat.visualize', 'neat.plot')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- networkx -----------------------------------------------------------------
@given(grown())
def test_genome_to_networkx_matches_the_genes(genome):
    graph = genome.to_networkx()
    assert sorted(graph.nodes) == genome.nodes.id.tolist()
    acts, aggs = genome.activation_names(), genome.aggregation_names()
    for i, node_id in enumerate(genome.nodes.id.tolist()):
        data = graph.nodes[node_id]
        assert data["kind"] == neat.NodeKind(int(genome.nodes.kind[i])).name.lower()
        assert data["bias"] == genome.nodes.bias[i] and data["response"] == genome.nodes.response[i]
        assert (data["activation"], data["aggregation"]) == (acts[i], aggs[i])
    c = genome.conns
    assert sorted(graph.edges) == sorted(zip(c.src.tolist(), c.dst.tolist()))
    for k in range(genome.num_connections):
        data = graph.edges[int(c.src[k]), int(c.dst[k])]
        assert data["weight"] == c.weight[k]
        assert data["enabled"] == bool(c.enabled[k])
        assert data["innovation"] == c.innovation[k]
    enabled = genome.to_networkx(enabled_only=True)
    assert sorted(enabled.edges) == sorted(zip(c.src[c.enabled].tolist(), c.dst[c.enabled].tolist()))


@given(grown())
def test_network_to_networkx_is_the_pruned_genome_graph(genome):
    net = compile(genome)
    got = net.to_networkx()
    want = genome.to_networkx(enabled_only=True).subgraph(net.node_ids.tolist())
    assert set(got.nodes) == set(want.nodes)
    assert set(got.edges) == set(want.edges)
    for u, v in got.edges:
        assert got.edges[u, v]["weight"] == want.edges[u, v]["weight"]
    for node_id, data in got.nodes(data=True):
        assert net.node_ids[data["index"]] == node_id
        for key in ("kind", "bias", "response", "activation", "aggregation"):
            assert data[key] == want.nodes[node_id][key]


# --- rendering ----------------------------------------------------------------
@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """No Graphviz ``dot`` program: an empty PATH, and ``shutil.which`` finds nothing."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_render_with_pygraphviz_when_dot_is_missing(no_dot, tmp_path, suffix):
    pytest.importorskip("pygraphviz")
    path = render(draw_net(dead_end_genome(), node_names=["a", "b", "out"]), tmp_path / "sub" / f"net{suffix}")
    assert path == tmp_path / "sub" / f"net{suffix}"
    data = path.read_bytes()
    if suffix == ".svg":
        text = data.decode()
        assert text.startswith("<?xml") and "<svg" in text and ">out<" in text
    elif suffix == ".png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 100
    else:
        assert data.startswith(b"%PDF")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_render_format_overrides_the_suffix_and_dot_text_needs_no_graphviz(no_dot, tmp_path, monkeypatch):
    pytest.importorskip("pygraphviz")
    path = render(draw_net(dead_end_genome()), tmp_path / "picture", format="svg")
    assert "<svg" in path.read_text()
    monkeypatch.setitem(sys.modules, "pygraphviz", None)
    drawing = draw_net(dead_end_genome())
    assert render(drawing, tmp_path / "net.dot").read_text() == drawing.source
    assert render(drawing.source, tmp_path / "net.gv").read_text() == drawing.source


def test_neither_dot_nor_pygraphviz_writes_the_dot_file_and_says_what_to_install(no_dot, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pygraphviz", None)
    drawing = draw_net(dead_end_genome())
    target = tmp_path / "net.png"
    with pytest.raises(RenderError) as info:
        render(drawing, target)
    dot_file = tmp_path / "net.dot"
    message = str(info.value)
    assert str(dot_file) in message
    assert 'pip install "neatlab[render]"' in message and "`dot`" in message
    assert dot_file.read_text() == drawing.source
    assert not target.exists()


def test_the_dot_program_is_used_when_on_path(tmp_path, monkeypatch):
    calls = []

    def fake_pipe(self, format=None, **kwargs):
        calls.append((format, kwargs.get("engine")))
        return b"<svg>from dot</svg>"

    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: "/usr/bin/dot" if name == "dot" else None)
    monkeypatch.setattr(graphviz.Source, "pipe", fake_pipe)
    monkeypatch.setitem(sys.modules, "pygraphviz", None)
    path = render(draw_net(dead_end_genome()), tmp_path / "net.svg")
    assert path.read_bytes() == b"<svg>from dot</svg>"
    assert calls == [("svg", "dot")]


def test_a_failing_dot_program_is_a_render_error(tmp_path, monkeypatch):
    def failing_pipe(self, format=None, **kwargs):
        raise graphviz.CalledProcessError(1, ["dot"], stderr=b"syntax error in line 1")

    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: "/usr/bin/dot")
    monkeypatch.setattr(graphviz.Source, "pipe", failing_pipe)
    with pytest.raises(RenderError, match="syntax error in line 1"):
        render("digraph {", tmp_path / "net.png")
    assert not (tmp_path / "net.png").exists()


@pytest.mark.parametrize("name, fmt", [("net.jpg", None), ("net", None), ("net.svg", "bmp")])
def test_unknown_render_format_is_a_config_error(tmp_path, name, fmt):
    with pytest.raises(ConfigError, match=r"\.svg, \.png, \.pdf"):
        render(draw_net(dead_end_genome()), tmp_path / name, format=fmt)


@given(grown())
def test_every_drawing_lays_out(genome):
    pgv = pytest.importorskip("pygraphviz")
    agraph = pgv.AGraph(string=draw_net(genome, show_weights=True).source)
    agraph.layout(prog="dot")
    assert all(n.attr["pos"] for n in agraph.nodes())


# --- the key under the picture --------------------------------------------------------------------
def graph_label(drawing):
    pgv = pytest.importorskip("pygraphviz")
    agraph = pgv.AGraph(string=drawing.source)  # kept alive while its attributes are read
    return dict(agraph.graph_attr).get("label") or ""


def test_a_key_under_the_picture_explains_shapes_and_edges_it_shows():
    genome = dead_end_genome()  # hidden nodes, positive and negative weights, a disabled connection
    label = graph_label(draw_net(genome))
    for words in ("boxes: inputs", "double ovals: outputs", "single ovals: hidden nodes",
                  "green = positive weight", "red = negative", "thicker = larger |weight|",
                  "dashed grey = disabled", "activation function"):
        assert words in label
    assert "dashed grey" not in graph_label(draw_net(genome, disabled="hidden"))  # not drawn, not explained
    assert "activation" not in graph_label(draw_net(genome, show_activations=False))
    start = hand_genome(XOR, [(0, 0), (1, 0), (2, 1)], [(0, 0, 2, 0.5, True), (1, 1, 2, -1.5, True)])
    assert "hidden" not in graph_label(draw_net(start))
    assert graph_label(draw_net(genome, legend=False)) == ""
    assert graph_label(draw_net(genome, graph_attr={"label": "mine"})) == "mine"
