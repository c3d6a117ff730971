import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neat
from neat import ConfigError, Population
from neat.evolution.presets import fixed_topology_ga


def weight_sum(genomes):
    return [float(g.conns.weight.sum() + g.nodes.bias.sum()) for g in genomes]


@given(st.integers(0, 2**32 - 1), st.integers(1, 3))
def test_the_ga_is_one_species_with_fixed_structure(seed, truncation):
    config = fixed_topology_ga(3, 2, (4,), population_size=12, truncation_size=truncation, seed=seed)
    pop = Population(config)
    start = pop.ask()[0]
    for _ in range(6):
        genomes = pop.ask()
        for g in genomes:
            assert np.array_equal(g.conns.innovation, start.conns.innovation)
            assert np.array_equal(g.nodes.id, start.nodes.id)
            assert g.conns.enabled.all()
        pop.tell(weight_sum(genomes))
        assert len(pop.species) == 1 and pop.species.species[0].key == 1


def test_elite_is_kept_unchanged_and_children_come_from_the_top_t():
    config = fixed_topology_ga(3, 2, (4,), population_size=30, truncation_size=5, sigma=1e-6, seed=1)
    pop = Population(config)
    genomes = pop.ask()
    fitness = np.array(weight_sum(genomes))
    pop.tell(fitness)
    order = np.argsort(-fitness)
    assert pop.genomes[0] == genomes[order[0]] and pop.genomes[0].key == genomes[order[0]].key
    for child in pop.genomes[1:]:
        distances = [np.abs(child.conns.weight - p.conns.weight).max() for p in genomes]
        parent = int(np.argmin(distances))
        assert distances[parent] < 1e-4  # a copy of one genome plus tiny noise ...
        assert parent in order[:5].tolist()  # ... and that genome is among the top 5
        assert not np.array_equal(child.conns.weight, genomes[parent].conns.weight)  # every weight mutated


def test_minimising_keeps_the_lowest():
    config = fixed_topology_ga(2, 1, (3,), population_size=10, seed=2, run={"objective": "min"})
    pop = Population(config)
    genomes = pop.ask()
    fitness = np.array(weight_sum(genomes))
    pop.tell(fitness)
    assert pop.genomes[0] == genomes[int(np.argmin(fitness))]


def test_elite_chosen_by_re_evaluating_the_top_k():
    seen = []

    def reevaluate(genomes, *, generation):
        seen.append((len(genomes), generation))
        return [-abs(float(g.conns.weight[0])) for g in genomes]  # prefers the smallest first weight

    config = fixed_topology_ga(2, 1, (3,), population_size=20, elite_candidates=4, seed=3)
    pop = Population(config, elite_evaluate=reevaluate)
    genomes = pop.ask()
    fitness = np.array(weight_sum(genomes))
    pop.tell(fitness)
    top4 = [genomes[i] for i in np.argsort(-fitness)[:4]]
    expected = min(top4, key=lambda g: abs(g.conns.weight[0]))
    assert pop.genomes[0] == expected and pop.genomes[0].key == expected.key and seen == [(4, 0)]
    with pytest.raises(ConfigError, match="needs Population\\(..., elite_evaluate=...\\)"):
        Population(config)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"sigma": 0.0}, "sigma must be > 0"),
        ({"truncation_size": 65}, "truncation_size = 65 .* exceeds \\[run\\] population_size = 64"),
        ({"elite_candidates": 100}, "elite_candidates = 100 .* exceeds"),
        ({"mutation": {"node_add_prob": 0.1}}, "node_add_prob = 0.1 is not allowed with \\[reproduction\\] strategy"),
    ],
)
def test_bad_presets_are_config_errors(overrides, message):
    with pytest.raises(ConfigError, match=message):
        fixed_topology_ga(4, 2, (16,), **overrides)


def test_big_genomes_mutate_in_bounded_batches(monkeypatch):
    import neat.genome.mutation as mutation

    config = fixed_topology_ga(50, 10, (40,), population_size=8, seed=4)
    genomes = Population(config).ask()
    monkeypatch.setattr(mutation, "_MAX_BATCH_VALUES", 3000)  # about one genome per batch
    out = mutation.mutate_attributes(genomes, config, neat.make_rng(0))
    again = mutation.mutate_attributes(genomes, config, neat.make_rng(0))
    assert len(out) == 8 and all(a == b for a, b in zip(out, again))
    for before, after in zip(genomes, out):
        after.validate()
        assert not np.array_equal(before.conns.weight, after.conns.weight)


