"""The testing kit: strategies, the hypothesis entry point and the workflow machine."""

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from importlib.metadata import entry_points
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import initialize, invariant, run_state_machine_as_test

import ticketcore as tc
from ticketcore._calendar_engine import DAY_US
from ticketcore.model import check_attachments
from ticketcore.testing import strategies as tcst
from ticketcore.testing._hypothesis_setup import _hypothesis_setup_hook
from ticketcore.testing.workflow_machine import STEPS, WorkflowMachine

S = tc.Status
FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Runs that must fail: found while generating; shrinking would only cost time here.
CATCH = settings(max_examples=300, deadline=None, database=None, phases=[Phase.generate])

STRICT = tc.Workflow(
    {
        ("open", "in_progress"): ["agent"],
        ("in_progress", "waiting_for_user"): ["agent"],
        ("waiting_for_user", "in_progress"): ["agent", "system"],
        ("in_progress", "resolved"): ["agent"],
        ("resolved", "in_progress"): ["agent"],
        ("resolved", "closed"): ["requester", "agent", "system"],
    },
    permissions={"assign": ["agent", "system"]},
)


# -- text, actors, attachments, messages ---------------------------------------------------


@FEW
@given(st.data(), st.integers(1, 120), st.integers(0, 80))
def test_subjects_and_bodies_respect_their_sizes_and_are_stored_as_drawn(data, low, extra):
    subject = data.draw(tcst.subjects(min_size=min(low, 60), max_size=min(low, 60) + extra))
    body = data.draw(tcst.bodies(min_size=low, max_size=low + extra))
    assert min(low, 60) <= len(subject) <= min(low, 60) + extra
    assert low <= len(body) <= low + extra
    ticket = tc.Ticket.open(
        tc.Actor.requester("sara"),
        id="T-1",
        subject=subject,
        body=body,
        at=datetime(2026, 3, 21, tzinfo=UTC),
    ).ticket
    assert (ticket.subject, ticket.messages[0].body) == (subject, body)


@given(tcst.subjects(max_size=1), tcst.bodies(max_size=1))
def test_the_smallest_texts_are_one_character(subject, body):
    assert len(subject) == len(body) == 1
    assert subject.strip()
    assert body.strip()


@FEW
@given(tcst.actors(role=tc.Role.AGENT), tcst.actors(role=st.sampled_from([tc.Role.SYSTEM])))
def test_actors_take_a_role_or_a_strategy_for_one(agent, system):
    assert agent.role is tc.Role.AGENT
    assert system.role is tc.Role.SYSTEM


@FEW
@given(
    st.data(),
    tcst.limits().filter(tcst._content_types_of),
)
def test_attachments_fit_the_limits_they_are_drawn_for(data, limits):
    attachment = data.draw(tcst.attachments(limits=limits))
    assert check_attachments([attachment], limits) == (attachment,)
    assert attachment.filename.rsplit(".", 1)[1] in {*tcst._EXTENSIONS.values(), "bin"}


@FEW
@given(
    tcst.attachments(min_size=10, max_size=20, content_type="application/pdf"),
    tcst.attachments(content_type=st.sampled_from(["image/png", "text/plain"])),
)
def test_attachment_keywords_pin_size_and_type(pdf, other):
    assert 10 <= pdf.size <= 20
    assert pdf.content_type == "application/pdf"
    assert pdf.filename.endswith(".pdf")
    assert other.content_type in {"image/png", "text/plain"}


@FEW
@given(
    tcst.messages(),
    tcst.messages(internal=True),
    tcst.messages(author=tcst.actors(role="requester")),
)
def test_messages_are_what_operations_write(any_message, note, from_requester):
    assert not any_message.internal or any_message.author.role is tc.Role.AGENT
    assert note.internal
    assert note.author.role is tc.Role.AGENT
    assert not from_requester.internal
    assert from_requester.author.role is tc.Role.REQUESTER
    assert check_attachments(any_message.attachments, tc.Limits()) == any_message.attachments


