import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neat import Config, ConfigError, InnovationTracker, distance, make_rng, new_genomes
from neat.evolution.reproduction import offspring_counts, split_stagnant
from neat.evolution.species import Species, SpeciesSet, speciate, steer_threshold, update_stagnation
from neat.genome.mutation import add_node, mutate_weights

CFG = Config(genome={"num_inputs": 3, "num_outputs": 2}, run={"population_size": 20})


def _genomes(n, seed=0, config=CFG):
    return new_genomes(config, InnovationTracker.for_config(config), make_rng(seed), n)


def test_every_genome_joins_exactly_one_species_within_threshold():
    cfg = CFG.replace(speciation={"compatibility_threshold": 0.4})
    genomes = _genomes(60)
    result = speciate(genomes, SpeciesSet(threshold=0.4), cfg, generation=0)
    members = np.concatenate([s.members for s in result])
    assert sorted(members.tolist()) == list(range(60))
    assert len(result) > 1
    for s in result:
        founder = genomes[int(s.members[0])]
        assert s.representative == founder  # a copy of the founder (it outlives the generation)
        for m in s.members:
            assert distance(genomes[m], founder, cfg) < 0.4
    keys = [s.key for s in result]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_first_matching_previous_representative_wins_and_keys_persist():
    cfg = CFG.replace(speciation={"compatibility_threshold": 100.0})
    genomes = _genomes(10)
    first = speciate(genomes, SpeciesSet(threshold=100.0), cfg, 0)
    assert len(first) == 1 and first.species[0].key == 1
    again = speciate(_genomes(10, seed=1), first, cfg, 1)
    assert [s.key for s in again] == [1] and again.next_key == 2


def test_structurally_different_genomes_found_new_species():
    cfg = CFG.replace(speciation={"compatibility_threshold": 0.5, "weight_coefficient": 0.0})
    tracker = InnovationTracker.for_config(cfg)
    rng = make_rng(0)
    base = new_genomes(cfg, tracker, rng, 5)
    grown = [add_node(add_node(g, cfg, tracker, rng), cfg, tracker, rng) for g in base]
    result = speciate(base + grown, SpeciesSet(threshold=0.5), cfg, 0)
    assert {tuple(s.members.tolist()) for s in result} >= {(0, 1, 2, 3, 4)}


def test_threshold_steers_toward_target():
    cfg = CFG.replace(speciation={"target_species": 5, "compatibility_threshold": 50.0, "threshold_min": 0.001})
    genomes = _genomes(20)
    state = speciate(genomes, SpeciesSet(threshold=50.0), cfg, 0)
    assert state.threshold == 50.0 / 1.1  # one species < 5: the threshold falls by the first step, 10%
    assert (state.threshold_step, state.threshold_side) == (0.1, -1)
    low = speciate(genomes, SpeciesSet(threshold=0.01), cfg, 0)
    assert low.threshold == 0.01 * 1.1 and low.threshold_side == 1  # 20 species > 5: it rises

    fixed = cfg.replace(speciation={"threshold_adjust": "fixed", "threshold_adjust_step": 0.5})
    state = speciate(genomes, SpeciesSet(threshold=50.0), fixed, 0)
    assert state.threshold == 49.5 and state.threshold_step is None  # the fixed rule: one step of 0.5
    low = speciate(genomes, SpeciesSet(threshold=0.01), fixed, 0)
    assert low.threshold == 0.51


