"""Checkpoints: the whole state of a run in one ``.npz`` file, safe to load.

A checkpoint holds the genomes, the species (representatives and stagnation
bookkeeping), the innovation tracker, the generation and evaluation
counters, the best genome, the random generator's state and the config.
Arrays are stored as plain NumPy arrays and everything else as JSON text,
read without any pickle path (``neat.files.read_npz``): loading a checkpoint
never runs code.  A SHA-256 digest over the content detects truncated or
tampered files, and every member and value is checked on load, alone and
against the others, so that any file but an intact checkpoint is a
``CheckpointError`` saying what is wrong, never a run that fails later.
Writes are atomic, so an interrupted save leaves the previous file intact.

Resuming is exact: a run resumed at generation k and continued to n has the
same history, bit for bit, as one run to n.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import time
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from ..config import Config
from ..errors import CheckpointError, ConfigError, InvalidGenomeError
from ..files import (
    atomic_write_bytes,
    checked_array,
    checked_int,
    checked_number,
    checked_object,
    read_npz,
    remove_stale_temporaries,
)
from ..genome import CONN_DTYPES, NODE_DTYPES, ConnectionGenes, NodeGenes
from ..genome.genes import default_time_constant
from ..genome.innovation import InnovationTracker
from ..genome.pool import KEY_SHIFT, GenePool, offsets_of
from .complexity import Regulation
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
    if population.config.reproduction.complexity_regulation != "none":
        meta["complexity"] = state.regulation.to_dict()
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


# --- loading: every part checked, so that whatever loads can run ---------------------------------
_GROUPS = ("population", "representatives", "best")
_GROUP_MEMBERS = {
    **{f"node.{f}": t for f, t in zip(NodeGenes._fields, NODE_DTYPES)},
    **{f"conn.{f}": t for f, t in zip(ConnectionGenes._fields, CONN_DTYPES)},
    "node_counts": np.int64,
    "conn_counts": np.int64,
}
_OPTIONAL_MEMBERS = ("node.time_constant",)
"""Members files written before them lack: the genomes get the config's default (``default_time_constant``)."""
_META_KEYS = {"format", "version", "config", "generation", "evaluations", "best_fitness", "pending_fitness",
              "rng_state", "tracker", "species_set", "species", "lineages"}
_TRACKER_KEYS = {"next_node_id", "next_innovation", "generation", "splits"}
_SPECIES_KEYS = {"key", "created", "best_score", "last_improved"}
_ID_LIMIT = 1 << KEY_SHIFT
"""Node ids and innovation numbers stay below this (the gene pool's sort keys hold them in 32 bits)."""


def _fail(where: str, message: str) -> NoReturn:
    raise CheckpointError(f"{where}: {message}")


def _check_members(where: str, arrays: dict[str, np.ndarray]) -> bool:
    """Every member a checkpoint has and no other; True when the genomes' keys are saved (all but the oldest files)."""
    required = {"meta", "digest", "tracker.connections"} | {f"{g}.{m}" for g in _GROUPS for m in _GROUP_MEMBERS}
    optional = {f"{g}.{m}" for g in _GROUPS for m in _OPTIONAL_MEMBERS}
    for name in sorted(required - optional - arrays.keys()):
        _fail(where, f"checkpoint member {name!r} is missing")
    keys = [f"{g}.keys" for g in _GROUPS]
    for name in sorted(arrays.keys() - required - set(keys)):
        _fail(where, f"member {name!r} is not part of a checkpoint")
    saved = [k in arrays for k in keys]
    if any(saved) and not all(saved):
        _fail(where, "checkpoint has genome keys for some genome groups but not all: "
              + ", ".join(f"{k} {'present' if s else 'missing'}" for k, s in zip(keys, saved)))
    return all(saved)