def test_a_requesters_internal_note_is_refused_when_built():
    with pytest.raises(InvalidArgument, match="internal notes"):
        find(tcst.messages(author=tc.Actor.requester("sara"), internal=True), lambda _: True)


@FEW
@given(
    tcst.datetimes(timezones=tcst.time_zones()),
    tcst.datetimes(
        min_value=datetime(2026, 1, 1, tzinfo=UTC), max_value=datetime(2026, 2, 1, tzinfo=UTC)
    ),
)
def test_datetimes_are_aware_in_range_and_zone(anywhere, january):
    assert str(anywhere.tzinfo) in tcst.TIME_ZONES
    assert datetime(2026, 1, 1, tzinfo=UTC) <= january <= datetime(2026, 2, 1, tzinfo=UTC)


# -- tickets, histories, events ------------------------------------------------------------


@FEW
@given(tcst.tickets(workflow=tcst.workflows(limits=tcst.limits())))
def test_tickets_replay_to_themselves_under_any_workflow(ticket):
    assert tc.Ticket.replay(ticket.history) == ticket
    assert ticket.requester_id == "sara"


@FEW
@given(st.data(), tcst.workflows(), tcst.statuses(), tcst.priorities(), tcst.categories())
def test_ticket_keywords_pin_what_they_say(data, workflow, status, priority, category):
    ticket = data.draw(
        tcst.tickets(
            status=status,
            priority=priority,
            category=category.value,
            requester_id="reza",
            workflow=workflow,
        )
    )
    assert (ticket.status, ticket.priority, ticket.category) == (status, priority, category)
    assert ticket.requester_id == "reza"
    assert tc.Ticket.replay(ticket.history) == ticket


@FEW
@given(
    tcst.tickets(
        status=st.sampled_from([S.RESOLVED, S.CLOSED]),
        priority=st.just(tc.Priority.URGENT),
        requester_id=st.sampled_from(["sara", "reza"]),
        workflow=st.just(STRICT),
    )
)
def test_tickets_take_strategies_for_their_keywords(ticket):
    assert ticket.status in {S.RESOLVED, S.CLOSED}
    assert ticket.priority is tc.Priority.URGENT
    assert ticket.requester_id in {"sara", "reza"}


@FEW
@given(tcst.tickets(max_operations=0))
def test_max_operations_zero_is_a_fresh_ticket(ticket):
    assert ticket.version == 1
    assert [event.kind for event in ticket.history] == ["ticket_opened"]


@FEW
@given(st.data(), st.integers(1, 15), st.integers(0, 10))
def test_histories_respect_their_sizes_and_replay(data, low, extra):
    history = data.draw(tcst.histories(min_size=low, max_size=low + extra))
    assert low <= len(history) <= low + extra
    assert isinstance(history[0], tc.TicketOpened)
    assert tc.Ticket.replay(history).history == history


@FEW
@given(tcst.histories(min_size=4, workflow=tcst.workflows()))
def test_histories_follow_any_workflow(history):
    assert len(history) >= 4
    tc.Ticket.replay(history)


@pytest.mark.parametrize(
    "kind",
    [
        tc.TicketOpened,
        tc.MessageAdded,
        tc.StatusChanged,
        tc.PriorityChanged,
        tc.CategoryChanged,
        tc.AssigneeChanged,
    ],
)
def test_events_of_each_kind(kind):
    @settings(max_examples=10, deadline=None)
    @given(tcst.events(types=kind))
    def check(event):
        assert type(event) is kind

    check()


@FEW
@given(tcst.events(types=(tc.PriorityChanged, tc.CategoryChanged)), tcst.events())
def test_events_take_several_kinds(triage, event):
    assert isinstance(triage, tc.PriorityChanged | tc.CategoryChanged)
    assert isinstance(event, tc.Event)


