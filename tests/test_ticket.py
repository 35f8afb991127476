import pickle

import attrs
import pytest

import ticketcore as tc
from helpers import ALI, PDF, REZA, SARA, SYSTEM, T0, in_status, later, opened, walk

S = tc.Status


def test_open_by_requester():
    change = tc.Ticket.open(
        SARA,
        id="T-1",
        subject="Shipment late",
        body="Where is it?",
        at=T0,
        category="technical",
        priority=tc.Priority.HIGH,
        attachments=[PDF],
        references={"shipment_id": "SHP-9"},
    )
    ticket, events = change
    assert (ticket.id, ticket.requester_id, ticket.status) == ("T-1", "sara", S.OPEN)
    assert (ticket.category, ticket.priority) == (tc.Category.TECHNICAL, tc.Priority.HIGH)
    assert ticket.version == 1
    assert ticket.created_at == ticket.updated_at == T0
    assert ticket.assignee_id is None
    (message,) = ticket.messages
    assert (message.id, message.author, message.body, message.internal) == (
        "T-1.1",
        SARA,
        "Where is it?",
        False,
    )
    assert message.attachments == (PDF,)
    (event,) = events
    assert isinstance(event, tc.TicketOpened)
    assert (event.version, event.at, event.actor, event.message) == (1, T0, SARA, message)
    assert ticket.history == events


def test_defaults_are_general_and_medium():
    ticket = opened()
    assert (ticket.category, ticket.priority) == (tc.Category.GENERAL, tc.Priority.MEDIUM)


def test_agent_opens_on_behalf_of_a_requester():
    ticket = opened(actor=ALI, requester_id="sara")
    assert ticket.requester_id == "sara"
    assert ticket.messages[0].author == ALI
    with pytest.raises(tc.ValidationError) as caught:
        opened(actor=ALI)
    assert caught.value.field == "requester_id"
    assert caught.value.code == tc.ErrorCode.REQUESTER_REQUIRED


def test_requester_cannot_open_for_someone_else():
    with pytest.raises(tc.PermissionDeniedError) as caught:
        opened(requester_id="reza")
    assert caught.value.code == tc.ErrorCode.NOT_YOUR_TICKET


def test_actor_must_be_an_actor():
    ticket = opened()
    with pytest.raises(tc.ValidationError) as caught:
        ticket.reply("sara", "hi", at=later(ticket))  # type: ignore[arg-type]
    assert caught.value.field == "actor"


def test_tickets_are_immutable_values():
    ticket = opened()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ticket.status = S.CLOSED  # type: ignore[misc]
    replied = ticket.reply(SARA, "more", at=later(ticket)).ticket
    assert len(ticket.messages) == 1
    assert len(replied.messages) == 2
    assert pickle.loads(pickle.dumps(replied)) == replied
    assert hash(replied) == hash(pickle.loads(pickle.dumps(replied)))


# -- replies ---------------------------------------------------------------------------


def test_reply_adds_a_message_and_one_version():
    ticket = opened()
    change = ticket.reply(ALI, "We are on it.", at=later(ticket))
    assert change.ticket.version == 2
    (event,) = change.events
    assert isinstance(event, tc.MessageAdded)
    assert event.message == change.ticket.messages[-1]
    assert event.message.id == "T-1.2"
    assert change.ticket.status is S.OPEN  # an agent's reply does not move the ticket


def test_explicit_message_ids_are_validated():
    ticket = opened(message_id="m-100")
    assert ticket.messages[0].id == "m-100"
    with pytest.raises(tc.ValidationError):
        ticket.reply(SARA, "x", at=later(ticket), message_id="has space")


def test_requester_reply_on_waiting_ticket_moves_it_to_in_progress():
    ticket = in_status(S.WAITING_FOR_USER)
    change = ticket.reply(SARA, "Here is my order number.", at=later(ticket))
    assert change.ticket.status is S.IN_PROGRESS
    added, moved = change.events
    assert isinstance(added, tc.MessageAdded)
    assert isinstance(moved, tc.StatusChanged)
    assert (moved.from_status, moved.to_status) == (S.WAITING_FOR_USER, S.IN_PROGRESS)
    assert moved.actor == SYSTEM
    assert moved.reason == "requester_replied"
    assert added.version == moved.version == change.ticket.version == ticket.version + 1


