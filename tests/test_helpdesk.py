import hashlib
import io
from datetime import timedelta

import pytest

import ticketcore as tc
from helpers import ALI, REZA, SARA, SYSTEM, T0
from ticketcore.clock import FixedClock, SequentialIds
from ticketcore.helpdesk import ACTIVE_STATUSES, Helpdesk, Upload
from ticketcore.ports import Order, TicketQuery
from ticketcore.sla import SLAPolicy
from ticketcore.storage.memory import InMemoryAttachmentStore, InMemoryRepository

MINA = tc.Actor.agent("mina")
HOURS = {"urgent": 1, "high": 4, "medium": 24, "low": 48}


class HoursAfterOpening:
    """A stand-in SLA policy with obvious deadlines: opened + hours by priority."""

    def next_deadline(self, ticket):
        if ticket.status in {tc.Status.RESOLVED, tc.Status.CLOSED}:
            return None
        return ticket.created_at + timedelta(hours=HOURS[ticket.priority.value])


def make(*, repository=None, attachments=None, ids=None, limits=None, attempts=3, policy=None):
    clock = FixedClock(T0)
    helpdesk = Helpdesk(
        repository=repository or InMemoryRepository(),
        attachments=attachments or InMemoryAttachmentStore(),
        clock=clock,
        ids=ids or SequentialIds(prefix="T-"),
        workflow=tc.Workflow.default(limits=limits),
        policy=policy or HoursAfterOpening(),
        attempts=attempts,
    )
    return helpdesk, clock


def open_one(helpdesk, actor=SARA, **fields):
    fields.setdefault("subject", "Payment failed")
    fields.setdefault("body", "Charged twice.")
    return helpdesk.open_ticket(actor, **fields)


def deadlines(helpdesk, within=timedelta(days=30)):
    page = helpdesk.at_risk(ALI, within=within, limit=100)
    return [ticket.id for ticket in page.items]


# -- opening -------------------------------------------------------------------------------


def test_opening_uses_the_clock_the_ids_and_the_workflow():
    helpdesk, _ = make()
    ticket = open_one(helpdesk, category="financial", priority="high", references={"order": "A-1"})
    assert (ticket.id, ticket.status, ticket.created_at) == ("T-1", tc.Status.OPEN, T0)
    assert ticket.references == {"order": "A-1"}
    assert helpdesk.repository.get("T-1") == ticket
    assert open_one(helpdesk).id == "T-2"


def test_opening_stores_the_files_and_their_metadata():
    helpdesk, _ = make()
    receipt = b"%PDF-1.7 receipt" * 1000
    ticket = open_one(
        helpdesk,
        uploads=[
            ("receipt.pdf", "application/pdf", io.BytesIO(receipt)),
            Upload("screen.png", "image/png", io.BytesIO(b"\x89PNG")),
        ],
    )
    first, second = ticket.messages[0].attachments
    assert first == tc.Attachment(
        "receipt.pdf", "application/pdf", len(receipt), hashlib.sha256(receipt).hexdigest()
    )
    assert second.size == 4
    with helpdesk.attachments.open(first.sha256) as stream:
        assert stream.read() == receipt


def test_a_file_over_the_limit_stores_nothing_and_opens_nothing():
    helpdesk, _ = make(limits=tc.Limits(attachment_max_size=1000))
    with pytest.raises(tc.ValidationError) as caught:
        open_one(helpdesk, uploads=[("big.pdf", "application/pdf", io.BytesIO(b"x" * 1001))])
    assert caught.value.code is tc.ErrorCode.ATTACHMENT_TOO_LARGE
    assert caught.value.params["value"] == "big.pdf"
    assert caught.value.params["limit"] == 1000
    assert len(helpdesk.attachments) == 0
    assert helpdesk.repository.query().items == ()


def test_a_file_of_a_forbidden_type_is_refused_before_any_byte_is_stored():
    helpdesk, _ = make()
    stream = io.BytesIO(b"<svg onload=alert(1)>")
    with pytest.raises(tc.ValidationError) as caught:
        open_one(helpdesk, uploads=[("x.svg", "image/svg+xml", stream)])
    assert caught.value.code is tc.ErrorCode.CONTENT_TYPE_NOT_ALLOWED
    assert stream.tell() == 0
    assert len(helpdesk.attachments) == 0


def test_an_empty_file_is_refused():
    helpdesk, _ = make()
    with pytest.raises(tc.ValidationError) as caught:
        open_one(helpdesk, uploads=[("empty.txt", "text/plain", io.BytesIO(b""))])
    assert caught.value.code is tc.ErrorCode.ATTACHMENT_EMPTY
    assert caught.value.params["value"] == "empty.txt"