def test_strategies_reject_impossible_arguments_when_built():
    for build in (
        lambda: tcst.subjects(min_size=0),
        lambda: tcst.bodies(min_size=5, max_size=4),
        lambda: tcst.histories(min_size=3, max_size=2),
        lambda: tcst.calendars(max_intervals=0),
        lambda: tcst.calendars(min_intervals=2, max_intervals=1),
        lambda: tcst.attachments(min_size=0),
        lambda: tcst.events(types=int),
    ):
        with pytest.raises(InvalidArgument):
            build()


# -- workflows and limits ------------------------------------------------------------------


@FEW
@given(tcst.workflows())
def test_workflows_are_valid_and_usable(workflow):
    rebuilt = tc.Workflow(workflow.transitions())  # the constructor checks the table again
    assert {t.from_status for t in rebuilt.transitions()} <= set(S) - {S.CLOSED}
    assert any(workflow.permits(tc.Action.OPEN, role) for role in tc.Role)
    assert not workflow.permits(tc.Action.ADD_NOTE, tc.Role.REQUESTER)


@FEW
@given(st.data(), tcst.limits())
def test_workflows_carry_the_limits_they_are_given(data, limits):
    assert data.draw(tcst.workflows(limits=limits)).limits == limits
    assert data.draw(tcst.workflows(limits=st.just(limits))).limits == limits


@FEW
@given(tcst.transitions(workflow=STRICT))
def test_transitions_come_from_their_workflow(transition):
    assert transition in STRICT.transitions()


# -- calendars, policies, reports ----------------------------------------------------------


@settings(FEW, max_examples=60)
@given(tcst.calendars(), tcst.datetimes(), st.integers(1, 600))
def test_calendars_always_have_working_time(calendar, start, minutes):
    assert str(calendar.tz) in tcst.TIME_ZONES
    opening = calendar.next_open(start)
    assert opening >= start
    assert calendar.is_open(opening)
    work = timedelta(minutes=minutes)
    assert calendar.between(start, calendar.add(start, work)) == work


@FEW
@given(st.data(), st.integers(0, 3), st.integers(0, 2))
def test_calendar_intervals_per_day_are_within_bounds(data, low, extra):
    calendar = data.draw(tcst.calendars(min_intervals=low, max_intervals=max(low + extra, 1)))
    counts = [len(day) for day in calendar._weekly]
    assert all(low <= count <= max(low + extra, 1) for count in counts)
    assert max(counts) >= 1


def test_calendars_and_workflows_reach_their_edge_cases():
    seen = set()

    @settings(max_examples=300, deadline=None, database=None, phases=[Phase.generate])
    @given(tcst.calendars(), tcst.workflows())
    def look(calendar, workflow):
        days = [day for day in calendar._weekly if day]
        seen.update(
            name
            for name, found in (
                ("24:00", any(end == DAY_US for day in days for _, end in day)),
                ("lunch break", any(len(day) > 1 for day in days)),
                ("closed day", len(days) < 7),
                ("holiday", bool(calendar._holiday_dates)),
                ("override", bool(calendar._overrides)),
                ("custom workflow", workflow != tc.Workflow.default()),
                ("agents may not reply", not workflow.permits(tc.Action.REPLY, tc.Role.AGENT)),
                ("no reply move", workflow.reply_moves(S.WAITING_FOR_USER) is None),
            )
            if found
        )

    look()
    assert len(seen) == 8, seen


@FEW
@given(
    tcst.calendars(tz="Asia/Tehran", max_holidays=0, max_overrides=0),
    tcst.calendars(tz=st.sampled_from(["America/Havana", ZoneInfo("Pacific/Chatham")])),
)
def test_calendar_zone_takes_a_value_or_a_strategy(tehran, other):
    assert tehran.tz == ZoneInfo("Asia/Tehran")
    assert not tehran._holiday_dates
    assert not tehran._overrides
    assert str(other.tz) in {"America/Havana", "Pacific/Chatham"}


