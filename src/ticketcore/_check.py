"""Type and range checks for arguments at public entry points.

Each returns the value it checked (or the materialized items of an iterable) and raises
:class:`~ticketcore.errors.InvalidTypeError` (code ``invalid_type``) for a value of the
wrong type, or :class:`~ticketcore.ValidationError` with code ``out_of_range`` for one of
the right type that is outside what the field accepts. None of them coerces a value.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import TypeVar

from ticketcore.errors import out_of_range, wrong_type

__all__ = [
    "boolean",
    "duration",
    "file_path",
    "instance",
    "integer",
    "is_int",
    "items",
    "mapping",
    "optional_text",
    "real",
    "text",
]

_T = TypeVar("_T")


def is_int(value: object) -> bool:
    """Whether ``value`` is an int and not a bool (``True`` is not a count)."""
    return isinstance(value, int) and not isinstance(value, bool)


def integer(
    value: object,
    field: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """``value`` if it is an int from ``minimum`` to ``maximum`` (each inclusive)."""
    if not is_int(value):
        raise wrong_type(field, "int", value)
    assert isinstance(value, int)  # noqa: S101 - narrowed by is_int
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise out_of_range(field, value, _bounds(minimum, maximum))
    return value


def _bounds(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"an integer from {minimum} to {maximum}"
    if minimum is not None:
        return f"an integer of at least {minimum}"
    return f"an integer of at most {maximum}"


def real(value: object, field: str, *, positive: bool = False) -> float:
    """``value`` if it is a finite int or float (and above zero when ``positive``)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise wrong_type(field, "number", value)
    expected = "a positive finite number" if positive else "a finite number"
    try:
        number = float(value)
    except OverflowError:  # an int past float's range
        raise out_of_range(field, value, expected) from None
    if not math.isfinite(number) or (positive and number <= 0):
        raise out_of_range(field, value, expected)
    return number


def boolean(value: object, field: str) -> bool:
    """``value`` if it is ``True`` or ``False``; nothing else stands in for them."""
    if not isinstance(value, bool):
        raise wrong_type(field, "true or false", value)
    return value


def text(value: object, field: str) -> str:
    """``value`` if it is a str."""
    if not isinstance(value, str):
        raise wrong_type(field, "str", value)
    return value


def optional_text(value: object, field: str) -> str | None:
    """``value`` if it is a str or ``None``."""
    if value is not None and not isinstance(value, str):
        raise wrong_type(field, "str or None", value)
    return value


def instance(value: object, kind: type[_T], field: str) -> _T:
    """``value`` if it is an instance of ``kind``."""
    if not isinstance(value, kind):
        raise wrong_type(field, kind.__name__, value)
    return value


def items(value: object, field: str, *, limit: int | None = None) -> tuple[object, ...]:
    """The items of an iterable that is not text, bytes or a mapping, as a tuple.

    ``limit`` stops reading after that many items plus one, so an endless or huge
    iterable cannot exhaust memory; the caller compares the count with its own limit.
    """
    if type(value) is tuple or type(value) is list:  # the common case, checked first
        return tuple(value) if limit is None else tuple(value[: limit + 1])
    if isinstance(value, str | bytes | bytearray | memoryview | Mapping) or not isinstance(
        value, Iterable
    ):
        raise wrong_type(field, "a list or other iterable", value)
    if limit is None:
        return tuple(value)
    found: list[object] = []
    for item in value:
        found.append(item)
        if len(found) > limit:
            break
    return tuple(found)


def mapping(value: object, field: str) -> Mapping[object, object]:
    """``value`` if it is a mapping."""
    if not isinstance(value, Mapping):
        raise wrong_type(field, "mapping", value)
    return value


def duration(value: object, field: str, *, positive: bool = False) -> timedelta:
    """``value`` if it is a timedelta (above zero when ``positive``, else not negative)."""
    if not isinstance(value, timedelta):
        raise wrong_type(field, "timedelta", value)
    if value < timedelta(0) or (positive and value == timedelta(0)):
        raise out_of_range(field, value, "a positive duration" if positive else "not negative")
    return value


def file_path(value: object, field: str) -> str:
    """``value`` as a file-system path (str or ``os.PathLike``): non-empty, no NUL."""
    if isinstance(value, bytes) or not isinstance(value, str | os.PathLike):
        raise wrong_type(field, "path", value)
    path = os.fspath(value)
    if not isinstance(path, str):
        raise wrong_type(field, "path", value)
    if not path or "\x00" in path:
        raise out_of_range(field, path, "a file path without NUL characters")
    try:
        os.fsencode(path)
    except UnicodeEncodeError:  # a lone surrogate no file system name can hold
        raise out_of_range(field, path, "a file path the file system can name") from None
    return path
