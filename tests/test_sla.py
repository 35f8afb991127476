import contextlib
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ticketcore as tc
from helpers import ALI, SARA, SYSTEM
from sla_oracle import oracle

H = timedelta(hours=1)
M = timedelta(minutes=1)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
DEFAULT = tc.SLAPolicy.default()
RUNNING, PAUSED, WARNING, BREACHED, MET, NA = (
    tc.ClockState.RUNNING,
    tc.ClockState.PAUSED,
    tc.ClockState.WARNING,
    tc.ClockState.BREACHED,
    tc.ClockState.MET,
    tc.ClockState.NOT_APPLICABLE,
)
OFFICE = tc.BusinessCalendar.weekly({d: [("09:00", "17:00")] for d in range(5)}, tz="UTC")


def new(priority="urgent", at=T0, **kwargs):
    return tc.Ticket.open(
        SARA, id="T-1", subject="s", body="b", at=at, priority=priority, **kwargs
    ).ticket


def do(ticket, minutes, operation, *args, **kwargs):
    at = ticket.updated_at + minutes * M
    return getattr(ticket, operation)(*args, at=at, **kwargs).ticket


# -- the default policy ----------------------------------------------------------------


def test_default_policy_is_the_products_promise():
    for metric in ("first_response", "next_response"):
        assert DEFAULT.target(metric, "urgent") == 2 * H
        assert DEFAULT.target(metric, "high") == 6 * H
        assert DEFAULT.target(metric, "medium") == 24 * H
        assert DEFAULT.target(metric, "low") == 24 * H
    assert DEFAULT.target("resolution", "urgent") is None
    assert DEFAULT.calendar.is_open(datetime(2026, 3, 8, 3, 0, tzinfo=UTC))  # a Sunday night


def test_first_response_runs_warns_and_breaches():
    ticket = new()
    assert DEFAULT.evaluate(ticket, T0 + 89 * M).first_response.state is RUNNING
    assert DEFAULT.evaluate(ticket, T0 + 90 * M).first_response.state is WARNING  # 75%
    at_deadline = DEFAULT.evaluate(ticket, T0 + 2 * H).first_response
    assert (at_deadline.state, at_deadline.remaining) == (WARNING, timedelta(0))
    late = DEFAULT.evaluate(ticket, T0 + 2 * H + M).first_response
    assert late.state is BREACHED
    assert late.breached_at == late.deadline == T0 + 2 * H
    assert late.remaining == -M


def test_first_response_is_met_by_a_public_agent_reply_only():
    ticket = new()
    ticket = do(ticket, 10, "add_note", ALI, "internal")
    ticket = do(ticket, 10, "reply", SARA, "hello?")
    assert DEFAULT.evaluate(ticket, ticket.updated_at).first_response.state is RUNNING
    ticket = do(ticket, 10, "reply", ALI, "On it")
    status = DEFAULT.evaluate(ticket, ticket.updated_at + 5 * H).first_response
    assert (status.state, status.stopped_at, status.elapsed) == (MET, T0 + 30 * M, 30 * M)


def test_replying_exactly_at_the_deadline_is_met():
    ticket = do(new(), 120, "reply", ALI, "just in time")
    assert DEFAULT.evaluate(ticket, ticket.updated_at).first_response.state is MET
    late = do(new(), 121, "reply", ALI, "a minute late")
    status = DEFAULT.evaluate(late, late.updated_at).first_response
    assert (status.state, status.breached_at) == (BREACHED, T0 + 2 * H)


def test_next_response_cycles():
    ticket = do(new(), 30, "reply", ALI, "Which order?")
    assert DEFAULT.evaluate(ticket, ticket.updated_at).next_response.state is NA
    ticket = do(ticket, 60, "reply", SARA, "A-1")
    ticket = do(ticket, 30, "reply", SARA, "also A-2")  # does not restart the clock
    status = DEFAULT.evaluate(ticket, ticket.updated_at).next_response
    assert status.started_at == T0 + 90 * M
    assert status.deadline == T0 + 90 * M + 2 * H
    ticket = do(ticket, 30, "reply", ALI, "Found both")
    status = DEFAULT.evaluate(ticket, ticket.updated_at).next_response
    assert (status.state, status.elapsed) == (MET, 60 * M)
    ticket = do(ticket, 600, "reply", SARA, "Thanks, one more thing")
    status = DEFAULT.evaluate(ticket, ticket.updated_at + 3 * H).next_response
    assert status.state is BREACHED  # the report shows the latest cycle


