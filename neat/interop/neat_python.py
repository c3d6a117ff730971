"""Read neat-python configuration files (the INI format of the ``neat-python`` package).

neat-python keeps its settings in an INI file read with :mod:`configparser`,
with the sections ``[NEAT]``, ``[DefaultGenome]``, ``[DefaultSpeciesSet]``,
``[DefaultStagnation]`` and ``[DefaultReproduction]``::

    config = neat.load_neat_python_config("config-feedforward")
    neat.interop.neat_python.convert("config-feedforward", "xor.toml")   # or: python -m neat convert ... -o ...

Every neat-python key is mapped to the key(s) of ours that reproduce its
effect (docs/neat_python.md has the table).  A key that has no equivalent
here is never dropped silently: with ``unmapped="error"`` (the default) the
file is refused with a ``ConfigError`` naming each such key, its section and
value; with ``unmapped="warn"`` one ``NeatPythonConfigWarning`` names them and
the rest of the file is used.  Unknown sections and keys (typos) and bad
values are a ``ConfigError`` naming the file, section, key, value and what is
allowed.  A key neat-python has a default for may be left out; one it
requires may not.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import ConfigError
from ..files import atomic_write_text
from ..functions import ACTIVATIONS, AGGREGATIONS
from .neat_python_ini import FALSE, SCHEMA, TRUE, TYPE_WORDS, Reader, read_ini

__all__ = [
    "NeatPythonConfigWarning",
    "NEAT_PYTHON_ACTIVATIONS",
    "NEAT_PYTHON_AGGREGATIONS",
    "load_config",
    "read_neat_python",
    "parse_neat_python",
    "convert",
]


class NeatPythonConfigWarning(UserWarning):
    """A neat-python config was loaded without some settings that have no equivalent here."""


NEAT_PYTHON_ACTIVATIONS: dict[str, str] = {
    "sigmoid": "neat_python_sigmoid",
    "tanh": "neat_python_tanh",
    "sin": "neat_python_sin",
    "gauss": "gauss",
    "relu": "relu",
    "elu": "elu",
    "lelu": "neat_python_lelu",
    "selu": "selu",
    "softplus": "neat_python_softplus",
    "identity": "identity",
    "clamped": "clamped",
    "inv": "neat_python_inv",
    "log": "neat_python_log",
    "exp": "neat_python_exp",
    "abs": "abs",
    "hat": "hat",
    "square": "square",
    "cube": "cube",
}
"""neat-python's built-in activation names -> the names of the same functions here (``neat.functions``)."""

NEAT_PYTHON_AGGREGATIONS: dict[str, str] = {
    name: name for name in ("sum", "product", "max", "min", "maxabs", "median", "mean")
}
"""neat-python's built-in aggregation names -> ours (the same names)."""

_UNMAPPED_MODES = ("error", "warn")


# --- mapping ----------------------------------------------------------------------
_INITIAL_CONNECTIONS = {
    "unconnected": "none",
    "fs_neat_nohidden": "fs_neat",
    "fs_neat": "fs_neat",  # neat-python < 0.92's name of fs_neat_nohidden
    "fs_neat_hidden": "fs_neat_hidden",
    "full_nodirect": "full",
    "full": "full",  # neat-python's "full" = full_nodirect
    "full_direct": "full_direct",
    "partial_nodirect": "partial",
    "partial": "partial",  # = partial_nodirect
    "partial_direct": "partial_direct",
}

_FITNESS_CRITERIA = {"max": "best", "min": "worst", "mean": "mean"}
_SPECIES_FITNESS = {"max": "best", "min": "worst", "mean": "mean", "median": "median"}

def _probability(r: Reader, section: str, key: str) -> float:
    value = r.get(section, key)
    if not 0.0 <= value <= 1.0:
        raise r.bad(section, key, r.raw(section, key), "a probability in [0.0, 1.0]")
    return value


def _non_negative(r: Reader, section: str, key: str) -> Any:
    value = r.get(section, key)
    if not value >= 0:
        raise r.bad(section, key, r.raw(section, key), f"{TYPE_WORDS[type(value)]} >= 0")
    return value


