"""Speed of evaluating genomes on gymnasium's CartPole-v1, end to end.

Keys (env steps per second; best of ``--repeats`` timings, the machine being shared):

- ``cartpole_bare_steps_per_s``: one ``gymnasium.make("CartPole-v1")`` env,
  random actions (``action_space.sample()``), ``reset()`` at each episode end:
  the env's own rate.  ``cartpole_bare_seeded_steps_per_s``: the same with
  ``reset(seed=k)``, as the evaluators reset every episode.
- ``cartpole_serial_steps_per_s``: ``GymEvaluator(vectorized=False)`` on 150
  start genomes (examples/cartpole.toml, 4 inputs, 2 outputs), ``--episodes``
  episodes each: compiling the networks, resetting, stepping, mapping actions
  and bookkeeping, divided into the env steps that count (those of running
  episodes).  ``serial_over_bare`` = serial / bare.
- ``cartpole_vector_steps_per_s``: the same with CartPole's NumPy vector env
  (``vectorization_mode="vector_entry_point"``, the default for CartPole:
  one slot per (genome, episode), sub-envs dropped as their episodes end).
  ``cartpole_vector_substeps_per_s`` counts every sub-env step instead
  (``GymEvaluator.env_substeps``), those of sub-envs without a running episode
  included; ``cartpole_slot_utilisation`` = counted / sub-env steps.
- ``cartpole_trained_...``: the same two evaluators on the last generation of
  a run stopped when its best genome balanced every episode (longer episodes);
  ``cartpole_balancing_...``: on 150 copies of that best genome (every episode
  lasts the 500 steps of the time limit, so every sub-env step counts).
- ``..._mean_return``: the mean episode return (= length) of each population.
- ``recurrent_population_speedup``: 150 recurrent genomes (examples/cartpole.toml
  with ``feed_forward = false``: 4 inputs, 2 outputs, neat_sigmoid), grown by
  30 rounds of mutation (``node_add_prob = 0.3``, ``conn_add_prob = 0.5``: about
  9 hidden nodes each, cycles and self-loops), stepped 200 times on a batch of
  16 per genome: the time of stepping the 150 ``RecurrentNetwork``s one after
  another (as the gym evaluator did) over that of one ``RecurrentPopulationNetwork``
  step for all of them.  Median of ``--repeats`` CPU-time ratios (the two
  timed alternately).  ``recurrent_population_speedup_8_tanh``: the same with 8
  inputs, 4 outputs and tanh (bigger matrices, a cheaper activation).

- ``serial_overhead_us_per_step``: the serial evaluator's own cost per env step,
  without the env's: 150 start genomes (8 inputs, 4 outputs) x 3 episodes on an
  env whose ``step`` does nothing (``Box(8)`` observations, ``Discrete(4)``
  actions, 90-step episodes, as LunarLander's shapes), minus a bare loop
  stepping that env through the same episodes (``noop_serial_us_per_step``,
  ``noop_bare_us_per_step``).  Unlike the ratios to a bare env below, it does not
  move with what the episodes do in the env.
- ``lunar_...`` (when box2d is installed, else None): LunarLander-v3, 150
  start genomes (8 inputs, 4 outputs) x 3 episodes: ``lunar_bare_steps_per_s``
  (one env, random actions, seeded resets), ``lunar_serial_steps_per_s`` (the
  serial evaluator's counted steps/s), ``lunar_pool_steps_per_s`` (the same
  on a 2-process pool); ``lunar_serial_over_bare`` and ``lunar_pool_over_serial``.

Run:  python benchmarks/gym_eval.py [--quick]
"""

from __future__ import annotations

import argparse
import functools
import json
import pathlib
import time

import gymnasium
import numpy as np

import neat
from neat.evaluation.gym import GymEvaluator

ROOT = pathlib.Path(__file__).resolve().parents[1]
ENV_ID = "CartPole-v1"


