"""Draw docs/images/layers.svg: how a feed-forward genome compiles into layers.

The genome is the one of docs/phenotype.md (inputs 0 1, outputs 2 3, hidden 5 6 7);
the layers, indices and pruned nodes are those ``neat.compile`` computes for it.
Needs pygraphviz (the ``render`` extra).  Run from the repository root:

    python docs/images/layers.py
"""

from pathlib import Path

import pygraphviz

import neat

EDGES = [(0, 7), (7, 2), (1, 5), (5, 7), (5, 2), (1, 3), (0, 6)]
IDS, KINDS = [0, 1, 2, 3, 5, 6, 7], [0, 0, 1, 1, 2, 2, 2]

config = neat.Config(genome={"num_inputs": 2, "num_outputs": 2, "initial_connection": "none"})
genome = neat.Genome(
    config,
    nodes={"id": IDS, "kind": KINDS, "bias": [0.0] * 7, "response": [1.0] * 7, "activation": [0] * 7,
           "aggregation": [0] * 7},
    conns={"innovation": list(range(len(EDGES))), "src": [s for s, _ in EDGES], "dst": [d for _, d in EDGES],
           "weight": [1.0] * len(EDGES), "enabled": [True] * len(EDGES)},
)
net = neat.compile(genome)
index_of = {int(node_id): index for index, node_id in enumerate(net.node_ids)}
kind_of = dict(zip(IDS, ("input", "input", "output", "output", "hidden", "hidden", "hidden")))
colour = {"input": "#dbeafe", "output": "#fde68a", "hidden": "#e5e7eb"}

graph = pygraphviz.AGraph(directed=True, strict=True, rankdir="LR", newrank="true", nodesep="0.35",
                          ranksep="0.7", fontname="Helvetica", fontsize="12", bgcolor="white")
graph.node_attr.update(shape="box", style="rounded,filled", fontname="Helvetica", fontsize="11")
graph.edge_attr.update(color="#374151", arrowsize="0.7")
bounds = net.layer_bounds.tolist()
starts = [0, *bounds[:-1]]
for layer, (start, end) in enumerate(zip(starts, bounds)):
    members = [int(node_id) for node_id in net.node_ids[start:end]]
    shape = "inputs" if layer == 0 else f"W_{layer}: {net.layer_shapes[layer - 1]}"
    sub = graph.add_subgraph(
        [f"n{node_id}" for node_id in members], name=f"cluster_{layer}", rank="same",
        label=f"layer {layer}: indices [{start}, {end})\n{shape}", style="rounded,dashed", color="#6b7280",
        fontname="Helvetica", fontsize="11",
    )
    for node_id in members:
        sub.add_node(f"n{node_id}", label=f"id {node_id} → index {index_of[node_id]}\n{kind_of[node_id]}",
                     fillcolor=colour[kind_of[node_id]])
for node_id in net.pruned_ids.tolist():
    graph.add_node(f"n{node_id}", label=f"id {node_id}\npruned: reaches no output", fillcolor="white",
                   style="rounded,dashed", fontcolor="#6b7280", color="#9ca3af")
for src, dst in EDGES:
    pruned = dst in net.pruned_ids.tolist()
    graph.add_edge(f"n{src}", f"n{dst}", **({"style": "dashed", "color": "#9ca3af"} if pruned else {}))

out = Path(__file__).with_name("layers.svg")
graph.draw(str(out), prog="dot", format="svg")
print(f"wrote {out}")
