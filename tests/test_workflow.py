import pytest

import ticketcore as tc
from helpers import ALI, REZA, SARA, SYSTEM, in_status, later

S, R = tc.Status, tc.Role

# The product's lifecycle, row by row, as the foundation issue states it.
TABLE = {
    (S.OPEN, S.IN_PROGRESS): {R.AGENT},
    (S.OPEN, S.WAITING_FOR_USER): {R.AGENT},
    (S.IN_PROGRESS, S.WAITING_FOR_USER): {R.AGENT},
    (S.WAITING_FOR_USER, S.IN_PROGRESS): {R.AGENT, R.SYSTEM},
    (S.OPEN, S.RESOLVED): {R.AGENT},
    (S.IN_PROGRESS, S.RESOLVED): {R.AGENT},
    (S.WAITING_FOR_USER, S.RESOLVED): {R.AGENT},
    (S.RESOLVED, S.OPEN): {R.REQUESTER},
    (S.RESOLVED, S.IN_PROGRESS): {R.AGENT},
    (S.RESOLVED, S.CLOSED): {R.REQUESTER, R.AGENT, R.SYSTEM},
    (S.OPEN, S.CLOSED): {R.REQUESTER, R.AGENT},
    (S.IN_PROGRESS, S.CLOSED): {R.REQUESTER, R.AGENT},
    (S.WAITING_FOR_USER, S.CLOSED): {R.REQUESTER, R.AGENT},
}
ACTORS = {R.REQUESTER: SARA, R.AGENT: ALI, R.SYSTEM: SYSTEM}


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
@pytest.mark.parametrize("role", list(R))
def test_every_cell_of_the_default_table(source, target, role):
    """Each (from, to, role) is allowed exactly when the table says so."""
    allowed = role in TABLE.get((source, target), set())
    workflow = tc.Workflow.default()
    assert workflow.allows(source, target, role) is allowed
    ticket = in_status(source)
    actor = ACTORS[role]
    if allowed:
        change = ticket.change_status(actor, target, at=later(ticket))
        assert change.ticket.status is target
        (event,) = change.events
        assert isinstance(event, tc.StatusChanged)
        assert (event.from_status, event.to_status, event.actor) == (source, target, actor)
        assert event.version == change.ticket.version == ticket.version + 1
    else:
        with pytest.raises(tc.TransitionError) as caught:
            ticket.change_status(actor, target, at=later(ticket))
        if source is S.CLOSED:
            assert caught.value.code == tc.ErrorCode.TICKET_CLOSED
        elif source is target:
            assert caught.value.code == tc.ErrorCode.NO_CHANGE
        else:
            assert caught.value.code == tc.ErrorCode.TRANSITION_NOT_ALLOWED
            assert caught.value.params["from_status"] == source.value
            assert caught.value.params["to_status"] == target.value
            assert caught.value.params["role"] == role.value


def test_default_table_is_exactly_the_documented_one():
    got = {(t.from_status, t.to_status): set(t.roles) for t in tc.Workflow.default().transitions()}
    assert got == TABLE


def test_targets_list_what_an_actor_may_do_next():
    workflow = tc.Workflow.default()
    assert workflow.targets(S.OPEN, SARA) == (S.CLOSED,)
    assert workflow.targets(S.WAITING_FOR_USER, SYSTEM) == (S.IN_PROGRESS,)
    assert workflow.targets(S.RESOLVED, R.AGENT) == (S.IN_PROGRESS, S.CLOSED)
    assert workflow.targets(S.CLOSED, ALI) == ()
    for (source, target), roles in TABLE.items():
        for role in roles:
            assert target in workflow.targets(source, role)


def test_ticket_targets_respect_ownership():
    ticket = in_status(S.RESOLVED)
    assert ticket.targets(SARA) == (S.OPEN, S.CLOSED)
    assert ticket.targets(REZA) == ()


def test_transition_error_message_names_who_may():
    ticket = in_status(S.OPEN)
    with pytest.raises(tc.TransitionError, match="only agent may"):
        ticket.change_status(SARA, S.IN_PROGRESS, at=later(ticket))


