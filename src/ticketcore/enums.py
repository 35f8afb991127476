"""Statuses, priorities, categories and roles: string enums with stable wire names.

>>> import ticketcore as tc
>>> tc.Status("in_progress") is tc.Status.IN_PROGRESS
True
>>> tc.Priority.URGENT > tc.Priority.LOW
True
>>> sorted(tc.Priority)
[<Priority.LOW: 'low'>, <Priority.MEDIUM: 'medium'>,
 <Priority.HIGH: 'high'>, <Priority.URGENT: 'urgent'>]
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from ticketcore.errors import (
    ErrorCode,
    InvalidTypeError,
    ValidationError,
    _short,
    _StrictLookup,
    wrong_type,
)

__all__ = ["Category", "Priority", "Role", "Status"]


class _WireEnum(StrEnum, metaclass=_StrictLookup):
    """A string enum whose parsing failures are :class:`ValidationError`."""

    @classmethod
    def _not_a_name(cls, value: object) -> InvalidTypeError:
        field = _snake(cls.__name__)
        return wrong_type(field, f"a {field.replace('_', ' ')} name", value)

    @classmethod
    def _missing_(cls, value: object) -> Self:
        field = _snake(cls.__name__)
        if not isinstance(value, str):
            raise wrong_type(field, f"a {field.replace('_', ' ')} name", value)
        valid = ", ".join(member.value for member in cls)
        raise ValidationError(
            ErrorCode.INVALID_CHOICE,
            f"{_short(value)} is not a valid {field}; valid values: {valid}",
            field=field,
            params={"value": value[:100], "valid": valid},
        )


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


class Status(_WireEnum):
    """Where a ticket is in its life. ``CLOSED`` is terminal."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_FOR_USER = "waiting_for_user"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Category(_WireEnum):
    """What a ticket is about, as the help page lists it."""

    TECHNICAL = "technical"
    FINANCIAL = "financial"
    ACCOUNT = "account"
    BUG_REPORT = "bug_report"
    FEATURE_REQUEST = "feature_request"
    GENERAL = "general"


class Role(_WireEnum):
    """Who acts: the ticket's requester, a support agent, or the system itself."""

    REQUESTER = "requester"
    AGENT = "agent"
    SYSTEM = "system"


class Priority(_WireEnum):
    """How urgent a ticket is. Ordered by severity: ``LOW < MEDIUM < HIGH < URGENT``.

    Comparison is by severity, not by the wire name's spelling. ``MEDIUM`` is the default.
    """

    URGENT = "urgent"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def severity(self) -> int:
        """0 for ``LOW`` up to 3 for ``URGENT``."""
        return _SEVERITY[self.value]

    @classmethod
    def default(cls) -> Priority:
        """The priority a ticket gets when none is chosen: ``MEDIUM``."""
        return cls.MEDIUM

    def __lt__(self, other: object) -> bool:
        rank = _rank(other)
        return NotImplemented if rank is None else self.severity < rank

    def __le__(self, other: object) -> bool:
        rank = _rank(other)
        return NotImplemented if rank is None else self.severity <= rank

    def __gt__(self, other: object) -> bool:
        rank = _rank(other)
        return NotImplemented if rank is None else self.severity > rank

    def __ge__(self, other: object) -> bool:
        rank = _rank(other)
        return NotImplemented if rank is None else self.severity >= rank


_SEVERITY = {"low": 0, "medium": 1, "high": 2, "urgent": 3}


def _rank(other: object) -> int | None:
    # A plain string is compared as the priority it names (never alphabetically, which
    # would put "high" below "low"); a string that names no priority is an error.
    if isinstance(other, str):
        return Priority(other).severity
    return None
