"""A rule-based state machine whose rules are the operators and whose invariant is ``validate()``.

A failure shrinks to the shortest sequence of operators that breaks a genome.
"""

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from neat import InnovationTracker, crossover, make_rng, new_genome
from neat.genome.mutation import OPERATORS, mutate
from neat.testing import configs


class GenomeOperators(RuleBasedStateMachine):
    genomes = Bundle("genomes")

    @initialize(target=genomes, config=configs(), seed=st.integers(0, 2**32 - 1))
    def start(self, config, seed):
        self.config = config
        self.tracker = InnovationTracker.for_config(config)
        self.rng = make_rng(seed)
        self.held = [new_genome(config, self.tracker, self.rng)]
        return self.held[0]

    def _keep(self, genome):
        self.held.append(genome)
        return genome

    @rule(target=genomes, parent=genomes, name=st.sampled_from(sorted(OPERATORS)))
    def operator(self, parent, name):
        return self._keep(OPERATORS[name](parent, self.config, self.tracker, self.rng))

    @rule(target=genomes, parent=genomes)
    def mutate(self, parent):
        return self._keep(mutate(parent, self.config, self.tracker, self.rng))

    @rule(target=genomes, a=genomes, b=genomes, equal=st.booleans())
    def cross(self, a, b, equal):
        return self._keep(crossover(a, b, self.config, self.rng, equal_fitness=equal))

    @rule(target=genomes)
    def fresh(self):
        return self._keep(new_genome(self.config, self.tracker, self.rng))

    @rule()
    def next_generation(self):
        self.tracker.new_generation()

    @invariant()
    def every_genome_is_valid(self):
        for genome in getattr(self, "held", []):
            genome.validate()

    @invariant()
    def innovations_agree_with_the_tracker(self):
        for genome in getattr(self, "held", [])[-1:]:
            c = genome.conns
            expected = [self.tracker.innovation(s, d) for s, d in zip(c.src.tolist(), c.dst.tolist())]
            assert np.array_equal(c.innovation, expected)


TestGenomeOperators = GenomeOperators.TestCase
TestGenomeOperators.settings = settings(settings(), stateful_step_count=30)