def _unpack(where: str, prefix: str, arrays: dict[str, np.ndarray], config: Config, keyed: bool) -> GenePool:
    """The pool saved under ``prefix.*``, its layout and every genome checked."""
    node_counts = checked_array(where, arrays, f"{prefix}.node_counts", np.int64)
    conn_counts = checked_array(where, arrays, f"{prefix}.conn_counts", np.int64)
    if len(node_counts) != len(conn_counts) or np.any(node_counts < 0) or np.any(conn_counts < 0):
        _fail(where, f"checkpoint genome group {prefix!r} has inconsistent gene counts (negative, or "
              f"{len(node_counts)} node counts but {len(conn_counts)} connection counts)")
    cols = {m: checked_array(where, arrays, f"{prefix}.{m}", t) for m, t in _GROUP_MEMBERS.items()
            if "." in m and (m not in _OPTIONAL_MEMBERS or f"{prefix}.{m}" in arrays)}
    if "node.time_constant" not in cols:
        cols["node.time_constant"] = np.full(sum(node_counts.tolist()), default_time_constant(config.genome))
    for kind, counts in (("node", node_counts), ("conn", conn_counts)):
        total = sum(counts.tolist())
        for m, a in cols.items():
            if m.startswith(kind) and len(a) != total:
                _fail(where, f"checkpoint member '{prefix}.{m}' has {len(a)} entries but the {kind} counts add "
                      f"up to {total}; genome group {prefix!r} has inconsistent gene counts")
    keys = None
    if keyed:
        keys = checked_array(where, arrays, f"{prefix}.keys", np.int64)
        if len(keys) != len(node_counts) or np.any(keys < 0):
            _fail(where, f"checkpoint member '{prefix}.keys' must hold one key >= 0 per genome "
                  f"({len(node_counts)}), got {keys[:10].tolist()}")
    try:
        pool = GenePool(config, NodeGenes(*(cols[f"node.{f}"] for f in NodeGenes._fields)),
                        ConnectionGenes(*(cols[f"conn.{f}"] for f in ConnectionGenes._fields)),
                        offsets_of(node_counts), offsets_of(conn_counts), keys)
        return pool.validate()
    except InvalidGenomeError as exc:
        raise CheckpointError(f"{where}: checkpoint genome group {prefix!r} is invalid: {exc}") from None


def _tracker(where: str, data: Any, connections: np.ndarray, pools: list[GenePool]) -> InnovationTracker:
    """The innovation tracker, checked against itself and against every saved genome."""
    data = checked_object(where, "tracker", data, _TRACKER_KEYS)
    next_node = checked_int(where, "tracker next_node_id", data["next_node_id"], 0, _ID_LIMIT)
    next_innovation = checked_int(where, "tracker next_innovation", data["next_innovation"], 0, _ID_LIMIT)
    checked_int(where, "tracker generation", data["generation"])
    splits = data["splits"]
    if not isinstance(splits, list) or not all(isinstance(x, list) and len(x) == 3 for x in splits):
        _fail(where, f"checkpoint tracker splits must be a list of [innovation, occurrence, node id], "
              f"got {splits!r:.80}")
    for innovation, occurrence, node in splits:
        checked_int(where, "tracker split occurrence", occurrence)
        if checked_int(where, "tracker split innovation", innovation) >= next_innovation or checked_int(
                where, "tracker split node id", node) >= next_node:
            _fail(where, f"checkpoint tracker split {[innovation, occurrence, node]} is not below next_innovation "
                  f"{next_innovation} and next_node_id {next_node}")
    if len({(i, k) for i, k, _ in splits}) != len(splits):
        _fail(where, "checkpoint tracker lists a split twice")
    src, dst, innovation = (c.copy() for c in checked_array(where, {"tracker.connections": connections},
                                                      "tracker.connections", np.int64, columns=3).T)
    if np.any((src < 0) | (src >= _ID_LIMIT) | (dst < 0) | (dst >= _ID_LIMIT)):
        _fail(where, f"checkpoint tracker connections join node ids outside [0, {_ID_LIMIT})")
    if np.any((innovation < 0) | (innovation >= next_innovation)):
        _fail(where, f"checkpoint tracker holds innovation numbers outside [0, next_innovation = {next_innovation})")
    pair = (src.astype(np.uint64) << np.uint64(KEY_SHIFT)) | dst.astype(np.uint64)
    order = np.argsort(pair, kind="stable")
    pair, numbers = pair[order], innovation[order]
    if np.any(pair[1:] == pair[:-1]) or len(np.unique(numbers)) != len(numbers):
        _fail(where, "checkpoint tracker gives a connection two innovation numbers, or two connections one")
    for name, pool in zip(_GROUPS, pools):
        if len(pool.nodes.id) and int(pool.nodes.id.max()) >= next_node:
            _fail(where, f"checkpoint genome group {name!r} has node id {int(pool.nodes.id.max())}, but the "
                  f"tracker's next_node_id is {next_node}: new nodes would reuse it")
        c = pool.conns
        wanted = (c.src.astype(np.uint64) << np.uint64(KEY_SHIFT)) | c.dst.astype(np.uint64)
        at = np.minimum(np.searchsorted(pair, wanted), max(len(pair) - 1, 0))
        bad = np.flatnonzero((at >= len(pair)) | (pair[at] != wanted) | (numbers[at] != c.innovation)
                             if len(pair) else np.ones(len(wanted), bool))
        if bad.size:
            k = int(bad[0])
            _fail(where, f"checkpoint genome group {name!r} has connection {int(c.src[k])} -> {int(c.dst[k])} "
                  f"with innovation {int(c.innovation[k])}, which the tracker does not record")
    return InnovationTracker.from_dict(dict(data, connections=np.stack([src, dst, innovation], 1).tolist()))


