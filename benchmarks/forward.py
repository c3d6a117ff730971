"""Phenotype benchmarks: compiled forward passes, the population stack, compile time.

Prints readable lines, then one JSON object on the last line with:

- ``conn_evals_per_s_b1`` / ``_b64`` / ``_b1024``: connection evaluations per second
  (enabled connections x batch x calls / seconds) of the compiled network of a
  genome grown from a seed to 100 enabled connections and 20 hidden nodes
  (8 inputs, 4 outputs); target at batch 1024: >= 544 M/s;
- ``mlp_conn_evals_per_s_b1024``: a hand-written NumPy network of the same layer
  shapes (same dense matrices and sigmoid, no compiler around it), counted with
  the same connection number: the practical ceiling (target: compiled >= 0.5x);
- ``mlp_tuned_conn_evals_per_s_b1024``: the same written by hand with the compiler's
  layout (nodes as rows, the bias folded into the product): the ceiling of this design;
- ``oracle_conn_evals_per_s``: the per-node reference evaluator of the tests;
- ``batch1_us``: one forward call on one input vector (target < 15 us);
- ``mlp_tuned_batch1_us``: the tuned hand-written network below on one input ``(1, 8)``:
  one product and one sigmoid per layer and nothing else, the floor of this design at batch 1;
- ``population_speedup``: 150 such genomes (mutants of that one), batch 16 each:
  a loop over 150 compiled networks / one population-stack call (target >= 5);
- ``compile_100_us``: compiling the 100-connection genome (target < 100 us);
- ``compile_100k_ms``: compiling a fully connected 1000 x 100 genome (target < 50 ms);
- ``fc_4_16_2_conn_evals_per_s_b1024``: a 4-16-2 fully connected genome;
- ``exact_conn_evals_per_s_b1024``, ``exact_batch1_us``, ``exact_population_stack_ms``:
  ``conn_evals_per_s_b1024``, ``batch1_us`` and ``population_stack_ms`` of the same
  networks and inputs compiled with ``exact=True`` (sums in one canonical order: a
  genome gives the same bits alone and in the stack, checked here).  Measured last, so
  the other keys are measured as before.

Timings are medians of repeated measurements.

Run:  python benchmarks/forward.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
from collections.abc import Callable

import numpy as np

import neat
from neat.genome.mutation import add_connection, add_node
from neat.nn import compile_feedforward, compile_population

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tests.oracle import oracle_forward  # noqa: E402


def median_time(fn: Callable[[], object], repeats: int, number: int = 1) -> float:
    """Median over ``repeats`` of the mean time of ``number`` calls of ``fn()``, in seconds (after a warm-up)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return float(np.median(times))


def grown_genome(seed: int = 0) -> tuple[neat.Config, neat.InnovationTracker, np.random.Generator, neat.Genome]:
    """8 inputs, 4 outputs, fully connected at the start, then grown to 20 hidden nodes and 100 connections."""
    config = neat.Config(genome={"num_inputs": 8, "num_outputs": 4})
    tracker = neat.InnovationTracker.for_config(config)
    rng = neat.make_rng(seed)
    genome = neat.new_genome(config, tracker, rng)
    while genome.num_hidden < 20 or genome.num_enabled < 100:
        if genome.num_hidden < 20 and (genome.num_enabled >= 100 or rng.random() < 0.3):
            genome = add_node(genome, config, tracker, rng)
        else:
            genome = add_connection(genome, config, tracker, rng)
    return config, tracker, rng, genome


def hand_written_mlp(net: neat.nn.FeedForwardNetwork) -> Callable[[np.ndarray], np.ndarray]:
    """The same layers written by hand: ``A[:, s:e] = sigmoid(4.9 * (A[:, :s] @ W + b))``."""
    layers = [(s, s + w, W, net.bias[s : s + w]) for (s, w), W in zip(net.layer_shapes, net.weights)]
    n, outputs = net.num_nodes, net.output_indices

    def forward(X: np.ndarray) -> np.ndarray:
        A = np.empty((len(X), n))
        A[:, : X.shape[1]] = X
        with np.errstate(over="ignore"):
            for s, e, W, b in layers:
                A[:, s:e] = 1.0 / (1.0 + np.exp(-4.9 * (A[:, :s] @ W + b)))
        return A[:, outputs]

    return forward


