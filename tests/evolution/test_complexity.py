"""Complexity regulation: the phases, the simplifying phase's children, checkpoints, and "none" unchanged."""

import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neat import Config, ConfigError
from neat.evolution.checkpoint import Checkpointer, load_checkpoint, save_checkpoint
from neat.evolution.complexity import Regulation, mean_complexity, regulate, simplifying_config
from neat.evolution.population import Population
from neat.evolution.reporting import StatisticsReporter, StdOutReporter

from .test_population import weight_sum


def config(regulation="absolute", ceiling=8.0, *, seed=3, size=40, feed_forward=True, **reproduction):
    extra = {} if regulation is None else {"complexity_regulation": regulation, "complexity_ceiling": ceiling}
    return Config(
        genome={"num_inputs": 3, "num_outputs": 2, "feed_forward": feed_forward},
        mutation={"node_add_prob": 0.2, "conn_add_prob": 0.4, "enabled_mutate_rate": 0.02},
        reproduction={"min_simplify_generations": 3, "complexity_window": 3, **extra, **reproduction},
        run={"population_size": size, "seed": seed},
    )


def run_phases(pop, generations):
    """(pool told, phase that bred the next one, its mean complexity, the next pool) per generation."""
    out = []
    for _ in range(generations):
        pool = pop.pool
        pop.tell(weight_sum(pop.ask()))
        out.append((pool, pop.regulation.phase, pop.regulation.complexity, pop.pool))
    return out


def gene_sets(genome):
    return set(genome.conns.innovation.tolist()), set(genome.nodes.id.tolist())


def assert_pool_equal(a, b):
    for x, y in zip((*a.nodes, *a.conns, a.node_offsets, a.conn_offsets, a.keys),
                    (*b.nodes, *b.conns, b.node_offsets, b.conn_offsets, b.keys)):
        assert x.dtype == y.dtype and np.array_equal(x, y)


# --- config -------------------------------------------------------------------------------------
def test_config_keys_default_to_no_regulation_and_are_checked():
    rc = Config().reproduction
    assert rc.complexity_regulation == "none" and rc.complexity_metric == "connections"
    with pytest.raises(ConfigError, match=r"\[reproduction\] complexity_regulation = 'sometimes'"):
        Config(reproduction={"complexity_regulation": "sometimes"})
    with pytest.raises(ConfigError, match="complexity_ceiling"):
        Config(reproduction={"complexity_ceiling": 0.0})
    with pytest.raises(ConfigError, match="truncation"):
        Config(reproduction={"complexity_regulation": "absolute", "strategy": "truncation"},
               mutation={"conn_add_prob": 0.0, "node_add_prob": 0.0})
    with pytest.raises(ConfigError, match="simplifying phase must be able to delete"):
        Config(reproduction={"complexity_regulation": "relative", "simplify_conn_delete_prob": 0.0,
                             "simplify_node_delete_prob": 0.0})


def test_simplifying_config_deletes_only_and_copies():
    c = simplifying_config(config(simplify_conn_delete_prob=0.25, simplify_node_delete_prob=0.05))
    m = c.mutation
    assert (m.conn_add_prob, m.node_add_prob, m.enabled_mutate_rate) == (0.0, 0.0, 0.0)
    assert (m.conn_delete_prob, m.node_delete_prob) == (0.25, 0.05)
    assert c.reproduction.mutate_only_fraction == 1.0 and c.reproduction.elitism_min_species_size == 0
    assert m.weight_mutate_prob == config().mutation.weight_mutate_prob


# --- the phase rule -----------------------------------------------------------------------------
def phases(cfg, series):
    state, out = Regulation(), []
    for g, c in enumerate(series):
        state = regulate(state, c, g, cfg)
        out.append((state.phase, state.ceiling))
    return out


def test_absolute_switches_at_the_ceiling_and_back_when_simplification_stalls():
    cfg = config("absolute", 10.0)  # min_simplify_generations 3, window 3
    series = [5, 8, 10, 10.5, 10, 9, 8, 7, 7, 7, 7, 7]
    got = [p for p, _ in phases(cfg, series)]
    # 10 is not over the ceiling; 10.5 is.  Back once 3 generations passed, under 10, and the moving
    # average of the last 3 means stopped falling: (7, 7, 7) after (7, 7, 7)... first at generation 10.
    assert got[:3] == ["complexify"] * 3
    assert got[3] == "simplify"
    assert got.index("complexify", 3) == 10
    assert all(c == 10.0 for _, c in phases(cfg, series))


def test_absolute_stays_simplifying_while_over_the_ceiling():
    cfg = config("absolute", 10.0)
    got = [p for p, _ in phases(cfg, [11] * 30)]
    assert got == ["simplify"] * 30


