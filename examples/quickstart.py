"""The first script to run: one ticket's life, its labels in English and Persian, its SLA.

    python examples/quickstart.py

Everything here is the pure core: a ticket is an immutable value, and every operation
takes the actor and the time and returns the new ticket with the events it caused.
Nothing is stored; see examples/fastapi_app/ for a helpdesk on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import ticketcore as tc
from ticketcore import i18n

# Fixed times, so the output is the same on every run (and every machine).
OPENED_AT = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    """The instant ``minutes`` after the ticket was opened."""
    return OPENED_AT + timedelta(minutes=minutes)


def both(member: i18n.Labelled) -> str:
    """A status, priority, category or role in English and in Persian."""
    return f"{i18n.label(member, 'en')} / {i18n.label(member, 'fa')}"


def show(step: str, change: tc.Change) -> tc.Ticket:
    """Print a step, the events it caused and where the ticket stands; return the ticket."""
    ticket, events = change
    print(step)
    for event in events:
        print(f"   event   v{event.version} {event.kind} by {event.actor.role} {event.actor.id}")
    print(f"   status  {both(ticket.status)}")
    return ticket


def show_sla(policy: tc.SLAPolicy, ticket: tc.Ticket, now: datetime) -> None:
    """Print every SLA clock of ``ticket`` at ``now``, with the time left in both languages."""
    print(f"SLA at {now:%H:%M} UTC ({i18n.format_datetime(now, 'fa', tz='Asia/Tehran')}):")
    for clock in policy.evaluate(ticket, now):
        line = f"   {clock.metric.value:<15} {clock.state.value:<15}"
        if clock.deadline is not None and clock.is_pending:
            english = i18n.format_remaining(clock.deadline, now, "en")
            persian = i18n.format_remaining(clock.deadline, now, "fa")
            line += f"{english} / {persian}"
        elif clock.state is tc.ClockState.MET and clock.stopped_at is not None:
            line += f"answered at {clock.stopped_at:%H:%M}"
        print(line.rstrip())


def show_error(error: tc.TicketcoreError, locales: Iterable[str] = ("en", "fa")) -> None:
    """Print an error's stable code and field, then its message for each locale."""
    print(f"   refused: {type(error).__name__} code={error.code} field={error.field}")
    for locale in locales:
        print(f"   {locale}: {i18n.message(error, locale)}")


def main() -> None:
    sara = tc.Actor.requester("sara")  # a CargoPex customer
    ali = tc.Actor.agent("ali")  # a support agent
    policy = tc.SLAPolicy.default()  # the help page's promise: 2h / 6h / 24h, 24/7

    print(f"ticketcore {tc.__version__} quickstart\n")

    ticket = show(
        "1. sara opens a ticket",
        tc.Ticket.open(
            sara,
            id="T-1001",
            subject="Payment failed for order A-1009",
            body="I was charged twice for order A-1009.",
            at=at(0),
            category="financial",
            priority="high",
            references={"order": "A-1009"},
        ),
    )
    print(f"   about   {both(ticket.category)}, priority {both(ticket.priority)}")
    show_sla(policy, ticket, at(60))

    ticket = show("\n2. ali picks it up", ticket.change_status(ali, "in_progress", at=at(80)))
    ticket = show(
        "\n3. ali notes something only agents see",
        ticket.add_note(ali, "The gateway log shows a timeout at 09:02.", at=at(85)),
    )
    ticket = show(
        "\n4. ali answers and asks for the payment reference",
        ticket.reply(ali, "Sorry about that! What is the payment reference?", at=at(90)),
    )
    ticket = show(
        "\n5. ali waits for sara",
        ticket.change_status(ali, "waiting_for_user", at=at(91)),
    )
    print("   ali may now move it to:", ", ".join(both(s) for s in ticket.targets(ali)))
    print("   sara may now move it to:", ", ".join(both(s) for s in ticket.targets(sara)))

    print("\n6. sara tries to raise the priority herself")
    try:
        ticket.change_priority(sara, "urgent", at=at(100))
    except tc.TicketcoreError as error:
        show_error(error)

    ticket = show(
        "\n7. sara replies: her reply brings the ticket back to the team",
        ticket.reply(sara, "The reference is 7741-22.", at=at(120)),
    )
    show_sla(policy, ticket, at(180))

    ticket = show("\n8. ali resolves it", ticket.change_status(ali, "resolved", at=at(200)))
    ticket = show("\n9. sara closes it", ticket.close(sara, at=at(230)))

    mine = ticket.visible_to(sara)
    print(
        f"\n{ticket.id}: {ticket.status.value}, version {ticket.version},"
        f" {len(ticket.history)} events, {len(ticket.messages)} messages"
        f" ({len(mine.messages)} visible to sara: no internal notes)"
    )


if __name__ == "__main__":
    main()
