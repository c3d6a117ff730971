"""Genomes and configs as JSON files (written atomically; loading never runs code).

A genome file is ``Genome.to_dict()`` as JSON: self-contained, it embeds the
genome config.  A config file is ``Config.to_dict()`` as JSON; TOML is the
config's own format (``Config.from_toml_file`` / ``save_toml``).
"""

from __future__ import annotations

import json
from os import PathLike

from ..config import Config
from ..errors import ConfigError, InvalidGenomeError
from ..files import atomic_write_text, read_json
from ..genome import Genome, genome_from_dict, genome_to_dict

__all__ = ["save_genome", "load_genome", "save_config_json", "load_config_json"]


def save_genome(genome: Genome, path: str | PathLike[str]) -> None:
    """Write ``genome`` to a JSON file (atomically)."""
    atomic_write_text(path, json.dumps(genome_to_dict(genome)))


def load_genome(path: str | PathLike[str]) -> Genome:
    """Read a genome written by ``save_genome`` (validated).

    Raises
    ------
    CheckpointError
        The file cannot be read or is not JSON.
    InvalidGenomeError
        A field is missing, unknown or of the wrong type (named, e.g. ``connections.weight[3]``), or the
        genes break an invariant; the message starts with the file's path.
    ConfigError
        The embedded genome config is not a valid ``[genome]`` section.
    """
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
