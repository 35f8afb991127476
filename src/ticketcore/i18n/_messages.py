"""Labels and descriptions of enum members, and localized error messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal, TypeAlias, TypeGuard

from ticketcore import _check
from ticketcore.enums import Category, Priority, Role, Status
from ticketcore.errors import ErrorCode, TicketcoreError, wrong_type
from ticketcore.i18n._catalog import Translations, translations
from ticketcore.i18n._format import format_bytes, format_datetime, format_duration, format_number
from ticketcore.i18n._locale import LocaleLike
from ticketcore.i18n._template import MISSING
from ticketcore.sla import ClockState, Metric

__all__ = ["Labelled", "describe", "field_label", "label", "message"]

Labelled: TypeAlias = Status | Priority | Category | Role | Metric | ClockState
"""The enums whose members have a label (and, but for SLA names, a description)."""

_KINDS: dict[type[Labelled], str] = {
    Status: "status",
    Priority: "priority",
    Category: "category",
    Role: "role",
    Metric: "metric",
    ClockState: "clock state",
}
# Params that name an enum member are shown as that member's label.
_ENUM_PARAMS: dict[str, type[Labelled]] = {
    "status": Status,
    "from_status": Status,
    "to_status": Status,
    "priority": Priority,
    "category": Category,
    "role": Role,
}
# Params that are byte counts, shown as "10 megabytes".
_BYTE_PARAMS = {
    ErrorCode.ATTACHMENT_TOO_LARGE: frozenset({"limit", "size"}),
    ErrorCode.ATTACHMENT_EMPTY: frozenset({"size"}),
}


def label(member: Labelled, locale: LocaleLike) -> str:
    """The short label of a status, priority, category, role, SLA metric or clock state.

    ``label(Status.RESOLVED, "fa")`` is ``حل‌شده``; ``label(Metric.FIRST_RESPONSE, "en")``
    is ``First response``.
    """
    return _member_text(member, locale, "")


def describe(member: Labelled, locale: LocaleLike) -> str:
    """The one-line description of a status, priority, category or role.

    SLA metrics and clock states have no description; their label stands in.
    """
    return _member_text(member, locale, " description")


def field_label(field: str, locale: LocaleLike) -> str:
    """A field name as a user reads it inside a sentence: ``content_type`` -> ``file type``.

    A dotted name (``references.order_no``) falls back to its first part's label;
    unknown names come back with underscores as spaces.
    """
    _check.text(field, "field")
    texts = translations(locale)
    found = texts.get("field", field) or texts.get("field", field.split(".", 1)[0])
    return found if found is not None else field.replace("_", " ")


def message(error: TicketcoreError, locale: LocaleLike) -> str:
    """The user-facing sentence for ``error`` in ``locale``.

    The template for ``error.code`` is filled from ``error.field`` and ``error.params``:
    the field name is translated; enum values (``from_status``, ``to_status``,
    ``role``, ``status``, ``priority``, ``category``, and ``valid`` for an enum field)
    become labels and an ``action`` its phrase; byte counts of attachment errors read
    ``10 megabytes``; numbers get the locale's digits and separators, except identifiers
    (``ticket_id``, ``id``, any ``*_id``), shown as given; lists become a localized
    list; timedeltas and aware datetimes are formatted. A placeholder the error has no
    value for shows ``…``. Never raises for odd params; an error code without a
    template anywhere falls back to ``error.message``.
    """
    if not isinstance(error, TicketcoreError):
        raise wrong_type("error", "TicketcoreError", error)
    texts = translations(locale)
    values: dict[str, Callable[[], str]] = {
        name: _deferred(error, name, value, texts) for name, value in error.params.items()
    }
    values["field"] = lambda: field_label(error.field or "value", texts.locale)
    text = texts.fill("error", error.code.value, values)
    return text if text is not None else error.message


def _member_text(member: object, locale: LocaleLike, suffix: str) -> str:
    kind = next((name for cls, name in _KINDS.items() if isinstance(member, cls)), None)
    if kind is None:
        raise wrong_type("member", "Status, Priority, Category, Role, Metric or ClockState", member)
    value = str(member)
    texts = translations(locale)
    found = texts.get(kind + suffix, value)
    if found is None and suffix:
        found = texts.get(kind, value)
    return found if found is not None else value.replace("_", " ")


def _deferred(
    error: TicketcoreError, name: str, value: object, texts: Translations
) -> Callable[[], str]:
    return lambda: _param_text(error, name, value, texts)


def _param_text(error: TicketcoreError, name: str, value: object, texts: Translations) -> str:
    if value is None:
        return MISSING
    text = _by_name(error, name, value, texts)
    return text if text is not None else _by_type(error, value, texts)


def _by_name(error: TicketcoreError, name: str, value: object, texts: Translations) -> str | None:
    """What a param's name says about showing it, or None to go by its type."""
    if name in _ENUM_PARAMS:
        return _enum_label(_ENUM_PARAMS[name], value, texts)
    if name == "action" and isinstance(value, str):
        return texts.get("action", value) or value.replace("_", " ")
    if name == "valid":
        return _valid_text(error, value, texts)
    if name == "id" or name.endswith("_id"):
        return str(value)
    if name in _BYTE_PARAMS.get(error.code, ()) and _is_number(value) and _finite(value):
        return format_bytes(value, texts.locale)
    return None


def _by_type(error: TicketcoreError, value: object, texts: Translations) -> str:
    if isinstance(value, str | bool):
        return str(value)
    if _is_number(value):
        return format_number(value, texts.locale)
    if isinstance(value, timedelta):
        return format_duration(value, texts.locale)
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return format_datetime(value, texts.locale)
    if _is_collection(value):
        items = [_param_text(error, "item", item, texts) for item in _ordered(value)]
        return _list(items, texts, style="standard")
    return str(value)


def _is_collection(value: object) -> TypeGuard[Iterable[object]]:
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | date | Mapping)


def _finite(value: float | Decimal) -> bool:
    # A byte count that is NaN or infinite has no unit; it is shown as a plain number.
    return isinstance(value, int) or Decimal(value).is_finite()


def _is_number(value: object) -> TypeGuard[int | float | Decimal]:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _valid_text(error: TicketcoreError, value: object, texts: Translations) -> str | None:
    """The valid choices as "a, b or c": enum labels for an enum field."""
    if error.field in _ENUM_PARAMS:
        return _valid_labels(_ENUM_PARAMS[error.field], value, texts)
    if _is_collection(value):
        items = [_param_text(error, "item", item, texts) for item in _ordered(value)]
        return _list(items, texts, style="or")
    return None


def _enum_label(cls: type[Labelled], value: object, texts: Translations) -> str:
    if not isinstance(value, str):
        return str(value)
    try:
        member = cls(value)
    except ValueError:  # ValidationError included: not a member, shown as given
        return value
    return _member_text(member, texts.locale, "")


def _valid_labels(cls: type[Labelled], value: object, texts: Translations) -> str:
    if isinstance(value, str):
        items: Iterable[object] = value.split(",")
    elif isinstance(value, Iterable):
        items = value
    else:
        return str(value)
    return _list(
        [_enum_label(cls, str(item).strip(), texts) for item in _ordered(items)],
        texts,
        style="or",
    )


def _ordered(items: Iterable[object]) -> list[object]:
    # Sets have no order: sort their text so messages are reproducible.
    if isinstance(items, set | frozenset):
        return sorted(items, key=str)
    return list(items)


def _list(words: list[str], texts: Translations, *, style: Literal["standard", "or"]) -> str:
    from babel.lists import format_list  # noqa: PLC0415

    return format_list(words, style=style, locale=texts.locale)
