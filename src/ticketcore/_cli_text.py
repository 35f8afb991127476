"""What the command line prints, in the reader's language: sentences, labels, tables.

Kept apart from the commands so that every word goes through the gettext catalogs
(context ``cli`` for sentences, ``event``, ``metric`` and ``clock state`` for names).
Babel is imported here, which is why ``ticketcore.cli`` is never imported by
``import ticketcore``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo

from ticketcore import i18n
from ticketcore.enums import Category, Priority, Role, Status
from ticketcore.events import (
    AssigneeChanged,
    CategoryChanged,
    Event,
    MessageAdded,
    PriorityChanged,
    StatusChanged,
    TicketOpened,
)
from ticketcore.i18n._catalog import translations
from ticketcore.model import Actor
from ticketcore.sla import ClockState, Metric

__all__ = ["Text"]

_ARROW = {"ltr": "->", "rtl": "←"}
RLM = "\u200f"  # RIGHT-TO-LEFT MARK: sets a line's direction, shows nothing


class Text:
    """The words and layout for one locale."""

    def __init__(self, locale: str, *, tz: tzinfo | None = None) -> None:
        self.locale = locale
        self.tz = tz
        self.rtl = i18n.direction(locale) == "rtl"
        self._texts = translations(locale)

    # -- words -------------------------------------------------------------------------

    def say(self, key: str, **values: object) -> str:
        """A sentence of the command line, filled with ``values``."""
        filled = self._texts.fill(
            "cli", key, {name: _getter(self._show(value)) for name, value in values.items()}
        )
        return key if filled is None else filled

    def name(self, context: str, key: str) -> str:
        """The label of an event kind, metric or clock state."""
        return self._texts.get(context, key) or key.replace("_", " ")

    def label(self, member: Status | Priority | Category | Role) -> str:
        """A status, priority, category or role as people call it."""
        return i18n.label(member, self.locale)

    def field(self, field: str) -> str:
        """A field's name (``subject``, ``status``...) as a heading: ``Subject``."""
        name = i18n.field_label(field, self.locale)
        return name[:1].upper() + name[1:]

    def number(self, value: int) -> str:
        """A count, in the locale's digits."""
        return i18n.format_number(value, self.locale)

    def when(self, at: datetime) -> str:
        """A moment: Jalali with Persian digits in ``fa``; ``2026-03-21 09:00 UTC`` otherwise."""
        if self.rtl:
            return i18n.format_datetime(at, self.locale, tz=self.tz, format="short")
        local = at.astimezone(self.tz) if self.tz is not None else at
        return local.strftime("%Y-%m-%d %H:%M %Z").strip()

    def duration(self, amount: timedelta) -> str:
        """A stretch of time: ``2 hours and 15 minutes``."""
        return i18n.format_duration(amount, self.locale)

    def remaining(self, deadline: datetime, now: datetime) -> str:
        """Time left before ``deadline`` (or how overdue it is)."""
        return i18n.format_remaining(deadline, now, self.locale)

    def actor(self, actor: Actor) -> str:
        """An actor: role, then id (``Support agent ali``); the system by its role alone."""
        if actor.role is Role.SYSTEM and actor.id == "system":
            return self.label(actor.role)
        return f"{self.label(actor.role)} {actor.id}"

    def para(self, line: str) -> str:
        """A line of text that reads right to left in ``fa`` even if it opens with Latin."""
        return RLM + line if self.rtl else line

    def metric(self, metric: Metric) -> str:
        """An SLA metric's name."""
        return i18n.label(metric, self.locale)

    def clock_state(self, state: ClockState) -> str:
        """An SLA clock state's name."""
        return i18n.label(state, self.locale)

    def arrow(self, before: str, after: str) -> str:
        """A change from ``before`` to ``after``, pointing the way the reader reads."""
        arrow = _ARROW["rtl" if self.rtl else "ltr"]
        return f"{before} {arrow} {after}"

    def event(self, event: Event) -> tuple[str, str, str]:
        """An event as (what, detail, by whom)."""
        detail = ""
        if isinstance(event, TicketOpened):
            comma = "، " if self.rtl else ", "
            detail = f"{self.label(event.category)}{comma}{self.label(event.priority)}"
        elif isinstance(event, MessageAdded):
            detail = self.say("internal_note" if event.message.internal else "public_message")
        elif isinstance(event, StatusChanged):
            detail = self.arrow(self.label(event.from_status), self.label(event.to_status))
        elif isinstance(event, PriorityChanged):
            detail = self.arrow(self.label(event.from_priority), self.label(event.to_priority))
        elif isinstance(event, CategoryChanged):
            detail = self.arrow(self.label(event.from_category), self.label(event.to_category))
        elif isinstance(event, AssigneeChanged):
            detail = self.arrow(event.from_assignee or "-", event.to_assignee or "-")
        return (
            self.name("event", event.kind),
            detail,
            self.say("by", actor=self.actor(event.actor)),
        )

    # -- layout ------------------------------------------------------------------------

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
        """Columns padded to their widths, in reading order.

        Text is stored in reading order, as Unicode's bidirectional algorithm expects:
        a terminal or page that shows right-to-left text puts the first column on the
        right. In ``fa`` each line starts with a right-to-left mark, so that a line
        opening with a Latin id still reads right to left, and each cell is padded at
        its end, which a right-to-left line shows on its left: columns line up on their
        right edge.
        """
        lines = [list(header), *[list(row) for row in rows]]
        widths = [max(width(line[i]) for line in lines) for i in range(len(header))]
        start = RLM if self.rtl else ""
        return "\n".join(
            start + "  ".join(_pad(c, w) for c, w in zip(line, widths, strict=True)).rstrip()
            for line in lines
        )

    def _show(self, value: object) -> str:
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return self.number(value)
        if isinstance(value, Status | Priority | Category | Role):
            return self.label(value)
        return str(value)


def _getter(text: str) -> Callable[[], str]:
    return lambda: text


def width(text: str) -> int:
    """How many terminal columns ``text`` takes: zero-width marks and joiners take none."""
    return sum(
        0 if unicodedata.category(char) in {"Mn", "Me", "Cf"} else 2 if _wide(char) else 1
        for char in text
    )


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in {"W", "F"}


def _pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))
