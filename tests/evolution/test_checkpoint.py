import json
import os
import zipfile

import numpy as np
import pytest

from neat import CheckpointError, Config
from neat.evolution import checkpoint
from neat.evolution.checkpoint import Checkpointer, load_checkpoint, save_checkpoint
from neat.evolution.population import Population
from neat.evolution.reporting import Reporter, StatisticsReporter

from .test_population import weight_sum

CFG = Config(
    genome={"num_inputs": 2, "num_outputs": 1},
    mutation={"node_add_prob": 0.2, "conn_add_prob": 0.3},
    run={"population_size": 40, "seed": 11},
)


def _history(pop, generations):
    stats = StatisticsReporter()
    pop.add_reporter(stats)
    pop.run(weight_sum, generations=generations)
    # generation, best, mean, stdev, evaluations (species sizes of the last generation of a
    # run are only known once it reproduces, which the next run does)
    return [line.split(",")[:5] for line in stats.to_csv().splitlines()[1:]]


def test_round_trip_restores_everything(tmp_path):
    pop = Population(CFG)
    pop.run(weight_sum, generations=6)
    pop.tell(weight_sum(pop.ask()))
    path = tmp_path / "c.npz"
    save_checkpoint(pop, path)
    back = load_checkpoint(path)
    assert back.generation == pop.generation and back.evaluations == pop.evaluations
    assert back.genomes == pop.genomes
    assert back.pool.keys.tolist() == pop.pool.keys.tolist() and back.next_key == pop.next_key
    assert back.best_genome == pop.best_genome and back.best_fitness == pop.best_fitness
    assert back.best_genome.key == pop.best_genome.key
    assert back.tracker == pop.tracker
    assert [(s.key, s.created, s.best_score, s.last_improved) for s in back.species] == [
        (s.key, s.created, s.best_score, s.last_improved) for s in pop.species
    ]
    assert all(a.representative == b.representative for a, b in zip(back.species, pop.species))
    assert back.species.threshold == pop.species.threshold and back.species.next_key == pop.species.next_key
    assert back.rng.bit_generator.state == pop.rng.bit_generator.state
    assert back.config == pop.config


@pytest.mark.parametrize("k", [1, 5])
def test_resume_is_bit_identical(tmp_path, k):
    n = 12
    straight = Population(CFG)
    full = _history(straight, n)

    first = Population(CFG)
    head = _history(first, k)
    path = tmp_path / "k.npz"
    save_checkpoint(first, path)  # run stopped after evaluating generation k-1, before reproducing
    resumed = load_checkpoint(path, config=CFG)
    tail = _history(resumed, n - k)
    assert head + tail == full
    assert resumed.genomes == straight.genomes
    assert resumed.pool.keys.tolist() == straight.pool.keys.tolist()  # keys too, bit for bit
    assert resumed.best_genome == straight.best_genome
    assert [s.key for s in resumed.species] == [s.key for s in straight.species]
    assert resumed.rng.bit_generator.state == straight.rng.bit_generator.state


def test_checkpointer_reporter_every_n_and_keep(tmp_path):
    saver = Checkpointer(tmp_path, every=2, keep=2)
    pop = Population(CFG, reporters=[saver])
    pop.run(weight_sum, generations=9)
    files = sorted(os.listdir(tmp_path))
    assert files == ["checkpoint-6.npz", "checkpoint-8.npz"]
    assert load_checkpoint(saver.last_path).generation == 8
    with pytest.raises(ValueError):
        Checkpointer(tmp_path, every=None, seconds=None)