def bare_rate(steps: int, *, seeded: bool, env_id: str = ENV_ID) -> float:
    """Env steps per second of one env with random actions."""
    env = gymnasium.make(env_id)
    env.action_space.seed(0)
    env.reset(seed=0)
    episodes = 0
    start = time.perf_counter()
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            episodes += 1
            if seeded:
                env.reset(seed=episodes)
            else:
                env.reset()
    rate = steps / (time.perf_counter() - start)
    env.close()
    return rate


def evaluator_rate(genomes: list[neat.Genome], *, vectorized: bool, episodes: int, generations: int) -> dict:
    """Counted env steps per second (and sub-env steps per second) over ``generations`` evaluations."""
    with GymEvaluator(ENV_ID, episodes=episodes, vectorized=None if vectorized else False) as evaluator:
        evaluator(genomes, generation=0)  # make the envs (kept between generations)
        counted, substeps = evaluator.env_steps, evaluator.env_substeps
        start = time.perf_counter()
        for generation in range(1, generations + 1):
            returns = evaluator.episode_returns(genomes, generation=generation)
        seconds = time.perf_counter() - start
        counted = evaluator.env_steps - counted
        substeps = evaluator.env_substeps - substeps
    mean_return = counted / (generations * returns.size)
    return {
        "steps_per_s": counted / seconds,
        "substeps_per_s": substeps / seconds,
        "utilisation": counted / substeps,
        "mean_return": mean_return,
    }


def start_genomes(config: neat.Config, count: int, seed: int = 0) -> list[neat.Genome]:
    tracker = neat.InnovationTracker.for_config(config)
    return neat.new_genomes(config, tracker, neat.make_rng(seed), count)


def trained_genomes(config: neat.Config, episodes: int) -> tuple[list[neat.Genome], neat.Genome]:
    """The last generation of a run stopped when its best genome balanced every episode, and that genome."""
    population = neat.Population(config, seed=0)
    with GymEvaluator(ENV_ID, episodes=episodes, seed=0) as evaluator:
        best = population.run(evaluator, 50, stop=lambda pop: pop.best_fitness >= 500.0)
    return population.genomes, best


class NoopEnv(gymnasium.Env):
    """An env whose step does nothing: 8 observations, 4 actions, episodes of 90 steps."""

    observation_space = gymnasium.spaces.Box(-1.0, 1.0, (8,), np.float32)
    action_space = gymnasium.spaces.Discrete(4)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t, self.obs = 0, np.zeros(8, np.float32)
        return self.obs, {}

    def step(self, action):
        self.t += 1
        return self.obs, 1.0, False, self.t >= 90, {}


def serial_overhead(population: int, episodes: int, repeats: int) -> dict:
    """Microseconds per env step of the serial evaluator on a no-op env, of a bare loop on it, and their difference."""
    config = neat.Config(genome={"num_inputs": 8, "num_outputs": 4}, run={"population_size": population})
    genomes = start_genomes(config, population)
    evaluator_us = []
    with GymEvaluator(NoopEnv, episodes=episodes, vectorized=False) as evaluator:
        evaluator(genomes, generation=0)
        for generation in range(1, repeats + 1):
            before, start = evaluator.env_steps, time.perf_counter()
            evaluator(genomes, generation=generation)
            evaluator_us.append((time.perf_counter() - start) / (evaluator.env_steps - before) * 1e6)
    bare_us = []
    env = NoopEnv()
    for _ in range(repeats):
        steps, start = 0, time.perf_counter()
        for episode in range(population * episodes):
            env.reset(seed=episode)
            done = False
            while not done:
                _, _, terminated, truncated, _ = env.step(1)
                steps += 1
                done = terminated or truncated
        bare_us.append((time.perf_counter() - start) / steps * 1e6)
    serial, bare = min(evaluator_us), min(bare_us)
    print(f"no-op env: serial evaluator {serial:.2f} us/step, bare loop {bare:.2f} us/step: "
          f"the evaluator's own cost {serial - bare:.2f} us per env step")
    return {"noop_serial_us_per_step": round(serial, 3), "noop_bare_us_per_step": round(bare, 3),
            "serial_overhead_us_per_step": round(serial - bare, 3)}