def test_a_file_name_with_a_path_is_refused():
    helpdesk, _ = make()
    with pytest.raises(tc.ValidationError) as caught:
        open_one(helpdesk, uploads=[("../../etc/passwd", "text/plain", io.BytesIO(b"x"))])
    assert caught.value.code is tc.ErrorCode.FILENAME_INVALID
    assert len(helpdesk.attachments) == 0


def test_a_taken_id_is_replaced_by_a_fresh_one():
    class Repeating:
        def __init__(self, *ids):
            self.ids = list(ids)

        def new_id(self):
            return self.ids.pop(0)

    helpdesk, _ = make(ids=Repeating("T-1", "T-1", "T-2"))
    open_one(helpdesk)
    assert open_one(helpdesk).id == "T-2"


def test_ids_that_keep_colliding_give_up_with_the_conflict():
    class Always:
        def new_id(self):
            return "T-1"

    helpdesk, _ = make(ids=Always())
    open_one(helpdesk)
    with pytest.raises(tc.ConflictError) as caught:
        open_one(helpdesk)
    assert caught.value.code is tc.ErrorCode.ALREADY_EXISTS


# -- changing ------------------------------------------------------------------------------


def test_each_change_is_dated_by_the_clock():
    helpdesk, clock = make()
    open_one(helpdesk)
    clock.advance(timedelta(minutes=5))
    ticket = helpdesk.change_status(ALI, "T-1", "in_progress")
    assert ticket.updated_at == T0 + timedelta(minutes=5)
    assert ticket.history[-1].at == T0 + timedelta(minutes=5)


def test_a_clock_behind_the_ticket_dates_the_change_at_the_last_change():
    helpdesk, clock = make()
    open_one(helpdesk)
    clock.set(T0 - timedelta(seconds=2))  # another host's clock ran ahead
    ticket = helpdesk.reply(ALI, "T-1", "Hello")
    assert ticket.updated_at == T0


def test_a_requester_sees_their_reply_without_internal_notes():
    helpdesk, _ = make()
    open_one(helpdesk)
    helpdesk.add_note(ALI, "T-1", "Suspicious.")
    view = helpdesk.reply(SARA, "T-1", "Any news?")
    assert [m.body for m in view.messages] == ["Charged twice.", "Any news?"]
    assert len(helpdesk.get(ALI, "T-1").messages) == 3


def test_attaching_files_checks_permission_before_storing():
    helpdesk, _ = make()
    open_one(helpdesk)
    stream = io.BytesIO(b"not yours")
    with pytest.raises(tc.NotFoundError):  # another's ticket: as if it did not exist
        helpdesk.attach(REZA, "T-1", [("x.txt", "text/plain", stream)])
    assert stream.tell() == 0
    assert len(helpdesk.attachments) == 0


def test_attaching_to_a_closed_ticket_stores_nothing():
    helpdesk, _ = make()
    open_one(helpdesk)
    helpdesk.close(SARA, "T-1")
    with pytest.raises(tc.TransitionError):
        helpdesk.attach(SARA, "T-1", [("x.txt", "text/plain", io.BytesIO(b"late"))])
    assert len(helpdesk.attachments) == 0


def test_attach_needs_a_file():
    helpdesk, _ = make()
    open_one(helpdesk)
    with pytest.raises(tc.ValidationError) as caught:
        helpdesk.attach(SARA, "T-1", [])
    assert caught.value.code == tc.ErrorCode.ATTACHMENTS_REQUIRED


def test_attach_and_reply_with_files():
    helpdesk, _ = make()
    open_one(helpdesk)
    ticket = helpdesk.attach(
        SARA, "T-1", [("log.txt", "text/plain", io.BytesIO(b"log"))], body="The log."
    )
    ticket = helpdesk.reply(
        ALI, "T-1", "Thanks", uploads=[("a.txt", "text/plain", io.BytesIO(b"a"))]
    )
    assert [len(m.attachments) for m in ticket.messages] == [0, 1, 1]
    assert ticket.messages[1].body == "The log."


def test_triage_changes_are_saved():
    helpdesk, _ = make()
    open_one(helpdesk)
    helpdesk.assign(ALI, "T-1", "mina")
    helpdesk.change_priority(ALI, "T-1", "urgent")
    ticket = helpdesk.change_category(ALI, "T-1", "account")
    assert (ticket.assignee_id, ticket.priority, ticket.category, ticket.version) == (
        "mina",
        tc.Priority.URGENT,
        tc.Category.ACCOUNT,
        4,
    )
    assert helpdesk.repository.get("T-1") == ticket


