"""Tests of the example web app, through FastAPI's TestClient: pytest examples/fastapi_app"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from app import create_app, preferred_locale, sqlite_helpdesk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ticketcore as tc
from ticketcore.clock import FixedClock, SequentialIds

with warnings.catch_warnings():
    # Starlette 1.10 prefers the httpx2 package for its test client and warns about httpx;
    # either works here.
    warnings.filterwarnings("ignore", message="Using .httpx. with .starlette.testclient.")
    from fastapi.testclient import TestClient

SARA = {"X-Actor": "requester:sara"}
REZA = {"X-Actor": "requester:reza"}
ALI = {"X-Actor": "agent:ali"}
PERSIAN = {"Accept-Language": "fa-IR,fa;q=0.9,en;q=0.8"}
T0 = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)
RECEIPT = b"%PDF-1.7 a receipt"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def client_for(helpdesk: tc.Helpdesk) -> Iterator[TestClient]:
    with TestClient(create_app(helpdesk)) as client:  # runs startup and shutdown
        yield client


@pytest.fixture
def client(tmp_path: Path, clock: FixedClock) -> Iterator[TestClient]:
    helpdesk = sqlite_helpdesk(
        tmp_path / "tickets.sqlite3",
        tmp_path / "attachments",
        clock=clock,
        ids=SequentialIds(prefix="T-"),
    )
    yield from client_for(helpdesk)


def open_ticket(client: TestClient, actor: dict[str, str] = SARA, **form: str) -> str:
    data = {"subject": "Payment failed", "body": "Charged twice.", **form}
    response = client.post("/tickets", data=data, headers=actor)
    assert response.status_code == HTTPStatus.CREATED, response.text
    ticket_id: str = response.json()["id"]
    return ticket_id


# -- the help page's actions ------------------------------------------------------------------


def test_open_a_ticket_with_a_file_and_download_it(client: TestClient) -> None:
    response = client.post(
        "/tickets",
        data={"subject": "Payment failed", "body": "Charged twice.", "priority": "high"},
        files=[("files", ("رسید.pdf", RECEIPT, "application/pdf"))],
        headers={**SARA, **PERSIAN},
    )
    assert response.status_code == HTTPStatus.CREATED
    ticket = response.json()
    assert (ticket["id"], ticket["status"], ticket["priority"]) == ("T-1", "open", "high")
    assert ticket["labels"] == {"status": "باز", "priority": "زیاد", "category": "عمومی"}
    assert ticket["allowed_statuses"] == ["closed"]
    (attachment,) = ticket["messages"][0]["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("رسید.pdf", len(RECEIPT))

    download = client.get(f"/tickets/T-1/attachments/{attachment['sha256']}", headers=ALI)
    assert download.status_code == HTTPStatus.OK
    assert download.content == RECEIPT
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")


def test_reply_attach_change_status_and_close(client: TestClient, clock: FixedClock) -> None:
    ticket_id = open_ticket(client)
    clock.advance(timedelta(minutes=10))
    started = client.post(
        f"/tickets/{ticket_id}/status", json={"status": "in_progress"}, headers=ALI
    )
    assert started.json()["status"] == "in_progress"
    asked = client.post(f"/tickets/{ticket_id}/replies", json={"body": "Reference?"}, headers=ALI)
    assert [m["body"] for m in asked.json()["messages"]] == ["Charged twice.", "Reference?"]
    waiting = client.post(
        f"/tickets/{ticket_id}/status", json={"status": "waiting_for_user"}, headers=ALI
    )
    assert waiting.json()["status"] == "waiting_for_user"

    answered = client.post(
        f"/tickets/{ticket_id}/attachments",
        data={"body": "Here is the receipt."},
        files=[("files", ("receipt.pdf", RECEIPT, "application/pdf"))],
        headers=SARA,
    )
    assert answered.status_code == HTTPStatus.OK, answered.text
    assert answered.json()["status"] == "in_progress"  # her message brought it back

    resolved = client.post(f"/tickets/{ticket_id}/status", json={"status": "resolved"}, headers=ALI)
    assert resolved.json()["allowed_statuses"] == ["in_progress", "closed"]  # for ali
    closed = client.post(f"/tickets/{ticket_id}/close", headers=SARA)
    assert closed.status_code == HTTPStatus.OK
    assert closed.json()["status"] == "closed"
    assert closed.json()["allowed_statuses"] == []


def test_a_requester_never_sees_internal_notes(client: TestClient) -> None:
    ticket_id = open_ticket(client)
    note = {"body": "Gateway log shows a timeout.", "internal": True}
    noted = client.post(f"/tickets/{ticket_id}/replies", json=note, headers=ALI)
    assert noted.status_code == HTTPStatus.OK
    as_agent = client.get(f"/tickets/{ticket_id}", headers=ALI).json()
    as_sara = client.get(f"/tickets/{ticket_id}", headers=SARA).json()
    assert [m["internal"] for m in as_agent["messages"]] == [False, True]
    assert [m["body"] for m in as_sara["messages"]] == ["Charged twice."]
    assert [event["kind"] for event in as_sara["history"]] == ["ticket_opened"]


def test_list_my_tickets(client: TestClient, clock: FixedClock) -> None:
    first = open_ticket(client, SARA)
    clock.advance(timedelta(minutes=1))
    open_ticket(client, REZA)
    clock.advance(timedelta(minutes=1))
    second = open_ticket(client, SARA, subject="Where is SHP-12?")
    mine = client.get("/tickets", headers=SARA).json()
    assert [item["id"] for item in mine["items"]] == [second, first]  # newest first
    assert mine["next_cursor"] is None
    paged = client.get("/tickets", params={"limit": 1}, headers=SARA).json()
    assert [item["id"] for item in paged["items"]] == [second]
    rest = client.get(
        "/tickets", params={"limit": 1, "cursor": paged["next_cursor"]}, headers=SARA
    ).json()
    assert [item["id"] for item in rest["items"]] == [first]
    everyone = client.get("/tickets", headers=ALI).json()
    assert [item["requester_id"] for item in everyone["items"]] == ["sara", "reza", "sara"]


def test_agent_queue_and_assignment(client: TestClient) -> None:
    ticket_id = open_ticket(client)
    unassigned = client.get("/queue", params={"unassigned": True}, headers=ALI).json()
    assert [item["id"] for item in unassigned["items"]] == [ticket_id]
    taken = client.post(f"/tickets/{ticket_id}/assignee", json={"assignee_id": "ali"}, headers=ALI)
    assert taken.json()["assignee_id"] == "ali"
    mine = client.get("/queue", headers=ALI).json()
    assert [item["id"] for item in mine["items"]] == [ticket_id]
    assert client.get("/queue", headers=SARA).status_code == HTTPStatus.FORBIDDEN


def test_at_risk_lists_tickets_near_their_deadline(client: TestClient, clock: FixedClock) -> None:
    urgent = open_ticket(client, priority="urgent")  # first response due in 2 hours
    open_ticket(client, priority="low")  # due in 24 hours
    clock.advance(timedelta(minutes=45))
    response = client.get("/at-risk", params={"within_minutes": 180}, headers={**ALI, **PERSIAN})
    (item,) = response.json()["items"]
    assert item["id"] == urgent
    assert item["next_deadline"] == "2026-03-21T11:00:00+00:00"
    assert item["remaining"] == "۱ ساعت و ۱۵ دقیقه مانده"


# -- errors: the HTTP status, ticketcore's code and field, a localized message -----------------


def test_validation_error_is_422_in_the_callers_language(client: TestClient) -> None:
    response = client.post("/tickets", data={"body": "No subject."}, headers={**SARA, **PERSIAN})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json() == {
        "code": "subject_required",
        "field": "subject",
        "message": "لطفاً موضوع تیکت را وارد کنید.",
    }
    assert response.headers["content-language"] == "fa"
    english = client.post("/tickets", data={"body": "No subject."}, headers=SARA)
    assert english.json()["message"] == "Please enter a subject."


def test_a_file_type_that_is_not_allowed_is_422(client: TestClient) -> None:
    response = client.post(
        "/tickets",
        data={"subject": "Page", "body": "See the page."},
        files=[("files", ("page.html", b"<script>", "text/html"))],
        headers=SARA,
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "content_type_not_allowed"
    assert client.get("/tickets", headers=SARA).json()["items"] == []  # nothing was opened


def test_another_users_ticket_is_404_by_default(client: TestClient) -> None:
    ticket_id = open_ticket(client, REZA)
    response = client.get(f"/tickets/{ticket_id}", headers=SARA)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert (response.json()["code"], response.json()["field"]) == ("not_found", "ticket_id")


def test_a_workflow_that_reveals_foreign_tickets_makes_it_403(
    tmp_path: Path, clock: FixedClock
) -> None:
    helpdesk = sqlite_helpdesk(
        tmp_path / "t.sqlite3",
        tmp_path / "files",
        clock=clock,
        ids=SequentialIds(prefix="T-"),
        workflow=tc.Workflow.default(reveal_foreign_tickets=True),
    )
    for client in client_for(helpdesk):
        ticket_id = open_ticket(client, REZA)
        response = client.get(f"/tickets/{ticket_id}", headers=SARA)
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert response.json()["code"] == "not_your_ticket"


def test_an_unknown_ticket_is_404(client: TestClient) -> None:
    response = client.get("/tickets/T-404", headers={**ALI, **PERSIAN})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "not_found"
    assert "T-404" in response.json()["message"]


def test_a_forbidden_transition_is_409(client: TestClient) -> None:
    ticket_id = open_ticket(client)
    response = client.post(
        f"/tickets/{ticket_id}/status", json={"status": "resolved"}, headers=SARA
    )
    assert response.status_code == HTTPStatus.CONFLICT
    body = response.json()
    assert (body["code"], body["field"]) == ("transition_not_allowed", "status")
    assert (
        body["message"] == "The role “Requester” may not move a ticket from “Open” to “Resolved”."
    )


def test_a_closed_ticket_refuses_replies_with_409(client: TestClient) -> None:
    ticket_id = open_ticket(client)
    client.post(f"/tickets/{ticket_id}/close", json={"reason": "solved"}, headers=SARA)
    response = client.post(f"/tickets/{ticket_id}/replies", json={"body": "One more"}, headers=SARA)
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["code"] == "ticket_closed"


class SameId:
    """An id generator that always answers the same: every second ticket conflicts."""

    def new_id(self) -> str:
        return "T-1"


def test_a_conflict_is_409(tmp_path: Path, clock: FixedClock) -> None:
    helpdesk = sqlite_helpdesk(
        tmp_path / "t.sqlite3", tmp_path / "files", clock=clock, ids=SameId()
    )
    for client in client_for(helpdesk):
        open_ticket(client)
        response = client.post("/tickets", data={"subject": "Again", "body": "..."}, headers=SARA)
        assert response.status_code == HTTPStatus.CONFLICT
        assert response.json()["code"] == "already_exists"


def test_the_caller_must_say_who_they_are(client: TestClient) -> None:
    for headers in ({}, {"X-Actor": "sara"}, {"X-Actor": "requester:"}):
        response = client.get("/tickets", headers=headers)
        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response.json()["code"] == "actor_required"
    unknown_role = client.get("/tickets", headers={"X-Actor": "boss:sara"})
    assert unknown_role.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert (unknown_role.json()["code"], unknown_role.json()["field"]) == ("invalid_choice", "role")


def test_a_malformed_request_has_the_same_error_shape(client: TestClient) -> None:
    ticket_id = open_ticket(client)
    reply = {"body": "Hi", "internal": "perhaps"}
    response = client.post(f"/tickets/{ticket_id}/replies", json=reply, headers=ALI)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert (response.json()["code"], response.json()["field"]) == ("invalid_type", "internal")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("fa", "fa"),
        ("fa-IR,fa;q=0.9,en;q=0.8", "fa"),
        ("en-US,en;q=0.9,fa;q=0.8", "en"),
        ("de-DE, fa;q=0.5", "fa"),
        ("de", "en"),
        ("en;q=0.4, fa_IR;q=0.6", "fa"),
        ("fa;q=nonsense, en", "en"),
    ],
)
def test_preferred_locale(header: str | None, expected: str) -> None:
    assert preferred_locale(header) == expected


def test_the_openapi_schema_builds(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/tickets", "/tickets/{ticket_id}", "/queue", "/at-risk"} <= set(paths)


def test_a_body_that_is_not_json_is_named_as_such(client: TestClient) -> None:
    response = client.post(
        "/tickets/T-1/status",
        content=b"not json",
        headers={**ALI, "content-type": "application/json"},
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["field"] == "request"
    assert "JSON" in response.json()["message"]


# -- hard edges: hostile input is a 4xx with a code, never a 500 -------------------------------


def stored_files(root: Path) -> list[Path]:
    """Every file under an attachment store's folder: what a failed call must not leave."""
    return sorted(path.relative_to(root) for path in root.rglob("*") if path.is_file())