def test_stagnant_species_lose_offspring_but_the_best_are_kept():
    cfg = CFG.replace(stagnation={"max_stagnation": 3, "species_elitism": 1})
    genomes = _genomes(4)
    species = tuple(
        Species(key=k, created=0, representative=genomes[k], members=np.array([k]), best_score=1.0, last_improved=0)
        for k in range(3)
    )
    state = SpeciesSet(species)
    scores = np.array([0.5, 0.9, 0.2, 0.0])
    state = update_stagnation(state, scores, generation=3)
    assert [s.last_improved for s in state] == [0, 0, 0]  # no species beat its best of 1.0
    surviving, stagnant = split_stagnant(state, scores, cfg, generation=3)
    assert [s.key for s in surviving] == [1]  # the best species this generation is protected
    assert [s.key for s in stagnant] == [0, 2]
    improved = update_stagnation(state, np.array([2.0, 0.0, 0.0, 0.0]), generation=3)
    assert improved.species[0].last_improved == 3 and improved.species[0].best_score == 2.0


@given(
    shares=st.lists(st.floats(0.0, 1e6), min_size=1, max_size=40),
    population=st.integers(1, 2000),
    minimum=st.integers(0, 10),
)
def test_offspring_counts_sum_to_the_population_exactly(shares, population, minimum):
    counts = offspring_counts(np.array(shares), population, minimum)
    assert counts.sum() == population
    assert (counts >= 0).all()
    if minimum * len(shares) <= population:
        assert (counts >= minimum).all()
        # a larger share never gets fewer offspring beyond rounding (when not every species
        # can have its minimum, the best-ranked ones get it and the rule cannot hold)
        order = np.argsort(shares)
        assert np.all(np.diff(counts[order]) >= -1)


def test_offspring_counts_are_proportional():
    assert offspring_counts(np.array([1.0, 3.0]), 100, 0).tolist() == [25, 75]
    assert offspring_counts(np.array([0.0, 0.0, 0.0]), 10, 0).sum() == 10
    assert offspring_counts(np.array([1.0, 1.0, 1.0]), 10, 2).tolist() == [4, 3, 3]


def test_speciating_a_large_population_works_vectorized():
    cfg = Config(genome={"num_inputs": 10, "num_outputs": 5}, run={"population_size": 3000})
    tracker = InnovationTracker.for_config(cfg)
    rng = make_rng(0)
    genomes = [mutate_weights(g, cfg, tracker, rng) for g in new_genomes(cfg, tracker, rng, 3000)]
    result = speciate(genomes, SpeciesSet(threshold=3.0), cfg, 0)
    assert sum(s.size for s in result) == 3000


# --- steering the threshold toward target_species ----------------------------------------------
def _steered_counts(cfg, genomes, generations):
    """Species counts and thresholds of repeated speciation of the same genomes."""
    state, counts, thresholds = SpeciesSet(threshold=cfg.speciation.compatibility_threshold), [], []
    for generation in range(generations):
        state = speciate(genomes, state, cfg, generation)
        counts.append(len(state))
        thresholds.append(state.threshold)
    return counts, thresholds


def test_adaptive_steering_settles_where_the_fixed_step_oscillates():
    # Random full genomes are all 0.3-0.8 apart: a fixed step of 0.3 jumps over the thresholds
    # that give 6 species, and the count swings between a few and dozens forever.
    cfg = CFG.replace(speciation={"target_species": 6}, run={"population_size": 60})
    genomes = _genomes(60, config=cfg)
    fixed, _ = _steered_counts(cfg.replace(speciation={"threshold_adjust": "fixed"}), genomes, 60)
    assert max(fixed[-20:]) - min(fixed[-20:]) > 10
    counts, thresholds = _steered_counts(cfg, genomes, 60)
    assert all(abs(c - 6) <= 1 for c in counts[-40:])
    assert len(set(thresholds[-20:])) == 1  # on the target, the threshold stays put


def _toy_count(threshold, rng):
    """A species count that falls steeply as the threshold rises through [0.6, 0.9], plus noise."""
    return max(1, round(1 + 29 * min(max((0.9 - threshold) / 0.3, 0.0), 1.0)) + int(rng.integers(-1, 2)))