def test_a_change_to_the_same_value_saves_nothing():
    helpdesk, _ = make()
    open_one(helpdesk)
    ticket = helpdesk.change_priority(ALI, "T-1", "medium")
    assert ticket.version == 1
    assert len(helpdesk.repository.events_after(0)) == 1


def test_a_refused_change_saves_nothing():
    helpdesk, _ = make()
    open_one(helpdesk)
    with pytest.raises(tc.PermissionDeniedError):
        helpdesk.change_priority(SARA, "T-1", "urgent")
    with pytest.raises(tc.TransitionError):
        helpdesk.change_status(SARA, "T-1", "resolved")
    assert helpdesk.repository.get("T-1").version == 1


def test_changing_a_missing_ticket_is_not_found():
    helpdesk, _ = make()
    with pytest.raises(tc.NotFoundError):
        helpdesk.reply(ALI, "T-404", "Hello?")


# -- the next deadline is kept up to date --------------------------------------------------


def test_every_save_stores_the_policy_deadline():
    helpdesk, _ = make()
    open_one(helpdesk, priority="low")
    assert deadlines(helpdesk, within=timedelta(hours=47)) == []
    helpdesk.change_priority(ALI, "T-1", "urgent")
    assert deadlines(helpdesk, within=timedelta(hours=1, seconds=1)) == ["T-1"]
    helpdesk.change_status(ALI, "T-1", "resolved")
    assert deadlines(helpdesk) == []
    helpdesk.reply(SARA, "T-1", "Still broken.")  # reopens it
    assert deadlines(helpdesk) == ["T-1"]


def test_at_risk_lists_soonest_first_across_pages():
    helpdesk, clock = make()
    for priority in ["low", "urgent", "medium", "high", "urgent"]:
        open_one(helpdesk, priority=priority)
    helpdesk.close(SARA, "T-3")
    first = helpdesk.at_risk(ALI, within=timedelta(hours=30), limit=2)
    assert [t.id for t in first.items] == ["T-2", "T-5"]
    clock.advance(timedelta(hours=2))  # the window moves between pages; the order does not
    second = helpdesk.at_risk(ALI, within=timedelta(hours=28), limit=2, cursor=first.next_cursor)
    assert [t.id for t in second.items] == ["T-4"]
    assert second.next_cursor is None


def test_at_risk_includes_tickets_already_past_their_deadline():
    helpdesk, clock = make()
    open_one(helpdesk, priority="urgent")
    clock.advance(timedelta(hours=3))
    assert deadlines(helpdesk, within=timedelta(0)) == ["T-1"]


def test_the_real_sla_policy_sets_deadlines():
    helpdesk, _ = make(policy=SLAPolicy.default())
    ticket = open_one(helpdesk, priority="high")
    assert helpdesk.policy.next_deadline(ticket) == T0 + timedelta(hours=6)
    assert deadlines(helpdesk, within=timedelta(hours=6, seconds=1)) == ["T-1"]
    assert deadlines(helpdesk, within=timedelta(hours=6)) == []


# -- conflicts -----------------------------------------------------------------------------


class Raced(InMemoryRepository):
    """Lets a rival save the ticket right before each of the first ``races`` saves."""

    def __init__(self, races):
        super().__init__()
        self.races = races
        self.saves = 0

    def save(self, ticket, *, expected_version, next_deadline=None):
        self.saves += 1
        if self.races:
            self.races -= 1
            current = self.get(ticket.id)
            rival = current.add_note(MINA, "Me first.", at=current.updated_at).ticket
            super().save(rival, expected_version=current.version)
        super().save(ticket, expected_version=expected_version, next_deadline=next_deadline)


def test_a_conflict_is_retried_on_the_fresh_ticket():
    repository = Raced(races=2)
    helpdesk, _ = make(repository=repository)
    open_one(helpdesk)
    ticket = helpdesk.reply(ALI, "T-1", "We are on it.")
    assert repository.saves == 3
    assert [m.body for m in ticket.messages] == [
        "Charged twice.",
        "Me first.",
        "Me first.",
        "We are on it.",
    ]
    # public messages and internal notes are numbered apart: a requester sees no gaps
    assert [m.id for m in ticket.messages] == ["T-1.1", "T-1.n1", "T-1.n2", "T-1.2"]
    assert repository.get("T-1") == ticket