def forged_cursor(real: str, *, instant: int) -> str:
    """A real cursor with its instant replaced: the fingerprint stays valid."""
    fingerprint, _instant, ticket_id = json.loads(base64.urlsafe_b64decode(real + "=="))
    payload = json.dumps([fingerprint, instant, ticket_id]).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def nested_cursor(depth: int) -> str:
    return base64.urlsafe_b64encode(b"[" * depth + b"]" * depth).decode().rstrip("=")


def test_a_cursor_with_an_instant_past_any_date_is_invalid_cursor(client: TestClient) -> None:
    for _ in range(2):
        ticket_id = open_ticket(client)
        client.post(f"/tickets/{ticket_id}/assignee", json={"assignee_id": "ali"}, headers=ALI)
    for path, actor in (("/tickets", SARA), ("/queue", ALI)):
        real = client.get(path, params={"limit": 1}, headers=actor).json()["next_cursor"]
        assert client.get(path, params={"cursor": real}, headers=actor).status_code == HTTPStatus.OK
        for instant in (2**64, -(2**64), 10**400):
            cursor = forged_cursor(real, instant=instant)
            response = client.get(path, params={"cursor": cursor}, headers=actor)
            assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, (path, instant)
            assert (response.json()["code"], response.json()["field"]) == (
                "invalid_cursor",
                "cursor",
            )


