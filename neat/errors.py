"""The project's own exception types.

Every error a user can cause (a typo in a config, a genome built by hand with a
dangling connection, a corrupt checkpoint) is raised as one of these, with a
message that names what is wrong, where, and what is allowed.
"""

from __future__ import annotations

__all__ = [
    "NeatError",
    "ConfigError",
    "InvalidGenomeError",
    "CheckpointError",
    "EvaluationError",
    "ExtinctionError",
    "RenderError",
    "StatisticsError",
]


class NeatError(Exception):
    """Base class of every error raised by this package."""


class ConfigError(NeatError, ValueError):
    """A configuration key or value is unknown, of the wrong type, or out of range."""


class InvalidGenomeError(NeatError, ValueError):
    """A genome breaks one of its invariants (see ``Genome.validate``)."""


class CheckpointError(NeatError):
    """A checkpoint or saved file cannot be read or written."""


class EvaluationError(NeatError):
    """A fitness evaluation failed."""


class ExtinctionError(NeatError):
    """Every species died and the config says to stop (``[run] on_extinction = "stop"``)."""


class RenderError(NeatError):
    """A drawing, plot or progress bar cannot be shown: what renders it (Graphviz, matplotlib, tqdm) is missing or failed."""


class StatisticsError(NeatError, ValueError):
    """Run statistics (e.g. a ``StatisticsReporter`` CSV file) cannot be read, or hold nothing to show."""
