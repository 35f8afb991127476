"""Locale parsing with a safe fallback to English. Babel is imported on first use."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, TypeAlias

from ticketcore.errors import ErrorCode, ValidationError, _short

if TYPE_CHECKING:  # Babel is imported on first use: `import ticketcore` must not pay for it
    from babel import Locale

__all__ = ["FALLBACK", "LocaleLike", "parse_locale", "parse_locale_strictly"]

FALLBACK = "en"
"""The locale every unknown or malformed locale falls back to."""

LocaleLike: TypeAlias = "str | Locale | None"
"""What every locale argument accepts."""


def parse_locale(value: LocaleLike) -> Locale:
    """Return the Babel ``Locale`` for ``value``, or English for anything unusable.

    Accepts ``"fa"``, ``"fa_IR"``, ``"fa-IR"``, ``"EN"``, ``"en_US.UTF-8"``, a
    ``babel.Locale``; ``None``, ``""``, ``"xx"``, ``"!!"`` and non-strings give English.
    """
    from babel import Locale  # noqa: PLC0415 - keep Babel out of `import ticketcore`

    if isinstance(value, Locale):
        return value
    if isinstance(value, str):
        return _parse_cached(value)
    return _parse_cached(FALLBACK)


def parse_locale_strictly(value: LocaleLike) -> Locale:
    """Like :func:`parse_locale`, but raise ``ValidationError`` instead of falling back."""
    from babel import Locale  # noqa: PLC0415

    if isinstance(value, Locale):
        return value
    parsed = _parse(value) if isinstance(value, str) else None
    if parsed is None:
        shown = _short(value)
        raise ValidationError(
            ErrorCode.INVALID_CHOICE,
            f"{shown} is not a locale Babel knows",
            field="locale",
            params={
                "value": value[:60] if isinstance(value, str) else shown,
                "valid": "a locale identifier such as fa or en_US",
            },
        )
    return parsed


@functools.lru_cache(maxsize=256)
def _parse_cached(identifier: str) -> Locale:
    from babel import Locale  # noqa: PLC0415

    return _parse(identifier) or Locale.parse(FALLBACK)


def _parse(identifier: str) -> Locale | None:
    from babel import Locale, UnknownLocaleError  # noqa: PLC0415

    try:
        return Locale.parse(identifier.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None
