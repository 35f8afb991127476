"""Clocks and id generators: the :class:`~ticketcore.ports.Clock` and
:class:`~ticketcore.ports.IdGenerator` a host passes to the helpdesk.

Production uses :class:`SystemClock` and :class:`UuidIds`; tests and demos use
:class:`FixedClock` and :class:`SequentialIds`, so that every time and id is known.

>>> from datetime import datetime, timedelta, timezone
>>> clock = FixedClock(datetime(2026, 3, 21, 9, 0, tzinfo=timezone.utc))
>>> clock.advance(timedelta(minutes=5))
>>> clock.now().isoformat()
'2026-03-21T09:05:00+00:00'
>>> ids = SequentialIds(prefix="T-", start=1001)
>>> ids.new_id(), ids.new_id()
('T-1001', 'T-1002')
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

from ticketcore import _check
from ticketcore._time import require_aware
from ticketcore._validate import clean_identifier
from ticketcore.errors import out_of_range

__all__ = ["FixedClock", "SequentialIds", "SystemClock", "UuidIds"]


class SystemClock:
    """The operating system's clock, in UTC."""

    __slots__ = ()

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that stands still until told to move; thread-safe.

    ``step`` (default zero) is added after every :meth:`now`, for a clock that ticks
    by itself.
    """

    __slots__ = ("_lock", "_now", "_step")

    def __init__(self, at: datetime, *, step: timedelta = timedelta(0)) -> None:
        self._now = require_aware(at, "at")
        self._step = _check.duration(step, "step")
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The clock's time (then moved on by ``step``)."""
        with self._lock:
            current = self._now
            self._now = _moved(current, self._step, "step")
            return current

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        delta = _check.duration(delta, "delta")
        with self._lock:
            self._now = _moved(self._now, delta, "delta")

    def set(self, at: datetime) -> None:
        """Move the clock to ``at`` (backwards too: tests of clock skew need it)."""
        at = require_aware(at, "at")
        with self._lock:
            self._now = at

    def __repr__(self) -> str:
        return f"FixedClock({self._now.isoformat()!r})"


def _moved(at: datetime, delta: timedelta, field: str) -> datetime:
    try:
        return at + delta
    except OverflowError:
        raise out_of_range(field, delta, "a move that stays before the year 10000") from None


class UuidIds:
    """Random ids (UUID 4), optionally after a ``prefix``: unique without coordination."""

    __slots__ = ("_prefix",)

    def __init__(self, *, prefix: str = "") -> None:
        if _check.text(prefix, "prefix"):
            clean_identifier(prefix, "prefix")
        self._prefix = prefix

    def new_id(self) -> str:
        """``prefix`` followed by a new random UUID."""
        return f"{self._prefix}{uuid.uuid4()}"

    def __repr__(self) -> str:
        return f"UuidIds(prefix={self._prefix!r})"


class SequentialIds:
    """``prefix`` followed by 1, 2, 3... (from ``start``); thread-safe.

    Unique within one generator only: several processes must not share a sequence
    (the helpdesk retries an id that is already taken, a bounded number of times).
    """

    __slots__ = ("_lock", "_next", "_prefix")

    def __init__(self, *, prefix: str = "", start: int = 1) -> None:
        if _check.text(prefix, "prefix"):
            clean_identifier(prefix, "prefix")
        self._prefix = prefix
        self._next = _check.integer(start, "start", minimum=0, maximum=10**18)
        self._lock = threading.Lock()

    def new_id(self) -> str:
        """The next id of the sequence."""
        with self._lock:
            number = self._next
            self._next += 1
        return f"{self._prefix}{number}"

    def __repr__(self) -> str:
        return f"SequentialIds(prefix={self._prefix!r}, next={self._next})"