def test_unknown_target_status_is_a_validation_error():
    ticket = in_status(S.OPEN)
    with pytest.raises(tc.ValidationError):
        ticket.change_status(ALI, "done", at=later(ticket))


# -- custom workflows ------------------------------------------------------------------


def strict_table():
    return {
        ("open", "in_progress"): ["agent"],
        ("in_progress", "waiting_for_user"): ["agent"],
        ("waiting_for_user", "in_progress"): ["agent", "system"],
        ("in_progress", "resolved"): ["agent"],
        ("resolved", "closed"): ["requester", "agent", "system"],
    }


def test_a_host_workflow_forbids_requesters_closing_unresolved_tickets():
    strict = tc.Workflow(strict_table())
    ticket = in_status(S.OPEN)
    with pytest.raises(tc.TransitionError):
        ticket.change_status(SARA, S.CLOSED, at=later(ticket), workflow=strict)
    assert ticket.change_status(SARA, S.CLOSED, at=later(ticket)).ticket.status is S.CLOSED


def test_workflow_accepts_transition_objects():
    workflow = tc.Workflow([tc.Transition(a, b, roles) for (a, b), roles in strict_table().items()])
    assert workflow == tc.Workflow(strict_table())
    assert hash(workflow) == hash(tc.Workflow(strict_table()))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({("open", "open"): ["agent"]}, "goes nowhere"),
        ({("closed", "open"): ["agent"]}, "closed is terminal"),
        ({("open", "closed"): []}, "names no role"),
        ({("open", "closed"): ["admin"]}, None),
        ({("open", "archived"): ["agent"]}, None),
    ],
)
def test_bad_tables_are_rejected_with_a_clear_error(change, problem):
    table = {**strict_table(), **change}
    with pytest.raises(tc.ValidationError) as caught:
        tc.Workflow(table)
    if problem:
        assert caught.value.code == tc.ErrorCode.WORKFLOW_INVALID
        assert problem in str(caught.value)


def test_every_status_must_be_reachable_from_open():
    table = strict_table()
    del table[("in_progress", "waiting_for_user")]
    with pytest.raises(tc.ValidationError, match="waiting_for_user cannot be reached"):
        tc.Workflow(table)


def test_reachability_follows_the_moves_from_reached_statuses_only():
    # resolved and waiting_for_user are targets, but only of each other: unreachable
    table = {
        ("open", "in_progress"): ["agent"],
        ("in_progress", "closed"): ["agent"],
        ("resolved", "waiting_for_user"): ["agent"],
        ("waiting_for_user", "resolved"): ["agent"],
    }
    with pytest.raises(tc.ValidationError, match="cannot be reached") as caught:
        tc.Workflow(table)
    assert "waiting_for_user" in str(caught.value)
    assert "resolved" in str(caught.value)


def test_workflows_differing_only_in_permissions_or_reply_moves_differ():
    default = tc.Workflow.default()
    narrower = tc.Workflow.default(permissions={"assign": ["agent", "system"]})
    assert narrower != default
    assert tc.Workflow.default(permissions={"assign": ["system", "agent"]}) == narrower
    moves = tc.Workflow(default.transitions(), on_requester_reply={"resolved": "open"})
    assert moves != default
    revealing = tc.Workflow.default(reveal_foreign_tickets=True)
    assert revealing != default


@pytest.mark.parametrize(
    ("moves", "mover"),
    [
        ({"open": "resolved"}, "agent"),  # the table lets only agents resolve
        ({"waiting_for_user": "closed"}, None),  # closed is out of reach of a reply
    ],
)
def test_a_reply_move_must_be_one_the_table_allows_the_requester_or_system(moves, mover):
    with pytest.raises(tc.ValidationError) as caught:
        tc.Workflow(tc.Workflow.default().transitions(), on_requester_reply=moves)
    assert caught.value.code == tc.ErrorCode.WORKFLOW_INVALID


def test_default_reply_moves_follow_a_table_without_them():
    strict = tc.Workflow(strict_table())  # no resolved -> open move in this table
    assert strict.reply_moves(S.RESOLVED) is None
    assert strict.reply_moves(S.WAITING_FOR_USER) is S.IN_PROGRESS