@pytest.mark.parametrize("depth", [1, 5, 190, 10_000])
@pytest.mark.parametrize(
    ("path", "actor"), [("/tickets", SARA), ("/queue", ALI), ("/at-risk", ALI)]
)
def test_a_cursor_of_nested_json_is_invalid_cursor(
    client: TestClient, path: str, actor: dict[str, str], depth: int
) -> None:
    response = client.get(path, params={"cursor": nested_cursor(depth)}, headers=actor)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("path", "params", "code", "field"),
    [
        ("/queue", {"order": "bogus"}, "invalid_choice", "order"),
        ("/queue", {"limit": 10**16}, "out_of_range", "limit"),
        ("/tickets", {"limit": 0}, "out_of_range", "limit"),
        ("/tickets", {"status": "bogus"}, "invalid_choice", "status"),
        ("/at-risk", {"within_minutes": 10**16}, "out_of_range", "within_minutes"),
        ("/at-risk", {"within_minutes": 10**400}, "out_of_range", "within_minutes"),
        ("/at-risk", {"within_minutes": -1}, "out_of_range", "within_minutes"),
        # A window a timedelta holds, but that ends after the year 9999: the library says so.
        ("/at-risk", {"within_minutes": 10**12}, "out_of_range", "within"),
        # Not integers at all.
        ("/at-risk", {"within_minutes": "1e300"}, "invalid_type", "within_minutes"),
        ("/at-risk", {"within_minutes": "inf"}, "invalid_type", "within_minutes"),
        ("/at-risk", {"within_minutes": "nan"}, "invalid_type", "within_minutes"),
    ],
)
def test_an_out_of_range_parameter_is_422_with_its_code(
    client: TestClient, path: str, params: dict[str, object], code: str, field: str
) -> None:
    actor = SARA if path == "/tickets" else ALI
    response = client.get(path, params=params, headers={**actor, **PERSIAN})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert response.json()["message"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/at-risk", {"within_minutes": 10**16}),
        ("/at-risk", {"within_minutes": "1e300"}),
        ("/at-risk", {"within_minutes": "inf"}),
        ("/at-risk", {"within_minutes": -1}),
        ("/at-risk", {"limit": "many", "cursor": nested_cursor(10_000)}),
        ("/queue", {"order": "bogus"}),
        ("/queue", {"unassigned": "perhaps", "limit": "-1"}),
    ],
)
def test_the_right_is_checked_before_staff_only_parameters(
    client: TestClient, path: str, params: dict[str, object]
) -> None:
    response = client.get(path, params=params, headers=SARA)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["code"] == "action_not_allowed"