def test_requester_reply_on_resolved_ticket_reopens_it():
    ticket = in_status(S.RESOLVED)
    change = ticket.reply(SARA, "It happened again.", at=later(ticket))
    assert change.ticket.status is S.OPEN
    assert change.events[-1].to_status is S.OPEN  # type: ignore[attr-defined]
    assert change.events[-1].actor.role is tc.Role.SYSTEM


@pytest.mark.parametrize("status", [S.OPEN, S.IN_PROGRESS])
def test_requester_reply_elsewhere_moves_nothing(status):
    ticket = in_status(status)
    change = ticket.reply(SARA, "Any news?", at=later(ticket))
    assert change.ticket.status is status
    assert len(change.events) == 1


def test_agent_reply_on_waiting_ticket_moves_nothing():
    ticket = in_status(S.WAITING_FOR_USER)
    assert ticket.reply(ALI, "Reminder", at=later(ticket)).ticket.status is S.WAITING_FOR_USER


def test_requester_attaching_files_counts_as_a_reply():
    ticket = in_status(S.WAITING_FOR_USER)
    change = ticket.attach(SARA, [PDF], at=later(ticket))
    assert change.ticket.status is S.IN_PROGRESS
    message = change.ticket.messages[-1]
    assert (message.body, message.attachments) == ("", (PDF,))


def test_attach_needs_files_and_permission():
    ticket = opened()
    with pytest.raises(tc.ValidationError) as caught:
        ticket.attach(SARA, [], at=later(ticket))
    assert caught.value.code == tc.ErrorCode.ATTACHMENTS_REQUIRED
    with pytest.raises(tc.PermissionDeniedError):
        ticket.attach(SYSTEM, [PDF], at=later(ticket))
    with pytest.raises(tc.PermissionDeniedError):
        ticket.attach(SARA, [PDF], at=later(ticket), internal=True)
    note = ticket.attach(ALI, [PDF], at=later(ticket), body="log", internal=True).ticket
    assert note.messages[-1].internal


# -- internal notes and visibility -----------------------------------------------------


def test_only_agents_write_internal_notes():
    ticket = opened()
    with pytest.raises(tc.PermissionDeniedError) as caught:
        ticket.reply(SARA, "secret", at=later(ticket), internal=True)
    assert caught.value.code == tc.ErrorCode.ACTION_NOT_ALLOWED
    with pytest.raises(tc.PermissionDeniedError):
        ticket.add_note(SYSTEM, "secret", at=later(ticket))
    noted = ticket.add_note(ALI, "Customer is VIP", at=later(ticket)).ticket
    assert noted.messages[-1].internal


def test_requester_view_omits_internal_notes_and_their_events():
    ticket = opened()
    ticket = ticket.add_note(ALI, "Check the refund log", at=later(ticket)).ticket
    ticket = ticket.reply(ALI, "We are checking.", at=later(ticket)).ticket
    view = ticket.visible_to(SARA)
    assert [m.body for m in view.messages] == ["My card was charged twice.", "We are checking."]
    assert all(not (isinstance(e, tc.MessageAdded) and e.message.internal) for e in view.history)
    assert len(view.history) == len(ticket.history) - 1
    assert view.version == ticket.version


def test_agents_see_everything():
    ticket = opened()
    ticket = ticket.add_note(ALI, "note", at=later(ticket)).ticket
    assert ticket.visible_to(ALI) is ticket
    assert ticket.visible_to(SYSTEM) is ticket