def test_relative_ceiling_follows_the_last_simplified_mean():
    cfg = config("relative", 4.0)
    series = [6, 8, 10.5, 9, 8, 7, 7, 7, 7, 8, 10, 11.5]
    got = phases(cfg, series)
    assert got[0] == ("complexify", 10.0)  # generation 0's mean + 4
    assert got[2][0] == "simplify" and got[1][0] == "complexify"
    back = [p for p, _ in got].index("complexify", 2)
    assert got[back][1] == series[back] + 4.0  # the new ceiling: the simplified mean + 4
    assert got[-1][0] == "simplify"  # 11.5 > 7 + 4


def test_regulation_state_round_trips_and_bad_states_are_named():
    state = phases(config("relative"), [3.0, 5.5, 20.0])
    s = Regulation("simplify", 4, 12.5, (1.0, 2.5))
    assert Regulation.from_dict(s.to_dict()) == s
    for bad in ({"phase": "x", "last_switch": 0, "ceiling": None, "history": []},
                {"phase": "simplify", "last_switch": -1, "ceiling": None, "history": []},
                {"phase": "simplify", "last_switch": 0, "ceiling": float("nan"), "history": []},
                {"phase": "simplify", "last_switch": 0, "ceiling": 1.0, "history": ["a"]}, [], {}):
        with pytest.raises(ValueError, match="complexity regulation"):
            Regulation.from_dict(bad)
    assert state[-1][0] == "simplify"


def test_mean_complexity_metrics():
    pop = Population(config(None))
    pool = pop.pool
    enabled = sum(g.num_enabled for g in pop.genomes) / len(pool)
    genes = sum(len(g.conns.innovation) + len(g.hidden_ids) for g in pop.genomes) / len(pool)
    assert mean_complexity(pool) == pytest.approx(enabled) and mean_complexity(pool, "genes") == pytest.approx(genes)


# --- the simplifying phase never adds genes -----------------------------------------------------
@given(
    seed=st.integers(0, 2**16),
    regulation=st.sampled_from(["absolute", "relative"]),
    ceiling=st.floats(0.5, 4.0),
    feed_forward=st.booleans(),
    single=st.booleans(),
    conn_delete=st.floats(0.0, 1.0),
    node_delete=st.floats(0.05, 1.0),
    metric=st.sampled_from(["connections", "genes"]),
)
def test_no_child_of_a_simplifying_generation_has_a_gene_its_parent_lacked(
    seed, regulation, ceiling, feed_forward, single, conn_delete, node_delete, metric
):
    cfg = Config(
        genome={"num_inputs": 3, "num_outputs": 2, "feed_forward": feed_forward},
        mutation={"node_add_prob": 0.5, "conn_add_prob": 0.8, "enabled_mutate_rate": 0.1,
                  "single_structural_mutation": single, "conn_delete_prob": 0.05},
        reproduction={"complexity_regulation": regulation, "complexity_ceiling": ceiling, "complexity_metric": metric,
                      "min_simplify_generations": 2, "complexity_window": 2, "mutate_only_fraction": 0.0,
                      "interspecies_mating_rate": 0.2, "simplify_conn_delete_prob": conn_delete,
                      "simplify_node_delete_prob": node_delete},
        run={"population_size": 16, "seed": seed},
    )
    pop = Population(cfg)
    simplified = 0
    for parents, phase, _, children in run_phases(pop, 8):
        if phase != "simplify":
            continue
        simplified += 1
        parent_sets = [gene_sets(g) for g in parents.genomes()]
        for child in children.genomes():
            conns, nodes = gene_sets(child)
            assert any(conns <= pc and nodes <= pn for pc, pn in parent_sets), "a child gained a gene"
            child.validate()
    assert simplified > 0


def test_simplifying_lowers_the_mean_and_complexifying_grows_it_again():
    pop = Population(config("absolute", 9.0, size=60))
    history = run_phases(pop, 60)
    phases_ = [p for _, p, _, _ in history]
    means = [c for _, _, c, _ in history]
    first = phases_.index("simplify")
    assert means[first] > 9.0 >= max(means[:first]) and "complexify" in phases_[first:]  # switched at the ceiling
    back = phases_.index("complexify", first)
    assert means[back] < 9.0 < max(means[:first + 1])
    assert max(means[first + 1:]) < 9.0 + 3.0  # held near the ceiling from then on


# --- bit for bit ---------------------------------------------------------------------------------
def test_none_is_the_run_without_the_option_bit_for_bit():
    base = config(None)
    none = config("none")
    never = config("absolute", 1e9)  # regulated, but the ceiling is never reached
    pools = []
    for cfg in (base, none, never):
        pop = Population(cfg)
        pop.run(weight_sum, generations=12)
        pools.append((pop.pool, pop.rng.bit_generator.state, pop.phase))
    for pool, state, _ in pools[1:]:
        assert_pool_equal(pools[0][0], pool)
        assert state == pools[0][1]
    assert [p for _, _, p in pools] == [None, None, "complexify"]