def test_the_routes_ask_the_workflow_for_rights(tmp_path: Path, clock: FixedClock) -> None:
    # A host that keeps the at-risk list to its scheduler changes its workflow, not the app.
    workflow = tc.Workflow.default(permissions={"view_at_risk": ["system"]})
    helpdesk = sqlite_helpdesk(
        tmp_path / "t.sqlite3", tmp_path / "files", clock=clock, workflow=workflow
    )
    for client in client_for(helpdesk):
        refused = client.get("/at-risk", params={"within_minutes": -1}, headers=ALI)
        assert refused.status_code == HTTPStatus.FORBIDDEN
        assert (
            client.get("/at-risk", headers={"X-Actor": "system:sla"}).status_code == HTTPStatus.OK
        )
        assert client.get("/queue", headers=ALI).status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain; x=\r\nSet-Cookie: a=b",
        "text/plain;\x00\u202e",
        "text/plain; charset=utf-8; boundary=x",
        'text/plain; charset="utf-8\\"',
        "text/\u202eplain",
        "text/plain\t; name=evil.html",
    ],
)
def test_a_hostile_content_type_is_refused(
    client: TestClient, tmp_path: Path, content_type: str
) -> None:
    response = client.post(
        "/tickets",
        data={"subject": "File", "body": "See the file."},
        files=[("files", ("ok.txt", b"hello", content_type))],
        headers=SARA,
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
    assert (response.json()["code"], response.json()["field"]) == (
        "content_type_invalid",
        "content_type",
    )
    assert "Set-Cookie" not in response.headers
    assert client.get("/tickets", headers=SARA).json()["items"] == []
    assert stored_files(tmp_path / "attachments") == []


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("text/plain", "text/plain"),  # Starlette would add "; charset=utf-8" to a media_type
        ('Text/Plain; charset="UTF-8"', "text/plain; charset=utf-8"),
        ("image/PNG", "image/png"),
    ],
)
def test_a_download_is_served_with_the_stored_content_type(
    client: TestClient, sent: str, stored: str
) -> None:
    response = client.post(
        "/tickets",
        data={"subject": "File", "body": "See the file."},
        files=[("files", ("file.bin", b"content", sent))],
        headers=SARA,
    )
    assert response.status_code == HTTPStatus.CREATED, response.text
    (attachment,) = response.json()["messages"][0]["attachments"]
    assert attachment["content_type"] == stored
    download = client.get(f"/tickets/T-1/attachments/{attachment['sha256']}", headers=SARA)
    assert download.headers["content-type"] == stored
    assert download.headers["x-content-type-options"] == "nosniff"