@settings(FEW, max_examples=40)
@given(tcst.policies(), tcst.tickets(), st.integers(0, 60 * 24 * 40))
def test_policies_are_valid_and_evaluate_any_ticket(policy, ticket, minutes):
    for priority in tc.Priority:
        first = policy.target(tc.Metric.FIRST_RESPONSE, priority)
        resolution = policy.target(tc.Metric.RESOLUTION, priority)
        if first is not None and resolution is not None:
            assert first <= resolution
    report = policy.evaluate(ticket, ticket.updated_at + timedelta(minutes=minutes))
    assert report.ticket_id == ticket.id


@FEW
@given(
    tcst.policies(
        calendar=tc.BusinessCalendar.iran(holidays=[]),
        pause_statuses=frozenset(),
        warning_threshold=st.just(Fraction(1, 2)),
    ),
    tcst.policies(calendar=tcst.calendars(tz="Europe/Dublin")),
)
def test_policy_keywords_pin_what_they_say(pinned, dublin):
    assert all(pinned.calendar_for(p) is pinned.calendar for p in tc.Priority)
    assert str(pinned.calendar.tz) == "Asia/Tehran"
    assert pinned.pause_statuses == frozenset()
    assert pinned.warning_threshold == Fraction(1, 2)
    assert all(str(dublin.calendar_for(p).tz) == "Europe/Dublin" for p in tc.Priority)


@FEW
@given(
    tcst.reports(
        policy=tc.SLAPolicy.default(),
        ticket=tcst.tickets(priority="urgent", max_operations=0),
        at=st.just(datetime(2031, 1, 1, tzinfo=UTC)),
    ),
    tcst.reports(),
)
def test_reports_evaluate_what_they_are_given(urgent, report):
    # never answered by 2031: the first response is long breached
    assert urgent.first_response.state is tc.ClockState.BREACHED
    assert urgent.at == datetime(2031, 1, 1, tzinfo=UTC)
    assert isinstance(report, tc.SLAReport)


# -- the hypothesis entry point ------------------------------------------------------------


def _policy_evaluates(policy):
    ticket = tc.Ticket.open(
        tc.Actor.requester("sara"),
        id="T-1",
        subject="s",
        body="b",
        at=datetime(2026, 3, 2, tzinfo=UTC),
    ).ticket
    return policy.evaluate(ticket, ticket.created_at + timedelta(days=3)).ticket_id == "T-1"


# What a value drawn through ``from_type`` must satisfy, by type (others: being one).
VALID = {
    tc.Ticket: lambda ticket: tc.Ticket.replay(ticket.history) == ticket,
    tc.Attachment: lambda file: check_attachments([file], tc.Limits()) == (file,),
    tc.Message: lambda message: not message.internal or message.author.role is tc.Role.AGENT,
    tc.BusinessCalendar: lambda calendar: calendar.is_open(
        calendar.next_open(datetime(2026, 3, 2, tzinfo=UTC))
    ),
    tc.SLAPolicy: _policy_evaluates,
    tc.Workflow: lambda workflow: bool(workflow.transitions()),
}


REGISTERED = [
    tc.Ticket,
    tc.Actor,
    tc.Attachment,
    tc.Message,
    tc.Status,
    tc.Priority,
    tc.Category,
    tc.Role,
    tc.BusinessCalendar,
    tc.SLAPolicy,
    tc.SLAReport,
    tc.Workflow,
    tc.Transition,
    tc.Limits,
    tc.Event,
    tc.TicketOpened,
    tc.MessageAdded,
    tc.StatusChanged,
    tc.PriorityChanged,
    tc.CategoryChanged,
    tc.AssigneeChanged,
]


@pytest.mark.parametrize("kind", REGISTERED, ids=lambda kind: kind.__name__)
def test_the_hook_registers_every_public_type(kind):
    _hypothesis_setup_hook()

    @settings(max_examples=5, deadline=None, database=None)
    @given(st.from_type(kind))
    def check(value):
        assert isinstance(value, kind)
        assert VALID.get(kind, lambda _: True)(value)

    check()


