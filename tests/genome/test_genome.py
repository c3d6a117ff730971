import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neat import Config, Genome, InnovationTracker, InvalidGenomeError, NodeKind, make_rng, new_genome, new_genomes
from neat.genome.topology import start_connections
from neat.testing import genome_families, grown_genomes

from ..helpers import XOR, hand_genome

IN, OUT, HID = NodeKind.INPUT, NodeKind.OUTPUT, NodeKind.HIDDEN
BASE_NODES = [(0, IN), (1, IN), (2, OUT)]


def test_valid_hand_built_genome():
    g = hand_genome(XOR, BASE_NODES + [(3, HID)], [(0, 0, 2, 0.5, True), (1, 0, 3, 1.0, True), (2, 3, 2, -1.0, False)])
    assert g.size() == (1, 2)
    assert g.input_ids.tolist() == [0, 1] and g.output_ids.tolist() == [2] and g.hidden_ids.tolist() == [3]


@pytest.mark.parametrize(
    "nodes, conns, message",
    [
        (BASE_NODES + [(4, HID), (3, HID)], [], "node ids must be unique and ascending.*not sorted"),
        (BASE_NODES + [(3, HID), (3, HID)], [], "node ids must be unique and ascending.*duplicated"),
        ([(0, IN), (1, IN)], [], "needs at least 2 inputs \\+ 1 outputs"),
        ([(0, IN), (1, OUT), (2, OUT)], [], "node 1 at position 1 is output but must be input"),
        ([(0, IN), (1, IN), (5, OUT)], [], "input/output node at position 2 has id 5, expected 2"),
        (BASE_NODES + [(3, OUT)], [], "node 3 at position 3 is output but must be hidden"),
        (BASE_NODES, [(1, 0, 2, 0.1, True), (0, 1, 2, 0.1, True)], "innovation numbers .* not sorted"),
        (BASE_NODES, [(1, 0, 2, 0.1, True), (1, 1, 2, 0.1, True)], "innovation numbers .* duplicated"),
        (BASE_NODES, [(0, 0, 9, 0.1, True)], "target node 9 does not exist"),
        (BASE_NODES, [(0, 7, 2, 0.1, True)], "source node 7 does not exist"),
        (BASE_NODES, [(0, 2, 1, 0.1, True)], "ends in input node 1"),
        (BASE_NODES, [(0, 0, 2, 0.1, True), (5, 0, 2, 0.3, False)], "two connections join 0 -> 2"),
        (BASE_NODES + [(3, HID)], [(0, 2, 3, 1.0, True), (1, 3, 2, 1.0, True)], "cycle of enabled connections"),
        (BASE_NODES, [(0, 2, 2, 1.0, True)], "cycle of enabled connections"),
        (BASE_NODES, [(0, 0, 2, np.nan, True)], "weight nan"),
        (BASE_NODES, [(0, 0, 2, 31.0, True)], r"weight 31.0; allowed: finite and in \[-30.0, 30.0\]"),
    ],
)
def test_each_invariant_is_named(nodes, conns, message):
    with pytest.raises(InvalidGenomeError, match=message):
        hand_genome(XOR, nodes, conns)


def test_cycle_through_disabled_connection_is_allowed():
    g = hand_genome(XOR, BASE_NODES + [(3, HID)], [(0, 2, 3, 1.0, True), (1, 3, 2, 1.0, False)])
    assert g.is_valid()


def test_recurrent_config_allows_cycles():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, "feed_forward": False})
    g = hand_genome(cfg, BASE_NODES + [(3, HID)], [(0, 2, 3, 1.0, True), (1, 3, 2, 1.0, True), (2, 3, 3, 0.5, True)])
    assert g.is_valid()


def test_node_attribute_bounds_and_codes():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, "bias_min": -1.0, "bias_max": 1.0})
    g = hand_genome(cfg, BASE_NODES, [], validate=False)
    bad_bias = g.replace(nodes=g.nodes._replace(bias=np.array([0.0, 0.0, 2.0])))
    with pytest.raises(InvalidGenomeError, match=r"node 2 has bias 2.0; allowed: \[-1.0, 1.0\]"):
        bad_bias.validate()
    bad_code = g.replace(nodes=g.nodes._replace(activation=np.array([0, 0, 3], dtype=np.int16)))
    with pytest.raises(InvalidGenomeError, match="activation code 3"):
        bad_code.validate()
    inf_resp = g.replace(nodes=g.nodes._replace(response=np.array([1.0, np.inf, 1.0])))
    with pytest.raises(InvalidGenomeError, match="response inf; must be finite"):
        inf_resp.validate()


