"""Persistence: genomes, configs and trackers as JSON; atomic writes; never pickle.

Loading a file never runs code: every format here is plain JSON (or TOML for
configs).  Every write goes to a temporary file in the same directory that
is then renamed over the target, so a crash mid-write leaves the previous
file intact.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from .config import Config, GenomeConfig
from .errors import CheckpointError, ConfigError, InvalidGenomeError
from .genome import Genome, NodeKind

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "genome_to_dict",
    "genome_from_dict",
    "save_genome",
    "load_genome",
    "save_config_json",
    "load_config_json",
    "read_json",
]

GENOME_FORMAT = "neat-genome"
GENOME_VERSION = 1
_KIND_NAMES = [k.name.lower() for k in NodeKind]


def atomic_write_bytes(path: str | PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _new_file_mode())  # mkstemp makes 0600; give the file the mode open() would
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _new_file_mode() -> int:
    """0666 less the process umask: the mode a plain ``open(path, "w")`` gives a new file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_text(path: str | PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def read_json(path: str | PathLike[str], what: str) -> Any:
    """Parse the JSON file at ``path``; ``CheckpointError`` naming ``what`` if it cannot."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckpointError(f"cannot read {what} file {str(path)!r}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{what} file {str(path)!r} is not valid JSON: {exc}") from None


# --- genomes ----------------------------------------------------------------
def genome_to_dict(genome: Genome) -> dict[str, Any]:
    """A JSON-ready dict of ``genome``, self-contained (it embeds the genome config).

    Activations and aggregations are stored by name, node kinds as words.
    """
    n, c = genome.nodes, genome.conns
    return {
        "format": GENOME_FORMAT,
        "version": GENOME_VERSION,
        "genome_config": genome.config.to_dict(),
        "nodes": {
            "id": n.id.tolist(),
            "kind": [_KIND_NAMES[k] for k in n.kind.tolist()],
            "bias": n.bias.tolist(),
            "response": n.response.tolist(),
            "activation": genome.activation_names(),
            "aggregation": genome.aggregation_names(),
        },
        "connections": {
            "innovation": c.innovation.tolist(),
            "src": c.src.tolist(),
            "dst": c.dst.tolist(),
            "weight": c.weight.tolist(),
            "enabled": c.enabled.tolist(),
        },
    }


def _codes(names: Any, options: tuple[str, ...], what: str) -> np.ndarray:
    if not isinstance(names, list):
        raise InvalidGenomeError(f"genome nodes.{what} must be a list of names")
    try:
        return np.array([options.index(name) for name in names], dtype=np.int16)
    except ValueError:
        unknown = next(name for name in names if name not in options)
        raise InvalidGenomeError(
            f"genome node {what} {unknown!r} is not among {what}_options {list(options)}"
        ) from None


def genome_from_dict(data: Mapping[str, Any]) -> Genome:
    """Rebuild (and validate) a genome from ``genome_to_dict`` output."""
    if not isinstance(data, Mapping) or data.get("format") != GENOME_FORMAT:
        raise InvalidGenomeError(f'not a genome: expected a JSON object with "format": "{GENOME_FORMAT}"')
    if data.get("version") != GENOME_VERSION:
        raise InvalidGenomeError(f"unsupported genome version {data.get('version')!r} (supported: {GENOME_VERSION})")
    try:
        config = GenomeConfig.from_dict(data["genome_config"])
        nodes, conns = dict(data["nodes"]), dict(data["connections"])
    except KeyError as exc:
        raise InvalidGenomeError(f"genome data lacks the key {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise InvalidGenomeError(f"malformed genome data: {exc}") from None
    kinds = nodes.get("kind")
    if not isinstance(kinds, list) or any(k not in _KIND_NAMES for k in kinds):
        raise InvalidGenomeError(f"genome nodes.kind must be a list of {_KIND_NAMES}")
    nodes["kind"] = [_KIND_NAMES.index(k) for k in kinds]
    nodes["activation"] = _codes(nodes.get("activation"), config.activation_options, "activation")
    nodes["aggregation"] = _codes(nodes.get("aggregation"), config.aggregation_options, "aggregation")
    return Genome(config, nodes, conns)


def save_genome(genome: Genome, path: str | PathLike[str]) -> None:
    """Write ``genome`` to a JSON file (atomically)."""
    atomic_write_text(path, json.dumps(genome_to_dict(genome)))


def load_genome(path: str | PathLike[str]) -> Genome:
    """Read a genome written by ``save_genome`` (validated)."""
    data = read_json(path, "genome")
    try:
        return genome_from_dict(data)
    except (InvalidGenomeError, ConfigError) as exc:
        raise type(exc)(f"{path}: {exc}") from None


# --- configs ----------------------------------------------------------------
def save_config_json(config: Config, path: str | PathLike[str]) -> None:
    """Write ``config`` to a JSON file (atomically). TOML: ``Config.save_toml``."""
    atomic_write_text(path, json.dumps(config.to_dict(), indent=2))


def load_config_json(path: str | PathLike[str]) -> Config:
    """Read a config written by ``save_config_json``."""
    data = read_json(path, "config")
    try:
        return Config.from_dict(data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
