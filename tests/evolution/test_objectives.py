"""Several objectives: NSGA-II ranks, crowding distance and scores against brute-force references."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neat
from neat.errors import EvaluationError
from neat.evolution import objectives as objectives_module
from neat.evolution.objectives import MultiObjective, crowding_distance, nsga2_scores, pareto_ranks

# --- brute-force references ---------------------------------------------------


def dominates(a, b, maximize) -> bool:
    """Explicit loop: ``a`` no worse in every objective and better in one."""
    better = False
    for x, y, up in zip(a, b, maximize):
        if up:
            x, y = -x, -y
        if x > y:
            return False
        if x < y:
            better = True
    return better


def reference_ranks(values, maximize) -> list[int]:
    """Peel fronts one by one: a front is the remaining genomes no remaining genome dominates."""
    ranks = [-1] * len(values)
    remaining = set(range(len(values)))
    rank = 0
    while remaining:
        front = [i for i in remaining if not any(dominates(values[j], values[i], maximize) for j in remaining)]
        for i in front:
            ranks[i] = rank
        remaining -= set(front)
        rank += 1
    return ranks


def reference_crowding(values, ranks) -> list[float]:
    distance = [0.0] * len(values)
    k = len(values[0]) if len(values) else 0
    for rank in set(ranks):
        front = [i for i in range(len(values)) if ranks[i] == rank]
        for m in range(k):
            ordered = sorted(front, key=lambda i: (values[i][m], i))
            low, high = values[ordered[0]][m], values[ordered[-1]][m]
            distance[ordered[0]] = distance[ordered[-1]] = math.inf
            for n in range(1, len(ordered) - 1):
                if high > low:
                    distance[ordered[n]] += (values[ordered[n + 1]][m] - values[ordered[n - 1]][m]) / (high - low)
    return distance


# Small integers make ties and equal rows (which never dominate each other) common.
element = st.one_of(st.integers(-3, 3).map(float), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))


@st.composite
def problems(draw):
    k = draw(st.integers(1, 4))
    values = draw(hnp.arrays(np.float64, st.tuples(st.integers(0, 30), st.just(k)), elements=element))
    maximize = draw(st.one_of(st.booleans(), st.lists(st.booleans(), min_size=k, max_size=k)))
    return values, maximize


def per_objective(maximize, k):
    return [maximize] * k if isinstance(maximize, bool) else maximize


# --- a hand-checked example (also in docs/objectives.md) -----------------------

# Two objectives, both minimised: (error, connections).
EXAMPLE = np.array([[1, 5], [2, 3], [4, 1], [3, 4], [5, 5], [2, 3], [4, 2]], dtype=float)


def test_hand_checked_example():
    ranks = pareto_ranks(EXAMPLE, maximize=False)
    # 0, 1, 2 and 5 (equal to 1) are non-dominated; 1 dominates 3, 2 dominates 6; 3 dominates 4.
    assert ranks.tolist() == [0, 0, 0, 1, 2, 0, 1]
    crowding = crowding_distance(EXAMPLE, ranks)
    # Front 0 by error: 0 (1), 1 (2), 5 (2), 2 (4), range 3; by connections: 2 (1), 1 (3), 5 (3), 0 (5), range 4.
    expected = [math.inf, 1 / 3 + 2 / 4, math.inf, math.inf, math.inf, 2 / 3 + 2 / 4, math.inf]
    assert crowding.tolist() == pytest.approx(expected)
    scores = nsga2_scores(EXAMPLE, maximize=False)
    inf = 2.5 / 3  # an inf crowding distance counts as k + 0.5, divided by k + 1
    assert scores.tolist() == pytest.approx([inf, (5 / 6) / 3, inf, -1 + inf, -2 + inf, (7 / 6) / 3, -1 + inf])
    # Maximising the negated objectives is the same problem.
    assert pareto_ranks(-EXAMPLE, maximize=[True, True]).tolist() == ranks.tolist()


def test_directions_per_objective():
    values = np.array([[1.0, 1.0], [2.0, 2.0]])
    assert pareto_ranks(values, True).tolist() == [1, 0]
    assert pareto_ranks(values, False).tolist() == [0, 1]
    assert pareto_ranks(values, [True, False]).tolist() == [0, 0]


# --- properties -------------------------------------------------------------------


@given(problems())
def test_ranks_equal_brute_force(problem):
    values, maximize = problem
    k = values.shape[1]
    ranks = pareto_ranks(values, maximize)
    assert ranks.dtype == np.int64 and ranks.shape == (len(values),)
    up = per_objective(maximize, k)
    assert ranks.tolist() == reference_ranks(values.tolist(), up)
    rows = values.tolist()
    for i in range(len(rows)):
        same = [j for j in range(len(rows)) if ranks[j] == ranks[i]]
        assert not any(dominates(rows[j], rows[i], up) for j in same)  # a front is non-dominated within
        if ranks[i] > 0:  # some member of a better front dominates it
            assert any(dominates(rows[j], rows[i], up) for j in range(len(rows)) if ranks[j] < ranks[i])


@given(problems())
def test_crowding_equals_brute_force(problem):
    values, maximize = problem
    ranks = pareto_ranks(values, maximize)
    crowding = crowding_distance(values, ranks)
    expected = reference_crowding(values.tolist(), ranks.tolist())
    assert np.array_equal(np.isinf(crowding), np.isinf(expected))
    finite = ~np.isinf(crowding)
    assert np.allclose(crowding[finite], np.array(expected)[finite], rtol=1e-9, atol=1e-12)
    assert np.all(crowding[finite] >= 0) and np.all(crowding[finite] <= values.shape[1])


@given(problems())
def test_scores_follow_crowded_comparison(problem):
    values, maximize = problem
    ranks = pareto_ranks(values, maximize)
    crowding = crowding_distance(values, ranks)
    scores = nsga2_scores(values, maximize)
    assert scores.dtype == np.float64 and np.all(np.isfinite(scores))
    for i in range(len(values)):
        for j in range(len(values)):
            if ranks[i] < ranks[j]:
                assert scores[i] > scores[j]
            elif ranks[i] == ranks[j] and crowding[i] > crowding[j]:
                assert scores[i] >= scores[j]
                if np.isinf(crowding[i]) or crowding[i] - crowding[j] > 1e-9:
                    assert scores[i] > scores[j]
            elif ranks[i] == ranks[j] and crowding[i] == crowding[j]:
                assert scores[i] == scores[j]


@given(problems())
def test_chunked_dominance_gives_the_same_ranks(problem):
    values, maximize = problem
    saved = objectives_module.CHUNK_ELEMENTS
    objectives_module.CHUNK_ELEMENTS = 7  # a row or two per chunk
    try:
        chunked = pareto_ranks(values, maximize)
    finally:
        objectives_module.CHUNK_ELEMENTS = saved
    assert chunked.tolist() == pareto_ranks(values, maximize).tolist()


def test_large_population_ranks_match_a_sort_on_one_objective():
    values = np.random.default_rng(0).normal(size=(2000, 2))
    values[:, 1] = values[:, 0]  # two equal objectives: the fronts are the sorted order
    ranks = pareto_ranks(values, maximize=True)
    assert ranks.tolist() == (np.argsort(np.argsort(-values[:, 0]))).tolist()


def test_empty_and_single():
    assert pareto_ranks(np.empty((0, 2))).tolist() == []
    assert crowding_distance(np.empty((0, 2)), np.empty(0, dtype=int)).tolist() == []
    assert pareto_ranks([[1.0, 2.0]]).tolist() == [0]
    assert nsga2_scores([[1.0, 2.0]]).tolist() == pytest.approx([2.5 / 3])


# --- errors -----------------------------------------------------------------------


def test_nan_and_inf_name_the_genome():
    values = np.zeros((4, 2))
    values[2, 1] = np.nan
    with pytest.raises(EvaluationError, match="objective 1 of genome 2 is nan"):
        pareto_ranks(values)
    values[2, 1] = -np.inf
    with pytest.raises(EvaluationError, match="objective 1 of genome 2 is -inf"):
        nsga2_scores(values)


@pytest.mark.parametrize(
    ("objectives", "message"),
    [([1.0, 2.0], r"shape \(2,\)"), (np.empty((3, 0)), r"shape \(3, 0\)"), ([["a", "b"]], "dtype")],
)
def test_bad_objectives(objectives, message):
    with pytest.raises(EvaluationError, match=message):
        pareto_ranks(objectives)


def test_bad_maximize_and_ranks():
    with pytest.raises(ValueError, match="sequence of 2 bools"):
        pareto_ranks(np.zeros((3, 2)), [True])
    with pytest.raises(ValueError, match="non-negative integers"):
        crowding_distance(np.zeros((3, 2)), [0, -1, 0])
    with pytest.raises(ValueError, match="needs objectives"):
        MultiObjective(None)


# --- MultiObjective -----------------------------------------------------------------

X, Y = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])


def xor_error(genomes):
    out = neat.compile_population(genomes).forward(X)[:, :, 0]
    return np.abs(out - Y).sum(axis=1)


def test_multi_objective_runs_a_population():
    seen = []

    def evaluate(genomes, generation):
        seen.append(generation)
        return xor_error(genomes)

    search = MultiObjective(evaluate, maximize=False, network_size=True)
    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 1}, run={"population_size": 30})
    population = neat.Population(config, seed=3)
    population.run(search, 3)
    assert seen == [0, 1, 2] and search.generation == 2
    genomes = population.genomes  # the generation just evaluated (not yet reproduced)
    assert search.objectives.shape == (30, 2) and search.maximize == (False, False)
    assert search.objectives[:, 1].tolist() == [g.num_enabled for g in genomes]
    assert search.objectives[:, 0].tolist() == pytest.approx(xor_error(genomes).tolist())
    assert search.front_size == int(np.sum(search.ranks == 0)) >= 1
    assert search.front.tolist() == np.flatnonzero(search.ranks == 0).tolist()
    assert [g.num_enabled for g in search.front_genomes] == search.objectives[search.front, 1].tolist()
    assert np.array_equal(population.fitness, search.scores)
    assert np.array_equal(search.scores, nsga2_scores(search.objectives, [False, False]))


def test_multi_objective_on_a_list_of_genomes():
    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 1}, run={"population_size": 5})
    genomes = list(neat.Population(config, seed=0).ask())
    search = MultiObjective(lambda gs: np.column_stack([xor_error(gs), xor_error(gs) ** 2]), [False, True])
    scores = search(genomes)
    assert scores.shape == (5,) and search.objectives.shape == (5, 2) and search.generation is None
    sizes_only = MultiObjective(None, network_size=True)
    sizes_only(genomes)
    assert sizes_only.objectives[:, 0].tolist() == [g.num_enabled for g in genomes]


def test_multi_objective_errors_name_the_genome():
    def evaluate(genomes):
        values = np.zeros((len(genomes), 2))
        values[4, 0] = np.nan
        return values

    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 1}, run={"population_size": 10})
    with pytest.raises(EvaluationError, match="generation 0 failed: objective 0 of genome 4 is nan"):
        neat.Population(config, seed=0).run(MultiObjective(evaluate), 2)
    with pytest.raises(EvaluationError, match="returned 2 objectives per genome, but maximize= gives 3"):
        neat.Population(config, seed=0).run(MultiObjective(lambda gs: np.ones((len(gs), 2)), [True] * 3), 2)
    with pytest.raises(EvaluationError, match=r"objectives for 10 genomes"):
        neat.Population(config, seed=0).run(MultiObjective(lambda gs: np.ones((3, 2))), 2)
