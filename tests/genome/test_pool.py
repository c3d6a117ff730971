"""The gene pool: genomes packed into one struct of arrays round-trip, and views stay views."""

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neat
from neat.errors import InvalidGenomeError
from neat.genome.pool import GenePool, GenomeSequence, ranges
from neat.testing import gene_pools, genome_families


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 6)), max_size=12))
def test_ranges_concatenates_aranges(spans):
    starts = np.array([s for s, _ in spans], dtype=np.int64)
    lengths = np.array([n for _, n in spans], dtype=np.int64)
    expected = [i for s, n in spans for i in range(s, s + n)]
    assert ranges(starts, lengths).tolist() == expected


@given(genome_families(max_size=6))
def test_pack_and_index_round_trip(family):
    genomes = [g.with_key(10 + i) for i, g in enumerate(family.genomes)]
    pool = GenePool.pack(genomes)
    assert len(pool) == len(genomes)
    for i, genome in enumerate(genomes):
        assert pool[i] == genome and pool[i].key == genome.key
    assert GenePool.pack(list(pool)) == pool
    assert pool.validate() is pool
    # pool[i] views the pool's arrays: nothing copied, nothing writable.
    view = pool[len(pool) - 1]
    assert np.shares_memory(view.conns.weight, pool.conns.weight) or view.num_connections == 0
    assert not view.conns.weight.flags.writeable
    assert view.copy() == view and not np.shares_memory(view.copy().nodes.bias, pool.nodes.bias)


@given(gene_pools(), st.data())
def test_take_gives_the_chosen_genomes_in_order(family, data):
    pool = family.pool
    index = data.draw(st.lists(st.integers(0, len(pool) - 1), max_size=8))
    taken = pool.take(np.array(index, dtype=np.int64))
    assert list(taken) == [pool[i] for i in index]
    assert taken.keys.tolist() == pool.keys[index].tolist()


@given(gene_pools())
def test_keys_and_gene_columns_agree_with_the_offsets(family):
    pool = family.pool
    assert np.all(np.diff(pool.node_keys) > 0) and np.all(np.diff(pool.conn_keys) > 0)
    for i in range(len(pool)):
        lo, hi = pool.conn_offsets[i], pool.conn_offsets[i + 1]
        assert np.all(pool.conn_genome[lo:hi] == i)
    src, dst = pool.edge_nodes()
    assert np.array_equal(pool.nodes.id[src], pool.conns.src) and np.array_equal(pool.nodes.id[dst], pool.conns.dst)


def test_sequence_of_a_pool_reads_like_a_list():
    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 1}, run={"population_size": 5, "seed": 0})
    pop = neat.Population(config)
    genomes = pop.ask()
    assert isinstance(genomes, GenomeSequence) and genomes.pool is pop.pool
    assert len(genomes) == 5 and genomes[-1] == list(genomes)[4]
    assert genomes[1:3] == [genomes[1], genomes[2]]
    assert [g.key for g in genomes] == [0, 1, 2, 3, 4]
    assert pickle.loads(pickle.dumps(genomes)) == genomes
    assert pickle.loads(pickle.dumps(genomes[2])).key == 2


def test_a_pool_holds_one_genome_config():
    a = neat.Config(genome={"num_inputs": 2, "num_outputs": 1})
    b = neat.Config(genome={"num_inputs": 3, "num_outputs": 1})
    ga = neat.new_genome(a, neat.InnovationTracker.for_config(a), neat.make_rng(0))
    gb = neat.new_genome(b, neat.InnovationTracker.for_config(b), neat.make_rng(0))
    with pytest.raises(InvalidGenomeError, match="genome 1 has another genome config"):
        GenePool.pack([ga, gb])
    with pytest.raises(ValueError, match="needs the config"):
        GenePool.pack([])
    assert len(GenePool.pack([], a)) == 0


def test_bad_offsets_are_refused():
    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 1})
    pool = GenePool.pack([neat.new_genome(config, neat.InnovationTracker.for_config(config), neat.make_rng(0))])
    with pytest.raises(InvalidGenomeError, match="conn_offsets must rise"):
        GenePool(config, pool.nodes, pool.conns, pool.node_offsets, np.array([0, 1]))
    with pytest.raises(InvalidGenomeError, match="length 2"):
        GenePool(config, pool.nodes, pool.conns, np.array([0, 3, 3]), np.array([0, 2, 2]), keys=[0])


def test_genome_keys_are_checked_and_kept_in_json():
    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 1})
    genome = neat.new_genome(config, neat.InnovationTracker.for_config(config), neat.make_rng(0)).with_key(7)
    assert neat.Genome.from_dict(genome.to_dict()).key == 7
    assert "key=7" in repr(genome)
    with pytest.raises(InvalidGenomeError, match="key must be an integer"):
        genome.with_key("seven")


@given(gene_pools(min_size=3), st.data())
def test_replace_genomes_swaps_in_the_new_genes(family, data):
    from neat.genome.pool_crossover import replace_genomes

    pool = family.pool
    index = sorted(data.draw(st.sets(st.integers(0, len(pool) - 1), min_size=1, max_size=2)))
    # Same genes with flipped flags (the fast path), or another genome's genes (a rebuild).
    same = data.draw(st.booleans())
    new = [pool[i].replace(conns=pool[i].conns._replace(enabled=~pool[i].conns.enabled)) if same
           else pool[(i + 1) % len(pool)].copy() for i in index]
    out = replace_genomes(pool, np.array(index), new)
    for i in range(len(pool)):
        expected = new[index.index(i)] if i in index else pool[i]
        assert out[i] == expected
    assert out.keys.tolist() == pool.keys.tolist()
    src, dst = out.edge_nodes()
    fresh = GenePool(out.config, out.nodes, out.conns, out.node_offsets, out.conn_offsets)
    assert np.array_equal(src, fresh.edge_nodes()[0]) and np.array_equal(dst, fresh.edge_nodes()[1])
