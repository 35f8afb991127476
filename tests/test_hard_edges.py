"""The cases of issue 10, each pinned: bad input gets a typed error with a code and a
field, nothing half-written is stored, rights are the Workflow's, and a requester learns
nothing about tickets or activity that are not theirs to see."""

import base64
import io
import json
import sqlite3
from datetime import timedelta

import pytest

import ticketcore as tc
from helpers import ALI, REZA, SARA, SYSTEM, T0
from ticketcore import i18n
from ticketcore import serialization as wire
from ticketcore.clock import FixedClock, SequentialIds
from ticketcore.storage import InMemoryAttachmentStore, InMemoryRepository, SQLiteRepository

E = tc.ErrorCode


def desk(repository=None, *, workflow=None, attachments=None, limits=None):
    return tc.Helpdesk(
        repository=repository or InMemoryRepository(),
        attachments=attachments or InMemoryAttachmentStore(),
        clock=FixedClock(T0, step=timedelta(minutes=1)),
        ids=SequentialIds(prefix="T-"),
        workflow=workflow or tc.Workflow.default(limits=limits),
        policy=tc.SLAPolicy.default(),
    )


def state(helpdesk):
    page = helpdesk.repository.query(tc.TicketQuery(), limit=100)
    log = helpdesk.repository.events_after(0, limit=1000)
    return page.items, log, dict(helpdesk.attachments._content)


# -- values are never coerced ----------------------------------------------------------------


@pytest.mark.parametrize("flag", [None, 0, 1, "yes", [], "false"])
@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_internal_is_true_or_false_and_a_bad_value_stores_nothing(flag, backend, tmp_path):
    repository = SQLiteRepository(tmp_path / "t.sqlite3") if backend == "sqlite" else None
    helpdesk = desk(repository)
    ticket = helpdesk.open_ticket(SARA, subject="Late", body="Where is it?")
    before = helpdesk.repository.get(ticket.id)
    with pytest.raises(tc.InvalidTypeError) as caught:
        helpdesk.reply(ALI, ticket.id, "On it.", internal=flag)
    assert (caught.value.code, caught.value.field) == (E.INVALID_TYPE, "internal")
    assert isinstance(caught.value, TypeError)
    # the ticket is not poisoned: every read still works
    assert helpdesk.repository.get(ticket.id) == before
    assert helpdesk.list_tickets(ALI).items == (before,)
    assert helpdesk.repository.events_after(0, limit=10)[-1].event.version == before.version


def test_wrong_types_and_out_of_range_values_get_their_own_codes():
    with pytest.raises(tc.InvalidTypeError) as wrong:
        tc.Limits(attachment_max_size="10MB")
    assert (wrong.value.code, wrong.value.field) == (E.INVALID_TYPE, "attachment_max_size")
    with pytest.raises(tc.ValidationError) as small:
        tc.Limits(attachment_max_size=0)
    assert (small.value.code, small.value.field) == (E.OUT_OF_RANGE, "attachment_max_size")
    assert not isinstance(small.value, TypeError)


def test_a_single_content_type_is_not_read_as_its_letters():
    with pytest.raises(tc.InvalidTypeError) as caught:
        tc.Limits(content_types="image/png")
    assert caught.value.field == "content_types"
    with pytest.raises(tc.ValidationError) as bad:
        tc.Limits(content_types=["image/png", "png"])
    assert bad.value.code is E.CONTENT_TYPE_INVALID
    assert tc.Limits(content_types=["image/png"]).content_types == {"image/png"}


# -- listings, cursors and windows -----------------------------------------------------------


def _cursor(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        _cursor(["created", 2**64, "T-1"]),
        _cursor(["created", -(2**70), "T-1"]),
        _cursor(["created", 1, "T" * 1000]),
        _cursor(["created", True, "T-1"]),
        _cursor({"order": "created"}),
        "W" * 100_000,
        base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode(),
    ],
)
def test_a_bad_cursor_is_invalid_cursor(cursor):
    helpdesk = desk()
    helpdesk.open_ticket(SARA, subject="Late", body="Where is it?")
    for listing in (
        lambda: helpdesk.list_tickets(ALI, cursor=cursor),
        lambda: helpdesk.queue(ALI, cursor=cursor),
        lambda: helpdesk.at_risk(ALI, within=timedelta(hours=1), cursor=cursor),
    ):
        with pytest.raises(tc.ValidationError) as caught:
            listing()
        assert (caught.value.code, caught.value.field) == (E.INVALID_CURSOR, "cursor")