@pytest.fixture
def small_files_client(tmp_path: Path, clock: FixedClock) -> Iterator[TestClient]:
    helpdesk = sqlite_helpdesk(
        tmp_path / "tickets.sqlite3",
        tmp_path / "attachments",
        clock=clock,
        ids=SequentialIds(prefix="T-"),
        workflow=tc.Workflow.default(limits=tc.Limits(attachment_max_size=1024)),
    )
    yield from client_for(helpdesk)


TOO_LARGE = [
    ("files", ("ok.txt", b"fine", "text/plain")),
    ("files", ("big.txt", b"x" * 4096, "text/plain")),
]


def test_a_file_over_the_limit_leaves_no_bytes_behind(
    small_files_client: TestClient, tmp_path: Path
) -> None:
    client, root = small_files_client, tmp_path / "attachments"
    data = {"subject": "Files", "body": "Two files."}
    response = client.post("/tickets", data=data, files=TOO_LARGE, headers=SARA)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert (response.json()["code"], response.json()["field"]) == ("attachment_too_large", "size")
    assert client.get("/tickets", headers=SARA).json()["items"] == []
    assert stored_files(root) == []

    ticket_id = open_ticket(client)
    before = client.get(f"/tickets/{ticket_id}", headers=SARA).json()
    response = client.post(f"/tickets/{ticket_id}/attachments", files=TOO_LARGE, headers=SARA)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "attachment_too_large"
    assert client.get(f"/tickets/{ticket_id}", headers=SARA).json() == before
    assert stored_files(root) == []