def _functions(
    r: Reader, kind: str, builtins: Mapping[str, str], registry: Mapping[str, Callable]
) -> tuple[str, list[str]]:
    """``(default, options)`` of ``activation`` / ``aggregation`` in our names."""
    section = "DefaultGenome"

    def ours(name: str, key: str) -> str:
        if name in builtins:
            return builtins[name]
        if name in registry:  # a user function registered under the same name as in neat-python
            return name
        raise r.bad(
            section,
            key,
            r.raw(section, key),
            f"neat-python's built-in {kind} names ({', '.join(builtins)}) or a name registered with "
            f"neat.register_{kind}(); {name!r} is neither (register your function under that name first)",
        )

    raw_options = r.get(section, f"{kind}_options")
    if len(set(raw_options)) != len(raw_options):
        raise r.bad(section, f"{kind}_options", r.raw(section, f"{kind}_options"), "names without repeats")
    options = [ours(name, f"{kind}_options") for name in raw_options]
    default = r.get(section, f"{kind}_default")
    if default.lower() in ("random", "none"):
        return "random", options
    if default not in raw_options:
        raise r.bad(section, f"{kind}_default", default, f"one of {kind}_options ({' '.join(raw_options)}) or random")
    return ours(default, f"{kind}_default"), options


def _initial_connection(r: Reader, feed_forward: bool) -> dict[str, Any]:
    section, key = "DefaultGenome", "initial_connection"
    value = r.get(section, key)
    words = value.split()
    allowed = (
        "unconnected, fs_neat_nohidden, fs_neat_hidden, full_nodirect, full_direct, "
        "partial_nodirect P or partial_direct P (P in [0.0, 1.0]), or the older full, partial P, fs_neat"
    )
    if not words or words[0] not in _INITIAL_CONNECTIONS:
        raise r.bad(section, key, value, allowed)
    form = words[0]
    out: dict[str, Any] = {"initial_connection": _INITIAL_CONNECTIONS[form]}
    if form.startswith("partial"):
        try:
            (fraction_text,) = words[1:]
            fraction = float(fraction_text)
        except ValueError:
            raise r.bad(section, key, value, f"{form} followed by a probability, e.g. '{form} 0.5'") from None
        if not 0.0 <= fraction <= 1.0:
            raise r.bad(section, key, value, f"{form} followed by a probability in [0.0, 1.0]")
        out["connection_fraction"] = fraction
        out["connection_sampling"] = "exact"
    elif len(words) != 1:
        raise r.bad(section, key, value, allowed)
    if not feed_forward and not form.startswith(("fs_neat", "unconnected")):
        out["initial_self_connections"] = True
    return out


def _attribute(r: Reader, name: str, genome: dict, mutation: dict) -> None:
    """``<name>_*`` (weight, bias, response) to our genome and mutation keys."""
    section = "DefaultGenome"
    mean = r.get(section, f"{name}_init_mean")
    stdev = _non_negative(r, section, f"{name}_init_stdev")
    lo, hi = r.get(section, f"{name}_min_value"), r.get(section, f"{name}_max_value")
    init_type = r.get(section, f"{name}_init_type").lower()
    if "gauss" in init_type or "normal" in init_type:
        kind = "gaussian"
    elif "uniform" in init_type:
        kind = "uniform"
        if mean - 2.0 * stdev < lo or mean + 2.0 * stdev > hi:
            r.unmapped(
                section,
                f"{name}_init_type",
                f"neat-python draws uniformly from [{name}_min_value, {name}_max_value] cut to "
                f"[mean - 2 stdev, mean + 2 stdev]; here the interval [mean - 2 stdev, mean + 2 stdev] "
                f"= [{mean - 2.0 * stdev}, {mean + 2.0 * stdev}] is not inside [{lo}, {hi}], and values "
                "drawn outside it are clamped to the bounds instead",
            )
    else:
        raise r.bad(section, f"{name}_init_type", r.raw(section, f"{name}_init_type"), "gaussian, normal or uniform")
    perturb = _probability(r, section, f"{name}_mutate_rate")
    replace = _probability(r, section, f"{name}_replace_rate")
    genome.update(
        {
            f"{name}_init_type": kind,
            f"{name}_init_mean": mean,
            f"{name}_init_stdev": stdev,
            f"{name}_min": lo,
            f"{name}_max": hi,
        }
    )
    # neat-python draws one r per gene: r < mutate_rate perturbs, else r < mutate_rate + replace_rate
    # replaces; every gene is considered every time (no per-genome gate, so *_mutate_prob = 1).
    mutation.update(
        {
            f"{name}_mutate_prob": 1.0,
            f"{name}_perturb_rate": perturb,
            f"{name}_replace_rate": min(replace, 1.0 - perturb),
            f"{name}_mutate_power": _non_negative(r, section, f"{name}_mutate_power"),
        }
    )