def test_waiting_for_user_pauses_and_the_deadline_moves_with_now():
    ticket = new()
    ticket = do(ticket, 60, "change_status", ALI, "waiting_for_user")
    paused = DEFAULT.evaluate(ticket, ticket.updated_at + 5 * H).first_response
    assert paused.state is PAUSED
    assert paused.elapsed == 60 * M
    assert paused.deadline == ticket.updated_at + 5 * H + 60 * M  # if resumed now
    ticket = do(ticket, 300, "reply", SARA, "here")  # moves back to in_progress
    resumed = DEFAULT.evaluate(ticket, ticket.updated_at).first_response
    assert resumed.state is RUNNING
    assert resumed.deadline == ticket.updated_at + 60 * M


def test_several_pause_cycles_add_up():
    ticket = new()
    for _ in range(3):
        ticket = do(ticket, 20, "change_status", ALI, "waiting_for_user")
        ticket = do(ticket, 100, "reply", SARA, "more info")
    status = DEFAULT.evaluate(ticket, ticket.updated_at).first_response
    assert status.elapsed == 60 * M
    assert status.deadline == ticket.updated_at + 60 * M


def test_opened_outside_working_hours_counts_from_the_next_opening():
    policy = tc.SLAPolicy({"first_response": 4 * H}, calendar=OFFICE)
    friday_night = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)
    ticket = new(at=friday_night)
    status = policy.evaluate(ticket, datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    assert (status.first_response.state, status.first_response.elapsed) == (
        RUNNING,
        timedelta(0),
    )
    assert status.first_response.deadline == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


def test_deadline_ending_at_closing_time_is_closing_time():
    policy = tc.SLAPolicy({"first_response": 8 * H}, calendar=OFFICE)
    status = policy.evaluate(new(), T0).first_response
    assert status.deadline == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def test_pause_across_closed_hours_and_a_holiday():
    calendar = tc.BusinessCalendar.weekly(
        {d: [("09:00", "17:00")] for d in range(5)}, tz="UTC", holidays=[date(2026, 3, 3)]
    )
    policy = tc.SLAPolicy({"resolution": 16 * H}, calendar=calendar)
    ticket = new()  # Monday 09:00
    ticket = do(ticket, 4 * 60, "change_status", ALI, "waiting_for_user")  # Mon 13:00
    # paused until Wednesday 11:00 (Tuesday is a holiday, and pause would skip it anyway)
    ticket = do(ticket, 46 * 60, "reply", SARA, "back")
    status = policy.evaluate(ticket, ticket.updated_at).resolution
    assert status.elapsed == 4 * H
    # 12 hours left from Wednesday 11:00: 6h Wednesday, 6h Thursday -> Thursday 15:00
    assert status.deadline == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


def test_reopen_after_resolve_resumes_resolution_without_the_resolved_time():
    policy = tc.SLAPolicy({"resolution": 10 * H})
    ticket = do(new(), 3 * 60, "change_status", ALI, "resolved")
    status = policy.evaluate(ticket, ticket.updated_at + 48 * H).resolution
    assert (status.state, status.elapsed, status.stopped_at) == (MET, 3 * H, T0 + 3 * H)
    assert policy.next_deadline(ticket) is None
    ticket = do(ticket, 48 * 60, "reply", SARA, "broken again")  # reopens
    assert ticket.status is tc.Status.OPEN
    status = policy.evaluate(ticket, ticket.updated_at).resolution
    assert (status.state, status.elapsed) == (RUNNING, 3 * H)
    assert status.deadline == ticket.updated_at + 7 * H
    assert policy.next_deadline(ticket) == ticket.updated_at + 7 * H


def test_priority_change_recomputes_a_running_clock_from_its_own_start():
    ticket = new(priority="medium")
    ticket = do(ticket, 60, "change_priority", ALI, "urgent")
    status = DEFAULT.evaluate(ticket, ticket.updated_at).first_response
    assert status.target == 2 * H
    assert status.deadline == T0 + 2 * H


def test_priority_raised_after_a_breach_stays_breached():
    ticket = new(priority="urgent")
    ticket = do(ticket, 3 * 60, "change_priority", ALI, "low")
    assert DEFAULT.evaluate(ticket, ticket.updated_at).first_response.state is RUNNING
    ticket = do(ticket, 60, "change_priority", ALI, "urgent")
    status = DEFAULT.evaluate(ticket, ticket.updated_at).first_response
    assert (status.state, status.breached_at) == (BREACHED, T0 + 2 * H)


def test_a_met_clock_stays_met_when_priority_changes_later():
    ticket = do(new(priority="low"), 5 * 60, "reply", ALI, "hello")
    ticket = do(ticket, 1, "change_priority", ALI, "urgent")
    status = DEFAULT.evaluate(ticket, ticket.updated_at).first_response
    assert (status.state, status.target) == (MET, 24 * H)


def test_closing_unanswered_ends_response_clocks():
    ticket = do(new(), 30, "close", SARA)
    status = DEFAULT.evaluate(ticket, ticket.updated_at + 10 * H).first_response
    assert (status.state, status.stopped_at) == (NA, T0 + 30 * M)
    late = do(new(), 3 * 60, "close", SARA)
    assert DEFAULT.evaluate(late, late.updated_at).first_response.state is BREACHED


def test_per_priority_calendars():
    policy = tc.SLAPolicy(
        {"first_response": 4 * H},
        calendar=OFFICE,
        calendars={"urgent": tc.BusinessCalendar.always()},
    )
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    urgent = policy.evaluate(new(at=friday, priority="urgent"), friday).first_response
    normal = policy.evaluate(new(at=friday, priority="high"), friday).first_response
    assert urgent.deadline == friday + 4 * H
    assert normal.deadline == datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


def test_dst_day_is_real_elapsed_time():
    new_york = ZoneInfo("America/New_York")
    night = tc.BusinessCalendar.weekly({6: [("00:00", "06:00")]}, tz=new_york)
    policy = tc.SLAPolicy({"first_response": 5 * H}, calendar=night)
    # 2026-03-08 is the spring-forward Sunday: 00:00-06:00 holds only 5 real hours
    opened = datetime(2026, 3, 8, 0, 0, tzinfo=new_york)
    status = policy.evaluate(new(at=opened), opened).first_response
    assert status.deadline == datetime(2026, 3, 8, 6, 0, tzinfo=new_york)


def test_next_deadline_is_the_earliest_running_clock():
    policy = tc.SLAPolicy({"first_response": H, "resolution": 3 * H})
    ticket = new()
    assert policy.next_deadline(ticket) == T0 + H
    ticket = do(ticket, 10, "change_status", ALI, "waiting_for_user")
    assert policy.next_deadline(ticket) is None
    ticket = do(ticket, 10, "reply", SARA, "x")
    assert policy.next_deadline(ticket) == T0 + H + 10 * M
    breached = do(ticket, 5 * 60, "add_note", ALI, "late")
    assert policy.next_deadline(breached) == T0 + H + 10 * M  # overdue tickets stay listed
    answered = do(breached, 1, "reply", ALI, "sorry")
    assert policy.next_deadline(answered) == T0 + 3 * H + 10 * M  # now resolution


def test_events_in_a_window():
    ticket = new()
    events = DEFAULT.events(ticket, T0, T0 + 3 * H)
    assert [(e.metric, e.kind, e.at) for e in events] == [
        (tc.Metric.FIRST_RESPONSE, "warning", T0 + 90 * M),
        (tc.Metric.FIRST_RESPONSE, "breached", T0 + 2 * H),
    ]
    assert DEFAULT.events(ticket, T0, T0 + 2 * H) == events[:1]
    answered = do(ticket, 120, "reply", ALI, "in time")
    kinds = [e.kind for e in DEFAULT.events(answered, T0, T0 + 5 * H)]
    assert kinds == ["warning"]


def test_report_access():
    report = DEFAULT.evaluate(new(), T0)
    assert report["first_response"] is report.first_response
    assert [s.metric for s in report] == list(tc.Metric)
    assert not report.breached


@pytest.mark.parametrize(
    ("arguments", "problem", "field"),
    [
        ({"targets": {"first_response": timedelta(0)}}, "positive", "targets"),
        ({"targets": {"first_response": -H}}, "positive", "targets"),
        ({"targets": {"first_response": 3 * H, "resolution": 2 * H}}, "longer", "targets"),
        ({"targets": {}, "pause_statuses": ["closed"]}, "cannot pause", "pause_statuses"),
        ({"targets": {}, "warning_threshold": 1.5}, r"\(0, 1\]", "warning_threshold"),
        ({"targets": {}, "warning_threshold": 0}, r"\(0, 1\]", "warning_threshold"),
        ({"targets": {}, "warning_threshold": float("nan")}, "not a number", "warning_threshold"),
        ({"targets": {}, "warning_threshold": "x"}, "not a number", "warning_threshold"),
    ],
)
def test_bad_policies_are_rejected(arguments, problem, field):
    with pytest.raises(tc.ValidationError, match=problem) as caught:
        tc.SLAPolicy(**arguments)
    assert (caught.value.code, caught.value.field) == (tc.ErrorCode.POLICY_INVALID, field)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"targets": None}, "targets"),
        ({"targets": [("first_response", H)]}, "targets"),
        ({"targets": {"first_response": 3}}, "targets.first_response"),
        ({"targets": {"first_response": {"urgent": 2}}}, "targets.first_response.urgent"),
        ({"targets": {}, "calendar": "24/7"}, "calendar"),
        ({"targets": {}, "calendars": {"urgent": "24/7"}}, "calendars.urgent"),
        ({"targets": {}, "calendars": [OFFICE]}, "calendars"),
        ({"targets": {}, "pause_statuses": "waiting_for_user"}, "pause_statuses"),
        ({"targets": {}, "pause_statuses": None}, "pause_statuses"),
        ({"targets": {}, "warning_threshold": True}, "warning_threshold"),
        ({"targets": {}, "warning_threshold": None}, "warning_threshold"),
    ],
)
def test_wrong_typed_configuration_is_a_type_error_naming_the_field(arguments, field):
    with pytest.raises(tc.InvalidTypeError) as caught:
        tc.SLAPolicy(**arguments)
    assert (caught.value.code, caught.value.field) == (tc.ErrorCode.INVALID_TYPE, field)