def test_conflicts_beyond_the_attempts_give_up_with_the_conflict():
    repository = Raced(races=3)
    helpdesk, _ = make(repository=repository, attempts=3)
    open_one(helpdesk)
    with pytest.raises(tc.ConflictError) as caught:
        helpdesk.reply(ALI, "T-1", "We are on it.")
    assert caught.value.code is tc.ErrorCode.CONFLICT
    assert repository.saves == 3
    assert "We are on it." not in [m.body for m in repository.get("T-1").messages]


def test_a_retry_checks_the_workflow_again():
    class ClosedByRival(InMemoryRepository):
        def save(self, ticket, *, expected_version, next_deadline=None):
            current = self.get(ticket.id)
            if current.status is not tc.Status.CLOSED:
                closed = current.close(SARA, at=current.updated_at).ticket
                super().save(closed, expected_version=current.version)
            super().save(ticket, expected_version=expected_version, next_deadline=next_deadline)

    helpdesk, _ = make(repository=ClosedByRival())
    open_one(helpdesk)
    with pytest.raises(tc.TransitionError) as caught:
        helpdesk.reply(ALI, "T-1", "Too late")
    assert caught.value.code is tc.ErrorCode.TICKET_CLOSED


# -- reading -------------------------------------------------------------------------------


def test_get_shows_the_ticket_as_the_actor_may_see_it():
    helpdesk, _ = make()
    open_one(helpdesk)
    helpdesk.add_note(ALI, "T-1", "Internal.")
    assert len(helpdesk.get(SARA, "T-1").messages) == 1
    assert len(helpdesk.get(SYSTEM, "T-1").messages) == 2
    with pytest.raises(tc.NotFoundError) as foreign:
        helpdesk.get(REZA, "T-1")
    with pytest.raises(tc.NotFoundError) as missing:
        helpdesk.get(REZA, "T-404")
    # another requester's ticket and a missing one answer alike: ids cannot be probed
    assert (foreign.value.code, foreign.value.field) == (missing.value.code, missing.value.field)
    assert str(foreign.value).replace("T-1", "T-404") == str(missing.value)
    with pytest.raises(tc.NotFoundError):
        helpdesk.get(ALI, "T-404")


def test_open_attachment_respects_what_the_actor_may_see():
    helpdesk, _ = make()
    open_one(helpdesk, uploads=[("receipt.pdf", "application/pdf", io.BytesIO(b"public"))])
    helpdesk.add_note(ALI, "T-1", "Log", uploads=[("log.txt", "text/plain", io.BytesIO(b"secret"))])
    public = hashlib.sha256(b"public").hexdigest()
    secret = hashlib.sha256(b"secret").hexdigest()
    attachment, stream = helpdesk.open_attachment(SARA, "T-1", public)
    with stream:
        assert (attachment.filename, stream.read()) == ("receipt.pdf", b"public")
    with pytest.raises(tc.NotFoundError) as caught:
        helpdesk.open_attachment(SARA, "T-1", secret)
    assert caught.value.code == tc.ErrorCode.ATTACHMENT_NOT_FOUND
    attachment, stream = helpdesk.open_attachment(ALI, "T-1", secret.upper())
    with stream:
        assert stream.read() == b"secret"
    with pytest.raises(tc.NotFoundError) as caught:
        helpdesk.open_attachment(REZA, "T-1", public)
    assert caught.value.code == tc.ErrorCode.NOT_FOUND


def test_a_requester_lists_their_own_tickets_newest_first():
    helpdesk, clock = make()
    for actor in [SARA, REZA, SARA, SARA]:
        open_one(helpdesk, actor)
        clock.advance(timedelta(minutes=1))
    helpdesk.add_note(ALI, "T-4", "Internal.")
    first = helpdesk.list_tickets(SARA, limit=2)
    assert [t.id for t in first.items] == ["T-4", "T-3"]
    assert all(not m.internal for t in first.items for m in t.messages)
    second = helpdesk.list_tickets(SARA, limit=2, cursor=first.next_cursor)
    assert [t.id for t in second.items] == ["T-1"]
    assert second.next_cursor is None
    assert [t.id for t in helpdesk.list_tickets(SARA, statuses=["closed"]).items] == []
    # naming another requester shows nothing, as a requester with no tickets would see
    assert helpdesk.list_tickets(SARA, requester_id="reza").items == ()
    assert helpdesk.list_tickets(SARA, requester_id="nobody").items == ()