def test_ga_checkpoint_resume_is_identical(tmp_path):
    config = fixed_topology_ga(3, 2, (4,), population_size=10, truncation_size=3, seed=5)
    straight = Population(config)
    straight.run(weight_sum, generations=8)
    first = Population(config)
    first.run(weight_sum, generations=3)
    neat.save_checkpoint(first, tmp_path / "c.npz")
    resumed = neat.load_checkpoint(tmp_path / "c.npz")
    resumed.run(weight_sum, generations=5)
    assert resumed.genomes == straight.genomes and resumed.best_fitness == straight.best_fitness


def test_compact_lineages_rebuild_the_evolved_genomes_bit_for_bit(tmp_path):
    from neat.evolution.compact import CompactDecoder

    config = fixed_topology_ga(3, 2, (5,), population_size=12, truncation_size=3, compact=True, seed=6)
    pop = Population(config)
    decoder = CompactDecoder(config, cache_size=64)
    for generation in range(10):
        genomes = pop.ask()
        assert all(len(lin) <= generation + 1 for lin in pop.lineages)
        for genome, lineage in zip(genomes, pop.lineages):
            assert decoder.decode(lineage) == genome
        pop.tell(weight_sum(genomes))
    # with the cache, each generation replays about one seed per genome, not whole chains
    assert decoder.replayed <= 12 * 11
    assert 2 <= max(len(lin) for lin in pop.lineages) <= 11
    fresh = CompactDecoder(config, cache_size=0)
    deep = max(pop.lineages, key=len)
    assert fresh.decode(deep) == pop.genomes[pop.lineages.index(deep)] and fresh.replayed == len(deep)
    neat.save_checkpoint(pop, tmp_path / "c.npz")
    assert neat.load_checkpoint(tmp_path / "c.npz").lineages == pop.lineages


def test_compact_genomes_need_the_truncation_strategy():
    with pytest.raises(ConfigError, match="compact_genomes = true is not allowed with strategy"):
        neat.Config(reproduction={"compact_genomes": True})


def test_noise_table_children_are_the_parent_plus_sigma_times_a_slice_of_the_table():
    from neat.evolution.noise import NoiseTable

    config = fixed_topology_ga(3, 2, (4,), population_size=8, sigma=0.05, noise_table_size=1000, seed=1)
    table = NoiseTable(1000, config.reproduction.noise_table_seed)
    parent = Population(config).ask()[0]
    child = table.mutate(parent, config, neat.make_rng(9))
    start_w, start_b = table.offsets(neat.make_rng(9), (parent.num_connections, 6)).tolist()
    eps_w = table.values[start_w : start_w + parent.num_connections]
    np.testing.assert_array_equal(child.conns.weight, parent.conns.weight + 0.05 * eps_w)
    np.testing.assert_array_equal(child.nodes.bias[3:], parent.nodes.bias[3:] + 0.05 * table.values[start_b : start_b + 6])
    np.testing.assert_array_equal(child.nodes.bias[:3], parent.nodes.bias[:3])
    assert np.array_equal(child.conns.innovation, parent.conns.innovation)
    # the table is the same in every process that has the config
    np.testing.assert_array_equal(NoiseTable(1000, 0).values, table.values)
    assert abs(float(table.values.std()) - 1.0) < 0.1


@pytest.mark.parametrize("compact", [False, True])
def test_noise_table_ga_runs_and_compact_genomes_rebuild_bit_for_bit(compact):
    from neat.evolution.compact import CompactDecoder

    config = fixed_topology_ga(3, 2, (5,), population_size=10, truncation_size=3, compact=compact,
                               noise_table_size=500, seed=4)
    pop = Population(config)
    first = pop.ask()
    pop.run(weight_sum, generations=8)
    assert pop.best_fitness > max(weight_sum(first))
    assert all(g.num_connections == first[0].num_connections for g in pop.genomes)
    if compact:
        decoder = CompactDecoder(config, cache_size=0)
        for genome, lineage in zip(pop.genomes, pop.lineages):
            assert decoder.decode(lineage) == genome


