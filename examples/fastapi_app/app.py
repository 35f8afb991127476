"""A web back end for the help page's actions: ticketcore's Helpdesk on SQLite, over HTTP.

    python examples/fastapi_app/app.py             # http://127.0.0.1:8000/docs

Every request names its caller in the ``X-Actor`` header (``requester:sara``,
``agent:ali``); a real application takes the actor from its own sign-in instead. Errors
are JSON ``{"code", "field", "message"}``: ``code`` and ``field`` are ticketcore's stable
names, ``message`` is a sentence in the language ``Accept-Language`` asks for (Persian
or English).

FastAPI is this example's dependency, not ticketcore's: ``pip install 'ticketcore[examples]'``.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, BinaryIO
from urllib.parse import quote

from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    File,
    Form,
    Header,
    Query,
    Request,
    UploadFile,
    params,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

import ticketcore as tc
from ticketcore import i18n, serialization
from ticketcore.clock import SystemClock, UuidIds
from ticketcore.ports import Clock, IdGenerator
from ticketcore.storage import FileAttachmentStore, SQLiteRepository

# -- the helpdesk ----------------------------------------------------------------------------


def sqlite_helpdesk(
    database: str | Path = "tickets.sqlite3",
    files: str | Path = "attachments",
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    workflow: tc.Workflow | None = None,
) -> tc.Helpdesk:
    """The helpdesk this app serves: tickets in a SQLite file, attachments in a folder."""
    return tc.Helpdesk(
        repository=SQLiteRepository(database),
        attachments=FileAttachmentStore(files),
        clock=clock or SystemClock(),
        ids=ids or UuidIds(prefix="T-"),
        workflow=workflow or tc.Workflow.default(),
        policy=tc.SLAPolicy.default(),
    )


def create_app(helpdesk: tc.Helpdesk | None = None) -> FastAPI:
    """The web app over ``helpdesk`` (by default ``sqlite_helpdesk()``, in the current folder)."""
    desk = helpdesk if helpdesk is not None else sqlite_helpdesk()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        close = getattr(desk.repository, "close", None)
        if callable(close):
            close()

    app = FastAPI(title="ticketcore help desk", lifespan=lifespan)
    app.state.helpdesk = desk
    app.add_exception_handler(tc.TicketcoreError, ticketcore_error)
    app.add_exception_handler(ActorRequiredError, actor_required)
    app.add_exception_handler(RequestValidationError, malformed_request)
    app.include_router(router)
    return app


# -- who is asking, in which language --------------------------------------------------------


class ActorRequiredError(Exception):
    """The request has no usable ``X-Actor`` header."""


def current_actor(x_actor: Annotated[str | None, Header()] = None) -> tc.Actor:
    """The caller, from ``X-Actor: role:id`` (an unknown role is a ValidationError)."""
    role, separator, actor_id = (x_actor or "").partition(":")
    if not separator or not role.strip() or not actor_id.strip():
        raise ActorRequiredError
    return tc.Actor(actor_id.strip(), role.strip().lower())


def preferred_locale(accept_language: str | None) -> str:
    """The best language with a catalog for an ``Accept-Language`` header; else English."""
    available = {locale.split("_")[0] for locale in i18n.available_locales()}
    best, best_weight = "en", 0.0
    for item in (accept_language or "").split(","):
        tag, *parameters = item.split(";")
        language = tag.strip().replace("_", "-").split("-")[0].lower()
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.strip().partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if language in available and weight > best_weight:
            best, best_weight = language, weight
    return best


def helpdesk_of(request: Request) -> tc.Helpdesk:
    desk: tc.Helpdesk = request.app.state.helpdesk
    return desk


def locale_of(accept_language: Annotated[str | None, Header()] = None) -> str:
    return preferred_locale(accept_language)


JSONObject = dict[str, Any]
Desk = Annotated[tc.Helpdesk, Depends(helpdesk_of)]
Caller = Annotated[tc.Actor, Depends(current_actor)]
Locale = Annotated[str, Depends(locale_of)]


def permitted(action: tc.Action) -> params.Depends:
    """A route dependency: the workflow decides whether the caller may take ``action``.

    FastAPI runs a route's dependencies before it parses the route's own parameters, so
    a caller without the right hears 403 whatever the query holds: a staff-only
    parameter is never parsed, nor its problems reported, for someone who may not use
    it. The app keeps no rights of its own; the Helpdesk method asks again.
    """

    def check(desk: Desk, caller: Caller) -> None:
        desk.workflow.check_action(action, caller)

    dependency: params.Depends = Depends(check)
    return dependency


# -- errors ----------------------------------------------------------------------------------

# The first class an error is an instance of decides its HTTP status.
STATUS_CODES: tuple[tuple[type[tc.TicketcoreError], int], ...] = (
    (tc.ValidationError, 422),
    (tc.PermissionDeniedError, 403),
    (tc.NotFoundError, 404),
    (tc.ConflictError, 409),
    (tc.TransitionError, 409),
    (tc.StorageUnavailableError, 503),
)

ACTOR_REQUIRED = {
    "en": "Say who is asking: send an X-Actor header such as “requester:sara”.",
    "fa": "درخواست‌کننده مشخص نیست: سرآیند X-Actor را بفرستید، مثلاً «requester:sara».",
}


def error_body(code: str, field: str | None, message: str) -> dict[str, str | None]:
    return {"code": code, "field": field, "message": message}


def localized(request: Request, status_code: int, body: dict[str, str | None]) -> JSONResponse:
    locale = preferred_locale(request.headers.get("accept-language"))
    return JSONResponse(body, status_code=status_code, headers={"Content-Language": locale})


async def ticketcore_error(request: Request, error: Exception) -> JSONResponse:
    """A ``TicketcoreError`` as its HTTP status and ``{"code", "field", "message"}``."""
    if not isinstance(error, tc.TicketcoreError):  # pragma: no cover - registered for these
        raise error
    status = next((code for kind, code in STATUS_CODES if isinstance(error, kind)), 400)
    locale = preferred_locale(request.headers.get("accept-language"))
    body = error_body(error.code.value, error.field, i18n.message(error, locale))
    return localized(request, status, body)


async def actor_required(request: Request, _error: Exception) -> JSONResponse:
    locale = preferred_locale(request.headers.get("accept-language"))
    return localized(request, 401, error_body("actor_required", "X-Actor", ACTOR_REQUIRED[locale]))


async def malformed_request(request: Request, error: Exception) -> JSONResponse:
    """A request FastAPI could not parse, in the same shape as ticketcore's own errors."""
    problems = error.errors() if isinstance(error, RequestValidationError) else []
    first = problems[0] if problems else {"loc": (), "msg": "malformed request"}
    field = ".".join(str(part) for part in first["loc"][1:]) or None
    if first.get("type") == "json_invalid":  # the body is not JSON at all
        first, field = {**first, "msg": "Input should be JSON"}, "request"
    if first.get("type") in BOUNDS:  # a number of the right type, past a bound
        return await ticketcore_error(request, out_of_range(field, first))
    # The sentence comes from ticketcore's catalog for invalid_type.
    as_ticketcore = tc.ValidationError(
        tc.ErrorCode.INVALID_TYPE,
        str(first["msg"]),
        field=field,
        params={"expected": str(first["msg"]).removeprefix("Input should be ")},
    )
    return await ticketcore_error(request, as_ticketcore)