def test_crash_mid_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    pop = Population(CFG)
    pop.run(weight_sum, generations=3)
    path = tmp_path / "c.npz"
    save_checkpoint(pop, path)
    before = path.read_bytes()
    pop.run(weight_sum, generations=2)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed during the rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(pop, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["c.npz"]
    assert load_checkpoint(path).generation == 2


def test_truncated_tampered_and_foreign_files(tmp_path):
    pop = Population(CFG)
    pop.run(weight_sum, generations=2)
    path = tmp_path / "c.npz"
    save_checkpoint(pop, path)
    data = path.read_bytes()

    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or not an .npz"):
        load_checkpoint(truncated)

    tampered = tmp_path / "tampered.npz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "population.conn.weight.npy":
                arr = np.frombuffer(content, dtype=np.uint8).copy()
                arr[-1] ^= 0xFF
                content = arr.tobytes()
            dst.writestr(item, content)
    with pytest.raises(CheckpointError, match="checksum mismatch"):
        load_checkpoint(tampered)

    other = tmp_path / "other.npz"
    np.savez(other, x=np.arange(3))
    with pytest.raises(CheckpointError, match="no 'meta' entry"):
        load_checkpoint(other)

    with pytest.raises(CheckpointError, match="cannot read checkpoint"):
        load_checkpoint(tmp_path / "missing.npz")


def test_mismatched_config_is_named(tmp_path):
    pop = Population(CFG)
    path = tmp_path / "c.npz"
    save_checkpoint(pop, path)
    other = CFG.replace(mutation={"node_add_prob": 0.5})
    with pytest.raises(CheckpointError, match=r"another config: \[mutation\] node_add_prob: checkpoint 0.2, given 0.5"):
        load_checkpoint(path, config=other)


def test_threshold_steering_state_round_trips_and_old_checkpoints_load(tmp_path):
    cfg = CFG.replace(speciation={"target_species": 4, "compatibility_threshold": 1.0})

    class Thresholds(Reporter):
        def __init__(self):
            self.seen = []

        def end_generation(self, population):
            s = population.species
            self.seen.append((len(s), s.threshold, s.threshold_step, s.threshold_side))

    n, k = 16, 7
    full, head, tail = Thresholds(), Thresholds(), Thresholds()
    straight = Population(cfg, reporters=[full])
    history = _history(straight, n)
    first = Population(cfg, reporters=[head])
    head_history = _history(first, k)
    state = first.species
    assert state.threshold_step is not None and state.threshold_side != 0  # the steering is under way
    path = tmp_path / "k.npz"
    save_checkpoint(first, path)
    resumed = load_checkpoint(path, config=cfg, reporters=[tail])
    assert (resumed.species.threshold, resumed.species.threshold_step, resumed.species.threshold_side) == (
        state.threshold, state.threshold_step, state.threshold_side
    )
    assert head_history + _history(resumed, n - k) == history
    assert head.seen + tail.seen == full.seen  # thresholds, steps and sides bit for bit
    assert resumed.genomes == straight.genomes

    # A checkpoint written before the steering state was saved loads with a fresh steering state.
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays.pop("meta").tobytes())
    arrays.pop("digest")
    for key in ("threshold_step", "threshold_side"):
        del meta["species_set"][key]
    meta_bytes = json.dumps(meta).encode("utf-8")
    arrays["meta"] = np.frombuffer(meta_bytes, dtype=np.uint8)
    arrays["digest"] = np.frombuffer(checkpoint._digest(meta_bytes, arrays).encode("ascii"), dtype=np.uint8)
    old = tmp_path / "old.npz"
    np.savez(old, **arrays)
    legacy = load_checkpoint(old).species
    assert (legacy.threshold, legacy.threshold_step, legacy.threshold_side) == (state.threshold, None, 0)


def test_keep_counts_the_checkpoints_of_earlier_runs_in_the_folder(tmp_path):
    strangers = ["checkpoint-notes.npz", "checkpoint-007.npz", "checkpoint-5.npz.bak", "other-1.npz", "checkpoint-.npz"]
    for name in strangers:
        (tmp_path / name).write_bytes(b"not mine")
    first = Checkpointer(tmp_path, every=1, keep=3)
    pop = Population(CFG, reporters=[first])
    pop.run(weight_sum, generations=6)  # saves generations 1..5
    assert [p.name for p in first.checkpoints()] == ["checkpoint-3.npz", "checkpoint-4.npz", "checkpoint-5.npz"]

    # the run is restarted: a new Checkpointer in the same folder still keeps 3 in all
    second = Checkpointer(tmp_path, every=1, keep=3)
    resumed = load_checkpoint(first.last_path, reporters=[second])
    resumed.run(weight_sum, generations=4)  # saves 6, 7, 8
    names = sorted(os.listdir(tmp_path))
    assert names == sorted(["checkpoint-6.npz", "checkpoint-7.npz", "checkpoint-8.npz", *strangers])
    assert second.checkpoints() == [tmp_path / f"checkpoint-{g}.npz" for g in (6, 7, 8)]
    assert load_checkpoint(second.last_path).generation == 8


def test_keep_orders_by_generation_and_keeps_the_file_just_written(tmp_path):
    pop = Population(CFG)
    pop.run(weight_sum, generations=3)
    early = tmp_path / "early.npz"
    save_checkpoint(pop, early)
    (tmp_path / "run").mkdir()
    for age, generation in enumerate((10, 9, 11)):  # the newest generation has the oldest file
        (tmp_path / "run" / f"g{generation}.npz").write_bytes(b"a later generation of an abandoned branch")
        os.utime(tmp_path / "run" / f"g{generation}.npz", (1e9 - age * 1000, 1e9 - age * 1000))
    saver = Checkpointer(tmp_path / "run", prefix="g", every=1, keep=2)
    saver.save(load_checkpoint(early))  # resumed from generation 2: g2 is written and kept
    assert sorted(os.listdir(tmp_path / "run")) == ["g11.npz", "g2.npz"]
    assert saver.last_path == tmp_path / "run" / "g2.npz"


def test_a_checkpointer_removes_temporaries_its_killed_predecessors_left(tmp_path):
    import subprocess
    import sys

    from neat.files import _host

    pid = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                             text=True, check=True).stdout)  # a process that has exited
    stale = tmp_path / f".checkpoint-4.npz.{_host()}-{pid}.k1_xz9.tmp"  # a save of generation 4 killed mid-write
    unrelated = tmp_path / f".notes.txt.{_host()}-{pid}.k1_xz9.tmp"
    stale.write_bytes(b"half a checkpoint")
    unrelated.write_bytes(b"not a checkpoint's")
    saver = Checkpointer(tmp_path, every=1)
    saver.save(Population(CFG))
    assert not stale.exists() and unrelated.exists()
    assert saver.checkpoints() == [tmp_path / "checkpoint-0.npz"]