def test_bad_array_shapes_and_fields():
    with pytest.raises(InvalidGenomeError, match="equal lengths"):
        Genome(XOR, {"id": [0, 1, 2], "kind": [0, 0], "bias": [0] * 3, "response": [1] * 3, "activation": [0] * 3,
                     "aggregation": [0] * 3}, {"innovation": [], "src": [], "dst": [], "weight": [], "enabled": []})
    with pytest.raises(InvalidGenomeError, match="must be 1-D"):
        Genome(XOR, {"id": [[0, 1, 2]], "kind": [0, 0, 1], "bias": [0] * 3, "response": [1] * 3,
                     "activation": [0] * 3, "aggregation": [0] * 3},
               {"innovation": [], "src": [], "dst": [], "weight": [], "enabled": []})


def test_missing_connection_field_is_named():
    nodes = hand_genome(XOR, BASE_NODES, []).nodes
    with pytest.raises(InvalidGenomeError, match="missing: weight"):
        Genome(XOR, nodes, {"innovation": [], "src": [], "dst": [], "enabled": []})
    with pytest.raises(InvalidGenomeError, match="cannot be read as int64"):
        Genome(XOR, nodes, {"innovation": [0.5], "src": [0], "dst": [2], "weight": [1.0], "enabled": [True]})


def test_genome_is_immutable_and_copies_its_input():
    src = np.array([0])
    g = hand_genome(XOR, BASE_NODES, [(0, 0, 2, 0.5, True)])
    with pytest.raises(AttributeError):
        g.nodes = None
    with pytest.raises(ValueError):
        g.conns.weight[0] = 3.0
    arrays = {"innovation": [0], "src": src, "dst": [2], "weight": [0.5], "enabled": [True]}
    g2 = Genome(XOR, g.nodes, arrays)
    src[0] = 1
    assert g2.conns.src[0] == 0


@pytest.mark.parametrize(
    "initial, hidden, expected",
    [
        ("full", (), 3 * 2),
        ("full", (4,), 3 * 4 + 4 * 2),
        ("full", (4, 5), 3 * 4 + 4 * 5 + 5 * 2),
        ("full_direct", (4,), 3 * 4 + 3 * 2 + 4 * 2),
        ("none", (4,), 0),
    ],
)
def test_start_topologies(initial, hidden, expected):
    cfg = Config(genome={"num_inputs": 3, "num_outputs": 2, "hidden_layers": hidden, "initial_connection": initial})
    tracker = InnovationTracker.for_config(cfg)
    g = new_genome(cfg, tracker, make_rng(0)).validate()
    assert g.num_connections == expected == g.num_enabled
    assert g.num_hidden == sum(hidden)
    assert tracker.next_node_id == 5 + sum(hidden)
    if hidden and initial == "full":
        # layered: every hidden node of layer 1 is fed by every input and feeds layer 2 or the outputs
        first = set(range(5, 5 + hidden[0]))
        assert set(g.conns.dst[np.isin(g.conns.src, [0, 1, 2])].tolist()) == first


def test_partial_start_topology_keeps_a_fraction():
    cfg = Config(genome={"num_inputs": 20, "num_outputs": 10, "initial_connection": "partial", "connection_fraction": 0.3})
    tracker = InnovationTracker.for_config(cfg)
    genomes = new_genomes(cfg, tracker, make_rng(1), 20)
    fractions = [g.num_connections / 200 for g in genomes]
    assert 0.2 < np.mean(fractions) < 0.4
    assert len({g.num_connections for g in genomes}) > 1
    # all genomes share the innovation numbers of the full candidate set
    src, dst = start_connections(cfg.genome)
    assert len(tracker) == len(src) == 200
    for g in genomes:
        assert np.array_equal(g.conns.innovation, np.array([tracker.innovation(s, d) for s, d in zip(g.conns.src, g.conns.dst)]))


def test_full_topology_genomes_share_structure_arrays():
    cfg = Config(genome={"num_inputs": 50, "num_outputs": 4, "hidden_layers": (64,)})
    a, b = new_genomes(cfg, InnovationTracker.for_config(cfg), make_rng(2), 2)
    assert a.conns.src is b.conns.src and a.conns.innovation is b.conns.innovation
    assert not np.array_equal(a.conns.weight, b.conns.weight)


