"""``Config``: the sections of a run together, with the checks across sections; TOML in and out.

A config file has one table per section::

    [genome]
    num_inputs = 2
    num_outputs = 1

    [mutation]
    node_add_prob = 0.03

Unknown sections or keys, wrong types and out-of-range values raise
``ConfigError`` naming the section, the key, the bad value and what is allowed.
Reading a file also checks what its ``[task]`` names (``Config.check_task``):
the dataset exists, the gymnasium env id is registered.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import json
import math
import sys
import typing
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..files import atomic_write_text
from .options import Section
from .sections import (
    BUILTIN_DATASET_NAMES,
    SECTIONS,
    GenomeConfig,
    MutationConfig,
    ReproductionConfig,
    RunConfig,
    SpeciationConfig,
    StagnationConfig,
    TaskConfig,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["Config", "toml_value"]


@dataclass(frozen=True)
class Config:
    """The whole configuration: one frozen section per concern.

    Build one from keyword sections (dicts or section objects), a dict of
    dicts, or TOML::

        Config(genome={"num_inputs": 2, "num_outputs": 1})
        Config.from_toml_file("xor.toml")
    """

    genome: GenomeConfig = field(default_factory=GenomeConfig)
    mutation: MutationConfig = field(default_factory=MutationConfig)
    speciation: SpeciationConfig = field(default_factory=SpeciationConfig)
    reproduction: ReproductionConfig = field(default_factory=ReproductionConfig)
    stagnation: StagnationConfig = field(default_factory=StagnationConfig)
    run: RunConfig = field(default_factory=RunConfig)
    task: TaskConfig = field(default_factory=TaskConfig)

    def __post_init__(self) -> None:
        for name, cls in SECTIONS.items():
            value = getattr(self, name)
            if isinstance(value, typing.Mapping):
                object.__setattr__(self, name, cls.from_dict(value))
            elif not isinstance(value, cls):
                raise ConfigError(f"[{name}] must be a table of keys or a {cls.__name__}, got {type(value).__name__}")
        self._check_population_split()

    def _check_population_split(self) -> None:
        """Offspring counts must be able to honour the per-species minimum."""
        size = self.run.population_size
        minimum = self.reproduction.min_species_size
        if minimum > size:
            raise ConfigError(
                f"[reproduction] min_species_size = {minimum} is not allowed: it exceeds "
                f"[run] population_size = {size}"
            )
        if self.reproduction.strategy == "truncation":
            self._check_truncation()
        elif self.reproduction.compact_genomes:
            raise ConfigError(
                "[reproduction] compact_genomes = true is not allowed with strategy = \"neat\": compact genomes "
                "are for the fixed-topology GA (strategy = \"truncation\")"
            )
        elif self.reproduction.noise_table_size > 0:
            raise ConfigError(
                f"[reproduction] noise_table_size = {self.reproduction.noise_table_size} is not allowed with "
                "strategy = \"neat\": the noise table is for the fixed-topology GA (strategy = \"truncation\")"
            )
        target = self.speciation.target_species
        if target and target * minimum > size:
            raise ConfigError(
                f"[speciation] target_species = {target} is not allowed: {target} species x "
                f"[reproduction] min_species_size = {minimum} exceed [run] population_size = {size}"
            )

    def _check_truncation(self) -> None:
        """The fixed-topology GA has no structural change and needs a real mutation."""
        size, rc, mc = self.run.population_size, self.reproduction, self.mutation
        for key in ("truncation_size", "elite_candidates"):
            if getattr(rc, key) > size:
                raise ConfigError(
                    f"[reproduction] {key} = {getattr(rc, key)} is not allowed: it exceeds [run] population_size = {size}"
                )
        structural = ("conn_add_prob", "conn_delete_prob", "node_add_prob", "node_delete_prob",
                      "enabled_mutate_rate", "activation_mutate_rate", "aggregation_mutate_rate")
        for key in structural:
            if getattr(mc, key) != 0.0:
                raise ConfigError(
                    f"[mutation] {key} = {getattr(mc, key)} is not allowed with [reproduction] strategy = "
                    "\"truncation\" (the fixed-topology GA changes weights only): set it to 0"
                )
        if rc.noise_table_size > 0:
            self._check_noise_table()
        if mc.weight_mutate_power <= 0.0 or mc.weight_mutate_prob == 0.0:
            raise ConfigError(
                f"[mutation] weight_mutate_power = {mc.weight_mutate_power} is not allowed with [reproduction] "
                "strategy = \"truncation\": the GA's sigma must be > 0 (and weight_mutate_prob > 0)"
            )

    def _check_noise_table(self) -> None:
        """A noise table perturbs every weight and bias by sigma times its values, and nothing else."""
        mc = self.mutation
        required = {"weight_mutate_prob": 1.0, "weight_perturb_rate": 1.0, "weight_replace_rate": 0.0,
                    "bias_mutate_prob": 1.0, "bias_perturb_rate": 1.0, "bias_replace_rate": 0.0,
                    "response_mutate_prob": 0.0, "time_constant_mutate_prob": 0.0}
        for key, value in required.items():
            if getattr(mc, key) != value:
                raise ConfigError(
                    f"[mutation] {key} = {getattr(mc, key)} is not allowed with [reproduction] noise_table_size > 0 "
                    f"(the noise table perturbs every weight and bias, and nothing else): set it to {value:g}"
                )

    @classmethod
    def sections(cls) -> dict[str, type[Section]]:
        """The section classes by section name."""
        return dict(SECTIONS)

    @classmethod
    def from_dict(cls, data: typing.Mapping[str, Any]) -> Config:
        """Build a config from ``{section: {key: value}}``; missing keys take their defaults."""
        if not isinstance(data, typing.Mapping):
            raise ConfigError(f"a config must be a table of sections, got {type(data).__name__}")
        for name in data:
            if name not in SECTIONS:
                hint = difflib.get_close_matches(str(name), list(SECTIONS), n=1)
                suggestion = f"; did you mean [{hint[0]}]?" if hint else ""
                raise ConfigError(f"unknown section [{name}]{suggestion} (allowed sections: {', '.join(SECTIONS)})")
        return cls(**{name: SECTIONS[name].from_dict(values) for name, values in data.items()})

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """``{section: {key: value}}`` with plain Python values (JSON- and TOML-ready)."""
        return {name: getattr(self, name).to_dict() for name in SECTIONS}

    def replace(self, **sections: typing.Mapping[str, Any]) -> Config:
        """A copy with some keys changed: ``config.replace(genome={"num_inputs": 3})``."""
        changed = {}
        for name, values in sections.items():
            if name not in SECTIONS:
                raise ConfigError(f"unknown section [{name}] (allowed sections: {', '.join(SECTIONS)})")
            merged = {**getattr(self, name).to_dict(), **values}
            changed[name] = SECTIONS[name].from_dict(merged)
        return dataclasses.replace(self, **changed)

    # --- TOML -------------------------------------------------------------
    @classmethod
    def from_toml(cls, text: str) -> Config:
        """Parse a config from TOML text."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}") from None
        return cls.from_dict(data)

    @classmethod
    def from_toml_file(cls, path: str | PathLike[str]) -> Config:
        """Read a config from a TOML file, and check what its ``[task]`` names (see ``check_task``)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read config file {str(path)!r}: {exc.strerror or exc}") from None
        try:
            config = cls.from_toml(text)
            config.check_task(path.parent)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        return config

    def check_task(self, base_dir: str | PathLike[str] = ".") -> None:
        """Check that what ``[task]`` names exists, before anything runs or is written.

        With ``kind = "dataset"``, ``dataset`` must be a built-in table or an existing file
        (a relative path is relative to ``base_dir``, as ``task_evaluator`` reads it); with
        ``kind = "gym"``, ``env_id`` must be registered with gymnasium (not checked when gymnasium
        is not installed).  ``from_toml_file`` calls this with the file's folder.  Building a
        config in Python does not: the file or env may only exist where the config is used.

        Raises
        ------
        ConfigError
            Naming the key and the value, with the closest known name.
        """
        task = self.task
        if task.kind == "dataset" and task.dataset is not None:
            _check_dataset(task.dataset, Path(base_dir))
        elif task.kind == "gym" and task.env_id is not None:
            _check_env_id(task.env_id)

    def to_toml(self) -> str:
        """The config as TOML text; ``Config.from_toml(c.to_toml()) == c``."""
        lines: list[str] = []
        for name, values in self.to_dict().items():
            if name == "task" and self.task == TaskConfig():
                continue  # no task: the section only matters to the command line
            lines.append(f"[{name}]")
            lines.extend(f"{key} = {toml_value(value)}" for key, value in values.items())
            lines.append("")
        return "\n".join(lines)

    def save_toml(self, path: str | PathLike[str]) -> None:
        """Write the config to a TOML file (atomically)."""
        atomic_write_text(path, self.to_toml())


def _did_you_mean(name: str, known: typing.Iterable[str]) -> str:
    hint = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {hint[0]!r}?" if hint else ""


def _check_dataset(spec: str, base_dir: Path) -> None:
    """``spec`` is a built-in table or names an existing file under ``base_dir``."""
    path = base_dir / spec
    if spec in BUILTIN_DATASET_NAMES or path.is_file():
        return
    known = list(BUILTIN_DATASET_NAMES)
    if path.parent.is_dir():
        known += sorted((Path(spec).parent / p.name).as_posix() for p in path.parent.glob("*.csv"))
    raise ConfigError(
        f"[task] dataset = {spec!r} is not allowed: expected a built-in table ({', '.join(BUILTIN_DATASET_NAMES)}) "
        f"or a CSV file, and there is no file {str(path)!r}{_did_you_mean(spec, known)}"
    )


def _check_env_id(env_id: str) -> None:
    """``env_id`` is registered with gymnasium, after importing the module a ``module:EnvId`` names."""
    try:
        from gymnasium import error
        from gymnasium.envs.registration import find_highest_version, parse_env_id, registry
    except ImportError:
        return  # the gym task itself will say that gymnasium is missing
    module, _, name = env_id.rpartition(":")
    if module:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ConfigError(
                f"[task] env_id = {env_id!r} is not allowed: cannot import {module!r}, the module that should "
                f"register {name!r} ({exc})"
            ) from None
    if name in registry:
        return
    try:
        namespace, base, version = parse_env_id(name)
    except error.Error:
        pass
    else:
        if version is None and find_highest_version(namespace, base) is not None:
            return  # gymnasium makes the latest version of an unversioned id
    raise ConfigError(
        f"[task] env_id = {env_id!r} is not allowed: expected an env id registered with gymnasium"
        f"{_did_you_mean(name, registry) or ', such as CartPole-v1'}"
    )


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")
