import numpy as np
import pytest

from neat import Checkpointer, CheckpointError, Config, ConfigError, EvaluationError, Population, load_checkpoint
from neat.evaluation.novelty import NoveltyCheckpointer, NoveltySearch, final_observation_behaviour, knn_novelty
from neat.evolution.presets import fixed_topology_ga


def brute_force(behaviours, archive, k):
    behaviours = np.asarray(behaviours, dtype=float).reshape(len(behaviours), -1)
    reference = np.concatenate([behaviours, np.asarray(archive, dtype=float).reshape(-1, behaviours.shape[1])])
    out = []
    for i, b in enumerate(behaviours):
        d = np.sqrt(np.sum((b - reference) ** 2, axis=-1))
        d = np.delete(d, i)
        kk = min(k, len(d))
        out.append(np.sort(d)[:kk].mean() if kk else 0.0)
    return np.array(out)


@pytest.mark.parametrize("seed", range(6))
def test_knn_novelty_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 6))
    P, A, k = int(rng.integers(1, 120)), int(rng.integers(0, 150)), int(rng.integers(1, 25))
    offset = rng.choice([0.0, 1e6])  # far from the origin: the product form alone would cancel
    b = offset + rng.normal(size=(P, d)) * rng.choice([1e-3, 1.0, 100.0])
    b[: P // 3] = np.round(b[: P // 3], 1)  # ties and duplicates
    a = offset + rng.normal(size=(A, d))
    for memory in (8 * 64, 1 << 22):  # tiny chunks too
        got = knn_novelty(b, a if A else None, k, memory=memory)
        np.testing.assert_array_equal(got, brute_force(b, a, k))


def test_knn_novelty_duplicates_and_edges():
    same = np.ones((50, 2))
    np.testing.assert_array_equal(knn_novelty(same, same, 5), np.zeros(50))
    assert knn_novelty(np.zeros((1, 3)), None, 4).tolist() == [0.0]
    assert knn_novelty([0.0, 3.0], None, 10).tolist() == [3.0, 3.0]
    with pytest.raises(ConfigError, match="k"):
        knn_novelty(same, None, 0)
    with pytest.raises(EvaluationError, match="not finite"):
        knn_novelty([[0.0], [np.nan]], None, 1)
    with pytest.raises(EvaluationError, match="columns"):
        knn_novelty(same, np.ones((3, 3)), 1)


def test_final_observation_behaviour():
    assert final_observation_behaviour([np.zeros(2), np.array([1.0, 2.0])]).tolist() == [1.0, 2.0]
    assert final_observation_behaviour(np.arange(6.0).reshape(3, 2)).tolist() == [4.0, 5.0]
    with pytest.raises(EvaluationError):
        final_observation_behaviour([])


def fake(values):
    """An evaluator returning fixed (fitness, behaviours) per call, in order."""
    calls = iter(values)

    def evaluate(genomes):
        return next(calls)

    return evaluate


def test_archive_threshold_rules_and_bound():
    rng = np.random.default_rng(0)
    gens = [(np.zeros(20), rng.normal(size=(20, 2)) * 10) for _ in range(30)]
    search = NoveltySearch(fake(gens), k=3, archive_threshold=0.5, archive_size=25)
    first = search(list(range(20)))
    assert search.added > 4 and search.threshold == pytest.approx(0.5 * 1.2)  # raised by 20%
    np.testing.assert_array_equal(first, search.novelty)
    for _ in range(1, 30):
        search(list(range(20)))
        assert len(search.archive) <= 25 and len(search.archive_generations) == len(search.archive)
    assert np.all(np.diff(search.archive_generations) >= 0)  # oldest first: the oldest were evicted
    assert search.archive_generations[0] > 0


def test_threshold_lowered_after_patience():
    gens = [(np.zeros(5), np.zeros((5, 2))) for _ in range(6)]
    search = NoveltySearch(fake(gens), k=2, archive_threshold=1.0, threshold_patience=3, threshold_floor=0.92)
    for _ in range(3):
        search(list(range(5)))
    assert search.threshold == pytest.approx(0.95) and len(search.archive) == 0
    for _ in range(3):
        search(list(range(5)))
    assert search.threshold == pytest.approx(0.92)  # never below the floor


def test_random_additions_are_seeded():
    gens = [(np.arange(10.0), np.arange(20.0).reshape(10, 2)) for _ in range(4)]
    runs = []
    for _ in range(2):
        search = NoveltySearch(fake(list(gens)), k=2, archive_threshold=np.inf, archive_random=3, seed=7)
        for _ in range(4):
            search(list(range(10)))
        runs.append(search.archive.copy())
    assert len(runs[0]) == 12
    np.testing.assert_array_equal(runs[0], runs[1])


def test_modes_and_blend_ranks():
    fitness, behaviours = np.array([3.0, 1.0, 2.0]), np.array([[0.0], [10.0], [1.0]])
    for mode, blend, expected in [("fitness", 0.5, fitness), ("blend", 0.0, [1.0, 0.0, 0.5]),
                                  ("blend", 1.0, [0.25, 1.0, 0.25])]:
        search = NoveltySearch(fake([(fitness, behaviours)]), mode=mode, blend=blend, k=1)
        np.testing.assert_allclose(search([0, 1, 2]), expected)
        assert search.best_fitness == 3.0 and search.best_behaviour.tolist() == [0.0]
    minimizing = NoveltySearch(fake([(fitness, behaviours)]), mode="fitness", minimize=True)
    assert minimizing([0, 1, 2]).tolist() == [-3.0, -1.0, -2.0] and minimizing.best_fitness == 1.0
    with pytest.raises(ConfigError, match="mode"):
        NoveltySearch(fake([]), mode="fit")
    with pytest.raises(EvaluationError, match="pair"):
        NoveltySearch(lambda genomes: np.zeros(len(genomes)))([0, 1])


CFG = Config(
    genome={"num_inputs": 2, "num_outputs": 2},
    mutation={"node_add_prob": 0.2, "conn_add_prob": 0.3},
    run={"population_size": 30, "seed": 5},
)


def behaviour_of(genomes, generation):
    """Fitness and a 2-d behaviour from the genomes' weights (deterministic)."""
    w = np.array([[g.conns.weight.sum(), np.abs(g.conns.weight).max(initial=0.0) + g.nodes.bias.sum()] for g in genomes])
    return -np.hypot(w[:, 0] - 3.0, w[:, 1] - 3.0), w


def test_neat_run_and_bit_identical_resume(tmp_path):
    def make():
        return NoveltySearch(behaviour_of, mode="blend", blend=0.7, k=5, archive_random=2, archive_size=40, seed=3)

    straight = make()
    pop = Population(CFG, reporters=[Checkpointer(tmp_path, every=3), NoveltyCheckpointer(straight, tmp_path, every=3)])
    scores = []
    pop.add_reporter(type("R", (), {"post_evaluate": lambda self, p, f: scores.append(f.copy())})())
    pop.run(straight, generations=6)
    assert len(straight.archive) > 0 and straight.generation == 5

    resumed_search = make()
    resumed_search.load(tmp_path / "novelty-3.npz")
    resumed = load_checkpoint(tmp_path / "checkpoint-3.npz", config=CFG)
    tail = []
    resumed.add_reporter(type("R", (), {"post_evaluate": lambda self, p, f: tail.append(f.copy())})())
    resumed.run(resumed_search, generations=3)
    for a, b in zip(scores[3:], tail, strict=True):
        np.testing.assert_array_equal(a, b)
    assert resumed.genomes == pop.genomes
    np.testing.assert_array_equal(resumed_search.archive, straight.archive)
    assert resumed_search.threshold == straight.threshold and resumed_search.best_fitness == straight.best_fitness
    assert resumed_search.rng.bit_generator.state == straight.rng.bit_generator.state


def test_fixed_topology_ga_novelty():
    config = fixed_topology_ga(2, 2, hidden_layers=(3,), population_size=20, truncation_size=5, seed=1)
    search = NoveltySearch(behaviour_of, k=4, archive_random=1)
    Population(config).run(search, generations=4)
    assert search.generation == 3 and len(search.archive) >= 4


def test_malformed_archive_file(tmp_path):
    path = tmp_path / "n.npz"
    path.write_bytes(b"not a zip")
    with pytest.raises(CheckpointError, match="novelty archive"):
        NoveltySearch(behaviour_of).load(path)
    np.savez(path, archive=np.zeros((2, 2)))
    with pytest.raises(CheckpointError, match="meta"):
        NoveltySearch(behaviour_of).load(path)