def test_a_warning_threshold_of_one_is_accepted_and_warns_only_at_the_deadline():
    policy = tc.SLAPolicy({"first_response": 2 * H}, warning_threshold=1)
    assert policy.warning_threshold == 1
    assert policy.evaluate(new(), T0 + 2 * H - M).first_response.state is RUNNING
    assert policy.evaluate(new(), T0 + 2 * H).first_response.state is WARNING


def test_policies_are_values():
    assert tc.SLAPolicy.default() == tc.SLAPolicy.default()
    assert hash(tc.SLAPolicy.default()) == hash(tc.SLAPolicy.default())
    assert tc.SLAPolicy.default() != tc.SLAPolicy({"first_response": H})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        DEFAULT.warning_threshold = 1


@pytest.mark.parametrize("method", ["evaluate", "events", "next_deadline"])
def test_evaluating_something_that_is_not_a_ticket_is_a_type_error(method):
    arguments = {"evaluate": (T0,), "events": (T0, T0 + H), "next_deadline": ()}[method]
    with pytest.raises(tc.InvalidTypeError) as caught:
        getattr(DEFAULT, method)({"id": "T-1"}, *arguments)
    assert caught.value.field == "ticket"


def test_a_system_auto_reply_is_not_a_first_response():
    ticket = do(new(), 10, "reply", SYSTEM, "We got your message and will answer soon.")
    status = DEFAULT.evaluate(ticket, ticket.updated_at).first_response
    assert (status.state, status.stopped_at) == (RUNNING, None)
    ticket = do(ticket, 10, "reply", ALI, "On it")
    assert DEFAULT.evaluate(ticket, ticket.updated_at).first_response.stopped_at == T0 + 20 * M