@pytest.mark.parametrize(
    ("arguments", "code", "field"),
    [
        ({"permissions": {"assign": "agent, system"}}, "invalid_choice", "role"),
        ({"permissions": ["assign"]}, "invalid_type", "permissions"),
        ({"permissions": {"view_queue": ["agent", "requester"]}}, "workflow_invalid", None),
        ({"permissions": {"view_notes": ["requester"]}}, "workflow_invalid", None),
        ({"permissions": {"export": ["requester", "agent"]}}, "workflow_invalid", None),
        ({"on_requester_reply": "open"}, "invalid_type", "on_requester_reply"),
        ({"limits": {"attachment_max_size": 1}}, "invalid_type", "limits"),
        ({"reveal_foreign_tickets": 1}, "invalid_type", "reveal_foreign_tickets"),
    ],
)
def test_bad_configuration_is_a_validation_error(arguments, code, field):
    with pytest.raises(tc.ValidationError) as caught:
        tc.Workflow(tc.Workflow.default().transitions(), **arguments)
    assert caught.value.code == code
    if field is not None:
        assert caught.value.field == field


def test_duplicate_transitions_are_rejected():
    rows = [tc.Transition(a, b, r) for (a, b), r in strict_table().items()]
    with pytest.raises(tc.ValidationError, match="twice"):
        tc.Workflow([*rows, rows[0]])


def test_non_transition_rows_are_rejected():
    with pytest.raises(tc.ValidationError, match="not a Transition"):
        tc.Workflow([("open", "closed", ["agent"])])


def test_requesters_cannot_be_given_internal_notes():
    with pytest.raises(tc.ValidationError, match="internal notes"):
        tc.Workflow(strict_table(), permissions={"add_note": ["agent", "requester"]})


def test_reply_moves_cannot_touch_closed():
    with pytest.raises(tc.ValidationError):
        tc.Workflow(strict_table(), on_requester_reply={"resolved": "closed"})


def test_permissions_can_be_widened_by_a_host():
    workflow = tc.Workflow(strict_table(), permissions={"assign": ["agent", "system"]})
    ticket = in_status(S.OPEN)
    assigned = ticket.assign(SYSTEM, "ali", at=later(ticket), workflow=workflow).ticket
    assert assigned.assignee_id == "ali"
    with pytest.raises(tc.PermissionDeniedError):
        ticket.assign(SYSTEM, "ali", at=later(ticket))


def test_workflow_is_immutable():
    workflow = tc.Workflow.default()
    with pytest.raises(AttributeError):
        workflow.limits = tc.Limits()  # type: ignore[misc]


def test_mermaid_diagram_lists_every_transition():
    text = tc.Workflow.default().to_mermaid()
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> open" in lines
    assert "    closed --> [*]" in lines
    assert "    resolved --> closed: requester, agent, system" in lines
    assert "    waiting_for_user --> in_progress: agent, system" in lines
    arrows = [line for line in lines if ": " in line]
    assert len(arrows) == len(TABLE)


def test_concepts_page_shows_the_current_diagram():
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "concepts.md").read_text(encoding="utf-8")
    block = page.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block.strip() == tc.Workflow.default().to_mermaid().strip()


def test_repr_is_short():
    assert repr(tc.Workflow.default()) == "Workflow.default()"
    assert repr(tc.Workflow(strict_table())) == "Workflow(5 transitions)"
    small = tc.Workflow.default(limits=tc.Limits(attachment_max_size=1))
    assert repr(small) == "Workflow(13 transitions, custom limits)"


def test_every_action_has_a_readable_refusal():
    nobody = tc.Workflow.default(permissions={action: ["system"] for action in tc.Action})
    for action in tc.Action:
        with pytest.raises(tc.PermissionDeniedError) as caught:
            nobody.check_action(action, tc.Actor.agent("ali"))
        assert "_" not in str(caught.value)
    with pytest.raises(tc.PermissionDeniedError, match="may not add internal notes"):
        tc.Workflow.default().check_action("add_note", tc.Actor.requester("sara"))