@pytest.mark.parametrize(
    ("preset", "sections", "message"),
    [
        ({"noise_table_size": 10}, {}, "noise_table_size = 10 is too small: a genome needs 30"),
        ({"noise_table_size": 100}, {"mutation": {"weight_replace_rate": 0.1}}, "weight_replace_rate = 0.1 is not allowed"),
        ({"noise_table_size": 100}, {"mutation": {"bias_mutate_prob": 0.5}}, "bias_mutate_prob = 0.5 is not allowed"),
    ],
)
def test_bad_noise_tables_are_config_errors(preset, sections, message):
    with pytest.raises(ConfigError, match=message):
        Population(fixed_topology_ga(3, 2, (6,), population_size=4, **preset, **sections))


def test_noise_table_needs_the_truncation_strategy():
    with pytest.raises(ConfigError, match="noise_table_size = 5 is not allowed with strategy"):
        neat.Config(reproduction={"noise_table_size": 5})


def test_noise_table_pool_mutation_equals_one_genome_at_a_time():
    from neat.evolution.noise import NoiseTable
    from neat.genome.pool import GenePool

    config = fixed_topology_ga(3, 2, (4,), population_size=6, noise_table_size=1000, seed=0)
    genomes = list(Population(config).ask())
    table = NoiseTable(1000, 0)
    mutable = np.array([True, False, True, True, False, True])
    batched = table.mutate_pool(GenePool.pack(genomes), mutable, config, neat.make_rng(5))
    rng = neat.make_rng(5)  # the same draws, genome by genome
    for i, genome in enumerate(genomes):
        assert batched[i] == (table.mutate(genome, config, rng) if mutable[i] else genome)


# --- the CPPN preset ------------------------------------------------------------------
def test_cppn_config_composes_the_cppn_functions():
    from neat.evolution.presets import CPPN_ACTIVATIONS, cppn_config

    config = cppn_config(5, 2, seed=4)
    g = config.genome
    assert g.feed_forward and g.initial_connection == "full" and g.hidden_layers == ()
    assert (g.num_inputs, g.num_outputs) == (5, 2)
    assert g.activation_options == CPPN_ACTIVATIONS
    assert {"sin", "cos", "gauss", "bipolar_sigmoid", "tanh", "abs", "identity"} <= set(CPPN_ACTIVATIONS)
    assert g.activation_default == "random" and g.output_activation == "tanh"
    assert config.mutation.activation_mutate_rate > 0 and config.run.population_size == 150
    tracker = neat.InnovationTracker.for_config(config)
    rng = neat.make_rng(0)
    genomes = neat.new_genomes(config, tracker, rng, 40)
    names = g.activation_options
    assert all(names[int(a)] == "tanh" for genome in genomes for a in genome.nodes.activation[5:])
    assert all(len(genome.conns.src) == 10 for genome in genomes)  # every input to every output
    for _ in range(15):
        genomes = [neat.mutate(genome, config, tracker, rng) for genome in genomes]
    used = {names[int(a)] for genome in genomes for a in genome.nodes.activation[5:]}
    assert len(used) >= 5  # new nodes draw, and every node mutates, among the CPPN functions


def test_cppn_config_options_and_overrides():
    from neat.evolution.presets import cppn_config

    config = cppn_config(
        3, 1, activations=("sin", "gauss"), output_activation="sigmoid", activation_mutate_rate=0.3,
        population_size=20, mutation={"node_add_prob": 0.2}, run={"max_generations": 7},
    )
    assert config.genome.activation_options == ("sin", "gauss", "sigmoid")
    assert config.mutation.activation_mutate_rate == 0.3 and config.mutation.node_add_prob == 0.2
    assert config.run.population_size == 20 and config.run.max_generations == 7
    with pytest.raises(ConfigError, match="activation_options"):
        cppn_config(3, 1, activations=("sin", "no_such_function"))


def test_a_cppn_population_decodes_onto_a_substrate():
    from neat.evolution.presets import cppn_config
    from neat.nn import Substrate, decode_population, grid

    substrate = Substrate(grid(3, 3), grid(3, 3), leo=True, bias_output=True)
    population = Population(cppn_config(substrate.cppn_inputs, substrate.cppn_outputs, population_size=12, seed=2))
    for _ in range(3):
        genomes = population.ask()
        stack = decode_population(genomes, substrate)
        fitness = -np.abs(stack(np.ones(9)) - 0.5).sum(axis=1)  # outputs near 0.5
        population.tell(fitness)
    assert stack.size == 12 and stack.num_inputs == 9 and stack.num_outputs == 9