def test_staff_lists_check_the_right_before_the_arguments():
    helpdesk = desk()
    for call in (
        lambda: helpdesk.queue(SARA, order="bogus"),
        lambda: helpdesk.queue(SARA, cursor=_cursor(["created", 2**64, "T-1"])),
        lambda: helpdesk.at_risk(SARA, within=timedelta.max),
        lambda: helpdesk.at_risk(SARA, within="10**16 minutes"),
    ):
        with pytest.raises(tc.PermissionDeniedError) as caught:
            call()
        assert caught.value.code is E.ACTION_NOT_ALLOWED


def test_staff_list_arguments_have_typed_errors():
    helpdesk = desk()
    with pytest.raises(tc.ValidationError) as order:
        helpdesk.queue(ALI, order="bogus")
    assert (order.value.code, order.value.field) == (E.INVALID_CHOICE, "order")
    with pytest.raises(tc.ValidationError) as window:
        helpdesk.at_risk(ALI, within=timedelta(minutes=10**16 // 10**6))
    assert window.value.code is E.OUT_OF_RANGE
    with pytest.raises(tc.ValidationError) as limit:
        helpdesk.list_tickets(ALI, limit=0)
    assert (limit.value.code, limit.value.field) == (E.OUT_OF_RANGE, "limit")


def test_a_host_workflow_decides_who_sees_the_queue():
    workflow = tc.Workflow.default(permissions={"view_queue": ["system"]})
    helpdesk = desk(workflow=workflow)
    with pytest.raises(tc.PermissionDeniedError):
        helpdesk.queue(ALI)
    assert helpdesk.queue(SYSTEM).items == ()


# -- attachments -----------------------------------------------------------------------------


def test_a_failed_upload_leaves_no_bytes_behind():
    limits = tc.Limits(attachment_max_size=1024)
    helpdesk = desk(limits=limits)
    uploads = [
        ("ok.txt", "text/plain", io.BytesIO(b"fine")),
        ("big.txt", "text/plain", io.BytesIO(b"x" * 4096)),
    ]
    with pytest.raises(tc.ValidationError) as caught:
        helpdesk.open_ticket(SARA, subject="Files", body="See attached.", uploads=uploads)
    assert caught.value.code is E.ATTACHMENT_TOO_LARGE
    assert len(helpdesk.attachments) == 0
    assert helpdesk.repository.query(tc.TicketQuery(), limit=10).items == ()


def test_a_failed_upload_keeps_bytes_another_ticket_uses():
    helpdesk = desk(limits=tc.Limits(attachment_max_size=1024))
    shared = [("receipt.txt", "text/plain", io.BytesIO(b"receipt"))]
    first = helpdesk.open_ticket(SARA, subject="One", body="First.", uploads=shared)
    again = [
        ("receipt.txt", "text/plain", io.BytesIO(b"receipt")),
        ("big.txt", "text/plain", io.BytesIO(b"x" * 4096)),
    ]
    with pytest.raises(tc.ValidationError):
        helpdesk.reply(SARA, first.id, "Again.", uploads=again)
    digest = first.messages[0].attachments[0].sha256
    _attachment, stream = helpdesk.open_attachment(SARA, first.id, digest)
    with stream:
        assert stream.read() == b"receipt"


def test_collect_garbage_removes_only_old_unreferenced_bytes():
    helpdesk = desk()
    kept = helpdesk.open_ticket(
        SARA, subject="One", body="First.", uploads=[("a.txt", "text/plain", io.BytesIO(b"a"))]
    )
    orphan = helpdesk.attachments.put(io.BytesIO(b"orphan"), max_size=100)
    assert helpdesk.collect_garbage() == 0  # too recent: a call may be about to save it
    assert helpdesk.collect_garbage(older_than=timedelta(0)) == 1
    with pytest.raises(tc.NotFoundError):
        helpdesk.attachments.open(orphan.sha256)
    digest = kept.messages[0].attachments[0].sha256
    assert helpdesk.attachments.open(digest).read() == b"a"


@pytest.mark.parametrize(
    "content_type",
    ["text/plain; x=\r\nSet-Cookie: a=b", "text/plain;\x00\u202e", "text/plain; name=x"],
)
def test_header_injection_in_a_content_type_is_refused_before_storing(content_type):
    helpdesk = desk()
    uploads = [("a.txt", content_type, io.BytesIO(b"a"))]
    with pytest.raises(tc.ValidationError) as caught:
        helpdesk.open_ticket(SARA, subject="Files", body="See attached.", uploads=uploads)
    assert (caught.value.code, caught.value.field) == (E.CONTENT_TYPE_INVALID, "content_type")
    assert len(helpdesk.attachments) == 0


# -- storage ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ticket_id", ["T-\ud800", 2**64, [], "", "T-1\x00", "x" * 129])
def test_an_id_no_ticket_can_have_is_simply_not_found(ticket_id, tmp_path):
    repository = SQLiteRepository(tmp_path / "t.sqlite3")
    for call in (repository.get, desk(repository).repository.get):
        with pytest.raises(tc.TicketcoreError) as caught:
            call(ticket_id)
        assert caught.value.code in {E.NOT_FOUND, E.INVALID_TYPE}


def test_an_unreadable_row_names_its_ticket_and_does_not_take_the_listing_down(tmp_path):
    path = tmp_path / "t.sqlite3"
    helpdesk = desk(SQLiteRepository(path))
    for subject in ("One", "Two", "Three"):
        helpdesk.open_ticket(SARA, subject=subject, body="Body.")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE tickets SET data = '{\"format\": 1, \"id\"' WHERE id = 'T-2'")
    connection.close()
    with pytest.raises(tc.RecordUnreadableError) as caught:
        helpdesk.get(ALI, "T-2")
    error = caught.value
    assert isinstance(error, tc.StorageError)
    assert not isinstance(error, tc.ValidationError | tc.StorageUnavailableError)
    assert (error.code, error.params["ticket_id"]) == (E.RECORD_UNREADABLE, "T-2")
    page = helpdesk.list_tickets(SARA)
    assert [t.id for t in page.items] == ["T-3", "T-1"]
    assert page.unreadable == ("T-2",)
    with pytest.raises(tc.RecordUnreadableError):
        helpdesk.collect_garbage(older_than=timedelta(0))  # it cannot know T-2's files


def test_a_wire_document_nested_too_deep_is_a_format_error():
    nested = "[" * 100_000 + "]" * 100_000
    with pytest.raises(tc.ValidationError) as caught:
        wire.ticket_from_json(nested)
    assert caught.value.code is E.FORMAT_INVALID


# -- confidentiality -------------------------------------------------------------------------


def test_a_foreign_ticket_answers_exactly_like_a_missing_one():
    helpdesk = desk()
    ticket = helpdesk.open_ticket(SARA, subject="Mine", body="Private.")
    answers = []
    for ticket_id in (ticket.id, "T-999"):
        for call in (
            lambda i=ticket_id: helpdesk.get(REZA, i),
            lambda i=ticket_id: helpdesk.reply(REZA, i, "Hi"),
            lambda i=ticket_id: helpdesk.close(REZA, i),
            lambda i=ticket_id: helpdesk.open_attachment(REZA, i, "0" * 64),
        ):
            with pytest.raises(tc.NotFoundError) as caught:
                call()
            error = caught.value
            answers.append((error.code, error.field, str(error).replace(ticket_id, "<id>")))
    assert answers[:4] == answers[4:]


def test_a_host_may_reveal_foreign_tickets_as_a_permission_error():
    helpdesk = desk(workflow=tc.Workflow.default(reveal_foreign_tickets=True))
    ticket = helpdesk.open_ticket(SARA, subject="Mine", body="Private.")
    with pytest.raises(tc.PermissionDeniedError) as caught:
        helpdesk.get(REZA, ticket.id)
    assert caught.value.code is E.NOT_YOUR_TICKET
    with pytest.raises(tc.PermissionDeniedError):
        helpdesk.list_tickets(REZA, requester_id="sara")


def test_a_status_reason_is_internal_unless_marked_public():
    helpdesk = desk()
    ticket = helpdesk.open_ticket(SARA, subject="Refund", body="Please refund.")
    helpdesk.change_status(ALI, ticket.id, "in_progress", reason="waiting on fraud team")
    helpdesk.change_status(
        ALI, ticket.id, "waiting_for_user", reason="Please send the receipt.", reason_public=True
    )
    seen = [
        e.reason for e in helpdesk.get(SARA, ticket.id).history if isinstance(e, tc.StatusChanged)
    ]
    assert seen == [None, "Please send the receipt."]
    staff = [
        e.reason for e in helpdesk.get(ALI, ticket.id).history if isinstance(e, tc.StatusChanged)
    ]
    assert staff == ["waiting on fraud team", "Please send the receipt."]


def test_a_requesters_view_shows_no_trace_of_internal_activity():
    helpdesk = desk()
    ticket = helpdesk.open_ticket(SARA, subject="Late", body="Where is it?")
    reply = helpdesk.reply(ALI, ticket.id, "Checking.")
    helpdesk.add_note(ALI, ticket.id, "Courier lost it.")
    helpdesk.add_note(ALI, ticket.id, "Refund approved.")
    third = helpdesk.reply(ALI, ticket.id, "A refund is on its way.")
    view = helpdesk.get(SARA, ticket.id)
    assert [m.id for m in view.messages] == [f"{ticket.id}.1", f"{ticket.id}.2", f"{ticket.id}.3"]
    assert view.updated_at == third.updated_at
    helpdesk.add_note(ALI, ticket.id, "Closed the courier claim.")
    later = helpdesk.get(SARA, ticket.id)
    assert later.updated_at == view.updated_at  # a note does not touch the requester's view
    assert later.version == view.version + 1  # version counts every change (docs say why)
    assert reply.messages[-1].id == f"{ticket.id}.2"


def test_a_requester_may_not_name_another_requester_in_a_listing():
    helpdesk = desk()
    helpdesk.open_ticket(REZA, subject="Theirs", body="Not sara's.")
    assert helpdesk.list_tickets(SARA, requester_id="reza").items == ()


@pytest.mark.parametrize("path", ["x" * 5000, "no/such/folder", "\ud800"])
def test_a_catalog_folder_that_cannot_be_there_is_out_of_range(path):

    with pytest.raises(tc.ValidationError) as caught:
        i18n.add_catalog_dir(path)
    assert (caught.value.code, caught.value.field) == (E.OUT_OF_RANGE, "path")


def test_a_value_whose_repr_fails_never_escapes_from_a_message():
    nested = []
    inner = nested
    for _ in range(100_000):  # deeper than repr can go
        inner.append([])
        inner = inner[0]
    for call, field in (
        (lambda: tc.Status(nested), "status"),
        (lambda: tc.ErrorCode(nested), "code"),
        (lambda: tc.Limits(content_types=[nested]), "content_types"),
        (lambda: tc.Actor.requester(nested), "actor.id"),
        (lambda: i18n.register_catalog(nested, "x.po"), "locale"),
        (lambda: tc.normalize_persian("x", digits=nested), "digits"),
    ):
        with pytest.raises(tc.ValidationError) as caught:
            call()
        assert caught.value.field == field


def test_normalize_persian_takes_a_real_bool_for_clean_zwnj():
    with pytest.raises(tc.InvalidTypeError) as caught:
        tc.normalize_persian("می‌", clean_zwnj=1)  # type: ignore[arg-type]
    assert caught.value.field == "clean_zwnj"


def test_a_timeout_past_floats_range_is_out_of_range(tmp_path):
    with pytest.raises(tc.ValidationError) as caught:
        SQLiteRepository(tmp_path / "t.sqlite3", timeout=10**400)
    assert caught.value.code is E.OUT_OF_RANGE


def test_a_repository_machine_needs_a_factory_and_names_it_without_its_repr():
    from ticketcore.testing.stateful import repository_machine

    with pytest.raises(tc.InvalidTypeError) as caught:
        repository_machine(object())  # type: ignore[arg-type]
    assert caught.value.field == "create_repository"

    class Unprintable:
        def __call__(self) -> InMemoryRepository:
            return InMemoryRepository()

        def __repr__(self) -> str:
            raise RecursionError

    name = repository_machine(Unprintable()).__name__
    assert name.startswith("RepositoryMachine[")
    assert name.endswith(".Unprintable]")


def test_a_database_name_too_long_for_the_file_system_is_a_storage_error(tmp_path):
    with pytest.raises(tc.StorageError) as caught:
        SQLiteRepository(tmp_path / ("y" * 300))
    assert (caught.value.code, caught.value.field) == (E.STORAGE_INVALID, "path")
