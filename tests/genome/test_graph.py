import networkx as nx
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neat.genome.graph import (
    _depths_small,
    _depths_vectorized,
    _reachable_small,
    _reachable_vectorized,
    creates_cycle,
    is_acyclic,
    longest_path_depths,
    reachable_from,
)


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 12))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=30))
    if draw(st.booleans()):  # bias toward DAGs half the time
        edges = [(a, b) for a, b in edges if a < b]
    src = np.array([a for a, _ in edges], dtype=np.int64)
    dst = np.array([b for _, b in edges], dtype=np.int64)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)
    return n, src, dst, graph


@given(graphs())
def test_acyclicity_matches_networkx(case):
    n, src, dst, graph = case
    assert is_acyclic(n, src, dst) == nx.is_directed_acyclic_graph(graph)


@given(graphs())
def test_depths_are_longest_paths_and_give_a_topological_order(case):
    n, src, dst, graph = case
    depth = longest_path_depths(n, src, dst)
    if not nx.is_directed_acyclic_graph(graph):
        assert (depth < 0).any()
        return
    for v in range(n):
        assert depth[v] == max((depth[u] + 1 for u in graph.predecessors(v)), default=0)
    order = np.argsort(depth, kind="stable")
    position = np.empty(n, dtype=int)
    position[order] = np.arange(n)
    assert all(position[a] < position[b] for a, b in graph.edges)


@given(graphs(), st.data())
def test_reachability_and_cycle_creation(case, data):
    n, src, dst, graph = case
    start = data.draw(st.integers(0, n - 1))
    assert set(np.flatnonzero(reachable_from(n, src, dst, start)).tolist()) == nx.descendants(graph, start) | {start}
    if nx.is_directed_acyclic_graph(graph):
        a, b = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
        graph.add_edge(a, b)
        assert creates_cycle(n, src, dst, a, b) == (not nx.is_directed_acyclic_graph(graph))


@given(graphs(), st.data())
def test_list_and_vectorized_forms_agree(case, data):
    n, src, dst, _ = case
    assert np.array_equal(_depths_small(n, src.tolist(), dst.tolist()), _depths_vectorized(n, src, dst))
    start = data.draw(st.integers(0, n - 1))
    assert np.array_equal(_reachable_small(n, src.tolist(), dst.tolist(), start), _reachable_vectorized(n, src, dst, start))


def test_large_graphs_take_the_vectorized_path():
    rng = np.random.default_rng(0)
    n = 400
    src = rng.integers(0, n - 1, 2000)
    dst = np.minimum(src + 1 + rng.integers(0, 20, 2000), n - 1)
    graph = nx.DiGraph(list(zip(src.tolist(), dst.tolist())))
    graph.add_nodes_from(range(n))
    depth = longest_path_depths(n, src, dst)
    assert depth.max() == nx.dag_longest_path_length(graph, weight="_unit")
    assert set(np.flatnonzero(reachable_from(n, src, dst, 0)).tolist()) == nx.descendants(graph, 0) | {0}