def test_checkpoint_resume_through_a_switch_is_bit_identical(tmp_path):
    cfg = config("absolute", 9.0, size=60)
    pop = Population(cfg, reporters=[Checkpointer(tmp_path, every=1)])
    history = run_phases(pop, 45)
    phases_ = [p for _, p, _, _ in history]
    switch = phases_.index("simplify")
    back = phases_.index("complexify", switch)  # the run switched there and back
    for start in (switch - 1, switch, back - 1, back + 1):
        resumed = load_checkpoint(tmp_path / f"checkpoint-{start}.npz")
        rest = run_phases(resumed, 45 - start)
        assert [p for _, p, _, _ in rest] == phases_[start:]
        assert resumed.regulation == pop.regulation
        assert_pool_equal(resumed.pool, pop.pool)
        assert resumed.rng.bit_generator.state == pop.rng.bit_generator.state


def test_checkpoint_with_a_pending_generation_keeps_the_regulation(tmp_path):
    pop = Population(config("absolute", 5.0))
    run_phases(pop, 6)
    pop.run(weight_sum, generations=1)  # evaluated, not reproduced
    save_checkpoint(pop, tmp_path / "c.npz")
    back = load_checkpoint(tmp_path / "c.npz")
    assert back.regulation == pop.regulation and back.regulation.phase in ("simplify", "complexify")
    back.ask(), pop.ask()
    assert_pool_equal(back.pool, pop.pool)


def test_novelty_search_with_regulation_resumes_bit_for_bit_with_its_archive(tmp_path):
    from neat.evaluation.novelty import NoveltyCheckpointer, NoveltySearch

    def behaviour(genomes):  # fitness and a 2-d behaviour from the weights and the size (deterministic)
        w = np.array([[g.conns.weight.sum(), float(np.count_nonzero(g.conns.enabled))] for g in genomes])
        return -np.abs(w[:, 0] - 2.0), w

    def make():
        return NoveltySearch(behaviour, mode="blend", blend=0.5, k=5, archive_random=2, archive_size=30, seed=4)

    cfg = config("absolute", 9.0, size=50)
    straight = make()
    pop = Population(cfg, reporters=[Checkpointer(tmp_path, every=1), NoveltyCheckpointer(straight, tmp_path)])
    phases_ = []
    pop.add_reporter(type("R", (), {"post_evaluate": lambda self, p, f: phases_.append((p.phase, f.copy()))})())
    pop.run(straight, generations=30)
    switch = [p for p, _ in phases_].index("simplify")  # the run switched, with an archive that filled up
    assert "complexify" in [p for p, _ in phases_[switch:]] and len(straight.archive) == 30
    for start in (switch - 1, switch + 2):
        search = make()
        search.load(tmp_path / f"novelty-{start}.npz")
        resumed = load_checkpoint(tmp_path / f"checkpoint-{start}.npz", config=cfg)
        tail = []
        resumed.add_reporter(type("R", (), {"post_evaluate": lambda self, p, f, t=tail: t.append((p.phase, f.copy()))})())
        resumed.run(search, generations=30 - start)
        assert [p for p, _ in tail] == [p for p, _ in phases_[start:]]
        for (_, a), (_, b) in zip(phases_[start:], tail, strict=True):
            np.testing.assert_array_equal(a, b)
        assert resumed.regulation == pop.regulation
        assert_pool_equal(resumed.pool, pop.pool)
        np.testing.assert_array_equal(search.archive, straight.archive)
        assert search.threshold == straight.threshold
        assert search.rng.bit_generator.state == straight.rng.bit_generator.state


# --- reported per generation ---------------------------------------------------------------------
def test_phase_is_reported_on_stdout_and_in_the_csv(tmp_path):
    out = io.StringIO()
    stats = StatisticsReporter()
    pop = Population(config("absolute", 6.0), reporters=[StdOutReporter(out), stats])
    pop.run(weight_sum, generations=20)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("gen")]
    assert any("  simplify " in line for line in lines) and any("  complexify " in line for line in lines)
    path = tmp_path / "s.csv"
    stats.to_csv(path)
    back = StatisticsReporter.read_csv(path)
    assert [g.extra["phase"] for g in back] == [g.extra["phase"] for g in stats.generations]
    assert [g.extra["complexity"] for g in back] == [g.extra["complexity"] for g in stats.generations]
    assert {g.extra["phase"] for g in back} == {"simplify", "complexify"}
