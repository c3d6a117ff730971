"""The machinery behind every config section: declared keys, type coercion, range checks.

A section is a frozen dataclass whose fields are declared with ``option``
(default, meaning, allowed range or choices).  ``Section.__post_init__``
coerces each value to its declared type without lossy conversions and
checks it, so a bad key or value is a ``ConfigError`` naming the section,
the key, the value and what is allowed.

Every numeric key declares its range as an interval, ``range="[0, 1]"``:
a square bracket includes the end, a parenthesis excludes it.  An infinite
end is written ``inf`` / ``-inf``; excluded, as in ``"[0, inf)"``, it means
"no upper bound, but finite": ``inf`` and ``nan`` are then refused, which is
what every key of this package declares (an infinite rate, coefficient,
threshold, power, size or weight bound makes a run meaningless).  A key for
which infinity meant something would say so with a closed end, ``"[0, inf]"``.
``nan`` is refused by every range.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from ..errors import ConfigError

__all__ = ["option", "Interval", "Section", "allowed_values", "type_name", "numeric_type"]


class Interval(NamedTuple):
    """A key's allowed range; ``low_closed`` / ``high_closed``: the end itself is allowed."""

    low: float
    high: float
    low_closed: bool
    high_closed: bool

    @classmethod
    def parse(cls, text: str) -> Interval:
        """``"[0, 1]"``, ``"(0, inf)"``, ``"[-inf, inf)"``...: brackets include an end, parentheses exclude it."""
        number = r"\s*(-?inf|[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?)\s*"
        match = re.fullmatch(rf"\s*([\[(]){number},{number}([\])])\s*", text)
        if match is None:
            raise ValueError(f"a range must look like '[0, 1]' or '(0, inf)', got {text!r}")
        opening, low, high, closing = match.groups()
        interval = cls(float(low), float(high), opening == "[", closing == "]")
        if not interval.low < interval.high or interval.low == math.inf or interval.high == -math.inf:
            raise ValueError(f"a range needs low < high, got {text!r}")
        return interval

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return False
        above = value >= self.low if self.low_closed else value > self.low
        below = value <= self.high if self.high_closed else value < self.high
        return above and below  # False for nan: every comparison with nan is false

    @property
    def finite_only(self) -> bool:
        """True when neither infinity is allowed."""
        return not (math.isinf(self.low) and self.low_closed) and not (math.isinf(self.high) and self.high_closed)

    def notation(self, integer: bool = False) -> str:
        """The interval as written in the reference: ``[0.0, 1.0]``, ``[1, inf)``."""
        ends = [_end(self.low, integer), _end(self.high, integer)]
        return f"{'[' if self.low_closed else '('}{ends[0]}, {ends[1]}{']' if self.high_closed else ')'}"

    def words(self, integer: bool = False) -> str:
        """The interval in words: ``in [0.0, 1.0]``, ``>= 1``, ``> 0.0``, ``<= 10.0``, or ``""`` (any)."""
        low_inf, high_inf = math.isinf(self.low), math.isinf(self.high)
        if not self.finite_only or (not low_inf and not high_inf):
            return "in " + self.notation(integer)
        if not low_inf:
            return f"{'>=' if self.low_closed else '>'} {_end(self.low, integer)}"
        if not high_inf:
            return f"{'<=' if self.high_closed else '<'} {_end(self.high, integer)}"
        return ""


def _end(value: float, integer: bool) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return str(int(value)) if integer else repr(float(value))


def option(
    default: Any,
    doc: str,
    *,
    range: str | None = None,
    choices: tuple[Any, ...] | None = None,
) -> Any:
    """Declare a config key: its default, meaning and allowed values.

    Parameters
    ----------
    range
        A numeric key's allowed values as an interval, e.g. ``"[0, 1]"``, ``"(0, inf)"`` (see the
        module docstring); for a list of numbers, each item's.  Every numeric key must declare one.
    choices
        The allowed values of a key that takes one of a few.
    """
    interval = Interval.parse(range) if range is not None else None
    metadata = {"doc": doc, "range": interval, "choices": choices}
    return field(default=default, metadata=metadata)


def numeric_type(type_: Any) -> type | None:
    """``int`` or ``float`` when a key of type ``type_`` holds numbers (alone, optional or in a list), else None."""
    origin = typing.get_origin(type_)
    if origin is tuple or origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(type_) if a is not type(None) and a is not Ellipsis]
        return numeric_type(args[0]) if len(args) == 1 else None
    return type_ if type_ in (int, float) else None


def allowed_values(f: dataclasses.Field, type_: Any) -> str:
    """Describe in words what ``f`` accepts."""
    meta = f.metadata
    if meta.get("choices"):
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    parts = [type_name(type_)]
    omitted = parts[0].endswith(" (or omitted)")
    parts[0] = parts[0].removesuffix(" (or omitted)")
    interval = meta.get("range")
    if interval is not None:
        integer = numeric_type(type_) is int
        unbounded = math.isinf(interval.low) or math.isinf(interval.high)
        if interval.finite_only and unbounded and numeric_type(type_) is float:
            parts[0] = parts[0].replace("number", "finite number", 1)
        words = interval.words(integer)
        if words:
            parts.append(("each " if typing.get_origin(type_) is tuple else "") + words)
    return " ".join(parts) + (" (or omitted)" if omitted else "")


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


def _in_range(value: Any, interval: Interval | None) -> bool:
    if interval is None:
        return True
    values = value if isinstance(value, tuple) else (value,)
    return all(v in interval for v in values if v is not None)


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
            if not _in_range(coerced, f.metadata.get("range")):
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