def test_requester_asking_for_someone_elses_ticket_gets_what_a_missing_one_gets():
    ticket = opened()
    with pytest.raises(tc.NotFoundError) as caught:
        ticket.visible_to(REZA)
    assert caught.value.code == tc.ErrorCode.NOT_FOUND
    assert caught.value.params == {"ticket_id": ticket.id}
    assert str(caught.value) == f"no ticket {ticket.id!r}"


def test_a_host_may_opt_into_the_explicit_permission_error():
    workflow = tc.Workflow.default(reveal_foreign_tickets=True)
    with pytest.raises(tc.PermissionDeniedError) as caught:
        opened().visible_to(REZA, workflow=workflow)
    assert caught.value.code == tc.ErrorCode.NOT_YOUR_TICKET


@pytest.mark.parametrize(
    "operation",
    [
        lambda t: t.reply(REZA, "hi", at=later(t)),
        lambda t: t.attach(REZA, [PDF], at=later(t)),
        lambda t: t.change_status(REZA, S.CLOSED, at=later(t)),
        lambda t: t.close(REZA, at=later(t)),
    ],
)
def test_requesters_act_only_on_their_own_tickets(operation):
    with pytest.raises(tc.NotFoundError) as caught:
        operation(opened())
    assert caught.value.code == tc.ErrorCode.NOT_FOUND


# -- closed is final -------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        lambda t, a: t.reply(a, "hello?", at=later(t)),
        lambda t, a: t.attach(a, [PDF], at=later(t)),
        lambda t, a: t.add_note(a, "note", at=later(t)),
        lambda t, a: t.change_status(a, S.OPEN, at=later(t)),
        lambda t, a: t.change_priority(a, "urgent", at=later(t)),
        lambda t, a: t.change_category(a, "technical", at=later(t)),
        lambda t, a: t.assign(a, "ali", at=later(t)),
        lambda t, a: t.close(a, at=later(t)),
    ],
)
@pytest.mark.parametrize("actor", [SARA, ALI, SYSTEM])
def test_nobody_changes_a_closed_ticket(operation, actor):
    ticket = in_status(S.CLOSED)
    with pytest.raises(tc.TransitionError) as caught:
        operation(ticket, actor)
    assert caught.value.code == tc.ErrorCode.TICKET_CLOSED


def test_a_closed_ticket_can_still_be_read():
    ticket = in_status(S.CLOSED)
    assert ticket.visible_to(SARA).status is S.CLOSED
    assert not ticket.can(ALI, tc.Action.REPLY)
    assert ticket.can(SARA, tc.Action.VIEW)


def test_a_follow_up_is_a_new_ticket_referencing_the_old_one():
    old = in_status(S.CLOSED)
    follow_up = opened(id="T-2", references={"previous_ticket": old.id})
    assert follow_up.references["previous_ticket"] == "T-1"


# -- triage ----------------------------------------------------------------------------


def test_agents_change_priority_category_and_assignee():
    ticket = opened()
    ticket, (event,) = ticket.change_priority(ALI, "urgent", at=later(ticket))
    assert ticket.priority is tc.Priority.URGENT
    assert (event.from_priority, event.to_priority) == (tc.Priority.MEDIUM, tc.Priority.URGENT)
    ticket, (event,) = ticket.change_category(ALI, "account", at=later(ticket))
    assert ticket.category is tc.Category.ACCOUNT
    assert (event.from_category, event.to_category) == (tc.Category.GENERAL, tc.Category.ACCOUNT)
    ticket, (event,) = ticket.assign(ALI, "mina", at=later(ticket))
    assert ticket.assignee_id == "mina"
    assert (event.from_assignee, event.to_assignee) == (None, "mina")
    ticket, (event,) = ticket.assign(ALI, None, at=later(ticket))
    assert ticket.assignee_id is None
    assert (event.from_assignee, event.to_assignee) == ("mina", None)
    assert ticket.version == 5