# Pydantic's names for a number past a bound of the route (``Query(ge=0)``).
BOUNDS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def out_of_range(field: str | None, problem: Mapping[str, Any]) -> tc.ValidationError:
    """Pydantic's report of a number past a bound, as ticketcore's ``out_of_range``."""
    value = str(problem.get("input"))
    value = value if len(value) <= 40 else value[:39] + "…"  # noqa: PLR2004 - a short quote
    expected = str(problem["msg"]).removeprefix("Input should be ")
    return tc.ValidationError(
        tc.ErrorCode.OUT_OF_RANGE,
        f"{field} must be {expected}, not {value}",
        field=field,
        params={"value": value, "expected": expected},
    )


# -- what the app sends back -----------------------------------------------------------------


def labels(ticket: tc.Ticket, locale: str) -> dict[str, str]:
    return {
        "status": i18n.label(ticket.status, locale),
        "priority": i18n.label(ticket.priority, locale),
        "category": i18n.label(ticket.category, locale),
    }


def ticket_view(ticket: tc.Ticket, caller: tc.Actor, desk: tc.Helpdesk, locale: str) -> JSONObject:
    """The whole ticket as the caller may see it, in the wire format, with labels and the
    statuses the caller may move it to (the buttons to show)."""
    view: JSONObject = serialization.ticket_to_dict(ticket)
    view["labels"] = labels(ticket, locale)
    view["allowed_statuses"] = [
        status.value for status in ticket.targets(caller, workflow=desk.workflow)
    ]
    return view