@pytest.mark.parametrize("initial", ["full", "full_direct", "partial_direct"])
def test_fan_in_scaling_divides_start_weights_by_the_root_of_the_target_fan_in(initial):
    plain = Config(genome={"num_inputs": 9, "num_outputs": 2, "hidden_layers": (4,), "initial_connection": initial,
                           "connection_fraction": 0.5})
    scaled = plain.replace(genome={"weight_init_scaling": "fan_in"})
    a = new_genome(plain, InnovationTracker.for_config(plain), make_rng(5))
    b = new_genome(scaled, InnovationTracker.for_config(scaled), make_rng(5))
    assert np.array_equal(a.conns.dst, b.conns.dst)
    src, dst = start_connections(plain.genome)  # fan-in of the candidate start topology
    fan_in = {int(d): int(np.sum(dst == d)) for d in np.unique(dst)}
    expected = a.conns.weight / np.sqrt([fan_in[int(d)] for d in a.conns.dst])
    np.testing.assert_allclose(b.conns.weight, expected, rtol=1e-15)
    assert np.array_equal(a.nodes.bias, b.nodes.bias)


def test_output_activation_and_random_default():
    cfg = Config(genome={"activation_options": ("relu", "tanh", "sigmoid"), "activation_default": "relu",
                         "output_activation": "tanh", "hidden_layers": (3,)})
    g = new_genome(cfg, InnovationTracker.for_config(cfg), make_rng(3))
    names = g.activation_names()
    assert names[2] == "tanh" and names[3:] == ["relu"] * 3
    cfg_random = cfg.replace(genome={"activation_default": "random", "output_activation": None, "hidden_layers": (40,)})
    g = new_genome(cfg_random, InnovationTracker.for_config(cfg_random), make_rng(3))
    assert set(g.activation_names()[3:]) == {"relu", "tanh", "sigmoid"}


@given(grown_genomes())
def test_grown_genomes_are_valid(genome):
    genome.validate()


@given(grown_genomes())
def test_networkx_export_matches_arrays(genome):
    graph = genome.to_networkx()
    assert sorted(graph.nodes) == genome.nodes.id.tolist()
    assert graph.number_of_edges() == genome.num_connections
    for k in range(genome.num_connections):
        data = graph.edges[int(genome.conns.src[k]), int(genome.conns.dst[k])]
        assert data["innovation"] == genome.conns.innovation[k]
        assert data["weight"] == genome.conns.weight[k]
        assert data["enabled"] == genome.conns.enabled[k]


@given(genome_families(Config(genome={"num_inputs": 3, "num_outputs": 2}, mutation={"node_add_prob": 0.5, "conn_add_prob": 0.5})))
def test_feed_forward_genomes_topological_order_agrees_with_networkx(family):
    import networkx as nx

    from neat.genome.graph import longest_path_depths

    for g in family.genomes:
        graph = g.to_networkx(enabled_only=True)
        assert nx.is_directed_acyclic_graph(graph)
        on = g.conns.enabled
        depth = longest_path_depths(g.num_nodes, g.node_index(g.conns.src[on]), g.node_index(g.conns.dst[on]))
        by_id = dict(zip(g.nodes.id.tolist(), depth.tolist()))
        for a, b in graph.edges:
            assert by_id[a] < by_id[b]
        assert max(by_id.values()) == (nx.dag_longest_path_length(graph, weight="_unit") if graph.number_of_edges() else 0)


def test_describe_lists_genes():
    g = new_genome(XOR, InnovationTracker.for_config(XOR), make_rng(0))
    text = str(g)
    assert "innov" in text and "0 -> 2" in text and "output" in text


# --- the dict form: every field's type is checked -------------------------------------------------
GENE_FIELDS = {
    "nodes": {"id": "integer", "kind": "kind", "bias": "number", "response": "number", "activation": "name",
              "aggregation": "name", "time_constant": "number"},
    "connections": {"innovation": "integer", "src": "integer", "dst": "integer", "weight": "number",
                    "enabled": "boolean"},
}
_NUMBER_TEXT = st.floats(allow_nan=False, allow_infinity=False).map(str)
WRONG = {
    "integer": st.one_of(_NUMBER_TEXT, st.booleans(), st.none(), st.just([1]), st.just({}),
                         st.floats(allow_nan=False, allow_infinity=False)),  # 1.0 included: not an integer
    "number": st.one_of(_NUMBER_TEXT, st.booleans(), st.none(), st.just([0.5]), st.just({"value": 0.5})),
    "boolean": st.one_of(st.integers(0, 1), st.sampled_from(["true", "false"]), st.none(), st.floats()),
    "kind": st.one_of(st.integers(0, 2), st.none(), st.booleans(), st.sampled_from(["Input", "bias", ""])),
    "name": st.one_of(st.integers(0, 3), st.none(), st.booleans(), st.floats(), st.just(["sum"])),
}


