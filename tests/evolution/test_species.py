import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neat import Config, InnovationTracker, distance, make_rng, new_genomes
from neat.evolution.reproduction import offspring_counts, split_stagnant
from neat.evolution.species import Species, SpeciesSet, speciate, update_stagnation
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
    cfg = CFG.replace(speciation={"target_species": 5, "threshold_adjust_step": 0.5, "compatibility_threshold": 50.0})
    genomes = _genomes(20)
    state = SpeciesSet(threshold=50.0)
    state = speciate(genomes, state, cfg, 0)
    assert state.threshold == 49.5  # one species < 5: the threshold falls
    low = speciate(genomes, SpeciesSet(threshold=0.01), cfg, 0)
    assert low.threshold == 0.51  # 20 species > 5: it rises


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