def _enabled(r: Reader, mutation: dict) -> None:
    section = "DefaultGenome"
    default = r.get(section, "enabled_default").lower()
    if default in FALSE or default in ("random", "none"):
        r.unmapped(
            section,
            "enabled_default",
            "new connections start disabled (or randomly so) in neat-python; here every new connection "
            "starts enabled",
        )
    elif default not in TRUE:
        raise r.bad(section, "enabled_default", r.raw(section, "enabled_default"), "True, False or random")
    rate = _probability(r, section, "enabled_mutate_rate")
    to_true = _probability(r, section, "enabled_rate_to_true_add")
    to_false = _probability(r, section, "enabled_rate_to_false_add")
    if to_true != to_false:
        key = "enabled_rate_to_true_add" if to_true else "enabled_rate_to_false_add"
        r.unmapped(
            section,
            key,
            f"the flip rate of a connection depends on its state (to enabled {to_true}, to disabled "
            f"{to_false} added to enabled_mutate_rate); here both directions share one rate",
        )
        to_true = to_false = 0.0
    # neat-python sets the flag to a fair coin with probability rate (+ the add): it flips half as often.
    mutation["enabled_mutate_rate"] = min(rate + to_true, 1.0) / 2.0


def _surer(r: Reader, single: bool) -> bool:
    value = r.get("DefaultGenome", "structural_mutation_surer").lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    if value == "default":
        return single
    raise r.bad("DefaultGenome", "structural_mutation_surer", value, "True, False or default")


def _run_section(r: Reader) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    s = "NEAT"
    run: dict[str, Any] = {"objective": "max", "population_size": r.get(s, "pop_size")}
    origin = {("run", "population_size"): r.shown(s, "pop_size")}
    threshold = r.get(s, "fitness_threshold")
    criterion = r.get(s, "fitness_criterion")
    if r.get(s, "no_fitness_termination"):
        run["fitness_threshold"] = None  # neat-python then ignores fitness_criterion and fitness_threshold
    else:
        if criterion not in _FITNESS_CRITERIA:
            raise r.bad(s, "fitness_criterion", criterion, "max, min or mean")
        run["fitness_threshold"] = threshold
        run["threshold_criterion"] = _FITNESS_CRITERIA[criterion]
        origin[("run", "fitness_threshold")] = r.shown(s, "fitness_threshold")
    run["on_extinction"] = "restart" if r.get(s, "reset_on_extinction") else "stop"
    seed = r.get(s, "seed")
    if seed is not None:
        run["seed"] = seed
        origin[("run", "seed")] = r.shown(s, "seed")
    return run, origin


def _genome_sections(r: Reader) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[tuple[str, str], str]]:
    s = "DefaultGenome"
    feed_forward = r.get(s, "feed_forward")
    hidden = _non_negative(r, s, "num_hidden")
    genome: dict[str, Any] = {
        "num_inputs": r.get(s, "num_inputs"),
        "num_outputs": r.get(s, "num_outputs"),
        "hidden_layers": [hidden] if hidden else [],
        "feed_forward": feed_forward,
        **_initial_connection(r, feed_forward),
    }
    genome["activation_default"], genome["activation_options"] = _functions(
        r, "activation", NEAT_PYTHON_ACTIVATIONS, ACTIVATIONS
    )
    genome["aggregation_default"], genome["aggregation_options"] = _functions(
        r, "aggregation", NEAT_PYTHON_AGGREGATIONS, AGGREGATIONS
    )
    single = r.get(s, "single_structural_mutation")
    surer = _surer(r, single)
    mutation: dict[str, Any] = {
        "conn_add_prob": _probability(r, s, "conn_add_prob"),
        "conn_delete_prob": _probability(r, s, "conn_delete_prob"),
        "node_add_prob": _probability(r, s, "node_add_prob"),
        "node_delete_prob": _probability(r, s, "node_delete_prob"),
        "single_structural_mutation": single,
        "max_add_connection_attempts": 1,  # neat-python draws one pair per add-connection
        "add_connection_reenables": surer,
        "add_node_fallback": surer,
        "activation_mutate_rate": _probability(r, s, "activation_mutate_rate"),
        "aggregation_mutate_rate": _probability(r, s, "aggregation_mutate_rate"),
    }
    for name in ("weight", "bias", "response"):
        _attribute(r, name, genome, mutation)
    if not feed_forward and any(r.raw(s, key) is not None for key in SCHEMA["DefaultGenome"]
                                if key.startswith("time_constant_")):
        # neat-python 2.0's CTRNN keys: our CTRNN with its exponential Euler step (ctrnn_dt stays ours).
        _attribute(r, "time_constant", genome, mutation)
        genome.update(ctrnn=True, ctrnn_integration="exponential")
    _enabled(r, mutation)
    disjoint = _non_negative(r, s, "compatibility_disjoint_coefficient")
    weight = _non_negative(r, s, "compatibility_weight_coefficient")
    speciation: dict[str, Any] = {
        "distance_formula": "neat_python",
        "excess_coefficient": disjoint,
        "disjoint_coefficient": disjoint,
        "node_disjoint_coefficient": disjoint,
        "weight_coefficient": weight,
        "node_attribute_coefficient": weight,
        "normalize_min_genes": 0,
    }
    origin = {("genome", k): r.shown(s, k) for k in ("num_inputs", "num_outputs")}
    for name in ("weight", "bias", "response"):
        origin[("genome", f"{name}_min")] = r.shown(s, f"{name}_min_value")
        origin[("genome", f"{name}_max")] = r.shown(s, f"{name}_max_value")
        origin[("genome", f"{name}_init_mean")] = r.shown(s, f"{name}_init_mean")
    return genome, mutation, speciation, origin


