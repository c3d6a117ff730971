"""neat-python's INI files as neat-python reads them: its sections and keys, typed values, defaults.

``read_ini`` parses the text with :mod:`configparser` (as neat-python does: no
inline comments) and refuses unknown sections and keys with a "did you
mean"; a ``Reader`` gives each key's typed value (or neat-python's default)
and remembers how to name it in an error.  The mapping to our keys is
``neat.interop.neat_python``'s.
"""

from __future__ import annotations

import configparser
import difflib
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

__all__ = ["SCHEMA", "Reader", "read_ini", "TYPE_WORDS", "TRUE", "FALSE"]


# --- the neat-python keys -------------------------------------------------------
_REQUIRED = object()


@dataclass(frozen=True)
class _Key:
    """One neat-python key: its type (``int``, ``float``, ``bool``, ``str``, ``list``) and default."""

    type: type
    default: Any = _REQUIRED


def _attribute_keys(name: str) -> dict[str, _Key]:
    return {
        f"{name}_init_mean": _Key(float),
        f"{name}_init_stdev": _Key(float),
        f"{name}_init_type": _Key(str, "gaussian"),
        f"{name}_replace_rate": _Key(float),
        f"{name}_mutate_rate": _Key(float),
        f"{name}_mutate_power": _Key(float),
        f"{name}_max_value": _Key(float),
        f"{name}_min_value": _Key(float),
    }


SCHEMA: dict[str, dict[str, _Key]] = {
    "NEAT": {
        "pop_size": _Key(int),
        "fitness_criterion": _Key(str),
        "fitness_threshold": _Key(float),
        "reset_on_extinction": _Key(bool),
        "no_fitness_termination": _Key(bool, False),
        "seed": _Key(int, None),  # neat-python >= 1.0
    },
    "DefaultGenome": {
        "num_inputs": _Key(int),
        "num_outputs": _Key(int),
        "num_hidden": _Key(int),
        "feed_forward": _Key(bool),
        "initial_connection": _Key(str, "unconnected"),
        "compatibility_disjoint_coefficient": _Key(float),
        "compatibility_weight_coefficient": _Key(float),
        "conn_add_prob": _Key(float),
        "conn_delete_prob": _Key(float),
        "node_add_prob": _Key(float),
        "node_delete_prob": _Key(float),
        "single_structural_mutation": _Key(bool, False),
        "structural_mutation_surer": _Key(str, "default"),
        "activation_default": _Key(str, "random"),
        "activation_options": _Key(list, ["sigmoid"]),
        "activation_mutate_rate": _Key(float),
        "aggregation_default": _Key(str, "random"),
        "aggregation_options": _Key(list, ["sum"]),
        "aggregation_mutate_rate": _Key(float),
        **_attribute_keys("bias"),
        **_attribute_keys("response"),
        **_attribute_keys("weight"),
        # neat-python 2.0's per-node CTRNN time constants, with its defaults (absent in older files)
        **{k: _Key(float, v) for k, v in zip(_attribute_keys("time_constant"), (1.0, 0.0, None, 0.0, 0.0, 0.0, 10.0, 0.01))
           if v is not None},
        "time_constant_init_type": _Key(str, "gaussian"),
        "enabled_default": _Key(str),
        "enabled_mutate_rate": _Key(float),
        "enabled_rate_to_true_add": _Key(float, 0.0),
        "enabled_rate_to_false_add": _Key(float, 0.0),
    },
    "DefaultSpeciesSet": {
        "compatibility_threshold": _Key(float),
        # Threshold steering, found in some neat-python forks and ports (not in neat-python 0.92).
        "target_num_species": _Key(int, None),
        "threshold_adjust_rate": _Key(float, None),
        "threshold_min": _Key(float, None),
        "threshold_max": _Key(float, None),
    },
    "DefaultStagnation": {
        "species_fitness_func": _Key(str, "mean"),
        "max_stagnation": _Key(int, 15),
        "species_elitism": _Key(int, 0),
    },
    "DefaultReproduction": {
        "elitism": _Key(int, 0),
        "survival_threshold": _Key(float, 0.2),
        "min_species_size": _Key(int, 2),
    },
}
"""Every key of neat-python's five config sections (0.92, plus ``seed`` of 1.0 and threshold steering)."""

TYPE_WORDS = {
    int: "an integer",
    float: "a number",
    bool: "True or False",
    str: "a string",
    list: "a space-separated list of names",
}

