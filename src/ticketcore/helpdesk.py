"""The helpdesk service: the help page's actions, over storage, a clock and a policy.

A :class:`Helpdesk` is built from everything at the edges, passed in explicitly: a
:class:`~ticketcore.ports.TicketRepository`, an
:class:`~ticketcore.ports.AttachmentStore`, a :class:`~ticketcore.ports.Clock`, an
:class:`~ticketcore.ports.IdGenerator`, a :class:`~ticketcore.Workflow` and an SLA
policy. Every method takes the acting :class:`~ticketcore.Actor`; the time comes from
the clock and new ids from the id generator.

>>> from datetime import datetime, timedelta, timezone
>>> import ticketcore as tc
>>> from ticketcore.clock import FixedClock, SequentialIds
>>> clock = FixedClock(datetime(2026, 3, 21, 9, 0, tzinfo=timezone.utc))
>>> helpdesk = Helpdesk.in_memory(clock=clock, ids=SequentialIds(prefix="T-"))
>>> sara, ali = tc.Actor.requester("sara"), tc.Actor.agent("ali")
>>> ticket = helpdesk.open_ticket(
...     sara, subject="Payment failed", body="Charged twice.", priority="high"
... )
>>> ticket.id, ticket.status
('T-1', <Status.OPEN: 'open'>)
>>> helpdesk.policy.next_deadline(ticket).isoformat()  # high: first response in 6 hours
'2026-03-21T15:00:00+00:00'
>>> [t.id for t in helpdesk.at_risk(ali, within=timedelta(hours=8)).items]
['T-1']
>>> helpdesk.reply(ali, "T-1", "We are on it.").version
2
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import BinaryIO, NamedTuple, TypedDict, TypeVar

from ticketcore import _check
from ticketcore._time import require_aware
from ticketcore.enums import Category, Priority, Status
from ticketcore.errors import (
    ConflictError,
    ErrorCode,
    NotFoundError,
    TicketcoreError,
    ValidationError,
    out_of_range,
    wrong_type,
)
from ticketcore.events import Event
from ticketcore.model import Actor, Attachment, Message, require_actor
from ticketcore.ports import (
    CHUNK_SIZE,
    MAX_PAGE_SIZE,
    AttachmentStore,
    Clock,
    DeadlinePolicy,
    Eraser,
    IdGenerator,
    Order,
    Page,
    ReadableStream,
    StateWriter,
    StoredContent,
    ThreadReader,
    TicketQuery,
    TicketRepository,
    TicketSearch,
    check_ticket_id,
    record_unreadable,
    rewrite_mismatch,
    thread_page,
    thread_position,
)
from ticketcore.ticket import Change, Ticket, public_event
from ticketcore.workflow import Action, Workflow

__all__ = ["ACTIVE_STATUSES", "ErasureReport", "Helpdesk", "RecomputeReport", "Upload"]

_T = TypeVar("_T")

#: The statuses of tickets that still need the support team: an agent's queue.
ACTIVE_STATUSES: frozenset[Status] = frozenset(
    {Status.OPEN, Status.IN_PROGRESS, Status.WAITING_FOR_USER}
)

# Validates an upload's metadata before its bytes are stored; never stored itself.
_PLACEHOLDER_DIGEST = "0" * 64
_PLACEHOLDER_ID = "ticket-being-opened"


class Upload(NamedTuple):
    """A file as a user sends it: its name, its content type and a binary stream.

    Plain ``(filename, content_type, stream)`` tuples work too.
    """

    filename: str
    content_type: str
    stream: ReadableStream


_Operation = Callable[[Ticket, datetime, tuple[Attachment, ...]], Change]
_Uploads = tuple[tuple[str, str, ReadableStream], ...]


class Helpdesk:
    """The support desk: open, reply, attach, triage, close, read and list tickets.

    Every change loads the ticket, applies the operation (which checks the input and
    the actor's permission through ``workflow``), and saves it with its next SLA
    deadline from ``policy``. When someone else saved the ticket in between
    (:class:`~ticketcore.ConflictError`, code ``conflict``), it reloads and applies the
    operation again, up to ``attempts`` tries in all, then lets the conflict through.
    An operation is never dated before the ticket's last change, even if this host's
    clock runs slightly behind another's.

    Methods return the ticket as the actor may see it (a requester never sees internal
    notes). Uploads are ``(filename, content_type, stream)``: the metadata and the
    operation are checked first, then the bytes are streamed into ``attachments``
    under the workflow's size limit, then the ticket is changed. A call that fails
    leaves tickets, the event log and the attachment store as they were: content it
    stored is discarded again (see :meth:`collect_garbage` for what a crash leaves).
    """

    def __init__(
        self,
        *,
        repository: TicketRepository,
        attachments: AttachmentStore,
        clock: Clock,
        ids: IdGenerator,
        workflow: Workflow,
        policy: DeadlinePolicy,
        attempts: int = 3,
    ) -> None:
        for name, value, protocol in (
            ("repository", repository, TicketRepository),
            ("attachments", attachments, AttachmentStore),
            ("clock", clock, Clock),
            ("ids", ids, IdGenerator),
            ("workflow", workflow, Workflow),
            ("policy", policy, DeadlinePolicy),
        ):
            if not isinstance(value, protocol):
                raise wrong_type(name, protocol.__name__, value)
        _check.integer(attempts, "attempts", minimum=1, maximum=100)
        self._repository = repository
        self._attachments = attachments
        self._clock = clock
        self._ids = ids
        self._workflow = workflow
        self._policy = policy
        self._attempts = attempts

    @classmethod
    def in_memory(
        cls,
        *,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
        workflow: Workflow | None = None,
        policy: DeadlinePolicy | None = None,
    ) -> Helpdesk:
        """A helpdesk on the in-memory adapters, for tests and demos.

        Defaults: the system clock, UUID ids, ``Workflow.default()`` and
        ``SLAPolicy.default()``.
        """
        for name, value, protocol in (
            ("clock", clock, Clock),
            ("ids", ids, IdGenerator),
            ("workflow", workflow, Workflow),
            ("policy", policy, DeadlinePolicy),
        ):
            if value is not None and not isinstance(value, protocol):
                raise wrong_type(name, protocol.__name__, value)
        from ticketcore.clock import SystemClock, UuidIds  # noqa: PLC0415 - only here
        from ticketcore.sla import SLAPolicy  # noqa: PLC0415
        from ticketcore.storage.memory import (  # noqa: PLC0415
            InMemoryAttachmentStore,
            InMemoryRepository,
        )

        return cls(
            repository=InMemoryRepository(),
            attachments=InMemoryAttachmentStore(),
            clock=clock or SystemClock(),
            ids=ids or UuidIds(),
            workflow=workflow or Workflow.default(),
            policy=policy or SLAPolicy.default(),
        )

    # -- what it is built from -----------------------------------------------------------

    @property
    def repository(self) -> TicketRepository:
        """Where tickets live (a host reads its event log to send notifications)."""
        return self._repository

    @property
    def attachments(self) -> AttachmentStore:
        """Where attached files live."""
        return self._attachments

    @property
    def clock(self) -> Clock:
        """The source of time."""
        return self._clock

    @property
    def workflow(self) -> Workflow:
        """The lifecycle and permission rules."""
        return self._workflow

    @property
    def policy(self) -> DeadlinePolicy:
        """The SLA policy that sets each ticket's next deadline."""
        return self._policy

    # -- opening ---------------------------------------------------------------------------

    def open_ticket(
        self,
        actor: Actor,
        *,
        subject: str,
        body: str,
        category: Category | str = Category.GENERAL,
        priority: Priority | str = Priority.MEDIUM,
        requester_id: str | None = None,
        references: Mapping[str, str] | None = None,
        uploads: Iterable[tuple[str, str, ReadableStream]] = (),
    ) -> Ticket:
        """Open a ticket with its first message (and files) under a new id.

        An id that turns out to be taken (:class:`~ticketcore.ConflictError`,
        ``already_exists``) is replaced by a fresh one, up to ``attempts`` tries.
        """

        def opening(ticket_id: str, at: datetime, files: tuple[Attachment, ...]) -> Change:
            return Ticket.open(
                actor,
                id=ticket_id,
                subject=subject,
                body=body,
                at=at,
                category=category,
                priority=priority,
                requester_id=requester_id,
                attachments=files,
                references=references,
                workflow=self._workflow,
            )

        items = self._uploads(uploads)
        opening(_PLACEHOLDER_ID, self._now(), _placeholders(items))
        with self._storing(items) as files:
            attempt = 1
            while True:
                ticket = opening(self._ids.new_id(), self._now(), files).ticket
                try:
                    self._repository.add(ticket, next_deadline=self._policy.next_deadline(ticket))
                except ConflictError as error:
                    if error.code is not ErrorCode.ALREADY_EXISTS or attempt >= self._attempts:
                        raise
                    attempt += 1
                else:
                    return ticket.visible_to(actor, workflow=self._workflow)

    # -- messages --------------------------------------------------------------------------

    def reply(
        self,
        actor: Actor,
        ticket_id: str,
        body: str,
        *,
        internal: bool = False,
        uploads: Iterable[tuple[str, str, ReadableStream]] = (),
    ) -> Ticket:
        """Add a message (``internal=True``: an agent-only note), with optional files."""

        _check.boolean(internal, "internal")

        def replying(ticket: Ticket, at: datetime, files: tuple[Attachment, ...]) -> Change:
            return ticket.reply(
                actor, body, at=at, internal=internal, attachments=files, workflow=self._workflow
            )

        return self._update(actor, ticket_id, replying, uploads)

    def add_note(
        self,
        actor: Actor,
        ticket_id: str,
        body: str,
        *,
        uploads: Iterable[tuple[str, str, ReadableStream]] = (),
    ) -> Ticket:
        """Add an internal note that requesters never see."""
        return self.reply(actor, ticket_id, body, internal=True, uploads=uploads)

    def attach(
        self,
        actor: Actor,
        ticket_id: str,
        uploads: Iterable[tuple[str, str, ReadableStream]],
        *,
        body: str = "",
        internal: bool = False,
    ) -> Ticket:
        """Attach files, with an optional short note, as a message of their own."""

        _check.boolean(internal, "internal")

        def attaching(ticket: Ticket, at: datetime, files: tuple[Attachment, ...]) -> Change:
            return ticket.attach(
                actor, files, at=at, body=body, internal=internal, workflow=self._workflow
            )

        items = self._uploads(uploads)
        if not items:
            raise ValidationError(
                ErrorCode.ATTACHMENTS_REQUIRED,
                "attach needs at least one file",
                field="attachments",
            )
        return self._update(actor, ticket_id, attaching, items)

    # -- status and triage -----------------------------------------------------------------

    def change_status(
        self,
        actor: Actor,
        ticket_id: str,
        to: Status | str,
        *,
        reason: str | None = None,
        reason_public: bool = False,
    ) -> Ticket:
        """Move the ticket to status ``to``, if the workflow lets ``actor`` do so.

        ``reason`` is for the team unless ``reason_public=True`` shares it with the
        requester.
        """
        return self._update(
            actor,
            ticket_id,
            lambda ticket, at, _files: ticket.change_status(
                actor,
                to,
                at=at,
                reason=reason,
                reason_public=reason_public,
                workflow=self._workflow,
            ),
        )

    def close(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        reason: str | None = None,
        reason_public: bool = False,
    ) -> Ticket:
        """Close the ticket."""
        return self.change_status(
            actor, ticket_id, Status.CLOSED, reason=reason, reason_public=reason_public
        )

    def assign(self, actor: Actor, ticket_id: str, assignee_id: str | None) -> Ticket:
        """Assign the ticket to an agent's id, or unassign it with ``None``."""
        return self._update(
            actor,
            ticket_id,
            lambda ticket, at, _files: ticket.assign(
                actor, assignee_id, at=at, workflow=self._workflow
            ),
        )

    def change_priority(self, actor: Actor, ticket_id: str, priority: Priority | str) -> Ticket:
        """Set the priority (which moves the SLA deadlines)."""
        return self._update(
            actor,
            ticket_id,
            lambda ticket, at, _files: ticket.change_priority(
                actor, priority, at=at, workflow=self._workflow
            ),
        )

    def change_category(self, actor: Actor, ticket_id: str, category: Category | str) -> Ticket:
        """Set the category."""
        return self._update(
            actor,
            ticket_id,
            lambda ticket, at, _files: ticket.change_category(
                actor, category, at=at, workflow=self._workflow
            ),
        )

    # -- reading ---------------------------------------------------------------------------

    def get(self, actor: Actor, ticket_id: str) -> Ticket:
        """The ticket as ``actor`` may see it.

        :class:`~ticketcore.NotFoundError` if there is none, and (by default) the same
        for a requester asking for another user's ticket (see
        :attr:`Workflow.reveal_foreign_tickets`).
        """
        actor = require_actor(actor)
        return self._load(ticket_id).visible_to(actor, workflow=self._workflow)

    def messages(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        newest_first: bool = False,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[Message]:
        """One page of a ticket's messages as ``actor`` may see them, oldest first (or
        newest first); ``cursor`` is the ``next_cursor`` of the page before.

        A requester's page never holds internal notes: on a repository that reads
        threads by page (:class:`~ticketcore.ports.ThreadReader`), they are left out by
        the query, and only the page is read; on any other, the loaded ticket is paged.
        Who may see the ticket at all is decided as for :meth:`get`.
        """
        view, public, asked = self._thread_view(actor, ticket_id, newest_first, limit, cursor)
        if isinstance(self._repository, ThreadReader):
            return self._repository.message_page(view.id, public=public, **asked)
        return _paged(view.messages, **asked)

    def history(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        newest_first: bool = False,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[Event]:
        """One page of a ticket's history as ``actor`` may see it (see :meth:`messages`):
        a requester's page leaves out the events that added notes and shows a status
        change's reason only when it was made public."""
        view, public, asked = self._thread_view(actor, ticket_id, newest_first, limit, cursor)
        if not isinstance(self._repository, ThreadReader):
            return _paged(view.history, **asked)
        page = self._repository.event_page(view.id, public=public, **asked)
        if not public:
            return page
        return Page(tuple(public_event(event) for event in page.items), page.next_cursor)

    def search(
        self, actor: Actor, text: str, *, limit: int = 20, cursor: str | None = None
    ) -> Page[Ticket]:
        """Tickets whose subject or messages hold every word of ``text``, best match
        first, as ``actor`` may see them; ``cursor`` is the ``next_cursor`` of the page
        before.

        Words match as prefixes, after folding the spellings Persian readers take for
        one (Arabic ``ي``/``ك``, Persian and Arabic-Indic digits, ZWNJ and its
        look-alikes, diacritics, kashida; see :class:`~ticketcore.ports.TicketSearch`).
        A requester finds only their own tickets, and only those who may read internal
        notes find text through one: both are part of the query. A text without words
        finds nothing. The repository must be a ``TicketSearch`` (every shipped one is).
        """
        actor = require_actor(actor)
        self._workflow.check_action(Action.VIEW, actor)
        repository = self._repository
        if not isinstance(repository, TicketSearch):
            raise wrong_type("repository", "a repository with search (TicketSearch)", repository)
        anyone = self._workflow.permits(Action.ACT_ON_ANY_TICKET, actor)
        page = repository.search(
            text,
            requester_id=None if anyone else actor.id,
            notes=self._workflow.permits(Action.VIEW_NOTES, actor),
            limit=limit,
            cursor=cursor,
        )
        return Page(
            tuple(ticket.visible_to(actor, workflow=self._workflow) for ticket in page.items),
            page.next_cursor,
            page.unreadable,
        )

    def _thread_view(
        self, actor: Actor, ticket_id: str, newest_first: object, limit: object, cursor: object
    ) -> tuple[Ticket, bool, _PageAsked]:
        """The ticket as ``actor`` sees it (its state only), whether they see only the
        public part of its thread, and the page they asked for, checked."""
        actor = require_actor(actor)
        asked = _PageAsked(
            newest_first=_check.boolean(newest_first, "newest_first"),
            limit=_check.integer(limit, "limit", minimum=1, maximum=MAX_PAGE_SIZE),
            cursor=None if cursor is None else _check.text(cursor, "cursor"),
        )
        view = self.get(actor, ticket_id)
        return view, not self._workflow.permits(Action.VIEW_NOTES, actor), asked

    def open_attachment(
        self, actor: Actor, ticket_id: str, sha256: str
    ) -> tuple[Attachment, BinaryIO]:
        """An attachment of a ticket, if ``actor`` can see it, and a stream of its bytes.

        Files of internal notes are found only by those who see the notes; anything else
        is :class:`~ticketcore.NotFoundError`. The caller closes the stream.
        """
        view = self.get(actor, ticket_id)
        digest = _check.text(sha256, "sha256").lower()
        for message in view.messages:
            for attachment in message.attachments:
                if attachment.sha256 == digest:
                    return attachment, self._attachments.open(digest)
        raise NotFoundError(
            ErrorCode.ATTACHMENT_NOT_FOUND,
            f"ticket {ticket_id!r} has no attachment {digest[:64]!r} visible to {actor.id!r}",
            field="sha256",
            params={"ticket_id": ticket_id, "sha256": digest[:64]},
        )

    def list_tickets(
        self,
        actor: Actor,
        *,
        requester_id: str | None = None,
        statuses: Iterable[Status | str] | None = None,
        priorities: Iterable[Priority | str] | None = None,
        categories: Iterable[Category | str] | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """A user's tickets, newest first: what "Tickets" in the dashboard shows.

        ``statuses``, ``priorities`` and ``categories`` narrow the list (``None``: all).

        A requester lists their own: ``requester_id`` defaults to theirs, and naming
        another user's lists nothing, as for a user without tickets (with
        :attr:`Workflow.reveal_foreign_tickets`, a
        :class:`~ticketcore.PermissionDeniedError`). Agents and the system list any
        requester's, or every ticket when ``requester_id`` is ``None``.
        """
        actor = require_actor(actor)
        self._workflow.check_action(Action.VIEW, actor)
        if requester_id is not None:
            requester_id = _check.text(requester_id, "requester_id")
        if not self._workflow.permits(Action.ACT_ON_ANY_TICKET, actor):
            if requester_id not in {None, actor.id}:
                assert requester_id is not None  # noqa: S101 - narrowed above
                if self._workflow.reveal_foreign_tickets:
                    self._workflow.check_access(actor, requester_id=requester_id)
                _check.integer(limit, "limit", minimum=1, maximum=MAX_PAGE_SIZE)
                return Page(())
            requester_id = actor.id
        query = TicketQuery(
            requester_id=requester_id,
            statuses=statuses,
            priorities=priorities,
            categories=categories,
            order=Order.CREATED,
            descending=True,
        )
        return self._page(actor, query, limit=limit, cursor=cursor)

    def queue(
        self,
        actor: Actor,
        *,
        assignee_id: str | None = None,
        unassigned: bool = False,
        statuses: Iterable[Status | str] | None = ACTIVE_STATUSES,
        order: Order | str = Order.CREATED,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """An agent's queue: the active tickets assigned to them, oldest first.

        ``assignee_id`` picks another agent's queue, ``unassigned=True`` the tickets
        nobody has taken; ``order="due"`` sorts by SLA deadline instead. Agents and the
        system only.
        """
        actor = require_actor(actor)
        self._workflow.check_action(Action.VIEW_QUEUE, actor)
        _check.boolean(unassigned, "unassigned")
        if assignee_id is not None:
            _check.text(assignee_id, "assignee_id")
        query = TicketQuery(
            assignee_id=None if unassigned else (assignee_id or actor.id),
            unassigned=unassigned,
            statuses=statuses,
            order=order,
        )
        return self._page(actor, query, limit=limit, cursor=cursor)

    def at_risk(
        self,
        actor: Actor,
        *,
        within: timedelta,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[Ticket]:
        """Tickets whose next SLA deadline falls before now + ``within``, soonest first.

        Tickets already past their deadline come first. Agents and the system only.
        """
        actor = require_actor(actor)
        self._workflow.check_action(Action.VIEW_AT_RISK, actor)
        _check.duration(within, "within")
        try:
            due_before = self._now() + within
        except OverflowError:
            raise out_of_range(
                "within", within, "a window that ends before the year 10000"
            ) from None
        query = TicketQuery(due_before=due_before, order=Order.DUE)
        return self._page(actor, query, limit=limit, cursor=cursor)

    # -- internals -------------------------------------------------------------------------

    def _now(self) -> datetime:
        return require_aware(self._clock.now(), "now")

    def _load(self, ticket_id: object) -> Ticket:
        """The stored ticket; an id that no ticket could have is simply not found."""
        return self._repository.get(check_ticket_id(ticket_id))

    def _update(
        self,
        actor: Actor,
        ticket_id: str,
        operation: _Operation,
        uploads: Iterable[tuple[str, str, ReadableStream]] = (),
    ) -> Ticket:
        actor = require_actor(actor)
        items = self._uploads(uploads)
        if items:
            ticket = self._load(ticket_id)
            operation(ticket, max(self._now(), ticket.updated_at), _placeholders(items))
        with self._storing(items) as files:
            attempt = 1
            while True:
                ticket = self._load(ticket_id)
                change = operation(ticket, max(self._now(), ticket.updated_at), files)
                if not change.events:  # the value it already had: nothing to save
                    return change.ticket.visible_to(actor, workflow=self._workflow)
                try:
                    self._repository.save(
                        change.ticket,
                        expected_version=ticket.version,
                        next_deadline=self._policy.next_deadline(change.ticket),
                    )
                except ConflictError as error:
                    if error.code is not ErrorCode.CONFLICT or attempt >= self._attempts:
                        raise
                    attempt += 1
                else:
                    return change.ticket.visible_to(actor, workflow=self._workflow)

    def _uploads(self, uploads: object) -> _Uploads:
        """The uploads of one call, each a ``(filename, content_type, stream)`` triple."""
        limit = self._workflow.limits.attachments_per_message
        items = _check.items(uploads, "uploads", limit=limit)
        for item in items:
            if (
                not isinstance(item, tuple)
                or len(item) != 3  # noqa: PLR2004 - a triple
                or not isinstance(item[2], ReadableStream)
            ):
                raise wrong_type("uploads", "(filename, content_type, stream) triples", item)
        return items  # type: ignore[return-value]

    @contextlib.contextmanager
    def _storing(self, uploads: _Uploads) -> Iterator[tuple[Attachment, ...]]:
        """Store the uploads' bytes for the block; discard them again if it fails."""
        stored: list[StoredContent] = []
        try:
            yield self._store(uploads, stored)
        except BaseException:
            for content in stored:
                with contextlib.suppress(TicketcoreError):
                    self._attachments.discard(content)
            raise

    def _store(self, uploads: _Uploads, stored: list[StoredContent]) -> tuple[Attachment, ...]:
        limit = self._workflow.limits.attachment_max_size
        files: list[Attachment] = []
        for filename, content_type, stream in uploads:
            head = stream.read(CHUNK_SIZE)
            if not isinstance(head, bytes | bytearray | memoryview):
                raise wrong_type("stream", "a binary stream", head)
            if not head:
                raise ValidationError(
                    ErrorCode.ATTACHMENT_EMPTY,
                    f"{filename!r} is empty",
                    field="size",
                    params={"value": filename, "size": 0},
                )
            try:
                content = self._attachments.put(_Prefixed(bytes(head), stream), max_size=limit)
            except ValidationError as error:
                if error.code is not ErrorCode.ATTACHMENT_TOO_LARGE:
                    raise
                raise ValidationError(
                    ErrorCode.ATTACHMENT_TOO_LARGE,
                    f"{filename!r} is larger than the limit of {limit} bytes",
                    field="size",
                    params={"value": filename, "size": error.params.get("size"), "limit": limit},
                ) from error
            stored.append(content)
            files.append(content.attachment(filename, content_type))
        return tuple(files)

    def collect_garbage(self, *, older_than: timedelta = timedelta(hours=1)) -> int:
        """Remove attachment content that no ticket references; returns how many.

        What a crash between storing an upload and saving its ticket leaves behind.
        Content stored (or stored again) within ``older_than`` is kept, so calls in
        progress are safe: run it while writers run, from a scheduled job. A stored ticket
        that cannot be read stops it (:class:`~ticketcore.RecordUnreadableError`) before
        anything is removed, since the content it refers to is unknown.
        """
        older_than = _check.duration(older_than, "older_than")
        referenced: set[str] = set()
        cursor = None
        while True:
            page = self._repository.query(TicketQuery(), limit=MAX_PAGE_SIZE, cursor=cursor)
            if page.unreadable:  # its attachments are unknown: sweeping could lose them
                raise record_unreadable(
                    page.unreadable[0], "collect_garbage keeps every attachment until it is read"
                )
            for ticket in page.items:
                for message in ticket.messages:
                    referenced.update(item.sha256 for item in message.attachments)
            cursor = page.next_cursor
            if cursor is None:
                break
        return self._attachments.sweep(referenced, older_than=older_than)

    def _page(
        self, actor: Actor, query: TicketQuery, *, limit: int, cursor: str | None
    ) -> Page[Ticket]:
        page = self._repository.query(query, limit=limit, cursor=cursor)
        return Page(
            tuple(ticket.visible_to(actor, workflow=self._workflow) for ticket in page.items),
            page.next_cursor,
            page.unreadable,
        )

    # -- erasure -----------------------------------------------------------------------------

    def erase_requester(self, actor: Actor, requester_id: str) -> ErasureReport:
        """Erase a requester's personal data from every ticket they have (the right to be
        forgotten), and record on each that it happened.

        Each ticket loses its subject, every message's body and files, its references
        and its status reasons, from its whole history, event log and search index;
        the requester becomes a new random pseudonym (``ErasureReport.pseudonym``) in it
        (see :meth:`Ticket.erase_requester`). Ids, times, statuses and SLA facts stay,
        and each ticket gets a :class:`~ticketcore.RequesterErased` event, which the
        outbox hands to consumers so they erase their copies too. The files' bytes are
        deleted from the attachment store, even if the same bytes were uploaded to
        another ticket (the store keeps one copy of identical content). Then the
        repository purges what the rewrites left in its files
        (:class:`~ticketcore.ports.Eraser`); if it cannot finish (on SQLite, while
        another connection reads an old snapshot) it raises
        :class:`~ticketcore.StorageUnavailableError` with the tickets already erased:
        call again later, which only purges. Needs the ``erase`` action (the system
        only, by default); a requester with no tickets is nothing to do.
        """
        actor = require_actor(actor)
        self._workflow.check_action(Action.ERASE, actor)
        requester_id = _check.text(requester_id, "requester_id")
        repository = self._repository
        if not isinstance(repository, Eraser):
            raise wrong_type("repository", "a repository with rewrite (Eraser)", repository)
        pseudonym = f"erased-{uuid.uuid4().hex}"
        erased: list[str] = []
        files: set[str] = set()
        unreadable: list[str] = []
        query = TicketQuery(requester_id=requester_id, order=Order.CREATED)
        cursor: str | None = None
        while True:
            # a keyset cursor goes on past the tickets erased (and so gone from the query)
            page = repository.query(query, limit=MAX_PAGE_SIZE, cursor=cursor)
            unreadable.extend(page.unreadable)
            for found in page.items:
                if found.id in erased:  # the store still lists it under the requester
                    raise rewrite_mismatch(found.id)
                if self._erase(
                    actor,
                    repository,
                    found.id,
                    requester_id=requester_id,
                    pseudonym=pseudonym,
                    files=files,
                ):
                    erased.append(found.id)
            cursor = page.next_cursor
            if cursor is None:
                break
        for sha256 in sorted(files):
            self._attachments.delete(sha256)
        repository.purge()
        return ErasureReport(pseudonym, tuple(erased), len(files), tuple(unreadable))

    def _erase(
        self,
        actor: Actor,
        repository: Eraser,
        ticket_id: str,
        *,
        requester_id: str,
        pseudonym: str,
        files: set[str],
    ) -> bool:
        """Erase one ticket of ``requester_id``, adding its files to ``files``; ``False``
        if it is no longer theirs (another erasure got there first)."""
        attempt = 1
        while True:
            ticket = self._load(ticket_id)
            if ticket.requester_id != requester_id:
                return False
            found = {a.sha256 for message in ticket.messages for a in message.attachments}
            change = ticket.erase_requester(
                actor,
                at=max(self._now(), ticket.updated_at),
                pseudonym=pseudonym,
                workflow=self._workflow,
            )
            try:
                repository.rewrite(
                    change.ticket,
                    expected_version=ticket.version,
                    next_deadline=self._policy.next_deadline(change.ticket),
                )
            except ConflictError as error:
                if error.code is not ErrorCode.CONFLICT or attempt >= self._attempts:
                    raise
                attempt += 1
            else:
                files |= found
                return True

    # -- maintenance -------------------------------------------------------------------------

    def recompute_deadlines(
        self, *, cursor: str | None = None, batch: int = 200, max_tickets: int | None = None
    ) -> RecomputeReport:
        """After a change of SLA policy: recompute each stored ticket's SLA clocks and
        next deadline under this helpdesk's policy, from its stored events.

        Tickets are taken oldest first, ``batch`` per page, until all were seen or
        ``max_tickets`` were; the report's ``next_cursor`` resumes a run that stopped
        (``None``: done). A ticket whose stored clocks this policy already counts alike
        (see :meth:`SLAPolicy.holds_clocks`) is left alone, so running it again changes
        nothing. A ticket saved meanwhile is left to that save, which computed its
        deadline itself. Versions and the event log are never touched. The repository
        must be a :class:`~ticketcore.ports.StateWriter` (every shipped adapter is).
        """
        repository = self._repository
        if not isinstance(repository, StateWriter):
            raise wrong_type("repository", "a repository with restate (StateWriter)", repository)
        batch = _check.integer(batch, "batch", minimum=1, maximum=MAX_PAGE_SIZE)
        if max_tickets is not None:
            _check.integer(max_tickets, "max_tickets", minimum=1, maximum=2**62)
        if cursor is not None:
            _check.text(cursor, "cursor")
        holds = getattr(self._policy, "holds_clocks", None)
        query = TicketQuery(order=Order.CREATED)
        examined = 0
        changed: list[tuple[str, datetime | None]] = []
        moved_on: list[str] = []
        unreadable: list[str] = []
        while True:
            size = batch if max_tickets is None else min(batch, max_tickets - examined)
            page = repository.query(query, limit=size, cursor=cursor)
            unreadable.extend(page.unreadable)
            for ticket in page.items:
                examined += 1
                if callable(holds) and holds(ticket):
                    continue
                deadline = self._policy.next_deadline(ticket)  # folds from the stored events
                if repository.restate(ticket, next_deadline=deadline):
                    changed.append((ticket.id, deadline))
                else:
                    moved_on.append(ticket.id)
            cursor = page.next_cursor
            if cursor is None or (max_tickets is not None and examined >= max_tickets):
                break
        return RecomputeReport(examined, tuple(changed), tuple(moved_on), tuple(unreadable), cursor)

    def __repr__(self) -> str:
        return f"Helpdesk(repository={self._repository!r}, attachments={self._attachments!r})"


def _placeholders(uploads: tuple[tuple[str, str, ReadableStream], ...]) -> tuple[Attachment, ...]:
    """Metadata with a stand-in size and digest, to check an operation before storing."""
    return tuple(
        Attachment(filename, content_type, 1, _PLACEHOLDER_DIGEST)
        for filename, content_type, _stream in uploads
    )


class _Prefixed:
    """A stream's first chunk, already read, followed by the rest of the stream."""

    __slots__ = ("_head", "_rest")

    def __init__(self, head: bytes, rest: ReadableStream) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        if not self._head:
            return self._rest.read(size)
        if size < 0:
            head, self._head = self._head, b""
            return head + self._rest.read()
        part, self._head = self._head[:size], self._head[size:]
        return part


class ErasureReport(NamedTuple):
    """What :meth:`Helpdesk.erase_requester` did."""

    #: the random id the requester goes by in their erased tickets
    pseudonym: str
    #: the tickets it erased
    tickets: tuple[str, ...]
    #: how many files' bytes it deleted
    files: int
    #: tickets of the requester whose stored record could not be read, left as they are
    unreadable: tuple[str, ...]


class RecomputeReport(NamedTuple):
    """What :meth:`Helpdesk.recompute_deadlines` did."""

    #: how many stored tickets it looked at
    examined: int
    #: ``(ticket id, new next deadline)`` of each ticket it recomputed and rewrote
    changed: tuple[tuple[str, datetime | None], ...]
    #: tickets saved by someone else while it ran: their save holds their deadline
    moved_on: tuple[str, ...]
    #: tickets whose stored record could not be read (see ``Page.unreadable``)
    unreadable: tuple[str, ...]
    #: where to resume (``cursor=``), or ``None`` when every ticket was seen
    next_cursor: str | None


class _PageAsked(TypedDict):
    newest_first: bool
    limit: int
    cursor: str | None


def _paged(items: Sequence[_T], *, newest_first: bool, limit: int, cursor: str | None) -> Page[_T]:
    """A page of a loaded ticket's thread (as its viewer sees it), by position in it."""
    after = thread_position(cursor, newest_first=newest_first)
    rows = list(enumerate(items, start=1))
    if newest_first:
        rows.reverse()
    if after is not None:
        rows = [row for row in rows if (row[0] < after if newest_first else row[0] > after)]
    return thread_page(rows[: limit + 1], limit=limit, newest_first=newest_first)
