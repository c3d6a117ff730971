"""Checkpoints: the whole state of a run in one ``.npz`` file, safe to load.

A checkpoint holds the genomes, the species (representatives and stagnation
bookkeeping), the innovation tracker, the generation and evaluation
counters, the best genome, the random generator's state and the config.
Arrays are stored as plain NumPy arrays and everything else as JSON text,
read with ``allow_pickle=False``: loading a checkpoint never runs code.  A
SHA-256 digest over the content detects truncated or tampered files.
Writes are atomic, so an interrupted save leaves the previous file intact.

Resuming is exact: a run resumed at generation k and continued to n has the
same history, bit for bit, as one run to n.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Config
from ..errors import CheckpointError, ConfigError, InvalidGenomeError
from ..files import atomic_write_bytes
from ..genome import CONN_DTYPES, NODE_DTYPES, ConnectionGenes, NodeGenes
from ..genome.innovation import InnovationTracker
from ..genome.pool import GenePool, offsets_of
from .population import Population, RunState
from .reporting import Reporter
from .species import Species, SpeciesSet

__all__ = ["save_checkpoint", "load_checkpoint", "Checkpointer"]

FORMAT = "neat-checkpoint"
VERSION = 1
_BIT_GENERATORS = ("PCG64DXSM", "PCG64", "SFC64", "Philox", "MT19937")


def _pack(prefix: str, pool: GenePool) -> dict[str, np.ndarray]:
    """The arrays of ``pool`` under ``prefix.*`` (genes, counts per genome, keys)."""
    arrays: dict[str, np.ndarray] = {}
    for field, values in zip(NodeGenes._fields, pool.nodes):
        arrays[f"{prefix}.node.{field}"] = values
    for field, values in zip(ConnectionGenes._fields, pool.conns):
        arrays[f"{prefix}.conn.{field}"] = values
    arrays[f"{prefix}.node_counts"] = pool.node_counts
    arrays[f"{prefix}.conn_counts"] = pool.conn_counts
    arrays[f"{prefix}.keys"] = pool.keys
    return arrays


def _unpack(prefix: str, arrays: Any, config: Config) -> GenePool:
    """The pool saved under ``prefix.*``, every genome validated (``CheckpointError`` naming the first bad one)."""
    node_counts = arrays[f"{prefix}.node_counts"]
    conn_counts = arrays[f"{prefix}.conn_counts"]
    node_cols = [arrays[f"{prefix}.node.{f}"] for f in NodeGenes._fields]
    conn_cols = [arrays[f"{prefix}.conn.{f}"] for f in ConnectionGenes._fields]
    if sum(node_counts.tolist()) != len(node_cols[0]) or sum(conn_counts.tolist()) != len(conn_cols[0]):
        raise CheckpointError(f"checkpoint genome group {prefix!r} has inconsistent gene counts")
    keys = arrays.get(f"{prefix}.keys")  # checkpoints written before genomes had keys have none
    try:
        pool = GenePool(
            config,
            NodeGenes(*(np.asarray(c, dtype=t) for c, t in zip(node_cols, NODE_DTYPES))),
            ConnectionGenes(*(np.asarray(c, dtype=t) for c, t in zip(conn_cols, CONN_DTYPES))),
            offsets_of(node_counts),
            offsets_of(conn_counts),
            keys,
        )
    except (InvalidGenomeError, ValueError, TypeError) as exc:
        raise CheckpointError(f"checkpoint genome group {prefix!r} is malformed: {exc}") from None
    try:
        return pool.validate()
    except InvalidGenomeError as exc:
        raise CheckpointError(f"checkpoint group {prefix!r} is invalid: {exc}") from None


def _digest(meta: bytes, arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256(meta)
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(name.encode())
        h.update(str(a.dtype).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def save_checkpoint(population: Population, path: str | PathLike[str]) -> None:
    """Write the whole state of ``population`` to ``path`` (an ``.npz`` file), atomically."""
    state = population.state()
    species = state.species.species
    tracker = state.tracker.to_dict()
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "config": population.config.to_dict(),
        "generation": state.generation,
        "evaluations": state.evaluations,
        "next_key": state.next_key,
        "best_fitness": state.best_fitness,
        "pending_fitness": None if state.pending_fitness is None else state.pending_fitness.tolist(),
        "lineages": None if state.lineages is None else [list(x) for x in state.lineages],
        "rng_state": state.rng_state,
        "tracker": {k: v for k, v in tracker.items() if k != "connections"},
        "species_set": {
            "threshold": state.species.threshold,
            "next_key": state.species.next_key,
            "threshold_step": state.species.threshold_step,
            "threshold_side": state.species.threshold_side,
        },
        "species": [
            {"key": s.key, "created": s.created, "best_score": s.best_score, "last_improved": s.last_improved}
            for s in species
        ],
    }
    arrays = {}
    arrays.update(_pack("population", state.pool))
    arrays.update(_pack("representatives", GenePool.pack([s.representative for s in species], state.pool.config)))
    best = [] if state.best_genome is None else [state.best_genome]
    arrays.update(_pack("best", GenePool.pack(best, state.pool.config)))
    connections = tracker["connections"]
    arrays["tracker.connections"] = np.array(connections, dtype=np.int64).reshape(len(connections), 3)
    meta_bytes = json.dumps(meta).encode("utf-8")
    arrays["meta"] = np.frombuffer(meta_bytes, dtype=np.uint8)
    arrays["digest"] = np.frombuffer(_digest(meta_bytes, arrays).encode("ascii"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def _config_differences(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> list[str]:
    out = []
    for section in sorted(set(a) | set(b)):
        sa, sb = a.get(section, {}), b.get(section, {})
        for key in sorted(set(sa) | set(sb)):
            if sa.get(key) != sb.get(key):
                out.append(f"[{section}] {key}: checkpoint {sa.get(key)!r}, given {sb.get(key)!r}")
    return out


def _restore_rng(state: dict[str, Any]) -> np.random.Generator:
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in _BIT_GENERATORS:
        raise CheckpointError(f"checkpoint has an unknown random generator {name!r} (known: {', '.join(_BIT_GENERATORS)})")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise CheckpointError(f"checkpoint random generator state is invalid: {exc}") from None
    return np.random.Generator(bit_generator)


def load_checkpoint(
    path: str | PathLike[str],
    *,
    config: Config | None = None,
    reporters: Iterable[Any] = (),
    elite_evaluate: Any = None,
) -> Population:
    """Rebuild the population saved in ``path``.

    Parameters
    ----------
    config
        If given, it must equal the checkpoint's config; otherwise
        ``CheckpointError`` lists the keys that differ.
    reporters
        Reporters of the resumed run.
    elite_evaluate
        As for ``Population`` (the truncation strategy's elite re-scoring).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"cannot read checkpoint {str(path)!r}: {exc.strerror or exc}") from None
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise CheckpointError(
            f"{path} is not a readable checkpoint (truncated or not an .npz file): {exc}"
        ) from None
    for required in ("meta", "digest"):
        if required not in arrays:
            raise CheckpointError(f"{path} is not a checkpoint: it has no {required!r} entry")
    meta_bytes = arrays.pop("meta").tobytes()
    digest = arrays.pop("digest").tobytes().decode("ascii", errors="replace")
    check = dict(arrays, meta=np.frombuffer(meta_bytes, dtype=np.uint8))
    if _digest(meta_bytes, check) != digest:
        raise CheckpointError(f"{path}: checksum mismatch; the checkpoint was modified or damaged")
    try:
        meta = json.loads(meta_bytes)
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{path}: checkpoint metadata is not valid JSON: {exc}") from None
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a checkpoint (format {meta.get('format')!r})")
    if meta.get("version") != VERSION:
        raise CheckpointError(f"{path}: unsupported checkpoint version {meta.get('version')!r} (supported: {VERSION})")
    try:
        stored = Config.from_dict(meta["config"])
    except ConfigError as exc:
        raise CheckpointError(f"{path}: the stored config is invalid: {exc}") from None
    if config is not None and config != stored:
        diffs = _config_differences(stored.to_dict(), config.to_dict())
        raise CheckpointError(f"{path} was saved with another config: " + "; ".join(diffs))
    try:
        pool = _unpack("population", arrays, stored)
        representatives = [g.copy() for g in _unpack("representatives", arrays, stored)]
        best = [g.copy() for g in _unpack("best", arrays, stored)]
        tracker_data = dict(meta["tracker"], connections=arrays["tracker.connections"].tolist())
        tracker = InnovationTracker.from_dict(tracker_data)
        species = tuple(
            Species(
                key=int(s["key"]),
                created=int(s["created"]),
                representative=rep,
                best_score=float(s["best_score"]),
                last_improved=int(s["last_improved"]),
            )
            for s, rep in zip(meta["species"], representatives, strict=True)
        )
        pending = meta["pending_fitness"]
        lineages = meta.get("lineages")
        if np.any(pool.keys < 0):  # written before genomes had keys: number them now
            pool = pool.with_keys(np.arange(len(pool)))
        state = RunState(
            pool=pool,
            species=SpeciesSet(
                species,
                float(meta["species_set"]["threshold"]),
                int(meta["species_set"]["next_key"]),
                # Checkpoints from before the adaptive steering lack its state: it starts afresh.
                None if meta["species_set"].get("threshold_step") is None else float(meta["species_set"]["threshold_step"]),
                int(meta["species_set"].get("threshold_side", 0)),
            ),
            tracker=tracker,
            rng_state=meta["rng_state"],
            generation=int(meta["generation"]),
            evaluations=int(meta["evaluations"]),
            next_key=int(meta.get("next_key", int(pool.keys.max(initial=-1)) + 1)),
            best_genome=best[0] if best else None,
            best_fitness=None if meta["best_fitness"] is None else float(meta["best_fitness"]),
            pending_fitness=None if pending is None else np.array(pending, dtype=np.float64),
            lineages=None if lineages is None else tuple(tuple(int(s) for s in x) for x in lineages),
        )
        rng = _restore_rng(state.rng_state)
    except CheckpointError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: checkpoint content is incomplete or malformed: {exc!r}") from None
    if len(state.pool) != stored.run.population_size:
        raise CheckpointError(
            f"{path}: holds {len(state.pool)} genomes but its config says population_size = "
            f"{stored.run.population_size}"
        )
    return Population.from_state(stored, state, rng=rng, reporters=reporters, elite_evaluate=elite_evaluate)


class Checkpointer(Reporter):
    """A reporter that saves a checkpoint every ``every`` generations and/or every ``seconds``.

    Files are ``<directory>/<prefix><generation>.npz``, written atomically
    at the end of a generation; ``keep`` (if set) removes all but the newest
    ``keep`` checkpoints.  ``last_path`` is the newest file written.
    """

    def __init__(
        self,
        directory: str | PathLike[str],
        *,
        every: int | None = 1,
        seconds: float | None = None,
        prefix: str = "checkpoint-",
        keep: int | None = None,
    ) -> None:
        if every is None and seconds is None:
            raise ValueError("Checkpointer needs every= (generations) and/or seconds=")
        if every is not None and every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        if keep is not None and keep < 1:
            raise ValueError(f"keep must be >= 1, got {keep}")
        self.directory = Path(directory)
        self.every = every
        self.seconds = seconds
        self.prefix = prefix
        self.keep = keep
        self.last_path: Path | None = None
        self._last_time = time.monotonic()
        self._written: list[Path] = []

    def end_generation(self, population: Population) -> None:
        due = self.every is not None and population.generation % self.every == 0
        if self.seconds is not None and time.monotonic() - self._last_time >= self.seconds:
            due = True
        if due:
            self.save(population)

    def save(self, population: Population) -> Path:
        """Write a checkpoint now and return its path."""
        path = self.directory / f"{self.prefix}{population.generation}.npz"
        save_checkpoint(population, path)
        self._last_time = time.monotonic()
        self.last_path = path
        if path not in self._written:
            self._written.append(path)
        if self.keep is not None:
            while len(self._written) > self.keep:
                old = self._written.pop(0)
                old.unlink(missing_ok=True)
        return path