def ticket_summary(ticket: tc.Ticket, locale: str) -> JSONObject:
    """One line of a list: no messages, no history."""
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "category": ticket.category.value,
        "requester_id": ticket.requester_id,
        "assignee_id": ticket.assignee_id,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
        "labels": labels(ticket, locale),
    }


def page_view(page: tc.Page[tc.Ticket], locale: str) -> JSONObject:
    items = [ticket_summary(ticket, locale) for ticket in page.items]
    return {"items": items, "next_cursor": page.next_cursor}


def uploads(files: Sequence[UploadFile] | None) -> list[tc.Upload]:
    return [
        tc.Upload(
            file.filename or "file", file.content_type or "application/octet-stream", file.file
        )
        for file in files or ()
    ]


# -- the routes ------------------------------------------------------------------------------


class ReplyIn(BaseModel):
    body: str = ""
    internal: bool = False  # an agent's note that the requester never sees


class StatusIn(BaseModel):
    status: str = ""
    reason: str | None = None


class CloseIn(BaseModel):
    reason: str | None = None


class AssigneeIn(BaseModel):
    assignee_id: str | None = None  # null unassigns


router = APIRouter()

#: The longest window a ``timedelta`` holds, in minutes (about 2.7 million years).
MAX_WINDOW_MINUTES = timedelta.max // timedelta(minutes=1)