def test_unknown_metric_or_priority_names_are_validation_errors():
    with pytest.raises(tc.ValidationError):
        tc.SLAPolicy({"first_reply": H})
    with pytest.raises(tc.ValidationError):
        tc.SLAPolicy({"first_response": {"critical": H}})


def test_naive_now_is_rejected():
    with pytest.raises(tc.ValidationError):
        DEFAULT.evaluate(new(), datetime(2026, 3, 2, 10, 0))  # noqa: DTZ001


def test_now_before_the_ticket_was_opened_is_rejected():
    with pytest.raises(tc.ValidationError) as caught:
        DEFAULT.evaluate(new(), T0 - M)
    assert (caught.value.code, caught.value.field) == (tc.ErrorCode.TIME_WENT_BACKWARDS, "now")
    assert DEFAULT.evaluate(new(), T0).first_response.elapsed == timedelta(0)


def test_policy_is_immutable():
    with pytest.raises(AttributeError):
        DEFAULT.calendar = OFFICE  # type: ignore[misc]


# -- properties against the minute-by-minute oracle ------------------------------------

HOURS_CHOICES = st.one_of(
    st.none(),
    st.dictionaries(
        st.integers(0, 6),
        st.lists(st.tuples(st.integers(0, 23), st.integers(1, 24)), min_size=1, max_size=2)
        .map(lambda pairs: sorted((a, b) for a, b in pairs if a < b))
        .filter(lambda pairs: all(x[1] <= y[0] for x, y in itertools.pairwise(pairs))),
        min_size=1,
        max_size=7,
    ).filter(lambda hours: any(hours.values())),
)
TARGET = st.integers(1, 600)


