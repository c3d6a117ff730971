"""Configuration: frozen dataclasses, one per concern, read from and written to TOML.

``Config`` holds the sections (``neat.config.sections``); ``neat.config.options``
is the machinery that declares and checks their keys; ``reference_markdown``
writes ``docs/config.md`` from them.  Other file formats (JSON, neat-python INI)
live in ``neat.interop``.
"""

from .config import Config
from .reference import reference_markdown
from .sections import (
    GenomeConfig,
    MutationConfig,
    ReproductionConfig,
    RunConfig,
    SpeciationConfig,
    StagnationConfig,
    TaskConfig,
)

__all__ = [
    "Config",
    "GenomeConfig",
    "MutationConfig",
    "SpeciationConfig",
    "ReproductionConfig",
    "StagnationConfig",
    "RunConfig",
    "TaskConfig",
    "reference_markdown",
]
