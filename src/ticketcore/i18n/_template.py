"""Filling message templates safely: ``{name}`` placeholders only, never raising."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from string import Formatter

__all__ = ["MISSING", "fill", "placeholders"]

MISSING = "…"
"""What a placeholder shows when the error carries no value for it."""

_FORMATTER = Formatter()


def fill(template: str, values: Mapping[str, Callable[[], str]]) -> str | None:
    """Replace each ``{name}`` with ``values[name]()``, or :data:`MISSING`.

    Only plain names are looked up: ``{0}``, ``{a.b}`` or ``{a[0]}`` show
    :data:`MISSING`, and a format spec or conversion (``{limit:>5}``, ``{value!r}``) is
    ignored, so a catalog can never reach into attributes. ``{{`` and ``}}`` are literal
    braces. Returns ``None`` for a malformed template (an unmatched brace).
    """
    try:
        pieces = list(_FORMATTER.parse(template))
    except ValueError:
        return None
    out: list[str] = []
    for literal, name, _spec, _conversion in pieces:
        out.append(literal)
        if name is not None:
            getter = values.get(name)
            out.append(MISSING if getter is None else getter())
    return "".join(out)


def placeholders(template: str) -> frozenset[str]:
    """The placeholder names in ``template`` (empty for a malformed one)."""
    try:
        return frozenset(name for _, name, _, _ in _FORMATTER.parse(template) if name is not None)
    except ValueError:
        return frozenset()