def test_the_entry_point_names_the_hook():
    found = [entry for entry in entry_points(group="hypothesis") if entry.name == "ticketcore"]
    assert found, "no `ticketcore` entry point in group `hypothesis`: is the package installed?"
    assert found[0].value == "ticketcore.testing._hypothesis_setup:_hypothesis_setup_hook"
    assert found[0].load() is _hypothesis_setup_hook


def test_from_type_works_in_a_fresh_interpreter_without_importing_the_kit(tmp_path):
    code = textwrap.dedent(
        """
        import sys
        from importlib.metadata import entry_points
        from hypothesis import given, settings, strategies as st
        import ticketcore as tc

        if "ticketcore" not in entry_points(group="hypothesis").names:
            sys.exit("no `ticketcore` entry point in group `hypothesis`: is the package installed?")
        print("entry point: True")
        print("kit imported early:", "ticketcore.testing.strategies" in sys.modules)

        @settings(max_examples=5, database=None, deadline=None)
        @given(st.from_type(tc.Ticket), st.from_type(tc.BusinessCalendar))
        def check(ticket, calendar):
            assert tc.Ticket.replay(ticket.history) == ticket
            assert calendar.next_open(ticket.created_at)

        check()
        print("ok")
        """
    )
    environment = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_NO_PLUGINS"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split("\n")[:3] == ["entry point: True", "kit imported early: False", "ok"]


# -- the workflow machine ------------------------------------------------------------------


class StrictMachine(WorkflowMachine):
    workflow = STRICT


TestStrictWorkflow = StrictMachine.TestCase


def _run(machine, **changes):
    chosen = {"max_examples": 40, "deadline": None, "database": None, **changes}
    run_state_machine_as_test(machine, settings=settings(**chosen))


def test_the_machine_passes_the_default_workflow_and_walks_every_status():
    reached = set()

    class Watching(WorkflowMachine):
        @invariant()
        def watch(self):
            reached.add(self.ticket.status)
            if self.closed:
                reached.add("a follow-up")

    _run(Watching, max_examples=150)
    assert reached == {*S, "a follow-up"}


def test_the_machine_passes_random_workflows_limits_and_policies():
    class AnyWorkflow(WorkflowMachine):
        @initialize(
            workflow=tcst.workflows(limits=tcst.limits()),
            policy=tcst.policies(),
            opener=st.sampled_from([tc.Actor.requester("sara"), tc.Actor.system()]),
            at=tcst.datetimes(),
            category=tcst.categories(),
            priority=tcst.priorities(),
        )
        def open_ticket(self, *, workflow, policy, **arguments):
            self.workflow = workflow
            self.policy = policy
            super().open_ticket(subject="Payment failed", body="Any news?", **arguments)

    _run(AnyWorkflow, max_examples=60)


def test_the_machine_runs_modest_steps_unless_told_otherwise():
    assert WorkflowMachine.TestCase.settings.stateful_step_count == STEPS
    assert StrictMachine.TestCase.settings.stateful_step_count == STEPS

    @settings(stateful_step_count=7)
    class Told(WorkflowMachine):
        pass

    assert Told.TestCase.settings.stateful_step_count == 7


class _Leaky(tc.Workflow):
    """A broken workflow: its table says one thing, its check allows everything."""

    def check_transition(self, *_move):
        return None


class _Stingy(tc.Workflow):
    """A broken workflow: it permits agents to reply, then refuses them."""

    def check_action(self, action, actor):
        if action is tc.Action.REPLY and actor.role is tc.Role.AGENT:
            raise tc.PermissionDeniedError(tc.ErrorCode.ACTION_NOT_ALLOWED, "no")
        super().check_action(action, actor)


def test_the_machine_catches_a_workflow_that_allows_moves_outside_its_table():
    class Leaky(WorkflowMachine):
        workflow = _Leaky(STRICT.transitions())

    with pytest.raises(AssertionError, match="did what the workflow forbids"):
        run_state_machine_as_test(Leaky, settings=CATCH)


