"""Deep property run: the genome operators for a given number of operator steps, every result checked.

An *operator step* is one application of one operator to one genome; a
batched operator applied to ``n`` genomes of a gene pool counts ``n`` steps.
After every step the result is checked: ``genome.validate()``, agreement
with the run's ``InnovationTracker``, and for gene pools the layout and every
derived array an operator handed down (``neat.testing.check_genome`` /
``pool_problems``).  The step budget is split between two parts:

- **Hypothesis** (``--hypothesis-share``, default 5%): the state machine
  ``neat.testing.GenomeOperators`` with a deep profile (``stateful_step_count``
  from ``--hypothesis-steps``, as many examples as the budget allows), in
  rounds with seeds derived from ``--seed``; a failure is shrunk to the
  shortest breaking sequence of operators and printed to stderr.
- **Seeded random driver** (the rest): episodes of a few dozen generations,
  each with a random config of one of five scenarios (feed-forward,
  feed-forward with deletes, recurrent, single structural mutation, the
  fixed-topology GA) and a pool of 1 to 128 genomes.  A generation is one of:
  NEAT breeding with the batched operators (``cross_pool`` + ``mutate_pool``),
  the same rules one genome at a time (``crossover``, ``mutate``, each
  operator of ``OPERATORS``), a chain of single batched operators on random
  subsets (``add_nodes`` ... ``replace_genomes``), or the GA's mutations
  (``mutate_pool_attributes``, noise table, compact ``mutated_child``).
  Episode ``e`` draws from ``SeedSequence(seed, spawn_key=(2, e))``, so
  ``--seed S --episode E`` replays one episode exactly.

Progress and every failure (operator, scenario, message, how to replay) go
to stderr; the last line of stdout is one JSON object with at least
``operator_steps``, ``invalid_genomes`` and ``seconds``, then ``operator_errors``
(an operator that raised) and the steps per part, operator and scenario.
The exit status is 1 when a genome was invalid or an operator raised.

Run:  python benchmarks/property_depth.py --steps 1000000 [--seed 0] [--hypothesis-share 0.05]
      python benchmarks/property_depth.py --seed 0 --episode 1234     (replay one random episode)
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import math
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.reporting import with_reporter
from hypothesis.stateful import run_state_machine_as_test

from neat.config import Config
from neat.errors import InvalidGenomeError
from neat.evolution.compact import mutated_child
from neat.evolution.noise import NoiseTable
from neat.functions import ACTIVATIONS, AGGREGATIONS
from neat.genome.crossover import crossover
from neat.genome.innovation import InnovationTracker
from neat.genome.mutation import OPERATORS, mutate
from neat.genome.pool import GenePool
from neat.genome.pool_crossover import cross_pool, replace_genomes
from neat.genome.pool_mutation import (
    add_connections,
    add_nodes,
    delete_connections,
    delete_nodes,
    mutate_pool,
    mutate_pool_attributes,
    mutate_pool_functions,
    mutate_pool_structure,
    toggle_pool,
)
from neat.genome.topology import new_genomes
from neat.rng import make_rng
from neat.testing import STRESS_MUTATION, GenomeOperators, check_genome, pool_problems

SCENARIOS = ("feed_forward", "feed_forward_deletes", "recurrent", "single_structural", "ga")
START_TOPOLOGIES = ("full", "full_direct", "partial", "partial_direct", "fs_neat", "fs_neat_hidden", "none")
MAX_FAILURES = 10  # failures kept in full for the report (all are counted)
PROGRESS_SECONDS = 10.0


def log(message: str) -> None:
    print(f"[property_depth] {message}", file=sys.stderr, flush=True)


class Tally:
    """Steps, invalid genomes and operator errors, with the first failures in full."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.steps = {"hypothesis": 0, "random": 0}
        self.by_operator: dict[str, collections.Counter] = {part: collections.Counter() for part in self.steps}
        self.by_scenario: collections.Counter = collections.Counter()
        self.invalid = 0
        self.errors = 0
        self.failures: list[dict[str, Any]] = []
        self.start = time.perf_counter()
        self._last_progress = self.start
        self._last_shown: tuple = ()

    @property
    def total(self) -> int:
        return sum(self.steps.values())

    def count(self, part: str, operator: str, steps: int, scenario: str | None = None) -> None:
        self.steps[part] += steps
        self.by_operator[part][operator] += steps
        if scenario is not None:
            self.by_scenario[scenario] += steps

    def failed(self, kind: str, genomes: int, failure: dict[str, Any]) -> None:
        """Record a failure: ``kind`` is "invalid" (``genomes`` invalid genomes) or "error" (an operator raised)."""
        if kind == "invalid":
            self.invalid += genomes
        else:
            self.errors += 1
        failure = {"kind": kind, "genomes": genomes, **failure}
        if len(self.failures) < MAX_FAILURES:
            self.failures.append(failure)
        log("FAILURE " + json.dumps(failure))

    def progress(self, part: str, budget: int, force: bool = False) -> None:
        now = time.perf_counter()
        shown = (part, self.steps[part], self.invalid, self.errors)
        if shown != self._last_shown and (force or now - self._last_progress >= PROGRESS_SECONDS):
            self._last_progress, self._last_shown = now, shown
            log(f"{part}: {self.steps[part]:,}/{budget:,} steps, {self.invalid} invalid genomes, "
                f"{self.errors} operator errors, {now - self.start:.0f} s")

    def summary(self) -> dict[str, Any]:
        return {
            "operator_steps": self.total,
            "invalid_genomes": self.invalid,
            "seconds": round(time.perf_counter() - self.start, 1),
            "operator_errors": self.errors,
            "seed": self.seed,
            "steps_by_part": dict(self.steps),
            "steps_by_operator": {part: dict(sorted(c.items())) for part, c in self.by_operator.items()},
            "steps_by_scenario": dict(sorted(self.by_scenario.items())),
            "failures": [{k: f[k] for k in ("kind", "part", "operator", "message") if k in f} for f in self.failures],
        }