def test_a_refused_attachment_leaves_no_bytes_behind(client: TestClient, tmp_path: Path) -> None:
    ticket_id = open_ticket(client)
    client.post(f"/tickets/{ticket_id}/close", headers=SARA)
    files = [("files", ("ok.txt", b"fine", "text/plain"))]
    response = client.post(f"/tickets/{ticket_id}/attachments", files=files, headers=SARA)
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["code"] == "ticket_closed"
    assert stored_files(tmp_path / "attachments") == []


def test_another_users_ticket_answers_exactly_as_a_missing_one(
    tmp_path: Path, clock: FixedClock
) -> None:
    """Everything sara can send about reza's T-1 gets the answer it gets when there is no
    T-1 at all: the same status, headers and body, so ticket ids cannot be probed."""

    def helpdesk(name: str) -> tc.Helpdesk:
        return sqlite_helpdesk(
            tmp_path / f"{name}.sqlite3",
            tmp_path / f"{name}-files",
            clock=clock,
            ids=SequentialIds(prefix="T-"),
        )

    txt = [("files", ("ok.txt", b"fine", "text/plain"))]
    with (
        TestClient(create_app(helpdesk("reza"))) as rezas,
        TestClient(create_app(helpdesk("empty"))) as empty,
    ):
        opened = rezas.post(
            "/tickets", data={"subject": "Mine", "body": "Private."}, files=txt, headers=REZA
        )
        sha256 = opened.json()["messages"][0]["attachments"][0]["sha256"]
        requests: list[tuple[str, str, dict[str, object]]] = [
            ("GET", "/tickets/T-1", {}),
            ("GET", f"/tickets/T-1/attachments/{sha256}", {}),
            ("GET", f"/tickets/T-1/attachments/{'0' * 64}", {}),
            ("POST", "/tickets/T-1/replies", {"json": {"body": "Hello"}}),
            ("POST", "/tickets/T-1/status", {"json": {"status": "closed"}}),
            ("POST", "/tickets/T-1/close", {}),
            ("POST", "/tickets/T-1/assignee", {"json": {"assignee_id": "sara"}}),
            ("POST", "/tickets/T-1/attachments", {"files": txt}),
        ]
        for method, path, extra in requests:
            for language in ({}, PERSIAN):
                headers = {**SARA, **language}
                foreign = rezas.request(method, path, headers=headers, **extra)  # type: ignore[arg-type]
                missing = empty.request(method, path, headers=headers, **extra)  # type: ignore[arg-type]
                assert foreign.status_code == HTTPStatus.NOT_FOUND, (path, foreign.text)
                assert foreign.json()["code"] == "not_found"
                assert (foreign.status_code, foreign.content) == (
                    missing.status_code,
                    missing.content,
                ), path
                assert dict(foreign.headers) == dict(missing.headers), path
        assert len(stored_files(tmp_path / "reza-files")) == 1  # reza's file, and no other
        assert stored_files(tmp_path / "empty-files") == []
        assert rezas.get("/tickets/T-1", headers=REZA).json()["version"] == 1