def _species_section(r: Reader, speciation: dict[str, Any]) -> dict[tuple[str, str], str]:
    s = "DefaultSpeciesSet"
    speciation["compatibility_threshold"] = r.get(s, "compatibility_threshold")
    origin = {("speciation", "compatibility_threshold"): r.shown(s, "compatibility_threshold")}
    for key, ours in (
        ("target_num_species", "target_species"),
        ("threshold_adjust_rate", "threshold_adjust_step"),
        ("threshold_min", "threshold_min"),
    ):
        value = r.get(s, key)
        if value is not None:
            speciation[ours] = value
            origin[("speciation", ours)] = r.shown(s, key)
    # The forks that steer the threshold move it by threshold_adjust_rate, a fixed distance,
    # every generation: our 'fixed' rule, not the default adaptive relative step.
    for key in ("threshold_adjust_rate", "target_num_species"):
        if r.get(s, key) is not None:
            speciation["threshold_adjust"] = "fixed"
            origin[("speciation", "threshold_adjust")] = r.shown(s, key)
            break
    if r.get(s, "threshold_max") is not None:
        r.unmapped(s, "threshold_max", "the steered threshold has no upper bound here")
    return origin


def _stagnation_section(r: Reader) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    s = "DefaultStagnation"
    func = r.get(s, "species_fitness_func")
    if func not in _SPECIES_FITNESS:
        raise r.bad(s, "species_fitness_func", func, "max, min, mean or median")
    stagnation = {
        "species_fitness": _SPECIES_FITNESS[func],
        "max_stagnation": r.get(s, "max_stagnation"),
        "species_elitism": _non_negative(r, s, "species_elitism"),
    }
    return stagnation, {("stagnation", "max_stagnation"): r.shown(s, "max_stagnation")}


def _reproduction_section(r: Reader) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    s = "DefaultReproduction"
    elitism = _non_negative(r, s, "elitism")
    reproduction = {
        "strategy": "neat",
        "elitism": elitism,
        "elitism_min_species_size": 0,  # neat-python keeps the elites of every species, however small
        "survival_threshold": r.get(s, "survival_threshold"),
        "min_parents": 2,  # neat-python: "use at least two parents no matter what the threshold fraction result is"
        # neat-python raises the minimum species size to the elitism.
        "min_species_size": max(_non_negative(r, s, "min_species_size"), elitism),
        "mutate_only_fraction": 0.0,  # every neat-python child is a crossover (maybe of a parent with itself)
        "interspecies_mating_rate": 0.0,  # both parents from the same species
    }
    origin = {
        ("reproduction", "survival_threshold"): r.shown(s, "survival_threshold"),
        ("reproduction", "min_species_size"): r.shown(s, "min_species_size"),
    }
    return reproduction, origin