def calendar_for(hours):
    if hours is None:
        return tc.BusinessCalendar.always()
    return tc.BusinessCalendar.weekly(
        {d: [(f"{a:02}:00", f"{b:02}:00") for a, b in pairs] for d, pairs in hours.items()},
        tz="UTC",
    )


STEP = st.tuples(
    st.integers(0, 240),
    st.sampled_from(
        [
            ("reply", ALI, ("answer",)),
            ("reply", SARA, ("more",)),
            ("add_note", ALI, ("note",)),
            ("change_status", ALI, ("waiting_for_user",)),
            ("change_status", ALI, ("in_progress",)),
            ("change_status", ALI, ("resolved",)),
            ("change_status", SYSTEM, ("closed",)),
            ("change_priority", ALI, ("urgent",)),
            ("change_priority", ALI, ("low",)),
        ]
    ),
)


def build(start_minute, steps):
    ticket = new(priority="high", at=T0 + start_minute * M)
    for minutes, (operation, actor, args) in steps:
        with contextlib.suppress(tc.TicketcoreError):
            ticket = getattr(ticket, operation)(
                actor, *args, at=ticket.updated_at + minutes * M
            ).ticket
    return ticket


@settings(deadline=None)  # the oracle walks minute by minute: slow by design
@given(
    hours=HOURS_CHOICES,
    targets=st.fixed_dictionaries(
        {},
        optional={
            "first_response": st.fixed_dictionaries({"urgent": TARGET, "high": TARGET}),
            "next_response": st.fixed_dictionaries({"urgent": TARGET, "high": TARGET}),
            "resolution": st.fixed_dictionaries(
                {"urgent": st.integers(600, 1200), "low": st.integers(600, 1200)}
            ),
        },
    ),
    start_minute=st.integers(0, 7 * 24 * 60),
    steps=st.lists(STEP, max_size=8),
    look=st.integers(0, 600),
)
def test_evaluation_matches_the_minute_by_minute_oracle(hours, targets, start_minute, steps, look):
    ticket = build(start_minute, steps)
    policy = tc.SLAPolicy(
        {m: {p: t * M for p, t in per.items()} for m, per in targets.items()},
        calendar=calendar_for(hours),
    )
    now = ticket.updated_at + look * M
    report = policy.evaluate(ticket, now)
    expected = oracle(ticket, now, targets=targets, hours=hours)
    for status in report:
        want = expected[status.metric.value]
        assert status.state.value == want.state, status
        assert status.elapsed == want.elapsed, status
        if want.state != "not_applicable" and status.target is not None:
            assert status.deadline == want.deadline, status