def test_the_machine_catches_a_workflow_that_refuses_what_it_permits():
    class Stingy(WorkflowMachine):
        workflow = _Stingy(tc.Workflow.default().transitions())

    with pytest.raises(AssertionError, match="refused what the workflow permits"):
        run_state_machine_as_test(Stingy, settings=CATCH)


def test_the_machine_catches_a_host_rule_the_workflow_breaks():
    class RequestersCloseOnlyResolved(WorkflowMachine):
        @invariant()
        def requesters_close_only_resolved_tickets(self):
            for event in self.ticket.history:
                if (
                    isinstance(event, tc.StatusChanged)
                    and event.to_status is S.CLOSED
                    and event.actor.role is tc.Role.REQUESTER
                ):
                    assert event.from_status is S.RESOLVED, "closed unresolved"

    class Strict(RequestersCloseOnlyResolved):
        workflow = STRICT

    _run(Strict)  # the strict workflow keeps the rule
    with pytest.raises(AssertionError, match="closed unresolved"):  # the default does not
        run_state_machine_as_test(RequestersCloseOnlyResolved, settings=CATCH)


def test_the_machine_calls_the_check_change_hook():
    class NoAgentResolves(WorkflowMachine):
        def check_change(self, actor, before, change):
            if change.ticket.status is S.RESOLVED and before.status is not S.RESOLVED:
                assert actor.role is not tc.Role.AGENT, "an agent resolved"

    with pytest.raises(AssertionError, match="an agent resolved"):
        run_state_machine_as_test(NoAgentResolves, settings=CATCH)


class _RaisingPolicy(tc.SLAPolicy):
    """A broken policy: it cannot evaluate a ticket with more than two messages."""

    def evaluate(self, ticket, now):
        if len(ticket.messages) > 2:
            raise ZeroDivisionError("broken policy")
        return super().evaluate(ticket, now)


def test_the_machine_catches_an_sla_policy_that_raises():
    class Broken(WorkflowMachine):
        policy = _RaisingPolicy.default()

    with pytest.raises(ZeroDivisionError, match="broken policy"):
        run_state_machine_as_test(Broken, settings=CATCH)


def test_the_machine_catches_internal_notes_shown_to_requesters(monkeypatch):
    original = tc.Ticket.visible_to

    def careless(self, actor, *, workflow=None):
        original(self, actor, workflow=workflow)  # still refuses other requesters
        return self  # a bug: the internal notes stay in

    monkeypatch.setattr(tc.Ticket, "visible_to", careless)
    with pytest.raises(AssertionError, match="the requester sees an internal note"):
        run_state_machine_as_test(WorkflowMachine, settings=CATCH)


def test_the_machine_catches_a_ticket_shown_to_another_requester(monkeypatch):
    monkeypatch.setattr(tc.Ticket, "visible_to", lambda self, *_, **__: self)
    with pytest.raises(AssertionError, match="saw sara's ticket"):
        run_state_machine_as_test(WorkflowMachine, settings=CATCH)


def test_the_machine_catches_a_ticket_that_changes_after_closing(monkeypatch):
    original = tc.Ticket._begin

    def forgetful(self, actor, at, action, workflow):
        if self.status is S.CLOSED and actor.role is tc.Role.AGENT:
            return actor, at  # a bug: agents may change closed tickets
        return original(self, actor, at, action, workflow)

    monkeypatch.setattr(tc.Ticket, "_begin", forgetful)
    with pytest.raises(AssertionError, match="closed ticket changed"):
        run_state_machine_as_test(WorkflowMachine, settings=CATCH)


def test_the_refusal_count_shows_refusals_happen():
    counts = []

    class Counting(WorkflowMachine):
        def teardown(self):
            counts.append(self.refused)

    _run(Counting, max_examples=10)
    assert sum(counts) > 0