def _species(where: str, meta: dict, representatives: GenePool, generation: int) -> SpeciesSet:
    """The species (bookkeeping from the metadata, representatives from their genome group), checked."""
    entries = meta["species"]
    if not isinstance(entries, list) or len(entries) != len(representatives):
        _fail(where, f"checkpoint species must be a list of {len(representatives)} entries (one per representative)")
    species = []
    for i, s in enumerate(entries):
        s = checked_object(where, f"species {i}", s, _SPECIES_KEYS)
        created = checked_int(where, f"species {i} created", s["created"], 0, generation)
        species.append(Species(
            key=checked_int(where, f"species {i} key", s["key"]),
            created=created,
            representative=representatives[i].copy(),
            best_score=checked_number(where, f"species {i} best_score", s["best_score"], minus_inf=True),
            last_improved=checked_int(where, f"species {i} last_improved", s["last_improved"], created, generation),
        ))
    keys = [s.key for s in species]
    if len(set(keys)) != len(keys):
        _fail(where, f"checkpoint species keys {keys} repeat a key")
    data = checked_object(where, "species_set", meta["species_set"], {"threshold", "next_key"},
                 frozenset({"threshold_step", "threshold_side"}))  # checkpoints before the adaptive steering lack them
    threshold = checked_number(where, "species_set threshold", data["threshold"])
    step = data.get("threshold_step")
    if threshold <= 0 or (step is not None and checked_number(where, "species_set threshold_step", step) <= 0):
        _fail(where, f"checkpoint species_set threshold ({threshold}) and threshold_step ({step}) must be > 0")
    side = checked_int(where, "species_set threshold_side", data.get("threshold_side", 0), -1, 1)
    next_key = checked_int(where, "species_set next_key", data["next_key"], max(keys, default=0) + 1)
    return SpeciesSet(tuple(species), threshold, next_key, None if step is None else float(step), side)


def _restore_rng(where: str, state: Any) -> np.random.Generator:
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in _BIT_GENERATORS:
        _fail(where, f"checkpoint has an unknown random generator {name!r} (known: {', '.join(_BIT_GENERATORS)})")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = state
        restored = json.loads(json.dumps(bit_generator.state, default=lambda a: a.tolist()))
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise CheckpointError(f"{where}: checkpoint random generator state is invalid: {exc!r}") from None
    if restored != state:
        _fail(where, "checkpoint random generator state is not one the generator can be in")
    return np.random.Generator(bit_generator)