def _convert(r: Reader) -> tuple[dict[str, dict[str, Any]], list[str], dict]:
    run, origin = _run_section(r)
    genome, mutation, speciation, genome_origin = _genome_sections(r)
    origin.update(genome_origin)
    origin.update(_species_section(r, speciation))
    stagnation, stagnation_origin = _stagnation_section(r)
    reproduction, reproduction_origin = _reproduction_section(r)
    origin.update(stagnation_origin)
    origin.update(reproduction_origin)
    data = {
        "genome": genome,
        "mutation": mutation,
        "speciation": speciation,
        "reproduction": reproduction,
        "stagnation": stagnation,
        "run": run,
    }
    return data, r.issues, origin


_OUR_KEY = re.compile(r"^\[(\w+)\] (\w+)")


def parse_neat_python(
    text: str, *, filename: str = "<neat-python config>", unmapped: str = "error"
) -> tuple[Config, list[str]]:
    """Build a ``Config`` from the text of a neat-python config file.

    Parameters
    ----------
    text
        The INI text.
    filename
        How the file is named in error messages.
    unmapped
        What to do with neat-python settings that have no equivalent here:
        ``"error"`` raises a ``ConfigError`` naming each of them (section,
        key, value, why); ``"warn"`` emits one ``NeatPythonConfigWarning``
        naming them and returns the config without them.

    Returns
    -------
    config
        The equivalent config (``[run] objective = "max"``: neat-python always maximises).
    unmapped_settings
        One line per setting left out (empty unless ``unmapped="warn"``).
    """
    if unmapped not in _UNMAPPED_MODES:
        raise ValueError(f"unmapped must be one of {', '.join(map(repr, _UNMAPPED_MODES))}, got {unmapped!r}")
    data, issues, origin = _convert(read_ini(text, filename))
    try:
        config = Config.from_dict(data)
    except ConfigError as exc:
        message = str(exc)
        match = _OUR_KEY.match(message)
        source = origin.get((match.group(1), match.group(2))) if match else None
        where = f"{source} gives " if source else "the converted settings give "
        raise ConfigError(f"{filename}: {where}{message}") from None
    if issues:
        listing = "\n".join(f"  {line}" for line in issues)
        if unmapped == "error":
            raise ConfigError(
                f"{filename}: these neat-python settings have no equivalent here:\n{listing}\n"
                "Change them, or load with unmapped='warn' to leave them out (see docs/neat_python.md)."
            )
        warnings.warn(
            f"{filename}: these neat-python settings have no equivalent here and were left out:\n{listing}",
            NeatPythonConfigWarning,
            stacklevel=3,
        )
    return config, list(issues)


def read_neat_python(path: str | PathLike[str], *, unmapped: str = "error") -> tuple[Config, list[str]]:
    """Read a neat-python config file (INI) into a ``Config``.

    See ``parse_neat_python`` for ``unmapped`` and the return value;
    ``load_config(path)`` returns just the config.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read neat-python config file {str(path)!r}: {exc.strerror or exc}") from None
    return parse_neat_python(text, filename=str(path), unmapped=unmapped)


def load_config(path: str | PathLike[str], *, unmapped: str = "error") -> Config:
    """Read a neat-python config file (its INI format) as it is (exported as ``neat.load_neat_python_config``).

    Every neat-python key maps to the keys of ours with the same effect
    (docs/neat_python.md).  A setting with no equivalent raises a
    ``ConfigError`` naming it, or with ``unmapped="warn"`` is left out with a
    ``NeatPythonConfigWarning``.
    """
    return read_neat_python(path, unmapped=unmapped)[0]


def convert(
    src: str | PathLike[str], dst: str | PathLike[str], *, unmapped: str = "error"
) -> list[str]:
    """Convert a neat-python config file to one of ours (TOML, written atomically).

    ``python -m neat convert old.ini -o new.toml`` calls this.  The TOML
    starts with a comment naming the source (and any settings left out).

    Returns
    -------
    One line per neat-python setting left out (see ``parse_neat_python``).
    """
    config, issues = read_neat_python(src, unmapped=unmapped)
    header = [f"# Converted from the neat-python config {Path(src).name} (neat.interop.neat_python.convert)."]
    if issues:
        header.append("# These neat-python settings have no equivalent here and were left out:")
        header.extend(f"#   {line}" for line in issues)
    atomic_write_text(dst, "\n".join(header) + "\n\n" + config.to_toml())
    return issues