def lunar_figures(population: int, episodes: int, bare_steps: int, repeats: int) -> dict:
    """LunarLander-v3: the bare env, the serial evaluator, and the evaluator on a 2-process pool."""
    try:
        import Box2D  # noqa: F401
    except ImportError:
        print("LunarLander skipped: install the box2d extra (pip install 'neatlab[box2d]')")
        return {key: None for key in ("lunar_bare_steps_per_s", "lunar_serial_steps_per_s", "lunar_pool_steps_per_s",
                                      "lunar_pool_over_serial", "lunar_serial_over_bare")}
    from concurrent.futures import ProcessPoolExecutor

    env_id = "LunarLander-v3"
    config = neat.Config(genome={"num_inputs": 8, "num_outputs": 4}, run={"population_size": population})
    genomes = start_genomes(config, population)
    bare = max(bare_rate(bare_steps, seeded=True, env_id=env_id) for _ in range(repeats))

    def rate(executor) -> float:
        with GymEvaluator(env_id, episodes=episodes, vectorized=False, executor=executor) as evaluator:
            evaluator(genomes, generation=0)  # make the envs (in the workers too)
            before = evaluator.env_steps
            start = time.perf_counter()
            evaluator(genomes, generation=1)
            return (evaluator.env_steps - before) / (time.perf_counter() - start)

    serial = max(rate(None) for _ in range(repeats))
    with ProcessPoolExecutor(2) as pool:
        pooled = max(rate(pool) for _ in range(repeats))
    print(f"LunarLander-v3: bare {bare:,.0f} steps/s, serial evaluator {serial:,.0f}, 2-process pool {pooled:,.0f} "
          f"({pooled / serial:.2f}x serial)")
    return {
        "lunar_bare_steps_per_s": round(bare),
        "lunar_serial_steps_per_s": round(serial),
        "lunar_pool_steps_per_s": round(pooled),
        "lunar_pool_over_serial": round(pooled / serial, 3),
        "lunar_serial_over_bare": round(serial / bare, 3),
    }


