"""Workflow rules as properties: random operations by random actors."""

from hypothesis import given
from hypothesis import strategies as st

import ticketcore as tc
from ticketcore.testing import strategies as tcst

S = tc.Status


def run(ticket, steps, workflow=None):
    """Apply steps, checking the per-step rules; return the final ticket."""
    workflow = workflow or tc.Workflow.default()
    for step in steps:
        outcome = step.try_apply(ticket, workflow)
        if isinstance(outcome, tc.TicketcoreError):
            # refused: nothing changed (tickets are values), and closed stays closed
            if ticket.status is S.CLOSED:
                assert outcome.code in {
                    tc.ErrorCode.TICKET_CLOSED,
                    tc.ErrorCode.NOT_FOUND,  # another requester's ticket
                    tc.ErrorCode.ACTION_NOT_ALLOWED,
                    tc.ErrorCode.NAIVE_DATETIME,
                }
            continue
        new, events = outcome
        assert ticket.status is not S.CLOSED, "closed is absorbing"
        if not events:
            assert new is ticket
            continue
        # one operation, one version; every event of it carries that version
        assert new.version == ticket.version + 1
        assert {event.version for event in events} == {new.version}
        assert new.history == ticket.history + events
        # no message is ever lost or changed
        assert new.messages[: len(ticket.messages)] == ticket.messages
        added = [e for e in events if isinstance(e, tc.MessageAdded)]
        assert len(new.messages) == len(ticket.messages) + len(added)
        # every status move is in the table, or is the reply move made by the system
        for event in events:
            if isinstance(event, tc.StatusChanged):
                if event.actor == step.actor:
                    assert workflow.allows(event.from_status, event.to_status, step.actor.role)
                else:
                    assert event.actor.role is tc.Role.SYSTEM
                    assert step.actor.role is tc.Role.REQUESTER
                    assert workflow.reply_moves(event.from_status) is event.to_status
        assert new.updated_at >= ticket.updated_at
        ticket = new
    return ticket


@given(tcst.tickets(max_operations=0), st.lists(tcst.operations(), max_size=30))
def test_random_operations_keep_every_rule(ticket, steps):
    final = run(ticket, steps)
    # the history is the ticket: replay reproduces it exactly, status included
    assert tc.Ticket.replay(final.history) == final
    versions = [event.version for event in final.history]
    assert versions == sorted(versions)
    assert versions[-1] == final.version
    assert set(versions) == set(range(1, final.version + 1))


@given(tcst.tickets(status=S.CLOSED), st.lists(tcst.operations(), min_size=1, max_size=10))
def test_closed_is_absorbing(ticket, steps):
    assert ticket.status is S.CLOSED
    for step in steps:
        assert isinstance(step.try_apply(ticket), tc.TicketcoreError)


@given(tcst.tickets(max_operations=20), tcst.actors(role=tc.Role.REQUESTER))
def test_requesters_never_see_internal_notes(ticket, requester):
    if requester.id != ticket.requester_id:
        outcome = None
        try:
            ticket.visible_to(requester)
        except tc.NotFoundError as error:  # as if the ticket did not exist
            outcome = error
        assert outcome is not None
        return
    view = ticket.visible_to(requester)
    assert not any(message.internal for message in view.messages)
    public = [m for m in ticket.messages if not m.internal]
    assert list(view.messages) == public


@given(tcst.tickets(max_operations=20), st.sampled_from(list(tc.Status)))
def test_targets_are_exactly_the_moves_that_succeed(ticket, target):
    for actor in (
        tc.Actor.requester(ticket.requester_id),
        tc.Actor.agent("ali"),
        tc.Actor.system(),
    ):
        outcome = tc.testing.strategies.Operation(
            "change_status", actor, ticket.updated_at - ticket.updated_at, (target,)
        ).try_apply(ticket)
        allowed = target in ticket.targets(actor) and ticket.status is not S.CLOSED
        assert isinstance(outcome, tc.Change) is allowed


@given(
    st.builds(
        tc.Workflow,
        st.just(
            {
                ("open", "in_progress"): ["agent"],
                ("in_progress", "waiting_for_user"): ["agent"],
                ("waiting_for_user", "in_progress"): ["agent", "system"],
                ("in_progress", "resolved"): ["agent"],
                ("resolved", "closed"): ["requester", "agent", "system"],
            }
        ),
    ),
    tcst.tickets(max_operations=0),
    st.lists(tcst.operations(), max_size=30),
)
def test_a_custom_workflow_keeps_the_same_rules(workflow, ticket, steps):
    final = run(ticket, steps, workflow)
    assert tc.Ticket.replay(final.history) == final


@given(tcst.tickets(priority=tc.Priority.URGENT, category="financial", status=S.RESOLVED))
def test_ticket_strategy_pins_what_it_is_asked_to(ticket):
    assert ticket.priority is tc.Priority.URGENT
    assert ticket.category is tc.Category.FINANCIAL
    assert ticket.status is S.RESOLVED


@given(tcst.tickets(max_operations=20), st.booleans())
def test_message_numbering_carried_along_equals_numbering_from_scratch(ticket, internal):
    from ticketcore import serialization as wire

    loaded = wire.ticket_from_json(wire.ticket_to_json(ticket))  # numbers worked out anew
    assert loaded == ticket
    assert loaded._next_message_id(internal=internal) == ticket._next_message_id(internal=internal)
    ids = [m.id for m in ticket.messages]
    assert len(set(ids)) == len(ids)