def tuned_hand_written(net: neat.nn.FeedForwardNetwork) -> Callable[[np.ndarray], np.ndarray]:
    """The same layers with the compiler's tricks by hand: nodes as rows, the bias as a weight of a constant row."""
    layers = []
    for (s, w), W in zip(net.layer_shapes, net.weights):
        Wt = np.empty((w, s + 1))
        Wt[:, 0] = net.bias[s : s + w]
        Wt[:, 1:] = W.T * net.response[s : s + w, None]
        layers.append((s + 1, s + 1 + w, -4.9 * Wt))
    rows, outputs = net.num_nodes + 1, net.output_indices + 1

    def forward(X: np.ndarray) -> np.ndarray:
        B = np.empty((rows, len(X)))
        B[0] = 1.0
        B[1 : X.shape[1] + 1] = X.T
        with np.errstate(over="ignore"):
            for s, e, Wt in layers:
                B[s:e] = 1.0 / (1.0 + np.exp(np.dot(Wt, B[:s])))
        return B[outputs].T

    return forward


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="few repeats (a smoke test, not a measurement)")
    args = parser.parse_args()
    repeats = 3 if args.quick else 15
    scale = 0.02 if args.quick else 1.0

    def calls(n: int) -> int:
        return max(1, int(n * scale))

    config, tracker, rng, genome = grown_genome()
    net = compile_feedforward(genome)
    conns = net.num_connections
    print(f"genome: {genome!r}")
    print(f"compiled: {net.num_layers} layers {net.layer_shapes}, {conns} connections")

    figures: dict[str, float] = {}
    for batch, n in ((1, 2000), (64, 1000), (1024, 300)):
        X = rng.normal(size=(batch, 8))
        seconds = median_time(lambda X=X: net(X), repeats, calls(n))
        figures[f"conn_evals_per_s_b{batch}"] = conns * batch / seconds
        print(
            f"compiled, batch {batch:5d}: {seconds * 1e6:9.1f} us/call  {conns * batch / seconds / 1e6:8.1f} M conn-evals/s"
        )
    x = x8 = rng.normal(size=8)
    figures["batch1_us"] = median_time(lambda: net(x), repeats, calls(5000)) * 1e6
    print(f"compiled, one 1-D vector: {figures['batch1_us']:.1f} us/call")

    X = rng.normal(size=(1024, 8))
    mlp = hand_written_mlp(net)
    assert np.allclose(mlp(X), net(X), rtol=1e-9)
    seconds = median_time(lambda: mlp(X), repeats, calls(300))
    figures["mlp_conn_evals_per_s_b1024"] = conns * 1024 / seconds
    print(
        f"hand-written MLP, batch 1024: {seconds * 1e6:9.1f} us/call  {conns * 1024 / seconds / 1e6:8.1f} M conn-evals/s"
        f"  (compiled / MLP = {figures['conn_evals_per_s_b1024'] / figures['mlp_conn_evals_per_s_b1024']:.2f})"
    )

    tuned = tuned_hand_written(net)
    assert np.allclose(tuned(X), net(X), rtol=1e-9)
    seconds = median_time(lambda: tuned(X), repeats, calls(300))
    figures["mlp_tuned_conn_evals_per_s_b1024"] = conns * 1024 / seconds
    print(
        f"hand-written, tuned like the compiler, batch 1024: {seconds * 1e6:9.1f} us/call  "
        f"{conns * 1024 / seconds / 1e6:8.1f} M conn-evals/s"
    )
    X1 = x.reshape(1, 8)
    figures["mlp_tuned_batch1_us"] = median_time(lambda: tuned(X1), repeats, calls(5000)) * 1e6
    print(f"hand-written, tuned like the compiler, one input: {figures['mlp_tuned_batch1_us']:.1f} us/call")

    X_oracle = rng.normal(size=(20, 8))
    seconds = median_time(lambda: oracle_forward(genome, X_oracle), 3 if args.quick else 5)
    figures["oracle_conn_evals_per_s"] = conns * len(X_oracle) / seconds
    print(f"oracle: {figures['oracle_conn_evals_per_s'] / 1e6:.3f} M conn-evals/s")

    # Population: 150 mutants of the genome, each with its own batch of 16.
    mutation = config.replace(mutation={"conn_add_prob": 0.5, "node_add_prob": 0.2, "weight_mutate_prob": 1.0})
    genomes = []
    for _ in range(150):
        g = genome
        for _ in range(int(rng.integers(0, 5))):
            g = neat.mutate(g, mutation, tracker, rng)
        genomes.append(g)
    stack = compile_population(genomes)
    nets = [compile_feedforward(g) for g in genomes]
    X = pop_X = rng.normal(size=(150, 16, 8))
    assert np.allclose(stack(X), np.stack([n(x) for n, x in zip(nets, X)]), rtol=1e-9, atol=1e-12)
    stacked = median_time(lambda: stack(X), repeats, calls(50))
    looped = median_time(lambda: [n(x) for n, x in zip(nets, X)], repeats, calls(10))
    figures["population_speedup"] = looped / stacked
    figures["population_stack_ms"] = stacked * 1e3
    figures["population_loop_ms"] = looped * 1e3
    print(
        f"population of 150, batch 16: stack {stacked * 1e3:.2f} ms, loop {looped * 1e3:.2f} ms, "
        f"speedup {looped / stacked:.1f}x  ({len(stack.layer_shapes)} padded layers)"
    )

    figures["compile_100_us"] = median_time(lambda: compile_feedforward(genome), repeats, calls(2000)) * 1e6
    print(f"compile the 100-connection genome: {figures['compile_100_us']:.1f} us")
    big_config = neat.Config(genome={"num_inputs": 1000, "num_outputs": 100})
    big = neat.new_genome(big_config, neat.InnovationTracker.for_config(big_config), neat.make_rng(1))
    assert big.num_enabled == 100_000
    figures["compile_100k_ms"] = median_time(lambda: compile_feedforward(big), repeats, calls(10)) * 1e3
    print(f"compile a 100,000-connection genome (1000 x 100): {figures['compile_100k_ms']:.2f} ms")

    fc_config = neat.Config(genome={"num_inputs": 4, "num_outputs": 2, "hidden_layers": [16]})
    fc = compile_feedforward(neat.new_genome(fc_config, neat.InnovationTracker.for_config(fc_config), rng))
    X = rng.normal(size=(1024, 4))
    seconds = median_time(lambda: fc(X), repeats, calls(1000))
    figures["fc_4_16_2_conn_evals_per_s_b1024"] = fc.num_connections * 1024 / seconds
    x = X[0]
    figures["fc_4_16_2_batch1_us"] = median_time(lambda: fc(x), repeats, calls(5000)) * 1e6
    print(
        f"4-16-2 fully connected, batch 1024: {figures['fc_4_16_2_conn_evals_per_s_b1024'] / 1e6:.1f} M conn-evals/s;"
        f" one vector: {figures['fc_4_16_2_batch1_us']:.1f} us"
    )

    # Exact mode: the same networks and population.
    exact_net = compile_feedforward(genome, exact=True)
    X = rng.normal(size=(1024, 8))
    seconds = median_time(lambda: exact_net(X), repeats, calls(300))
    figures["exact_conn_evals_per_s_b1024"] = conns * 1024 / seconds
    figures["exact_batch1_us"] = median_time(lambda: exact_net(x8), repeats, calls(5000)) * 1e6
    exact_stack = compile_population(genomes, exact=True)
    exact_nets = [compile_feedforward(g, exact=True) for g in genomes]
    assert np.array_equal(exact_stack(pop_X), np.stack([n(x) for n, x in zip(exact_nets, pop_X)]))
    figures["exact_population_stack_ms"] = median_time(lambda: exact_stack(pop_X), repeats, calls(50)) * 1e3
    print(
        f"exact mode: batch 1024 {figures['exact_conn_evals_per_s_b1024'] / 1e6:.1f} M conn-evals/s, "
        f"one vector {figures['exact_batch1_us']:.1f} us, population stack {figures['exact_population_stack_ms']:.2f} ms"
        " (stack == networks alone, bit for bit)"
    )
    figures["layers"] = net.num_layers
    figures["connections"] = conns

    print(json.dumps({key: round(value, 3) for key, value in figures.items()}))


if __name__ == "__main__":
    main()