@pytest.mark.parametrize(
    "operation",
    [
        lambda t, a: t.change_priority(a, "urgent", at=later(t)),
        lambda t, a: t.change_category(a, "technical", at=later(t)),
        lambda t, a: t.assign(a, "ali", at=later(t)),
    ],
)
@pytest.mark.parametrize("actor", [SARA, SYSTEM])
def test_only_agents_triage_after_creation(operation, actor):
    with pytest.raises(tc.PermissionDeniedError) as caught:
        operation(opened(), actor)
    assert caught.value.code == tc.ErrorCode.ACTION_NOT_ALLOWED


def test_setting_the_same_value_changes_nothing():
    ticket = opened()
    for change in (
        ticket.change_priority(ALI, "medium", at=later(ticket)),
        ticket.change_category(ALI, "general", at=later(ticket)),
        ticket.assign(ALI, None, at=later(ticket)),
    ):
        assert change.ticket is ticket
        assert change.events == ()


def test_moving_to_the_current_status_is_refused():
    ticket = in_status(S.IN_PROGRESS)
    with pytest.raises(tc.TransitionError) as caught:
        ticket.change_status(ALI, S.IN_PROGRESS, at=later(ticket))
    assert caught.value.code == tc.ErrorCode.NO_CHANGE


def test_status_change_reason_is_recorded_and_validated():
    ticket = opened()
    change = ticket.change_status(ALI, S.RESOLVED, at=later(ticket), reason=" Refunded ")
    assert change.events[0].reason == "Refunded"  # type: ignore[attr-defined]
    with pytest.raises(tc.ValidationError):
        ticket.change_status(ALI, S.RESOLVED, at=later(ticket), reason="x" * 501)


def test_can_answers_without_raising():
    ticket = opened()
    assert ticket.can(SARA, tc.Action.REPLY)
    assert not ticket.can(SARA, tc.Action.ADD_NOTE)
    assert not ticket.can(REZA, tc.Action.VIEW)
    assert ticket.can(ALI, tc.Action.ASSIGN)


# -- the whole life and its history ----------------------------------------------------


def test_the_help_page_lifecycle():
    ticket = opened()
    ticket = walk(ticket, (ALI, S.IN_PROGRESS), (ALI, S.WAITING_FOR_USER))
    ticket = ticket.reply(SARA, "Order A-1009", at=later(ticket)).ticket
    assert ticket.status is S.IN_PROGRESS
    ticket = walk(ticket, (ALI, S.RESOLVED), (SARA, S.CLOSED))
    assert ticket.status is S.CLOSED
    kinds = [event.kind for event in ticket.history]
    assert kinds == [
        "ticket_opened",
        "status_changed",
        "status_changed",
        "message_added",
        "status_changed",
        "status_changed",
        "status_changed",
    ]
    assert [event.version for event in ticket.history] == [1, 2, 3, 4, 4, 5, 6]
    assert tc.Ticket.replay(ticket.history) == ticket


def test_replay_refuses_broken_histories():
    ticket = walk(opened(), (ALI, S.IN_PROGRESS), (ALI, S.RESOLVED))
    history = ticket.history
    for broken in ((), history[1:], (history[0], history[2]), (*history, history[0])):
        with pytest.raises(tc.ValidationError) as caught:
            tc.Ticket.replay(broken)
        assert caught.value.code == tc.ErrorCode.HISTORY_INVALID
    other = walk(opened(id="T-9"), (ALI, S.IN_PROGRESS))
    with pytest.raises(tc.ValidationError, match="T-9"):
        tc.Ticket.replay((history[0], other.history[1]))


def test_message_ids_go_on_from_a_ticket_stored_before_notes_were_numbered_apart():
    ticket = opened().add_note(ALI, "note", at=later(opened())).ticket
    old_style = attrs.evolve(
        ticket.messages[1], id="T-1.2"
    )  # how an earlier release numbered the note
    ticket = attrs.evolve(ticket, messages=(ticket.messages[0], old_style))
    reply = ticket.reply(ALI, "Public.", at=later(ticket)).ticket
    note = reply.add_note(ALI, "Another.", at=later(reply)).ticket
    assert [m.id for m in note.messages] == ["T-1.1", "T-1.2", "T-1.3", "T-1.n1"]