def test_a_deeply_nested_json_body_is_a_client_error(client: TestClient) -> None:
    ticket_id = open_ticket(client)
    body = b'{"body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post(
        f"/tickets/{ticket_id}/replies",
        content=body,
        headers={**SARA, "content-type": "application/json"},
    )
    assert 400 <= response.status_code < 500  # noqa: PLR2004


# -- fuzzing: whatever arrives, the answer is never a server error ------------------------------

HOSTILE_VALUES = (
    "",
    "0",
    "-1",
    "1e300",
    "inf",
    "-inf",
    "nan",
    "true",
    "perhaps",
    "null",
    str(2**64),
    str(10**16),
    "9" * 5000,
    "\x00",
    "\u202e",
    "\r\nSet-Cookie: a=b",
    "../../etc/passwd",
    "' OR 1=1 --",
    "T-1",
    "T-404",
    "a" * 64,
    "x" * 10_000,
    nested_cursor(190),
    nested_cursor(5000),
    base64.urlsafe_b64encode(json.dumps(["x", 2**64, "T-1"]).encode()).decode(),
)
#: The query parameters that are numbers.
NUMBERS = frozenset({"limit", "within_minutes"})
#: The query parameters of each listing route, and one it does not know.
PARAMETERS = {
    "/tickets": ("requester_id", "status", "limit", "cursor", "order"),
    "/queue": ("assignee_id", "unassigned", "order", "limit", "cursor", "within_minutes"),
    "/at-risk": ("within_minutes", "limit", "cursor", "order"),
}
ACTORS = (
    "requester:sara",
    "requester:reza",
    "agent:ali",
    "system:bot",
    "boss:sara",
    "requester:",
    ":sara",
    "sara",
)
BODY_KEYS = ("body", "internal", "status", "reason", "assignee_id")
CONTENT_TYPES = (
    "text/plain",
    "application/pdf",
    "text/html",
    "text/plain; x=\r\nSet-Cookie: a=b",
    "text/plain;\x00\u202e",
    "",
    "multipart/form-data",
    "application/json; charset=utf-16",
    "*/*",
)