@given(grown_genomes(), st.data())
def test_a_field_of_the_wrong_type_is_named_and_the_valid_dict_round_trips(genome, data):
    assert Genome.from_dict(genome.to_dict()) == genome
    group = data.draw(st.sampled_from(["nodes", "connections"] if genome.num_connections else ["nodes"]))
    field = data.draw(st.sampled_from(sorted(GENE_FIELDS[group])))
    size = genome.num_nodes if group == "nodes" else genome.num_connections
    index = data.draw(st.integers(0, size - 1))
    value = data.draw(WRONG[GENE_FIELDS[group][field]])
    bad = genome.to_dict()
    bad[group][field][index] = value
    with pytest.raises(InvalidGenomeError, match=re.escape(f"genome {group}.{field}[{index}] is ")):
        Genome.from_dict(bad)


def test_a_weight_given_as_text_is_an_error_naming_the_field():
    g = new_genome(XOR, InnovationTracker.for_config(XOR), make_rng(0))
    data = g.to_dict()
    data["connections"]["weight"][1] = "0.5"
    with pytest.raises(InvalidGenomeError, match=re.escape(
            "genome connections.weight[1] is '0.5' (a string); expected a number")):
        Genome.from_dict(data)


@pytest.mark.parametrize(
    ("group", "field", "value", "message"),
    [
        ("nodes", "id", 1.0, "nodes.id[0] is 1.0 (a number with a decimal point); expected an integer"),
        ("nodes", "bias", True, "nodes.bias[0] is True (a boolean); expected a number"),
        ("nodes", "response", None, "nodes.response[0] is None (null); expected a number"),
        ("nodes", "kind", 0, "nodes.kind[0] is 0 (an integer); expected one of 'input', 'output', 'hidden'"),
        ("nodes", "activation", 3, "nodes.activation[0] is 3 (an integer); expected a string"),
        ("connections", "enabled", 1, "connections.enabled[0] is 1 (an integer); expected true or false"),
        ("connections", "src", "0", "connections.src[0] is '0' (a string); expected an integer"),
        ("connections", "innovation", 0.5, "connections.innovation[0] is 0.5 (a number); expected an integer"),
    ],
)
def test_wrong_types_are_described_in_jsons_words(group, field, value, message):
    data = new_genome(XOR, InnovationTracker.for_config(XOR), make_rng(0)).to_dict()
    data[group][field][0] = value
    with pytest.raises(InvalidGenomeError, match=re.escape(message)):
        Genome.from_dict(data)


def test_unknown_missing_and_malformed_fields_are_named():
    from neat.genome.genes import ConnectionGenes, NodeGenes

    assert tuple(GENE_FIELDS["nodes"]) == NodeGenes._fields  # the fields the tests here vary are all of them
    assert tuple(GENE_FIELDS["connections"]) == ConnectionGenes._fields
    g = new_genome(XOR, InnovationTracker.for_config(XOR), make_rng(0))
    cases = [
        (lambda d: d["connections"].pop("weight"), "genome connections lacks the field 'weight'"),
        (lambda d: d["connections"].update(wieght=[1.0]), "genome connections has the unknown field 'wieght'; did "
                                                           "you mean 'weight'?"),
        (lambda d: d["nodes"].update(colour=["red"]), "genome nodes has the unknown field 'colour'"),
        (lambda d: d.pop("nodes"), "genome lacks the field 'nodes'"),
        (lambda d: d.update(fitness=3.0), "genome has the unknown field 'fitness'"),
        (lambda d: d.update(nodes=[1, 2]), "genome nodes is an array; expected an object of the fields id, kind"),
        (lambda d: d["connections"].update(weight=0.5), "genome connections.weight is 0.5 (a number); expected an "
                                                        "array of entries, each a number"),
        (lambda d: d["connections"]["weight"].append(0.5), "genome connections fields must have one entry per gene"),
        (lambda d: d["nodes"]["activation"].__setitem__(2, "relu"), "genome nodes.activation[2]: 'relu' is not "
                                                                    "among activation_options"),
    ]
    for change, message in cases:
        data = g.to_dict()
        change(data)
        with pytest.raises(InvalidGenomeError, match=re.escape(message)):
            Genome.from_dict(data)
    data = g.to_dict()
    del data["key"]  # the key may be left out
    assert Genome.from_dict(data) == g.with_key(None)