def _read(raw: bytes, where: str, config: Config | None) -> tuple[Config, RunState, np.random.Generator]:
    """Everything ``load_checkpoint`` rebuilds, each part checked (``CheckpointError`` saying what is wrong)."""
    arrays = read_npz(raw, where)
    for required in ("meta", "digest"):
        if required not in arrays:
            _fail(where, f"not a checkpoint: it has no {required!r} entry")
        if arrays[required].dtype != np.uint8 or arrays[required].ndim != 1:
            _fail(where, f"checkpoint member {required!r} has dtype {arrays[required].dtype} and shape "
                  f"{arrays[required].shape}; expected a 1-d array of bytes (uint8)")
    meta_bytes = arrays.pop("meta").tobytes()
    digest = arrays.pop("digest").tobytes().decode("ascii", errors="replace")
    if _digest(meta_bytes, dict(arrays, meta=np.frombuffer(meta_bytes, dtype=np.uint8))) != digest:
        _fail(where, "checksum mismatch; the checkpoint was modified or damaged")
    try:
        meta = json.loads(meta_bytes)
    except (ValueError, RecursionError) as exc:  # (JSONDecodeError, UnicodeDecodeError, too many digits)
        raise CheckpointError(f"{where}: checkpoint metadata is not valid JSON: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        _fail(where, f"not a checkpoint (format {meta.get('format') if isinstance(meta, dict) else meta!r:.40})")
    if meta.get("version") != VERSION:
        _fail(where, f"unsupported checkpoint version {meta.get('version')!r} (supported: {VERSION})")
    keyed = _check_members(where, dict(arrays, meta=None, digest=None))
    required = _META_KEYS - {"lineages"} | ({"next_key"} if keyed else set())  # (files without keys lack next_key)
    meta = checked_object(where, "metadata", meta, required, frozenset({"lineages", "complexity"}))
    if not isinstance(meta["config"], dict):
        _fail(where, f"the stored config is of type {type(meta['config']).__name__}; expected a table of sections")
    try:
        stored = Config.from_dict(meta["config"])
    except ConfigError as exc:
        raise CheckpointError(f"{where}: the stored config is invalid: {exc}") from None
    if config is not None and config != stored:
        diffs = _config_differences(stored.to_dict(), config.to_dict())
        _fail(where, "was saved with another config: " + "; ".join(diffs))
    pools = [_unpack(where, g, arrays, stored, keyed) for g in _GROUPS]
    pool, representatives, best = pools
    size = stored.run.population_size
    if len(pool) != size:
        _fail(where, f"holds {len(pool)} genomes but its config says population_size = {size}")
    if len(best) > 1:
        _fail(where, f"checkpoint genome group 'best' holds {len(best)} genomes; expected 0 or 1")
    if keyed and len(np.unique(pool.keys)) != size:
        _fail(where, "checkpoint genome keys repeat within the population; each genome's key is its own")
    if not keyed:  # written before genomes had keys: number them now
        pool = pool.with_keys(np.arange(size))
    largest = max((int(p.keys.max()) for p in pools if len(p)), default=-1)
    next_key = checked_int(where, "next_key", meta["next_key"], largest + 1) if keyed else size
    generation = checked_int(where, "generation", meta["generation"])
    evaluations = checked_int(where, "evaluations", meta["evaluations"])
    best_fitness = None if meta["best_fitness"] is None else checked_number(where, "best_fitness", meta["best_fitness"])
    if (best_fitness is None) != (len(best) == 0) or (best_fitness is None) != (evaluations == 0):
        _fail(where, f"checkpoint has best_fitness {best_fitness}, {len(best)} best genome(s) and {evaluations} "
              "evaluations; a best genome and its fitness go together, and exist once anything was evaluated")
    pending = meta["pending_fitness"]
    if pending is not None:
        if not isinstance(pending, list) or len(pending) != size or best_fitness is None:
            length = f" of length {len(pending)}" if isinstance(pending, list) else ""
            _fail(where, f"checkpoint pending_fitness must be a list of {size} numbers (one per genome) told "
                  f"after an evaluation, got {type(pending).__name__}{length}")
        pending = np.array([checked_number(where, "pending fitness value", v) for v in pending], dtype=np.float64)
    compact = stored.reproduction.strategy == "truncation" and stored.reproduction.compact_genomes
    lineages = meta.get("lineages")
    if compact != (lineages is not None):
        _fail(where, "checkpoint lineages " + ("are missing: compact genomes need them" if compact
                                               else "are given but the config does not use compact genomes"))
    if lineages is not None:
        if not (isinstance(lineages, list) and len(lineages) == size and all(isinstance(x, list) and x for x in lineages)):
            _fail(where, f"checkpoint lineages must be a list of {size} non-empty lists of seeds")
        lineages = tuple(tuple(checked_int(where, "lineage seed", s, 0, 2**64 - 1) for s in x) for x in lineages)
    try:  # (files of runs without complexity regulation, or written before it, have none)
        regulation = Regulation.from_dict(meta["complexity"]) if "complexity" in meta else Regulation()
    except ValueError as exc:
        _fail(where, f"checkpoint {exc}")
    state = RunState(
        pool=pool,
        species=_species(where, meta, representatives, generation),
        tracker=_tracker(where, meta["tracker"], arrays["tracker.connections"], pools),
        rng_state=meta["rng_state"],
        generation=generation,
        evaluations=evaluations,
        next_key=next_key,
        best_genome=best[0].copy() if len(best) else None,
        best_fitness=best_fitness,
        pending_fitness=pending,
        lineages=lineages,
        regulation=regulation,
    )
    return stored, state, _restore_rng(where, meta["rng_state"])


def _config_differences(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> list[str]:
    out = []
    for section in sorted(set(a) | set(b)):
        sa, sb = a.get(section, {}), b.get(section, {})
        for key in sorted(set(sa) | set(sb)):
            if sa.get(key) != sb.get(key):
                out.append(f"[{section}] {key}: checkpoint {sa.get(key)!r}, given {sb.get(key)!r}")
    return out


def load_checkpoint(
    path: str | PathLike[str],
    *,
    config: Config | None = None,
    reporters: Iterable[Any] = (),
    elite_evaluate: Any = None,
) -> Population:
    """Rebuild the population saved in ``path``.

    Every part of the file is checked before anything is built: the zip
    archive and its members (``neat.files.read_npz``), the digest, the
    dtype and shape of every array, the metadata's keys and values, every
    genome (``GenePool.validate``), and the parts against each other (gene
    counts, keys, species, the innovation tracker against every genome's
    connections and node ids, fitness values per genome, lineages, the
    generator's state).  Whatever is wrong is a ``CheckpointError`` that
    says what, so a file that loads is one a run can continue from.

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
        stored, state, rng = _read(raw, str(path), config)
        try:
            return Population.from_state(stored, state, rng=rng, reporters=reporters, elite_evaluate=elite_evaluate)
        except (ConfigError, MemoryError) as exc:  # the stored config is valid but cannot make a run here
            _fail(str(path), f"the stored config cannot make a run: {type(exc).__name__}: {exc}")
    except CheckpointError:
        raise
    except Exception as exc:  # a last resort: the checks above are meant to leave nothing for it
        raise CheckpointError(f"{path}: checkpoint content is malformed ({type(exc).__name__}: {exc})") from None


class Checkpointer(Reporter):
    """A reporter that saves a checkpoint every ``every`` generations and/or every ``seconds``.

    Files are ``<directory>/<prefix><generation>.npz``, written atomically
    at the end of a generation.  ``keep=K`` (if set) keeps at most ``K`` such
    files in the folder: after each save, the one just written and the
    ``K - 1`` others of highest generation number, whichever run wrote them
    (a restarted run with a new ``Checkpointer`` counts the old run's files
    too); files not named ``<prefix><integer>.npz`` are never touched.  Each
    save also removes the temporaries that killed writers left for such
    files (``neat.files.remove_stale_temporaries``).  ``last_path`` is the
    newest file written.
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
        first = self.directory / f"{prefix}0.npz"  # (a prefix may name a subfolder too)
        self._folder = first.parent
        self._name = re.compile(re.escape(first.name[: -len("0.npz")]) + r"(0|[1-9][0-9]*)\.npz")

    def checkpoints(self) -> list[Path]:
        """The files ``<prefix><generation>.npz`` in the folder, by generation number (oldest first)."""
        try:
            with os.scandir(self._folder) as entries:
                found = [(int(m[1]), e.path) for e in entries if (m := self._name.fullmatch(e.name)) and e.is_file()]
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [Path(path) for _, path in sorted(found)]

    def end_generation(self, population: Population) -> None:
        due = self.every is not None and population.generation % self.every == 0
        if self.seconds is not None and time.monotonic() - self._last_time >= self.seconds:
            due = True
        if due:
            self.save(population)

    def save(self, population: Population) -> Path:
        """Write a checkpoint now, apply ``keep``, and return the checkpoint's path."""
        path = self.directory / f"{self.prefix}{population.generation}.npz"
        save_checkpoint(population, path)
        self._last_time = time.monotonic()
        self.last_path = path
        remove_stale_temporaries(self._folder, self._name.fullmatch)
        if self.keep is not None:
            others = [p for p in reversed(self.checkpoints()) if p.name != path.name]
            for old in others[self.keep - 1 :]:
                old.unlink(missing_ok=True)
        return path