@pytest.mark.parametrize("start", [0.2, 3.0, 50.0])
def test_adaptive_steering_settles_on_a_noisy_toy_count(start):
    sc = Config(speciation={"target_species": 8}).speciation
    fixed = Config(speciation={"target_species": 8, "threshold_adjust": "fixed"}).speciation
    for config, settles in ((sc, True), (fixed, False)):
        rng = np.random.default_rng(0)
        threshold, step, side, counts = start, None, 0, []
        for _ in range(200):
            counts.append(_toy_count(threshold, rng))
            threshold, step, side = steer_threshold(counts[-1], threshold, step, side, config)
            if config is sc:
                assert step is not None and sc.threshold_step_min <= step <= sc.threshold_step_max
        assert all(abs(c - 8) <= 3 for c in counts[-50:]) == settles


def test_rprop_step_grows_on_one_side_shrinks_on_a_crossing_and_waits_on_the_target():
    sc = Config(speciation={"target_species": 5, "threshold_step_max": 0.2}).speciation
    threshold, step, side = steer_threshold(1, 2.0, None, 0, sc)
    assert (threshold, step, side) == (2.0 / 1.1, 0.1, -1)
    threshold, step, side = steer_threshold(1, threshold, step, side, sc)  # still too few: 1.2 x the step
    assert step == pytest.approx(0.12) and threshold == pytest.approx(2.0 / 1.1 / 1.12)
    for _ in range(10):
        threshold, step, side = steer_threshold(1, threshold, step, side, sc)
    assert step == 0.2  # threshold_step_max
    before = threshold
    threshold, step, side = steer_threshold(9, threshold, step, side, sc)  # crossed: half the step, upward
    assert (step, side) == (0.1, 1) and threshold == pytest.approx(before * 1.1)
    assert steer_threshold(5, threshold, step, side, sc) == (threshold, step, 0)  # on the target: stays put
    threshold, step, side = steer_threshold(9, threshold, step, 0, sc)  # after the target: the same step
    assert (step, side) == (0.1, 1)
    for _ in range(20):
        threshold, step, side = steer_threshold(9, threshold, step, -side, sc)  # crossing every time
    assert step == sc.threshold_step_min


@pytest.mark.parametrize("threshold_adjust", ["adaptive", "fixed"])
def test_steered_threshold_never_goes_below_threshold_min(threshold_adjust):
    sc = Config(speciation={"target_species": 10, "threshold_min": 0.5, "threshold_adjust": threshold_adjust}).speciation
    threshold, step, side = 3.0, None, 0
    seen = []
    for _ in range(100):
        threshold, step, side = steer_threshold(1, threshold, step, side, sc)
        seen.append(threshold)
    assert min(seen) == 0.5 and seen[-1] == 0.5


def test_without_a_target_the_threshold_is_fixed():
    sc = Config().speciation
    assert steer_threshold(40, 3.0, None, 0, sc) == (3.0, None, 0)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"threshold_step_initial": float("inf")}, "threshold_step_initial = inf"),
        ({"threshold_step_min": float("nan")}, "threshold_step_min = nan"),
        ({"threshold_step_grow": float("inf")}, "threshold_step_grow = inf"),
        ({"threshold_adjust_step": float("inf")}, "a finite number"),
        ({"compatibility_threshold": float("inf")}, "a finite number"),
        ({"threshold_step_grow": 0.9}, r"in \[1.0, 10.0\]"),
        ({"threshold_step_shrink": 0.0}, r"in \(0.0, 1.0\]"),
        ({"threshold_step_min": 0.3, "threshold_step_max": 0.2, "threshold_step_initial": 0.25}, "<= threshold_step_max"),
        ({"threshold_step_initial": 0.6}, r"\[threshold_step_min, threshold_step_max\]"),
        ({"threshold_adjust": "pid"}, "one of 'adaptive', 'fixed'"),
    ],
)
def test_steering_keys_are_checked(values, message):
    with pytest.raises(ConfigError, match=message):
        Config(speciation=values)
