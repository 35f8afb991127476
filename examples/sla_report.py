"""An SLA table for a handful of tickets, in English and in Persian.

    python examples/sla_report.py

Each row is a ticket's most pressing SLA clock at one instant: the pending clock with
the earliest deadline (or a paused one), its state, and the time left as
``ticketcore.i18n.format_remaining`` says it. The policy is ``SLAPolicy.default()``, the
help page's promise: a first and a next response within 2 hours (urgent), 6 hours
(high) or 24 hours (medium, low), around the clock.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import ticketcore as tc
from ticketcore import i18n

NOW = datetime(2026, 3, 21, 12, 0, tzinfo=UTC)  # fixed, so every run prints the same
SARA, REZA, MINA = (tc.Actor.requester(name) for name in ("sara", "reza", "mina"))
ALI = tc.Actor.agent("ali")

HEADINGS = {
    "en": ("ticket", "priority", "status", "clock", "state", "time left"),
    "fa": ("تیکت", "اولویت", "وضعیت", "مهلت", "وضعیت مهلت", "زمان"),
}
TITLES = {"en": "SLA report at {when}", "fa": "گزارش مهلت‌های پاسخ در {when}"}


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def sample_tickets() -> list[tc.Ticket]:
    """Five tickets in different situations, made by the real operations."""

    def opened(
        actor: tc.Actor,
        ticket_id: str,
        subject: str,
        hours: float,
        *,
        priority: str = "medium",
        category: str = "general",
    ) -> tc.Ticket:
        return tc.Ticket.open(
            actor,
            id=ticket_id,
            subject=subject,
            body="...",
            at=ago(hours),
            priority=priority,
            category=category,
        ).ticket

    locked = opened(SARA, "T-101", "Cannot sign in", 1.75, priority="urgent", category="account")
    late = opened(REZA, "T-102", "Shipment SHP-12 is late", 30, category="technical")
    refund = opened(SARA, "T-103", "Refund for order A-1009", 8, priority="high")
    refund = refund.reply(ALI, "Refund started.", at=ago(7)).ticket
    refund = refund.reply(SARA, "Nothing has arrived yet.", at=ago(5.5)).ticket
    idea = opened(MINA, "T-104", "Export invoices as PDF", 3, priority="low")
    idea = idea.change_status(ALI, "waiting_for_user", at=ago(2)).ticket
    answered = opened(REZA, "T-105", "Change my phone number", 4, priority="high")
    answered = answered.reply(ALI, "Done: please check.", at=ago(1)).ticket
    return [locked, late, refund, idea, answered]


def most_pressing(report: tc.SLAReport) -> tc.MetricStatus:
    """The pending clock with the earliest deadline; else a paused one; else the first."""
    pending = [clock for clock in report if clock.is_pending and clock.deadline is not None]
    if pending:
        return min(pending, key=lambda clock: clock.deadline or NOW)
    paused = [clock for clock in report if clock.state is tc.ClockState.PAUSED]
    return paused[0] if paused else report.first_response


def urgency(clock: tc.MetricStatus) -> tuple[bool, datetime]:
    """Sort key: pending clocks first, the earliest deadline (so the most overdue) first."""
    return (not clock.is_pending, clock.deadline or datetime.max.replace(tzinfo=UTC))


def rows(tickets: Sequence[tc.Ticket], policy: tc.SLAPolicy, locale: str) -> list[tuple[str, ...]]:
    """One row per ticket, most urgent first, in ``locale``."""
    clocks = sorted(
        ((ticket, most_pressing(policy.evaluate(ticket, NOW))) for ticket in tickets),
        key=lambda pair: urgency(pair[1]),
    )
    table: list[tuple[str, ...]] = []
    for ticket, clock in clocks:
        if clock.is_pending and clock.deadline is not None:
            left = i18n.format_remaining(clock.deadline, NOW, locale)
        elif clock.state is tc.ClockState.PAUSED and clock.remaining is not None:
            left = i18n.format_duration(clock.remaining, locale)
        else:
            left = "-"
        table.append(
            (
                ticket.id,
                i18n.label(ticket.priority, locale),
                i18n.label(ticket.status, locale),
                i18n.label(clock.metric, locale),
                i18n.label(clock.state, locale),
                left,
            )
        )
    return table


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: ZWNJ and combining marks take none."""
    return sum(1 for char in text if char != "\u200c" and not unicodedata.combining(char))


def table(heading: Sequence[str], body: Sequence[Sequence[str]], mark: str = "") -> str:
    widths = [max(width(row[column]) for row in [heading, *body]) for column in range(len(heading))]

    def line(row: Sequence[str]) -> str:
        cells = [cell + " " * (size - width(cell)) for cell, size in zip(row, widths, strict=True)]
        return (mark + "  ".join(cells)).rstrip()

    rule = mark + "  ".join("-" * size for size in widths)
    return "\n".join([line(heading), rule, *(line(row) for row in body)])


def main() -> None:
    policy = tc.SLAPolicy.default()
    tickets = sample_tickets()
    for locale in ("en", "fa"):
        when = i18n.format_datetime(NOW, locale, tz="Asia/Tehran")
        # A right-to-left mark first makes a bidi-aware terminal lay the Persian table
        # out right to left; elsewhere it is invisible.
        mark = "\u200f" if i18n.direction(locale) == "rtl" else ""
        print(mark + TITLES[locale].format(when=when))
        print(table(HEADINGS[locale], rows(tickets, policy, locale), mark))
        print()


if __name__ == "__main__":
    main()
