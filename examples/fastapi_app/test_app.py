"""Tests of the example web app, through FastAPI's TestClient: pytest examples/fastapi_app"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path

import pytest
from app import create_app, preferred_locale, sqlite_helpdesk

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


def test_another_users_ticket_is_403(client: TestClient) -> None:
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
