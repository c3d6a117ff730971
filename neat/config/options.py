"""The machinery behind every config section: declared keys, type coercion, range checks.

A section is a frozen dataclass whose fields are declared with ``option``
(default, meaning, allowed range or choices).  ``Section.__post_init__``
coerces each value to its declared type without lossy conversions and
checks it, so a bad key or value is a ``ConfigError`` naming the section,
the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import ConfigError

__all__ = ["option", "Section", "allowed_values", "type_name"]


def option(
    default: Any,
    doc: str,
    *,
    min: float | None = None,
    max: float | None = None,
    min_exclusive: bool = False,
    choices: tuple[Any, ...] | None = None,
) -> Any:
    """Declare a config key: its default, meaning and allowed values."""
    metadata = {"doc": doc, "min": min, "max": max, "min_exclusive": min_exclusive, "choices": choices}
    return field(default=default, metadata=metadata)


def allowed_values(f: dataclasses.Field, type_: Any) -> str:
    """Describe in words what ``f`` accepts."""
    meta = f.metadata
    if meta.get("choices"):
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    parts = [type_name(type_)]
    lo, hi = meta.get("min"), meta.get("max")
    if lo is not None and hi is not None:
        parts.append(f"in {'(' if meta.get('min_exclusive') else '['}{lo}, {hi}]")
    elif lo is not None:
        parts.append(f"{'>' if meta.get('min_exclusive') else '>='} {lo}")
    elif hi is not None:
        parts.append(f"<= {hi}")
    return " ".join(parts)


def type_name(type_: Any) -> str:
    origin = typing.get_origin(type_)
    if origin is tuple:
        item = typing.get_args(type_)[0]
        return "a list of " + {int: "integers", float: "numbers", str: "strings"}.get(item, str(item))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(type_) if a is not type(None)]
        return type_name(args[0]) + " (or omitted)"
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(type_, str(type_))


def _coerce_scalar(value: Any, type_: type) -> Any:
    """Return ``value`` as ``type_`` or raise ``TypeError``; no lossy conversions."""
    if type_ is bool:
        if isinstance(value, bool):
            return value
    elif type_ is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return int(value)
    elif type_ is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif type_ is str:
        if isinstance(value, str):
            return value
    raise TypeError


def _coerce(value: Any, type_: Any) -> Any:
    origin = typing.get_origin(type_)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise TypeError
        item_type = typing.get_args(type_)[0]
        return tuple(_coerce_scalar(v, item_type) for v in value)
    if origin is not None:  # Optional[X]
        if value is None:
            return None
        inner = [a for a in typing.get_args(type_) if a is not type(None)][0]
        return _coerce(value, inner)
    return _coerce_scalar(value, type_)


def _in_range(value: Any, meta: typing.Mapping[str, Any]) -> bool:
    lo, hi = meta.get("min"), meta.get("max")
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        if v is None or isinstance(v, (str, bool)):
            continue
        if isinstance(v, float) and math.isnan(v):
            return False
        if lo is not None and (v <= lo if meta.get("min_exclusive") else v < lo):
            return False
        if hi is not None and v > hi:
            return False
    return True



@dataclass(frozen=True)
class Section:
    """Shared checking for every config section."""

    SECTION: ClassVar[str] = ""

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            type_ = hints[f.name]
            try:
                coerced = _coerce(value, type_)
            except TypeError:
                self._fail(f.name, value, allowed_values(f, type_))
            object.__setattr__(self, f.name, coerced)
            choices = f.metadata.get("choices")
            if choices is not None and coerced not in choices:
                self._fail(f.name, coerced, allowed_values(f, type_))
            if not _in_range(coerced, f.metadata):
                self._fail(f.name, coerced, allowed_values(f, type_))
        self._check()

    def _check(self) -> None:
        """Cross-key checks; overridden by sections that have them."""

    def _fail(self, key: str, value: Any, allowed: str) -> typing.NoReturn:
        value = list(value) if isinstance(value, tuple) else value
        raise ConfigError(f"[{self.SECTION}] {key} = {value!r} is not allowed: expected {allowed}")

    @classmethod
    def from_dict(cls, data: typing.Mapping[str, Any]) -> Any:
        """Build the section from a mapping of keys to values (unknown keys are errors)."""
        if not isinstance(data, typing.Mapping):
            raise ConfigError(f"[{cls.SECTION}] must be a table of keys, got {type(data).__name__}")
        names = [f.name for f in dataclasses.fields(cls)]
        for key in data:
            if key not in names:
                hint = difflib.get_close_matches(str(key), names, n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                raise ConfigError(f"[{cls.SECTION}] unknown key {key!r}{suggestion} (allowed keys: {', '.join(names)})")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Keys to plain values (tuples become lists); keys set to ``None`` are left out."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out