def hostile_text(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.sampled_from(HOSTILE_VALUES) | st.text(max_size=max_size)


def hostile_numbers() -> st.SearchStrategy[str]:
    """Numbers as a query holds them: huge, negative, fractional, not finite."""
    return (
        st.integers().map(str)
        | st.integers(min_value=2**40).map(str)
        | st.floats().map(str)
        | st.sampled_from(HOSTILE_VALUES)
    )


def actor_headers() -> st.SearchStrategy[bytes]:
    """Mostly someone the app knows, so that the rest of the request is looked at too.
    Sent as raw bytes: UTF-8, control characters and all, as a hostile client may."""
    known = st.sampled_from(ACTORS[:4])
    anyone = st.sampled_from(ACTORS) | hostile_text()
    weighted = st.integers(0, 4).flatmap(lambda roll: known if roll else anyone)
    return weighted.map(lambda text: text.encode())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
json_bodies = json_values | st.dictionaries(st.sampled_from(BODY_KEYS), json_values)
ticket_ids = st.sampled_from(["T-1", "T-2", "T-3", "T-404"]) | hostile_text()
uploads = st.lists(
    st.tuples(
        st.just("files"),
        st.tuples(
            hostile_text(20) | st.just("ok.txt"),
            st.binary(max_size=64),
            st.sampled_from(CONTENT_TYPES) | hostile_text(20),
        ),
    ),
    max_size=3,
)


Request = tuple[str, str, dict[str, Any]]  # a method, a path and httpx's arguments


@st.composite
def hostile_headers(draw: st.DrawFn) -> dict[str, bytes]:
    headers = {"X-Actor": draw(actor_headers())}
    if draw(st.booleans()):
        headers["Accept-Language"] = draw(hostile_text()).encode()
    return headers


@st.composite
def listings(draw: st.DrawFn) -> Request:
    """A listing route (``/tickets``, ``/queue``, ``/at-risk``) with a hostile query."""
    path = draw(st.sampled_from(sorted(PARAMETERS)))
    params = {
        name: draw(hostile_numbers() if name in NUMBERS else hostile_text())
        for name in draw(st.sets(st.sampled_from(PARAMETERS[path]), max_size=3))
    }
    return "GET", path, {"params": params, "headers": draw(hostile_headers())}


@st.composite
def ticket_requests(draw: st.DrawFn) -> Request:
    """A route about one ticket (or opening one), with a hostile id, form or body."""
    ticket = quote(draw(ticket_ids), safe="")
    headers = draw(hostile_headers())
    kind = draw(st.sampled_from(["get", "form", "json"]))
    if kind == "get":
        sha256 = quote(draw(st.sampled_from(["0" * 64]) | hostile_text()), safe="")
        paths = [f"/tickets/{ticket}", f"/tickets/{ticket}/attachments/{sha256}"]
        return "GET", draw(st.sampled_from(paths)), {"headers": headers}
    if kind == "form":
        path = draw(st.sampled_from(["/tickets", f"/tickets/{ticket}/attachments"]))
        fields = st.sampled_from(["subject", "body", "category", "priority"])
        data = draw(st.dictionaries(fields, hostile_text()))
        files = draw(uploads)
        return "POST", path, {"data": data, "files": files or None, "headers": headers}
    action = draw(st.sampled_from(["replies", "status", "close", "assignee"]))
    content_type = draw(st.sampled_from(["application/json", *CONTENT_TYPES]))
    body = draw(json_bodies)
    content = json.dumps(body).encode() if draw(st.booleans()) else draw(st.binary(max_size=40))
    headers = {"Content-Type": content_type.encode(), **headers}
    return "POST", f"/tickets/{ticket}/{action}", {"content": content, "headers": headers}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for every example: tickets of two requesters, a file, an internal note."""
    folder = tmp_path_factory.mktemp("fuzz")
    helpdesk = sqlite_helpdesk(
        folder / "tickets.sqlite3",
        folder / "attachments",
        clock=FixedClock(T0),
        ids=SequentialIds(prefix="T-"),
    )
    for client in client_for(helpdesk):
        files = [("files", ("ok.txt", b"fine", "text/plain"))]
        for actor in (SARA, REZA):
            data = {"subject": "Mine", "body": "Private."}
            opened = client.post("/tickets", data=data, files=files, headers=actor)
            assert opened.status_code == HTTPStatus.CREATED
        client.post("/tickets/T-1/replies", json={"body": "Note", "internal": True}, headers=ALI)
        yield client


FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,  # leaves nothing in the folder pytest runs from
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def send(client: TestClient, request: Request) -> None:
    method, path, arguments = request
    # The client raises whatever the app lets escape; a handled error must be a 4xx.
    response = client.request(method, path, **arguments)
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, response.text
    failed = response.status_code >= HTTPStatus.BAD_REQUEST
    if failed and response.headers["content-type"] == "application/json":
        body = response.json()
        # ticketcore's shape; Starlette's own {"detail"} for an unknown route or bad multipart
        assert set(body) in ({"code", "field", "message"}, {"detail"}), body


@FUZZ
@given(request=listings())
def test_no_listing_query_is_a_server_error(fuzzed: TestClient, request: Request) -> None:
    send(fuzzed, request)


@FUZZ
@given(request=ticket_requests())
def test_no_ticket_request_is_a_server_error(fuzzed: TestClient, request: Request) -> None:
    send(fuzzed, request)
