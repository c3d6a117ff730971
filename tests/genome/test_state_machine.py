"""The genome operators as a rule-based state machine (``neat.testing.GenomeOperators``).

Its rules are the single-genome and the batched gene-pool operators, and it
checks every genome they make (``validate()``, agreement with the tracker,
the pool's handed-down arrays).  A failure shrinks to the shortest sequence
of operators that breaks a genome.  ``benchmarks/property_depth.py`` runs the
same machine deeply.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.stateful import rule, run_state_machine_as_test

from neat import InnovationTracker, make_rng, new_genome
from neat.errors import InvalidGenomeError
from neat.genome.mutation import add_node
from neat.genome.pool import GenePool
from neat.genome.pool_mutation import add_nodes
from neat.testing import GenomeOperators, check_genome, check_pool, pool_problems

from ..helpers import XOR

TestGenomeOperators = GenomeOperators.TestCase
TestGenomeOperators.settings = settings(settings(), stateful_step_count=30)

QUICK = settings(max_examples=30, stateful_step_count=20, deadline=None, database=None, derandomize=True,
                 suppress_health_check=list(HealthCheck))


def test_every_rule_runs_and_reports_its_steps():
    seen: dict[str, int] = {}

    class Counting(GenomeOperators):
        def check(self, operator, result, steps):
            seen[operator] = seen.get(operator, 0) + steps
            super().check(operator, result, steps)

    run_state_machine_as_test(Counting, settings=QUICK)
    batched = {"mutate_pool", "mutate_pool_attributes", "cross_pool"}
    assert batched <= set(seen) and sum(seen[name] for name in batched) > 0
    assert {"crossover", "mutate", "add_node", "pack", "take"} <= set(seen)
    assert seen["pack"] == seen["take"] == seen["new_genome"] == 0  # no operator acted on a genome


def test_a_broken_operator_is_found_and_named():
    class WithBrokenOperator(GenomeOperators):
        @rule(target=GenomeOperators.genomes, parent=GenomeOperators.genomes)
        def too_heavy(self, parent):
            conns = parent.conns
            weight = np.full_like(conns.weight, parent.config.weight_max + 1.0)  # outside the bounds
            return self._made("too_heavy", parent.replace(conns=conns._replace(weight=weight)))

    with pytest.raises(InvalidGenomeError, match="weight"):
        run_state_machine_as_test(seed(0)(WithBrokenOperator), settings=settings(QUICK, phases=[Phase.generate]))


def xor_family(config=XOR):
    tracker = InnovationTracker.for_config(config)
    rng = make_rng(4)
    return tracker, rng, [new_genome(config, tracker, rng) for _ in range(3)]


def test_check_genome_holds_genomes_to_their_tracker():
    tracker, _, genomes = xor_family()
    check_genome(genomes[0], tracker)
    stranger = InnovationTracker.for_config(XOR)
    stranger.innovation(2, 0)  # the stranger numbers the pairs differently
    with pytest.raises(InvalidGenomeError, match="innovation tracker"):
        check_genome(genomes[0], stranger)
    before = tracker.copy()
    grown = add_node(genomes[0], XOR, tracker, make_rng(0))
    check_genome(grown, tracker)
    with pytest.raises(InvalidGenomeError, match="never handed out"):
        check_genome(grown, before)


def test_pool_problems_finds_stale_handed_down_edges():
    tracker, rng, genomes = xor_family()
    pool = add_nodes(GenePool.pack(genomes), np.array([0, 2]), XOR, tracker, rng)
    assert pool._known_edges() is not None  # add_nodes hands its edge rows down
    assert pool_problems(pool, tracker) == {}
    src, dst = pool.edge_nodes()
    stale = src.copy()
    stale[pool.conn_offsets[1]] += 1  # one edge of genome 1 points at the wrong node row
    pool._set_edges(stale, dst)
    problems = pool_problems(pool, tracker)
    assert list(problems) == [1] and "edge_src" in problems[1]
    with pytest.raises(InvalidGenomeError, match="genome 1 of the pool"):
        check_pool(pool, tracker)


def test_pool_problems_names_every_invalid_genome():
    tracker, _, genomes = xor_family()
    bad = genomes[1].replace(conns=genomes[1].conns._replace(weight=np.full_like(genomes[1].conns.weight, np.nan)))
    problems = pool_problems(GenePool.pack([genomes[0], bad, bad]), tracker)
    assert list(problems) == [1, 2] and all("weight" in message for message in problems.values())
