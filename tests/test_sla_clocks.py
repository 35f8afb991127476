"""The folded SLA clocks against the replaying evaluation they replace.

``SLAPolicy.evaluate`` folds a ticket's history into clocks once and carries them from
ticket to ticket; ``SLAPolicy._replay`` walks the whole history every time and is the
oracle (itself held to the minute-by-minute oracle in test_sla.py).
"""

import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ticketcore as tc
from helpers import ALI, SARA, SYSTEM
from ticketcore.testing import strategies as tcst

M = timedelta(minutes=1)
H = timedelta(hours=1)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

REZA = tc.Actor.agent("reza")
MOVES = [
    ("reply", ALI, ("answer",)),
    ("reply", REZA, ("another answer",)),
    ("reply", SARA, ("more",)),
    ("reply", SYSTEM, ("auto-reply",)),
    ("add_note", ALI, ("note",)),
    ("assign", ALI, ("ali",)),
    *(("change_status", ALI, (status,)) for status in tc.Status if status is not tc.Status.CLOSED),
    ("change_status", SYSTEM, ("closed",)),
    ("close", SARA, ()),
    *(("change_priority", ALI, (priority,)) for priority in tc.Priority),
]
# gaps of no time at all (several events at one instant) are where order matters most
GAP = st.one_of(st.just(0), st.integers(0, 90), st.integers(0, 3 * 24 * 60))
STEPS = st.lists(st.tuples(GAP, st.sampled_from(MOVES), st.booleans()), max_size=40)


def build(steps, policy, *, opened=T0, priority="high"):
    """The ticket after ``steps``, evaluated along the way where a step says so (which
    makes it carry its clocks), and every report taken on the way."""
    ticket = tc.Ticket.open(
        SARA, id="T-1", subject="s", body="b", at=opened, priority=priority
    ).ticket
    seen = []
    for minutes, (operation, actor, args), look in steps:
        with contextlib.suppress(tc.TicketcoreError):
            at = ticket.updated_at + minutes * M
            ticket = getattr(ticket, operation)(actor, *args, at=at).ticket
        if look:
            seen.append((ticket, ticket.updated_at, policy.evaluate(ticket, ticket.updated_at)))
    return ticket, seen


@MANY
@given(
    policy=tcst.policies(),
    steps=STEPS,
    opened=tcst.datetimes(timezones=tcst.time_zones()),
    priority=tcst.priorities(),
    look=st.integers(0, 10 * 24 * 60),
)
def test_folded_clocks_equal_the_replay(policy, steps, opened, priority, look):
    ticket, seen = build(steps, policy, opened=opened, priority=priority)
    for earlier, at, report in seen:  # every report on the way, from carried clocks
        assert report == policy._replay(earlier, at)
        assert policy.next_deadline(earlier) == policy._earliest(report)  # the fast path
    now = ticket.updated_at + look * M
    assert policy.evaluate(ticket, now) == policy._replay(ticket, now)
    assert policy.next_deadline(ticket) == policy._earliest(
        policy._replay(ticket, ticket.updated_at)
    )


@MANY
@given(policy=tcst.policies(), steps=STEPS, look=st.integers(0, 10 * 24 * 60))
def test_carried_clocks_equal_clocks_folded_from_scratch(policy, steps, look):
    ticket, _ = build(steps, policy)
    fresh = tc.Ticket.replay(ticket.history)  # the same ticket, carrying nothing
    now = ticket.updated_at + look * M
    assert policy.evaluate(ticket, now) == policy.evaluate(fresh, now)


@settings(MANY, max_examples=100)
@given(first=tcst.policies(), second=tcst.policies(), steps=STEPS)
def test_clocks_of_one_policy_never_answer_for_another(first, second, steps):
    ticket, _ = build(steps, first)
    first.evaluate(ticket, ticket.updated_at)  # the ticket now carries the first's clocks
    now = ticket.updated_at + H
    assert second.evaluate(ticket, now) == second._replay(ticket, now)
    assert first.evaluate(ticket, now) == first._replay(ticket, now)


@settings(MANY, max_examples=100)
@given(policy=tcst.policies(), steps=STEPS, cut=st.integers(1, 40))
def test_an_instant_before_the_last_event_is_replayed(policy, steps, cut):
    ticket, _ = build(steps, policy)
    policy.evaluate(ticket, ticket.updated_at)
    earlier = ticket.history[max(0, len(ticket.history) - cut)].at
    assert policy.evaluate(ticket, earlier) == policy._replay(ticket, earlier)


def test_a_requesters_view_is_evaluated_like_the_whole_ticket():
    policy = tc.SLAPolicy.default()
    ticket = tc.Ticket.open(SARA, id="T-1", subject="s", body="b", at=T0).ticket
    ticket = ticket.add_note(ALI, "checking the courier", at=T0 + H).ticket
    policy.evaluate(ticket, T0 + H)
    view = ticket.visible_to(SARA)
    assert policy.evaluate(view, T0 + 2 * H) == policy.evaluate(ticket, T0 + 2 * H)


# -- what it costs: calendar calls counted, never wall-clock time -----------------------


def conversation(rounds, policy):
    ticket = tc.Ticket.open(SARA, id="T-1", subject="s", body="b", at=T0, priority="urgent")
    ticket = ticket.ticket
    policy.next_deadline(ticket)  # folded once, then carried
    for index in range(rounds):
        at = T0 + index * H
        ticket = ticket.reply(ALI, "answer", at=at).ticket
        ticket = ticket.change_status(ALI, "waiting_for_user", at=at).ticket
        ticket = ticket.reply(SARA, "more", at=at + M).ticket
        policy.next_deadline(ticket)
    return ticket


def test_evaluating_a_carried_ticket_costs_the_same_at_any_length(monkeypatch):
    office = tc.BusinessCalendar.weekly({d: [("09:00", "17:00")] for d in range(5)}, tz="UTC")
    policy = tc.SLAPolicy(
        {"first_response": 2 * H, "next_response": 2 * H, "resolution": 40 * H},
        calendar=office,
    )
    calls = []
    for name in ("add", "between"):
        original = getattr(tc.BusinessCalendar, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(tc.BusinessCalendar, name, counted)
    costs = []
    for rounds in (1, 30):
        ticket = conversation(rounds, policy)
        calls.clear()
        policy.evaluate(ticket, ticket.updated_at + H)
        policy.next_deadline(ticket)
        costs.append(len(calls))
    assert costs[0] == costs[1] > 0


def test_a_priority_changed_at_the_instant_a_clock_stops_is_the_one_it_stops_under():
    policy = tc.SLAPolicy({"first_response": {"high": 6 * H, "urgent": 2 * H}})
    ticket = tc.Ticket.open(SARA, id="T-1", subject="s", body="b", at=T0, priority="high")
    ticket = ticket.ticket
    policy.evaluate(ticket, T0)  # carry the clocks from here on
    ticket = ticket.reply(ALI, "answer", at=T0 + H).ticket
    ticket = ticket.change_priority(ALI, "urgent", at=T0 + H).ticket
    report = policy.evaluate(ticket, T0 + 2 * H)
    assert report == policy._replay(ticket, T0 + 2 * H)
    assert report.first_response.target == 2 * H  # the replay reads priorities by instant