def recurrent_speedup(
    config: neat.Config, count: int, steps: int, repeats: int, batch: int = 16, seed: int = 0
) -> tuple[float, float, float]:
    """Median CPU-time ratio of stepping ``count`` recurrent networks one by one vs as one stack.

    Returns ``(speedup, microseconds per step one by one, microseconds per step as a stack)``.
    """
    config = config.replace(
        genome={"feed_forward": False}, mutation={"node_add_prob": 0.3, "conn_add_prob": 0.5, "weight_mutate_prob": 1.0}
    )
    tracker = neat.InnovationTracker.for_config(config)
    rng = neat.make_rng(seed)
    genomes = neat.new_genomes(config, tracker, rng, count)
    for _ in range(30):
        genomes = [neat.mutate(g, config, tracker, rng) for g in genomes]
    nets = [neat.nn.compile_recurrent(g) for g in genomes]
    stack = neat.nn.compile_population(genomes)
    X = rng.normal(size=(steps, count, batch, config.genome.num_inputs))

    def one_by_one() -> float:
        start = time.process_time()
        for net in nets:
            net.reset()
        for x in X:
            for net, xp in zip(nets, x):
                net.step(xp)
        return time.process_time() - start

    def stacked() -> float:
        start = time.process_time()
        stack.reset()
        for x in X:
            stack.step(x)
        return time.process_time() - start

    runs = [(one_by_one(), stacked()) for _ in range(repeats)]
    ratios = sorted(a / b for a, b in runs)
    single = sorted(a for a, _ in runs)[len(runs) // 2]
    together = sorted(b for _, b in runs)[len(runs) // 2]
    return ratios[len(ratios) // 2], single / steps * 1e6, together / steps * 1e6


def best(fn, repeats: int) -> dict:
    runs = [fn() for _ in range(repeats)]
    return max(runs, key=lambda r: r["steps_per_s"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--population", type=int, default=150)
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--generations", type=int, default=5, help="evaluations timed per figure")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smoke run: small budgets, one repeat")
    args = parser.parse_args()
    if args.quick:
        args.population, args.episodes, args.generations, args.repeats = 20, 2, 1, 1
    bare_steps = 5_000 if args.quick else 100_000

    config = neat.Config.from_toml_file(ROOT / "examples" / "cartpole.toml").replace(
        run={"population_size": args.population}
    )
    bare = max(bare_rate(bare_steps, seeded=False) for _ in range(args.repeats))
    bare_seeded = max(bare_rate(bare_steps, seeded=True) for _ in range(args.repeats))
    print(f"bare CartPole-v1, random actions:      {bare:12,.0f} steps/s ({bare_seeded:,.0f} with seeded resets)")

    figures = {
        "cartpole_bare_steps_per_s": round(bare),
        "cartpole_bare_seeded_steps_per_s": round(bare_seeded),
    }
    trained, champion = trained_genomes(config, args.episodes)
    populations = {"": start_genomes(config, args.population), "trained_": trained}
    populations["balancing_"] = [champion] * args.population
    for label, genomes in populations.items():
        name = label.rstrip("_") or "start"
        for mode in ("serial", "vector"):
            timing = functools.partial(
                evaluator_rate, genomes, vectorized=mode == "vector", episodes=args.episodes,
                generations=args.generations,
            )
            r = best(timing, args.repeats)
            print(
                f"{mode:6s} evaluator, {len(genomes)} {name} genomes x {args.episodes} episodes "
                f"(mean return {r['mean_return']:.1f}): {r['steps_per_s']:12,.0f} steps/s"
                + (f" ({r['substeps_per_s']:,.0f} sub-env steps/s, utilisation {r['utilisation']:.3f})"
                   if mode == "vector" else "")
            )
            figures[f"cartpole_{label}{mode}_steps_per_s"] = round(r["steps_per_s"])
            if mode == "vector":
                figures[f"cartpole_{label}vector_substeps_per_s"] = round(r["substeps_per_s"])
                figures[f"cartpole_{label}slot_utilisation"] = round(r["utilisation"], 3)
            figures[f"cartpole_{label}mean_return"] = round(r["mean_return"], 2)
    figures["serial_over_bare"] = round(figures["cartpole_serial_steps_per_s"] / bare, 3)
    figures["serial_over_bare_seeded"] = round(figures["cartpole_serial_steps_per_s"] / bare_seeded, 3)
    figures.update(serial_overhead(args.population, 2 if args.quick else 3, args.repeats))
    figures.update(lunar_figures(args.population, 2 if args.quick else 3, bare_steps // 5, args.repeats))
    recurrent_steps = 20 if args.quick else 200
    recurrent_repeats = 1 if args.quick else max(args.repeats, 5)
    shapes = {
        "": config,
        "_8_tanh": neat.Config(genome={"num_inputs": 8, "num_outputs": 4, "activation_default": "tanh",
                                       "activation_options": ["tanh"]}),
    }
    for suffix, shape in shapes.items():
        speedup, single_us, stack_us = recurrent_speedup(shape, args.population, recurrent_steps, recurrent_repeats)
        g = shape.genome
        print(f"recurrent population of {args.population} ({g.num_inputs} inputs, {g.num_outputs} outputs, "
              f"{g.activation_default}), batch 16: one by one {single_us:,.0f} us/step, stack {stack_us:,.0f} us/step "
              f"({speedup:.2f}x)")
        figures[f"recurrent_population_speedup{suffix}"] = round(speedup, 2)
    figures["population"] = args.population
    figures["episodes"] = args.episodes
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