@router.post("/tickets", status_code=201)
def open_ticket(
    *,
    desk: Desk,
    caller: Caller,
    locale: Locale,
    subject: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "general",
    priority: Annotated[str, Form()] = "medium",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> JSONObject:
    """New ticket: the help page's form, with optional attached files."""
    ticket = desk.open_ticket(
        caller,
        subject=subject,
        body=body,
        category=category,
        priority=priority,
        uploads=uploads(files),
    )
    return ticket_view(ticket, caller, desk, locale)


@router.get("/tickets")
def list_tickets(
    *,
    desk: Desk,
    caller: Caller,
    locale: Locale,
    requester_id: str | None = None,
    status: Annotated[list[str] | None, Query()] = None,
    limit: int = 20,
    cursor: str | None = None,
) -> JSONObject:
    """My tickets, newest first (agents may name any requester, or see everyone's)."""
    page = desk.list_tickets(
        caller, requester_id=requester_id, statuses=status, limit=limit, cursor=cursor
    )
    return page_view(page, locale)


@router.get("/tickets/{ticket_id}")
def get_ticket(*, desk: Desk, caller: Caller, locale: Locale, ticket_id: str) -> JSONObject:
    """The ticket as the caller sees it (a requester never sees internal notes)."""
    return ticket_view(desk.get(caller, ticket_id), caller, desk, locale)


@router.post("/tickets/{ticket_id}/replies")
def reply(
    *, desk: Desk, caller: Caller, locale: Locale, ticket_id: str, reply: ReplyIn
) -> JSONObject:
    """Add a reply (``internal: true``: an agent-only note)."""
    ticket = desk.reply(caller, ticket_id, reply.body, internal=reply.internal)
    return ticket_view(ticket, caller, desk, locale)


@router.post("/tickets/{ticket_id}/attachments")
def attach(
    *,
    desk: Desk,
    caller: Caller,
    locale: Locale,
    ticket_id: str,
    files: Annotated[list[UploadFile], File()],
    body: Annotated[str, Form()] = "",
) -> JSONObject:
    """Attach files, with an optional short note."""
    ticket = desk.attach(caller, ticket_id, uploads(files), body=body)
    return ticket_view(ticket, caller, desk, locale)


@router.get("/tickets/{ticket_id}/attachments/{sha256}")
def download(*, desk: Desk, caller: Caller, ticket_id: str, sha256: str) -> StreamingResponse:
    """An attached file, if the caller can see the message it is on."""
    attachment, stream = desk.open_attachment(caller, ticket_id, sha256)
    name = quote(attachment.filename)
    return StreamingResponse(
        chunks(stream),
        headers={
            # The type the library checked when the file came in, as stored: given as a
            # header, not as media_type, so that Starlette adds no charset of its own.
            "Content-Type": attachment.content_type,
            # Always a download, never rendered in the browser.
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/tickets/{ticket_id}/status")
def change_status(
    *, desk: Desk, caller: Caller, locale: Locale, ticket_id: str, change: StatusIn
) -> JSONObject:
    """Move the ticket to another status, if the workflow lets the caller."""
    ticket = desk.change_status(caller, ticket_id, change.status, reason=change.reason)
    return ticket_view(ticket, caller, desk, locale)


@router.post("/tickets/{ticket_id}/close")
def close(
    *, desk: Desk, caller: Caller, locale: Locale, ticket_id: str, close: CloseIn | None = None
) -> JSONObject:
    """Close the ticket once the problem is solved."""
    ticket = desk.close(caller, ticket_id, reason=close.reason if close else None)
    return ticket_view(ticket, caller, desk, locale)


@router.post("/tickets/{ticket_id}/assignee")
def assign(
    *, desk: Desk, caller: Caller, locale: Locale, ticket_id: str, change: AssigneeIn
) -> JSONObject:
    """Assign the ticket to an agent (agents only)."""
    ticket = desk.assign(caller, ticket_id, change.assignee_id)
    return ticket_view(ticket, caller, desk, locale)


@router.get("/queue", dependencies=[permitted(tc.Action.VIEW_QUEUE)])
def queue(
    *,
    desk: Desk,
    caller: Caller,
    locale: Locale,
    assignee_id: str | None = None,
    unassigned: bool = False,
    order: str = "created",
    limit: int = 20,
    cursor: str | None = None,
) -> JSONObject:
    """An agent's queue: active tickets assigned to them (or to nobody), oldest first."""
    page = desk.queue(
        caller,
        assignee_id=assignee_id,
        unassigned=unassigned,
        order=order,
        limit=limit,
        cursor=cursor,
    )
    return page_view(page, locale)


@router.get("/at-risk", dependencies=[permitted(tc.Action.VIEW_AT_RISK)])
def at_risk(
    *,
    desk: Desk,
    caller: Caller,
    locale: Locale,
    within_minutes: Annotated[int, Query(ge=0, le=MAX_WINDOW_MINUTES)] = 120,
    limit: int = 20,
    cursor: str | None = None,
) -> JSONObject:
    """Tickets whose next SLA deadline is within ``within_minutes``, soonest first."""
    # In range, the window is a timedelta; the library says whether it ends in time.
    within = timedelta(minutes=within_minutes)
    page = desk.at_risk(caller, within=within, limit=limit, cursor=cursor)
    now = desk.clock.now()
    view = page_view(page, locale)
    for item, ticket in zip(view["items"], page.items, strict=True):
        deadline = desk.policy.next_deadline(ticket)
        item["next_deadline"] = None if deadline is None else deadline.isoformat()
        item["remaining"] = (
            None if deadline is None else i18n.format_remaining(deadline, now, locale)
        )
    return view


def chunks(stream: BinaryIO, size: int = 64 * 1024) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(size):
            yield chunk


def main(argv: Sequence[str] | None = None) -> None:
    import uvicorn  # noqa: PLC0415 - only to serve

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", default="tickets.sqlite3", help="the SQLite file")
    parser.add_argument("--files", default="attachments", help="the attachments folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    arguments = parser.parse_args(argv)
    app = create_app(sqlite_helpdesk(arguments.db, arguments.files))
    uvicorn.run(app, host=arguments.host, port=arguments.port)


if __name__ == "__main__":
    main()
