"""A host's own test file: property-check a custom workflow with ticketcore's testing kit.

Run it with ``pytest examples/property_test_custom_workflow.py`` (needs the
``ticketcore[testing]`` extra). The host's rule: requesters close only resolved tickets.
"""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import invariant

import ticketcore as tc
from ticketcore.testing import strategies as tcst
from ticketcore.testing.workflow_machine import WorkflowMachine

STRICT = tc.Workflow(
    {
        ("open", "in_progress"): ["agent"],
        ("in_progress", "waiting_for_user"): ["agent"],
        ("waiting_for_user", "in_progress"): ["agent", "system"],
        ("in_progress", "resolved"): ["agent"],
        ("resolved", "in_progress"): ["agent"],
        ("resolved", "closed"): ["requester", "agent", "system"],
    }
)
UNRESOLVED = [tc.Status.OPEN, tc.Status.IN_PROGRESS, tc.Status.WAITING_FOR_USER]


class StrictWorkflow(WorkflowMachine):
    """Every operation by everyone, with the kit's checks and the host's rule."""

    workflow = STRICT

    @invariant()
    def requesters_close_only_resolved_tickets(self) -> None:
        for event in self.ticket.history:
            if isinstance(event, tc.StatusChanged) and event.actor.role is tc.Role.REQUESTER:
                assert event.to_status is not tc.Status.CLOSED or (
                    event.from_status is tc.Status.RESOLVED
                )


TestStrictWorkflow = StrictWorkflow.TestCase


@given(tcst.tickets(status=st.sampled_from(UNRESOLVED), workflow=STRICT))
def test_a_requester_cannot_close_an_unresolved_ticket(ticket: tc.Ticket) -> None:
    requester = tc.Actor.requester(ticket.requester_id)
    with pytest.raises(tc.TransitionError):
        ticket.close(requester, at=ticket.updated_at + timedelta(minutes=1), workflow=STRICT)


@given(st.from_type(tc.Ticket), st.from_type(tc.Actor))
def test_only_agents_see_a_resolve_button(ticket: tc.Ticket, actor: tc.Actor) -> None:
    if tc.Status.RESOLVED in ticket.targets(actor, workflow=STRICT):
        assert actor.role is tc.Role.AGENT