TRUE = ("1", "yes", "true", "on")
FALSE = ("0", "no", "false", "off")


# --- reading ----------------------------------------------------------------------
class Reader:
    """The values of one neat-python file, with what is needed to name them in errors."""

    def __init__(self, parser: configparser.ConfigParser, filename: str) -> None:
        self.parser = parser
        self.filename = filename
        self.issues: list[str] = []

    def fail(self, message: str) -> ConfigError:
        return ConfigError(f"{self.filename}: {message}")

    def raw(self, section: str, key: str) -> str | None:
        if not self.parser.has_section(section) or not self.parser.has_option(section, key):
            return None
        try:
            return self.parser.get(section, key)
        except configparser.Error as exc:
            raise self.fail(f"[{section}] {key}: {exc}") from None

    def bad(self, section: str, key: str, value: Any, allowed: str) -> ConfigError:
        hint = ""
        if isinstance(value, str) and ("#" in value or ";" in value):
            hint = " (neat-python files take no comment after a value: put it on a line of its own)"
        return self.fail(f"[{section}] {key} = {value!r} is not allowed: expected {allowed}{hint}")

    def get(self, section: str, key: str) -> Any:
        """The typed value of ``key`` (its neat-python default when absent)."""
        spec = SCHEMA[section][key]
        text = self.raw(section, key)
        if text is None:
            if spec.default is _REQUIRED:
                raise self.fail(
                    f"[{section}] {key} is missing; neat-python requires it ({TYPE_WORDS[spec.type]})"
                )
            return spec.default
        value = text.strip()
        try:
            if spec.type is int:
                return int(value)
            if spec.type is float:
                return float(value)
        except ValueError:
            raise self.bad(section, key, text, TYPE_WORDS[spec.type]) from None
        if spec.type is bool:
            if value.lower() in TRUE:
                return True
            if value.lower() in FALSE:
                return False
            raise self.bad(section, key, text, "True or False")
        if spec.type is list:
            items = value.split()
            if not items:
                raise self.bad(section, key, text, TYPE_WORDS[list])
            return items
        return value

    def shown(self, section: str, key: str) -> str:
        """``[section] key = value`` as in the file (or ``(default)`` when absent)."""
        text = self.raw(section, key)
        if text is None:
            return f"[{section}] {key} (neat-python's default, {SCHEMA[section][key].default!r})"
        return f"[{section}] {key} = {text.strip()}"

    def unmapped(self, section: str, key: str, reason: str) -> None:
        self.issues.append(f"{self.shown(section, key)}: {reason}")


def _parse(text: str, filename: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser()  # what neat-python uses: no inline comments, % interpolation
    try:
        parser.read_string(text, source=filename)
    except configparser.Error as exc:
        raise ConfigError(f"{filename}: not a valid neat-python config (INI) file: {exc}") from None
    return parser


def _check_names(parser: configparser.ConfigParser, filename: str) -> None:
    """Unknown sections and keys (typos) are errors naming file, section and key."""
    sections = list(SCHEMA)
    if parser.defaults():
        raise ConfigError(
            f"{filename}: unknown section [{parser.default_section}] (neat-python's sections: "
            f"{', '.join(f'[{s}]' for s in sections)})"
        )
    if not parser.has_section("NEAT"):
        raise ConfigError(f"{filename}: no [NEAT] section; a neat-python config file needs one")
    for section in parser.sections():
        if section not in SCHEMA:
            hint = difflib.get_close_matches(section, sections, n=1)
            suggestion = f"; did you mean [{hint[0]}]?" if hint else ""
            raise ConfigError(
                f"{filename}: unknown section [{section}]{suggestion} (neat-python's sections, with its "
                f"default classes: {', '.join(f'[{s}]' for s in sections)})"
            )
        known = list(SCHEMA[section])
        for key in parser.options(section):
            if key not in SCHEMA[section]:
                hint = difflib.get_close_matches(key, known, n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                raise ConfigError(
                    f"{filename}: [{section}] unknown key {key!r}{suggestion} (keys of [{section}]: {', '.join(known)})"
                )


def read_ini(text: str, filename: str) -> Reader:
    """A ``Reader`` of the neat-python config ``text``; ``ConfigError`` for bad INI, unknown sections or keys."""
    parser = _parse(text, filename)
    _check_names(parser, filename)
    return Reader(parser, filename)