def test_an_agent_lists_anyones_tickets():
    helpdesk, clock = make()
    for actor in [SARA, REZA]:
        open_one(helpdesk, actor)
        clock.advance(timedelta(minutes=1))
    assert [t.id for t in helpdesk.list_tickets(ALI).items] == ["T-2", "T-1"]
    assert [t.id for t in helpdesk.list_tickets(ALI, requester_id="reza").items] == ["T-2"]


def test_an_agents_queue_holds_their_active_tickets_oldest_first():
    helpdesk, clock = make()
    for assignee in ["ali", "mina", None, "ali", "ali"]:
        ticket = open_one(helpdesk)
        if assignee:
            helpdesk.assign(ALI, ticket.id, assignee)
        clock.advance(timedelta(minutes=1))
    helpdesk.change_status(ALI, "T-5", "resolved")
    assert [t.id for t in helpdesk.queue(ALI).items] == ["T-1", "T-4"]
    assert [t.id for t in helpdesk.queue(ALI, assignee_id="mina").items] == ["T-2"]
    assert [t.id for t in helpdesk.queue(MINA, unassigned=True).items] == ["T-3"]
    assert [t.id for t in helpdesk.queue(ALI, statuses=None).items] == ["T-1", "T-4", "T-5"]
    with pytest.raises(tc.PermissionDeniedError) as caught:
        helpdesk.queue(SARA)
    assert caught.value.code is tc.ErrorCode.ACTION_NOT_ALLOWED
    with pytest.raises(tc.PermissionDeniedError):
        helpdesk.at_risk(SARA, within=timedelta(hours=1))


def test_the_queue_can_be_ordered_by_deadline():
    helpdesk, _ = make()
    for priority in ["low", "urgent", "high"]:
        helpdesk.assign(ALI, open_one(helpdesk, priority=priority).id, "ali")
    assert [t.id for t in helpdesk.queue(ALI, order="due").items] == ["T-2", "T-3", "T-1"]


def test_active_statuses_are_the_ones_needing_support():
    assert frozenset({"open", "in_progress", "waiting_for_user"}) == ACTIVE_STATUSES


# -- building -------------------------------------------------------------------------------


def test_in_memory_builds_a_working_helpdesk():
    helpdesk = Helpdesk.in_memory(clock=FixedClock(T0))
    ticket = helpdesk.open_ticket(SARA, subject="Hi", body="Hello", priority="urgent")
    assert helpdesk.get(ALI, ticket.id) == ticket
    assert isinstance(helpdesk.policy, SLAPolicy)
    assert helpdesk.repository.query(TicketQuery(order=Order.DUE)).items == (ticket,)


@pytest.mark.parametrize("broken", ["repository", "attachments", "clock", "ids", "policy"])
def test_the_parts_must_fit_their_protocols(broken):
    parts = {
        "repository": InMemoryRepository(),
        "attachments": InMemoryAttachmentStore(),
        "clock": FixedClock(T0),
        "ids": SequentialIds(),
        "workflow": tc.Workflow.default(),
        "policy": HoursAfterOpening(),
    }
    parts[broken] = object()
    with pytest.raises(tc.ValidationError) as caught:
        Helpdesk(**parts)
    assert caught.value.field == broken


def test_attempts_must_be_positive():
    with pytest.raises(tc.ValidationError):
        make(attempts=0)


def test_a_naive_clock_is_refused():
    class Naive:
        def now(self):
            return T0.replace(tzinfo=None)

    helpdesk = Helpdesk(
        repository=InMemoryRepository(),
        attachments=InMemoryAttachmentStore(),
        clock=Naive(),
        ids=SequentialIds(),
        workflow=tc.Workflow.default(),
        policy=HoursAfterOpening(),
    )
    with pytest.raises(tc.ValidationError) as caught:
        open_one(helpdesk)
    assert caught.value.code is tc.ErrorCode.NAIVE_DATETIME


def test_the_helpdesk_works_on_sqlite_and_files(tmp_path):
    from ticketcore.storage import FileAttachmentStore, SQLiteRepository

    with SQLiteRepository(tmp_path / "tickets.sqlite3") as repository:
        helpdesk, _ = make(repository=repository, attachments=FileAttachmentStore(tmp_path / "f"))
        open_one(helpdesk, uploads=[("a.txt", "text/plain", io.BytesIO(b"abc"))])
        ticket = helpdesk.reply(ALI, "T-1", "Got it.")
        assert repository.get("T-1") == ticket
        attachment = ticket.messages[0].attachments[0]
        found, stream = helpdesk.open_attachment(SARA, "T-1", attachment.sha256)
        with stream:
            assert stream.read() == b"abc"
        assert found == attachment