# --- part (a): the Hypothesis state machine ------------------------------------------------
def run_hypothesis(budget: int, steps_per_example: int, seed: int, tally: Tally, shrink: bool = True) -> int:
    """Run ``GenomeOperators`` in seeded rounds until ``budget`` steps are counted; returns the examples run."""

    seen: dict[str, Any] = {"examples": 0, "operator": None}

    class Counted(GenomeOperators):
        def __init__(self) -> None:
            super().__init__()
            seen["examples"] += 1  # one machine per example (shrinking's replays included)

        def check(self, operator: str, result: Any, steps: int) -> None:
            tally.count("hypothesis", operator, steps)
            seen["operator"] = operator  # still set if the check fails (Hypothesis replays the failure last)
            super().check(operator, result, steps)
            seen["operator"] = None

    rounds = idle = 0
    per_example = max(1.0, 0.4 * steps_per_example)  # an example runs about this many operator steps
    while tally.steps["hypothesis"] < budget:
        remaining = budget - tally.steps["hypothesis"]
        n = int(min(200, max(10, math.ceil(remaining / per_example))))
        round_seed = int(np.random.SeedSequence(seed, spawn_key=(1, rounds)).generate_state(1)[0])
        deep = settings(
            max_examples=n,
            stateful_step_count=steps_per_example,
            deadline=None,
            database=None,
            derandomize=False,
            report_multiple_bugs=False,
            phases=list(Phase) if shrink else [Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        report: list[str] = []
        before = tally.steps["hypothesis"]
        seen["operator"] = None
        try:
            with with_reporter(report.append):
                run_state_machine_as_test(hypothesis_seed(round_seed)(lambda: Counted()), settings=deep)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported, then the run goes on
            program = "\n".join([*report, *getattr(exc, "__notes__", [])])
            kind = "invalid" if isinstance(exc, InvalidGenomeError) else "error"
            # A failed check names its operator; an operator that raised, the program's last rule.
            operator = seen["operator"] or _last_rule(program)
            tally.failed(kind, 1, {
                "part": "hypothesis", "operator": operator, "hypothesis_seed": round_seed,
                "message": f"{type(exc).__name__}: {exc}",
            })
            log(("shortest failing program" if shrink else "failing program") + " (state = GenomeOperators()):\n" + program)
        rounds += 1
        idle = idle + 1 if tally.steps["hypothesis"] == before else 0
        if idle == 3:  # rounds that count no step (a machine whose rules never act): stop, not loop forever
            break
        tally.progress("hypothesis", budget)
    tally.progress("hypothesis", budget, force=True)
    return seen["examples"]


def _last_rule(program: str) -> str:
    """The rule of the last step of a Hypothesis program (``state.<rule>(...)``), or "?"."""
    calls = [line.split("state.", 1)[1].split("(", 1)[0] for line in program.splitlines() if "state." in line]
    calls = [c for c in calls if c != "teardown"]
    return calls[-1] if calls else "?"


# --- part (b): the seeded random driver ----------------------------------------------------
def pool_of(operator: Callable[..., Any]) -> Callable[..., GenePool]:
    """``operator`` (which returns a ``(pool, count)`` named tuple) returning just the pool."""
    return lambda *args, **kwargs: operator(*args, **kwargs).pool


class Abort(Exception):
    """An episode's state is broken: stop it (the failure is already counted)."""


def random_config(scenario: str, rng: np.random.Generator) -> Config:
    """A valid config of ``scenario`` with random sizes, start topology, bounds, functions and rates."""
    feed_forward = scenario.startswith("feed_forward") or (scenario != "recurrent" and rng.random() < 0.5)
    activations = list(rng.choice(sorted(ACTIVATIONS), size=rng.integers(1, 5), replace=False))
    aggregations = list(rng.choice(sorted(AGGREGATIONS), size=rng.integers(1, 4), replace=False))
    genome = {
        "num_inputs": int(rng.integers(1, 7)),
        "num_outputs": int(rng.integers(1, 5)),
        "hidden_layers": [int(h) for h in rng.integers(1, 4, size=rng.integers(0, 3))],
        "initial_connection": str(rng.choice(START_TOPOLOGIES)),
        "connection_fraction": float(rng.random()),
        "connection_sampling": str(rng.choice(["independent", "exact"])),
        "initial_self_connections": bool(not feed_forward and rng.random() < 0.5),
        "feed_forward": bool(feed_forward),
        "activation_options": activations,
        "activation_default": str(rng.choice([*activations, "random"])),
        "aggregation_options": aggregations,
        "aggregation_default": str(rng.choice([*aggregations, "random"])),
        "weight_init_type": str(rng.choice(["gaussian", "uniform"])),
        "weight_init_scaling": str(rng.choice(["none", "fan_in"])),
        "weight_init_stdev": float(rng.uniform(0.0, 3.0)),
        "weight_min": -float(rng.uniform(0.5, 30.0)),
        "weight_max": float(rng.uniform(0.5, 30.0)),
        "bias_init_stdev": float(rng.uniform(0.0, 3.0)),
        "bias_min": -float(rng.uniform(0.5, 30.0)),
        "bias_max": float(rng.uniform(0.5, 30.0)),
        "response_init_mean": float(rng.uniform(-1.0, 2.0)),
        "response_init_stdev": float(rng.uniform(0.0, 1.0)),
        "response_min": -float(rng.uniform(0.0, 5.0)),
        "response_max": float(rng.uniform(0.5, 5.0)),
    }
    scale = float(rng.choice([1.0, 0.5, 0.2]))  # stress rates, or fewer structural changes per step
    mutation: dict[str, Any] = {k: v * scale if k.endswith("_prob") else v for k, v in STRESS_MUTATION.items()}
    if scenario == "feed_forward":
        mutation.update(conn_delete_prob=0.0, node_delete_prob=0.0)
    mutation.update(
        single_structural_mutation=scenario == "single_structural",
        max_add_connection_attempts=int(rng.integers(1, 31)),
        add_connection_reenables=bool(rng.random() < 0.7),
        add_node_fallback=bool(rng.random() < 0.5),
        enabled_mutate_rate=float(rng.choice([0.0, 0.05, 0.3])),
        weight_mutate_power=float(rng.uniform(0.0, 3.0)),
        bias_mutate_power=float(rng.uniform(0.0, 3.0)),
    )
    return Config(
        genome=genome, mutation=mutation, reproduction={"disabled_inherit_prob": float(rng.random())}
    )


class Episode:
    """One run of the random driver: a config, a tracker, a generator and a pool, bred for some generations."""

    def __init__(self, seed: int, index: int, tally: Tally) -> None:
        self.index, self.tally = index, tally
        self.rng = make_rng(np.random.SeedSequence(seed, spawn_key=(2, index)))
        self.scenario = SCENARIOS[index % len(SCENARIOS)]
        self.config = random_config(self.scenario, self.rng)
        self.tracker = InnovationTracker.for_config(self.config)
        self.noise = NoiseTable(4096, int(self.rng.integers(2**31))) if self.rng.random() < 0.5 else None
        self.generation = 0
        self.size = int(math.exp(self.rng.uniform(0.0, math.log(129))))  # 1 to 128, log-uniform

    # -- checking ---------------------------------------------------------------
    def step(self, operator: str, steps: int, make: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``make(*args, **kwargs)`` (one operator application), counted as ``steps`` steps, its result checked."""
        try:
            result = make(*args, **kwargs)
        except InvalidGenomeError as exc:
            self.fail("invalid", operator, 1, str(exc))
        except Exception as exc:  # noqa: BLE001 - an operator that raises is a bug: count it, go on
            self.fail("error", operator, 1, f"{type(exc).__name__}: {exc}")
        if isinstance(result, GenePool):
            problems = pool_problems(result, self.tracker)
        else:
            try:
                check_genome(result, self.tracker)
                problems = {}
            except InvalidGenomeError as exc:
                problems = {0: str(exc)}
        self.tally.count("random", operator, steps, self.scenario)
        if problems:
            i, message = next(iter(problems.items()))
            self.fail("invalid", operator, len(problems), f"genome {i}: {message}")
        return result

    def fail(self, kind: str, operator: str, genomes: int, message: str) -> None:
        self.tally.failed(kind, genomes, {
            "part": "random", "operator": operator, "scenario": self.scenario, "episode": self.index,
            "generation": self.generation, "feed_forward": self.config.genome.feed_forward, "message": message,
            "replay": f"python benchmarks/property_depth.py --seed {self.tally.seed} --episode {self.index}",
        })
        raise Abort

    # -- the run ------------------------------------------------------------------
    def run(self, budget: int | None) -> None:
        """Breed for a random number of generations (or until ``budget`` random steps are counted)."""
        rng = self.rng
        generations = int(rng.integers(4, 41))
        config, tracker = self.config, self.tracker
        pool = self.step("new_genomes", 0, lambda: GenePool.pack(new_genomes(config, tracker, rng, self.size)))
        if self.scenario == "ga":
            kinds, weights = (self.ga, self.compact), (0.6, 0.4)
        else:
            kinds, weights = (self.breed, self.one_by_one, self.pool_operators), (0.45, 0.3, 0.25)
        for self.generation in range(generations):
            kind = kinds[int(rng.choice(len(kinds), p=weights))]
            pool = kind(pool)
            tracker.new_generation()
            if budget is not None and self.tally.steps["random"] >= budget:
                return

    def next_size(self, size: int) -> int:
        return int(np.clip(round(size * self.rng.uniform(0.7, 1.4)), 1, 160))

    def breed(self, pool: GenePool) -> GenePool:
        """NEAT's batched breeding: ``cross_pool`` (copies, crossovers), then ``mutate_pool`` of all but elites."""
        rng, n = self.rng, len(pool)
        c = self.next_size(n)
        a = rng.integers(n, size=c)
        b = np.where(rng.random(c) < 0.25, -1, rng.integers(n, size=c))
        elite = np.arange(c) < rng.integers(0, 3)
        b[elite] = -1
        equal = rng.random(c) < 0.3
        children = self.step("cross_pool", c, pool_of(cross_pool), pool, a, b, equal, self.config, rng)
        mutable = ~elite
        return self.step("mutate_pool", int(mutable.sum()), pool_of(mutate_pool), children, mutable, self.config,
                         self.tracker, rng)

    def one_by_one(self, pool: GenePool) -> GenePool:
        """The single-genome operators: crossover then mutate, mutate alone, or one operator of ``OPERATORS``."""
        rng, config, tracker = self.rng, self.config, self.tracker
        names = sorted(OPERATORS)
        children = []
        for _ in range(self.next_size(len(pool))):
            parent = pool[int(rng.integers(len(pool)))]
            draw = rng.random()
            if draw < 0.4:
                other = pool[int(rng.integers(len(pool)))]
                equal = bool(rng.random() < 0.3)
                parent = self.step("crossover", 1, crossover, parent, other, config, rng, equal_fitness=equal)
            if draw < 0.7:
                child = self.step("mutate", 1, mutate, parent, config, tracker, rng)
            else:
                name = names[int(rng.integers(len(names)))]
                child = self.step(name, 1, OPERATORS[name], parent, config, tracker, rng)
            children.append(child)
        return self.step("pack", 0, GenePool.pack, children)

    def pool_operators(self, pool: GenePool) -> GenePool:
        """A chain of one to six single batched operators, each on a random subset of the pool."""
        rng, config, tracker = self.rng, self.config, self.tracker
        structural = {"add_nodes": add_nodes, "add_connections": add_connections,
                      "delete_nodes": delete_nodes, "delete_connections": delete_connections}
        masked = {  # (pool, mutable) -> pool
            "toggle_pool": lambda p, m: toggle_pool(p, m, config, rng).pool,
            "mutate_pool_functions": lambda p, m: mutate_pool_functions(p, m, config, rng),
            "mutate_pool_attributes": lambda p, m: mutate_pool_attributes(p, m, config, rng),
            "mutate_pool_structure": lambda p, m: mutate_pool_structure(p, m, config, tracker, rng).pool,
        }
        choices = [*structural, *masked, "take", "replace_genomes"]
        for _ in range(int(rng.integers(1, 7))):
            name = choices[int(rng.integers(len(choices)))]
            mask = rng.random(len(pool)) < rng.uniform(0.1, 1.0)
            if name in structural:
                index = np.flatnonzero(mask)
                pool = self.step(name, len(index), structural[name], pool, index, config, tracker, rng)
            elif name in masked:
                pool = self.step(name, int(mask.sum()), masked[name], pool, mask)
            elif name == "take":  # reorder, drop and duplicate genomes (no operator acts on one)
                index = rng.integers(len(pool), size=self.next_size(len(pool)))
                pool = self.step("take", 0, pool.take, index)
            else:  # single-genome mutations written back into the pool (as the repairs do: never none)
                index = np.flatnonzero(mask)
                if not len(index):
                    continue
                new = [self.step("mutate", 1, mutate, pool[int(i)], config, tracker, rng) for i in index]
                pool = self.step("replace_genomes", 0, replace_genomes, pool, index, new)
        return pool

    def ga(self, pool: GenePool) -> GenePool:
        """The fixed-topology GA: copies of random parents, attributes mutated in one pass (or by a noise table)."""
        rng, n = self.rng, len(pool)
        c = self.next_size(n)
        children = pool.take(rng.integers(n, size=c)).with_keys(np.full(c, -1, dtype=np.int64))
        mutable = np.arange(c) >= 1  # one elite
        if self.noise is not None:
            noise = self.noise
            return self.step("noise_mutate_pool", int(mutable.sum()), noise.mutate_pool, children, mutable,
                             self.config, rng)
        return self.step("mutate_pool_attributes", int(mutable.sum()), mutate_pool_attributes, children, mutable,
                         self.config, rng)

    def compact(self, pool: GenePool) -> GenePool:
        """Compact genomes: each child its parent mutated by its own seed (``mutated_child``)."""
        rng, config = self.rng, self.config
        children = []
        for _ in range(self.next_size(len(pool))):
            parent, seed = pool[int(rng.integers(len(pool)))], int(rng.integers(2**63 - 1))
            children.append(self.step("mutated_child", 1, mutated_child, parent, config, seed, self.noise))
        return self.step("pack", 0, GenePool.pack, children)


def run_random(budget: int, seed: int, tally: Tally, only: int | None = None) -> int:
    """Episodes until ``budget`` random-driver steps are counted (or just episode ``only``); returns how many."""
    indices = [only] if only is not None else itertools.count()
    episodes = 0
    for index in indices:
        try:
            Episode(seed, index, tally).run(None if only is not None else budget)
        except Abort:
            pass
        episodes += 1
        if only is None and tally.steps["random"] >= budget:
            break
        tally.progress("random", budget)
    tally.progress("random", budget, force=True)
    return episodes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100_000, help="operator steps in all (default 100,000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of both parts (default 0)")
    parser.add_argument("--hypothesis-share", type=float, default=0.05,
                        help="share of the steps run by the Hypothesis state machine (default 0.05)")
    parser.add_argument("--hypothesis-steps", type=int, default=100,
                        help="stateful_step_count: most rules per Hypothesis example (default 100)")
    parser.add_argument("--no-shrink", action="store_true",
                        help="report a Hypothesis failure as found, without shrinking it to the shortest program")
    parser.add_argument("--episode", type=int, default=None,
                        help="replay only this episode of the random driver (no Hypothesis part)")
    args = parser.parse_args(argv)
    if args.steps < 0 or not 0.0 <= args.hypothesis_share <= 1.0 or args.hypothesis_steps < 1 or args.seed < 0:
        parser.error("--steps and --seed must be >= 0, --hypothesis-share in [0, 1], --hypothesis-steps >= 1")

    tally = Tally(args.seed)
    figures: dict[str, Any] = {}
    if args.episode is not None:
        log(f"replaying episode {args.episode} of seed {args.seed}")
        run_random(0, args.seed, tally, only=args.episode)
        figures["episodes"] = 1
    else:
        hypothesis_budget = round(args.steps * args.hypothesis_share)
        log(f"{args.steps:,} operator steps, seed {args.seed}: {hypothesis_budget:,} through Hypothesis, "
            f"{args.steps - hypothesis_budget:,} through the random driver")
        if hypothesis_budget:
            figures["hypothesis_examples"] = run_hypothesis(
                hypothesis_budget, args.hypothesis_steps, args.seed, tally, shrink=not args.no_shrink
            )
        if args.steps - hypothesis_budget > 0:
            figures["episodes"] = run_random(args.steps - hypothesis_budget, args.seed, tally)
    summary = tally.summary()
    summary.update(figures)
    print(json.dumps(summary))
    return 1 if tally.invalid or tally.errors else 0


if __name__ == "__main__":
    sys.exit(main())