@given(start_minute=st.integers(0, 7 * 24 * 60), steps=st.lists(STEP, max_size=8))
def test_deadline_is_never_before_its_start(start_minute, steps):
    ticket = build(start_minute, steps)
    for status in DEFAULT.evaluate(ticket, ticket.updated_at):
        if status.deadline is not None:
            assert status.deadline >= status.started_at


@given(
    start_minute=st.integers(0, 7 * 24 * 60),
    steps=st.lists(STEP, max_size=8),
    pause=st.integers(1, 600),
)
def test_more_pause_never_makes_a_deadline_earlier(start_minute, steps, pause):
    ticket = build(start_minute, steps)
    if ticket.status is tc.Status.CLOSED:
        return
    policy = tc.SLAPolicy({"first_response": 5 * H, "resolution": 20 * H}, calendar=OFFICE)
    before = policy.evaluate(ticket, ticket.updated_at)
    try:
        paused = ticket.change_status(ALI, "waiting_for_user", at=ticket.updated_at).ticket
    except tc.TicketcoreError:
        return
    later = paused.updated_at + pause * M
    after = policy.evaluate(paused, later)
    for old, new_status in zip(before, after, strict=True):
        if old.deadline is not None and new_status.deadline is not None and old.is_pending:
            assert new_status.deadline >= old.deadline


@given(
    start_minute=st.integers(0, 7 * 24 * 60),
    steps=st.lists(STEP, max_size=10),
    cut=st.integers(0, 10),
)
def test_evaluation_ignores_history_after_now(start_minute, steps, cut):
    """A clock at `now` is the same whether later events exist or not."""
    ticket = build(start_minute, steps)
    history = ticket.history[: max(1, len(ticket.history) - cut)]
    truncated = tc.Ticket.replay(history)
    now = truncated.updated_at
    if any(event.at == now for event in ticket.history[len(history) :]):
        return  # a later event at the same instant is part of `now`
    assert DEFAULT.evaluate(ticket, now) == DEFAULT.evaluate(truncated, now)


@given(start_minute=st.integers(0, 7 * 24 * 60), steps=st.lists(STEP, max_size=8))
def test_events_agree_with_evaluation(start_minute, steps):
    ticket = build(start_minute, steps)
    end = ticket.updated_at + 10 * H
    events = DEFAULT.events(ticket, ticket.created_at, end)
    breached = {e.metric for e in events if e.kind == "breached"}
    report = DEFAULT.evaluate(ticket, end)
    for metric in (tc.Metric.FIRST_RESPONSE,):
        assert (metric in breached) == (report[metric].state is BREACHED)


@given(
    hours=HOURS_CHOICES,
    start_minute=st.integers(0, 7 * 24 * 60),
    steps=st.lists(STEP, max_size=8),
    cuts=st.lists(st.integers(0, 8), max_size=4),
    look=st.integers(0, 600),
)
def test_evaluation_does_not_depend_on_how_history_is_chunked(
    hours, start_minute, steps, cuts, look
):
    """Events that do not touch the clocks (internal notes, assignments) split the
    history into more pieces; the clocks must not notice."""
    policy = tc.SLAPolicy(
        {"first_response": 3 * H, "next_response": 2 * H, "resolution": 30 * H},
        calendar=calendar_for(hours),
    )
    chunked = list(steps)
    for index, cut in enumerate(sorted(cuts, reverse=True)):
        filler = ("add_note", ALI, ("note",)) if index % 2 else ("assign", ALI, (f"a{index}",))
        chunked.insert(min(cut, len(chunked)), (0, filler))
    plain, split = build(start_minute, steps), build(start_minute, chunked)
    now = max(plain.updated_at, split.updated_at) + look * M
    assert policy.evaluate(split, now) == attrs.evolve(
        policy.evaluate(plain, now), ticket_id=split.id
    )
    assert policy.next_deadline(split) == policy.next_deadline(plain)
