import io
import json
import os
import subprocess
import sys

import pytest

import ticketcore as tc
from ticketcore import cli
from ticketcore.errors import InvalidTypeError
from ticketcore.storage.sqlite import SQLiteRepository

RLM = "\u200f"
PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")


def run(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- the demo --------------------------------------------------------------------------


def test_demo_walks_the_whole_lifecycle(capsys):
    code, out, _ = run(capsys, "demo")
    assert code == 0
    for expected in [
        "sara opens a ticket",
        "Open -> In progress",
        "In progress -> Waiting for user",
        "Waiting for user -> In progress  by System",
        "In progress -> Resolved",
        "Resolved -> Closed",
        "T-1001: Closed, version 8, 9 events, 4 messages (3 visible to sara)",
    ]:
        assert expected in out
    statuses = [
        line.split(None, 1)[1].strip()
        for line in out.splitlines()
        if line.strip().startswith("status")
    ]
    assert statuses == [
        "Open",
        "In progress",
        "In progress",
        "In progress",
        "Waiting for user",
        "In progress",
        "Resolved",
        "Closed",
    ]


def test_demo_in_persian_uses_persian_words_digits_and_jalali_dates(capsys):
    code, out, _ = run(capsys, "demo", "--locale", "fa")
    assert code == 0
    assert "نمایش ticketcore" in out
    assert "۱۴۰۵/۰۱/۰۱ ۰۹:۰۰" in out  # 21 March 2026 is 1 Farvardin 1405
    assert "در انتظار کاربر ← در حال بررسی" in out
    assert "T-1001: بسته، نسخهٔ ۸، ۹ رویداد، ۴ پیام" in out
    assert "قابل مشاهده" in out
    assert "توسط سامانه" in out
    assert "سامانه system" not in out  # the system is named once
    assert "نسخهٔ ۶" in out
    assert "حل\u200cشده" in out  # with ZWNJ
    assert not set("يك") & set(out)  # never the Arabic letters
    for line in out.splitlines():
        if line.strip():
            assert line.lstrip().startswith(RLM), line  # every line reads right to left


def test_unknown_locale_falls_back_to_english(capsys):
    code, out, _ = run(capsys, "demo", "--locale", "xx")
    assert code == 0
    assert "sara opens a ticket" in out


def test_demo_ticket_is_consistent():
    ticket = cli.run_demo(io.StringIO())
    assert ticket.status is tc.Status.CLOSED
    assert tc.Ticket.replay(ticket.history) == ticket


def test_python_dash_m_runs_the_demo():
    result = subprocess.run(
        [sys.executable, "-m", "ticketcore", "demo", "--locale", "fa"],
        capture_output=True,
        text=True,
        check=False,
        encoding="utf-8",
    )
    assert result.returncode == 0, result.stderr
    assert "T-1001: بسته" in result.stdout


def test_options_work_before_and_after_the_command(capsys, tmp_path):
    db = str(tmp_path / "t.sqlite3")
    assert cli.main(["--db", db, "--as", "user:sara", "new", "--subject", "s", "--body", "b"]) == 0
    code, out, _ = run(capsys, "--locale", "fa", "--db", db, "list", "--as", "user:sara")
    assert code == 0
    assert "T-1001" in out
    assert "شناسه" in out


def test_unknown_command_exits_two(capsys):
    code, _, err = run(capsys, "fly")
    assert code == 2
    assert err.count("\n") == 1
    assert "“fly”" in err


def test_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert tc.__version__ in capsys.readouterr().out


# -- everyday commands -----------------------------------------------------------------


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "tickets.sqlite3")


def new_ticket(capsys, db, *extra, who="user:sara"):
    code, out, err = run(
        capsys,
        "new",
        "--db",
        db,
        "--as",
        who,
        "--subject",
        "Shipment late",
        "--body",
        "Where is SHP-9?",
        *extra,
    )
    assert code == 0, err
    return out.split()[1].rstrip(".")


def test_new_list_show_reply_status_close(capsys, db, tmp_path):
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    ticket_id = new_ticket(
        capsys, db, "--priority", "high", "--ref", "shipment=SHP-9", "--attach", str(receipt)
    )
    assert ticket_id == "T-1001"
    assert new_ticket(capsys, db) == "T-1002"

    code, out, _ = run(capsys, "list", "--db", db, "--as", "user:sara")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["ID", "Status", "Priority", "Category"]
    assert [line.split()[0] for line in lines[1:]] == ["T-1002", "T-1001"]

    code, out, _ = run(capsys, "list", "--db", db, "--as", "agent:ali", "--priority", "high")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["T-1001"]

    assert run(capsys, "reply", ticket_id, "On it", "--db", db, "--as", "agent:ali")[0] == 0
    code, out, _ = run(
        capsys, "reply", ticket_id, "VIP", "--internal", "--db", db, "--as", "agent:ali"
    )
    assert "version 3" in out
    code, out, _ = run(capsys, "status", ticket_id, "resolved", "--db", db, "--as", "agent:ali")
    assert code == 0
    assert "(Resolved)" in out

    code, out, _ = run(capsys, "show", ticket_id, "--db", db, "--as", "user:sara")
    assert code == 0
    assert "receipt.pdf" in out
    assert "On it" in out
    assert "VIP" not in out  # internal notes stay with the agents
    assert "shipment" in out
    assert "SLA clocks" in out
    assert "First response" in out

    code, out, _ = run(capsys, "show", ticket_id, "--db", db, "--as", "agent:ali")
    assert "VIP" in out

    code, out, _ = run(capsys, "close", ticket_id, "--db", db, "--as", "user:sara")
    assert code == 0
    assert "(Closed)" in out
    with SQLiteRepository(db) as repository:
        stored = repository.get(ticket_id)
    assert stored.status is tc.Status.CLOSED
    assert stored.messages[0].attachments[0].filename == "receipt.pdf"


def test_assign_and_queue_filters(capsys, db):
    ticket_id = new_ticket(capsys, db)
    code, _, _ = run(capsys, "assign", ticket_id, "mina", "--db", db, "--as", "agent:ali")
    assert code == 0
    with SQLiteRepository(db) as repository:
        assert repository.get(ticket_id).assignee_id == "mina"
    assert run(capsys, "assign", ticket_id, "-", "--db", db, "--as", "agent:ali")[0] == 0
    with SQLiteRepository(db) as repository:
        assert repository.get(ticket_id).assignee_id is None


def test_at_risk_list_is_sorted_by_deadline(capsys, db):
    low = new_ticket(capsys, db, "--priority", "low")
    urgent = new_ticket(capsys, db, "--priority", "urgent")
    code, out, _ = run(
        capsys, "list", "--at-risk", "--within", "48", "--db", db, "--as", "agent:ali"
    )
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == [urgent, low]
    code, out, _ = run(
        capsys, "list", "--at-risk", "--within", "3", "--db", db, "--as", "agent:ali"
    )
    assert [line.split()[0] for line in out.splitlines()[1:]] == [urgent]


def test_sla_prints_targets_and_tickets_at_risk(capsys, db):
    urgent = new_ticket(capsys, db, "--priority", "urgent")
    code, out, _ = run(capsys, "sla", "--db", db, "--as", "agent:ali")
    assert code == 0
    assert "SLA targets" in out
    assert "Urgent" in out
    assert "2 hours" in out
    assert urgent in out


def test_persian_tables_read_right_to_left(capsys, db):
    new_ticket(capsys, db, "--priority", "urgent")
    code, out, _ = run(capsys, "list", "--db", db, "--as", "agent:ali", "--locale", "fa")
    assert code == 0
    header, row = out.splitlines()[:2]
    assert header.startswith(RLM + "شناسه")
    assert row.startswith(RLM + "T-1001")
    assert "فوری" in row
    assert PERSIAN_DIGITS & set(row)  # the deadline, in Persian digits
    assert "T-1001" in row  # ids keep their Latin digits


def test_requesters_see_only_their_own(capsys, db):
    ticket_id = new_ticket(capsys, db)
    code, _, err = run(capsys, "show", ticket_id, "--db", db, "--as", "user:reza")
    assert code == 1
    assert err.startswith("ticketcore: ")
    assert "Traceback" not in err
    code, out, _ = run(capsys, "list", "--db", db, "--as", "user:reza")
    assert out.strip() == "No tickets."


def test_errors_are_one_line_in_the_chosen_language(capsys, db):
    ticket_id = new_ticket(capsys, db)
    code, _, err = run(
        capsys, "status", ticket_id, "resolved", "--db", db, "--as", "user:sara", "--locale", "fa"
    )
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("ticketcore: ")
    assert "حل\u200cشده" in err
    code, _, err = run(capsys, "new", "--db", db, "--subject", " ", "--body", "x")
    assert code == 1
    assert "subject" in err.lower()


@pytest.mark.parametrize("bad", ["admin:root", "agent:", "sara", ":x"])
def test_bad_actor_is_a_clear_error(capsys, db, bad):
    code, _, err = run(capsys, "list", "--db", db, "--as", bad)
    assert code == 1
    assert "--as" in err


def test_missing_attachment_file_is_a_clear_error(capsys, db, tmp_path):
    code, _, err = run(
        capsys, "new", "--db", db, "--subject", "s", "--body", "b", "--attach", "nope.pdf"
    )
    assert code == 1
    assert "nope.pdf" in err
    with SQLiteRepository(db) as repository:
        assert repository.query().items == ()


def test_unknown_ticket_is_a_clear_error(capsys, db):
    new_ticket(capsys, db)
    code, _, err = run(capsys, "show", "T-9999", "--db", db, "--as", "agent:ali")
    assert code == 1
    assert "T-9999" in err


def test_bad_time_zone_is_a_clear_error(capsys, db):
    code, _, err = run(capsys, "list", "--db", db, "--tz", "Mars/Olympus")
    assert code == 1
    assert err.startswith("ticketcore: ")


def test_unusable_db_path_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "list", "--db", str(tmp_path / "missing" / "x.sqlite3"))
    assert code == 1
    assert err.startswith("ticketcore: ")
    assert "folder does not exist" in err
    not_a_db = tmp_path / "notes.jsonl"
    not_a_db.write_text('{"id": 1}\n', encoding="utf-8")
    code, _, err = run(capsys, "list", "--db", str(not_a_db))
    assert code == 1
    assert "is not a ticketcore database" in err
    assert not_a_db.read_text(encoding="utf-8") == '{"id": 1}\n'  # left alone


def test_an_agent_opening_a_ticket_must_name_the_requester(capsys, db):
    code, _, err = run(
        capsys, "new", "--db", db, "--as", "agent:ali", "--subject", "s", "--body", "b"
    )
    assert code == 1
    assert "must name its requester" in err
    assert new_ticket(capsys, db, "--for", "sara", who="agent:ali") == "T-1001"


def test_sla_for_a_requester_shows_the_targets_only(capsys, db):
    code, out, err = run(capsys, "sla", "--db", db, "--as", "user:sara")
    assert (code, err) == (0, "")
    assert "SLA targets" in out
    assert "at risk" not in out


def test_export_is_for_agents(capsys, db):
    new_ticket(capsys, db)
    code, out, err = run(capsys, "export", "--db", db, "--as", "user:sara")
    assert code == 1
    assert out == ""
    assert err.startswith("ticketcore: ")


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"{not json\n", "line 1: not valid JSON"), (b"\n\xff\xfe\n", "line 2: not UTF-8 text")],
)
def test_import_says_which_line_is_broken_and_how(capsys, db, tmp_path, content, expected):
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(content)
    code, _, err = run(capsys, "import", str(dump), "--db", db, "--as", "agent:ali")
    assert code == 1
    assert expected in err
    assert "Nothing was imported." in err


def test_attachments_get_their_type_from_the_file_name(capsys, db, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# notes", encoding="utf-8")
    code, _, err = run(
        capsys, "new", "--db", db, "--subject", "s", "--body", "b", "--attach", str(notes)
    )
    assert code == 1
    assert "text/markdown" in err  # named, not "application/octet-stream"


def test_within_must_be_positive(capsys, db):
    code, _, err = run(capsys, "list", "--at-risk", "--within", "-3", "--db", db)
    assert code == 2
    assert "positive number of hours" in err


def test_default_db_lives_in_the_user_data_directory(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("TICKETCORE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(sys, "platform", "linux")
    assert cli.default_db() == tmp_path / "data" / "ticketcore" / "tickets.sqlite3"
    code, _, err = run(capsys, "new", "--subject", "s", "--body", "b")
    assert code == 0, err
    assert cli.default_db().exists()  # created on first use
    monkeypatch.setenv("TICKETCORE_DB", str(tmp_path / "elsewhere.sqlite3"))
    assert cli.default_db() == tmp_path / "elsewhere.sqlite3"


# -- export and import -----------------------------------------------------------------


def test_export_then_import_round_trips(capsys, db, tmp_path):
    first = new_ticket(capsys, db)
    run(capsys, "reply", first, "hello", "--db", db, "--as", "agent:ali")
    new_ticket(capsys, db)
    dump = tmp_path / "dump.jsonl"
    code, out, _ = run(capsys, "export", "--db", db, "--as", "agent:ali", "-o", str(dump))
    assert code == 0
    assert "Exported tickets: 2." in out
    lines = dump.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    other = str(tmp_path / "other.sqlite3")
    code, out, err = run(capsys, "import", str(dump), "--db", other, "--as", "agent:ali")
    assert code == 0, err
    assert "Imported tickets: 2." in out
    with SQLiteRepository(db) as a, SQLiteRepository(other) as b:
        assert a.get(first) == b.get(first)


def test_export_to_stdout_is_json_lines(capsys, db):
    new_ticket(capsys, db)
    code, out, _ = run(capsys, "export", "--db", db, "--as", "agent:ali")
    assert code == 0
    assert json.loads(out.splitlines()[0])["id"] == "T-1001"


def test_import_reports_the_bad_line_and_imports_nothing(capsys, db, tmp_path):
    new_ticket(capsys, db)
    dump = tmp_path / "dump.jsonl"
    run(capsys, "export", "--db", db, "--as", "agent:ali", "-o", str(dump))
    good = dump.read_text(encoding="utf-8").splitlines()[0]
    broken = dict(json.loads(good), status="archived")
    dump.write_text("\n".join([good, "{not json", json.dumps(broken)]) + "\n", encoding="utf-8")
    other = str(tmp_path / "other.sqlite3")
    code, _, err = run(capsys, "import", str(dump), "--db", other, "--as", "agent:ali")
    assert code == 1
    assert "line 2" in err
    assert "Nothing was imported." in err
    with SQLiteRepository(other) as repository:
        assert repository.query().items == ()


def test_import_refuses_a_ticket_that_disagrees_with_its_history(capsys, db, tmp_path):
    new_ticket(capsys, db)
    dump = tmp_path / "dump.jsonl"
    run(capsys, "export", "--db", db, "--as", "agent:ali", "-o", str(dump))
    data = json.loads(dump.read_text(encoding="utf-8"))
    data["status"] = "closed"  # but the history says open
    dump.write_text(json.dumps(data) + "\n", encoding="utf-8")
    code, _, err = run(
        capsys, "import", str(dump), "--db", str(tmp_path / "o.sqlite3"), "--as", "agent:ali"
    )
    assert code == 1
    assert "line 1" in err


def test_import_of_an_existing_id_imports_nothing(capsys, db, tmp_path):
    new_ticket(capsys, db)
    dump = tmp_path / "dump.jsonl"
    run(capsys, "export", "--db", db, "--as", "agent:ali", "-o", str(dump))
    code, _, err = run(capsys, "import", str(dump), "--db", db, "--as", "agent:ali")
    assert code == 1
    assert err.startswith("ticketcore: ")


def test_requesters_cannot_import(capsys, db, tmp_path):
    dump = tmp_path / "empty.jsonl"
    dump.write_text("", encoding="utf-8")
    code, _, err = run(capsys, "import", str(dump), "--db", db, "--as", "user:sara")
    assert code == 1
    assert err.startswith("ticketcore: ")


def test_a_closed_pipe_ends_quietly(monkeypatch, capsys):
    """`ticketcore demo | head -1`: once the reader is gone, stop without an error line."""
    read_end, write_end = os.pipe()

    class ClosedPipe(io.StringIO):
        def write(self, _text):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):
            return write_end

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    try:
        assert cli.main(["demo"]) == 141
    finally:
        os.close(read_end)
        os.close(write_end)
    assert capsys.readouterr().err == ""


# -- hard edges: nothing a user can type ends in a traceback ---------------------------

ARABIC_LETTERS = set("يك")


def one_clean_line(err):
    assert err.startswith("ticketcore: "), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert "Errno" not in err


def cursor_of(data):
    import base64

    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        cursor_of([2**64, "T-1"]),
        cursor_of(
            [
                [
                    [
                        [
                            [
                                [
                                    [
                                        [
                                            [
                                                [
                                                    [
                                                        [
                                                            [
                                                                [
                                                                    [
                                                                        [
                                                                            [
                                                                                [
                                                                                    [
                                                                                        [
                                                                                            [
                                                                                                [
                                                                                                    [
                                                                                                        [
                                                                                                            [
                                                                                                                [
                                                                                                                    [
                                                                                                                        [
                                                                                                                            [
                                                                                                                                [
                                                                                                                                    [
                                                                                                                                        [
                                                                                                                                            [
                                                                                                                                                [
                                                                                                                                                    [
                                                                                                                                                        [
                                                                                                                                                            [
                                                                                                                                                                [
                                                                                                                                                                    [
                                                                                                                                                                        [
                                                                                                                                                                            [
                                                                                                                                                                                [
                                                                                                                                                                                    [
                                                                                                                                                                                        [
                                                                                                                                                                                            [
                                                                                                                                                                                                [
                                                                                                                                                                                                    [
                                                                                                                                                                                                        [
                                                                                                                                                                                                            [
                                                                                                                                                                                                                [
                                                                                                                                                                                                                    [
                                                                                                                                                                                                                        [
                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                        [
                                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                                        [
                                                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                                                []
                                                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                ]
                                                                                                                                                                                                            ]
                                                                                                                                                                                                        ]
                                                                                                                                                                                                    ]
                                                                                                                                                                                                ]
                                                                                                                                                                                            ]
                                                                                                                                                                                        ]
                                                                                                                                                                                    ]
                                                                                                                                                                                ]
                                                                                                                                                                            ]
                                                                                                                                                                        ]
                                                                                                                                                                    ]
                                                                                                                                                                ]
                                                                                                                                                            ]
                                                                                                                                                        ]
                                                                                                                                                    ]
                                                                                                                                                ]
                                                                                                                                            ]
                                                                                                                                        ]
                                                                                                                                    ]
                                                                                                                                ]
                                                                                                                            ]
                                                                                                                        ]
                                                                                                                    ]
                                                                                                                ]
                                                                                                            ]
                                                                                                        ]
                                                                                                    ]
                                                                                                ]
                                                                                            ]
                                                                                        ]
                                                                                    ]
                                                                                ]
                                                                            ]
                                                                        ]
                                                                    ]
                                                                ]
                                                            ]
                                                        ]
                                                    ]
                                                ]
                                            ]
                                        ]
                                    ]
                                ]
                            ]
                        ]
                    ]
                ]
            ]
        ),
        "[" * 5000,
        cursor_of("[" * 100_000),
    ],
)
def test_a_hostile_cursor_is_one_clean_line(capsys, db, cursor):
    new_ticket(capsys, db)
    code, _, err = run(capsys, "list", "--db", db, "--as", "agent:ali", "--cursor", cursor)
    assert code == 1
    one_clean_line(err)
    code, _, err = run(
        capsys, "list", "--db", db, "--as", "agent:ali", "--cursor", cursor, "--locale", "fa"
    )
    assert code == 1
    one_clean_line(err)
    assert "نشانگر صفحه" in err


@pytest.mark.parametrize("hours", ["1e9", "1e300"])
def test_a_window_too_large_is_out_of_range(capsys, db, hours):
    for command in (["list", "--at-risk"], ["sla"]):
        code, out, err = run(capsys, *command, "--within", hours, "--db", db, "--as", "agent:ali")
        assert code == 1, (command, err)
        one_clean_line(err)
        assert "time window is outside the allowed range" in err
        assert out == ""  # nothing half-printed before the error


@pytest.mark.parametrize("hours", ["inf", "-inf", "nan", "abc", "0", "-3", ""])
def test_a_window_that_is_not_a_positive_number_is_a_usage_error(capsys, db, hours):
    code, _, err = run(capsys, "list", "--at-risk", f"--within={hours}", "--db", db)
    assert code == 2
    one_clean_line(err)
    assert "--within takes a positive number of hours" in err
    assert "_hours" not in err  # argparse's name for the converter
    code, _, err = run(capsys, "sla", f"--within={hours}", "--db", db, "--locale", "fa")
    assert code == 2
    one_clean_line(err)
    assert "تعداد ساعت" in err


def test_persian_digits_are_hours_too(capsys, db):
    new_ticket(capsys, db, "--priority", "urgent")
    code, out, err = run(
        capsys, "list", "--at-risk", "--within", "۴۸", "--db", db, "--as", "agent:ali"
    )
    assert code == 0, err
    assert "T-1001" in out


def test_within_without_at_risk_is_an_error(capsys, db):
    code, out, err = run(capsys, "list", "--within", "3", "--db", db)
    assert code == 2
    one_clean_line(err)
    assert "--within works only with --at-risk" in err
    assert out == ""


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_usage_errors_are_one_line_in_the_chosen_language(capsys, db, locale):
    persian = locale == "fa"
    cases = [
        (["fly"], "از گزینه‌های مجاز نیست" if persian else "is not one of"),
        (["new", "--subject", "s"], "لازم است" if persian else "required: --body"),
        (["new", "--subject"], "به یک مقدار نیاز دارد" if persian else "--subject needs a value"),
        (["list", "--frobnicate"], "نامفهوم" if persian else "not understood: --frobnicate"),
        (["status", "T-1", "bogus"], "bogus"),
        (["list", "--limit", "x"], "عدد صحیح" if persian else "takes a whole number"),
    ]
    for argv, expected in cases:
        code, _, err = run(capsys, "--locale", locale, *argv, "--db", db)
        assert code == 2, argv
        one_clean_line(err)
        assert expected in err, (argv, err)
        assert "usage:" not in err
        assert "error:" not in err
        if persian:
            assert not ARABIC_LETTERS & set(err)


def test_the_locale_given_after_the_command_translates_usage_errors_too(capsys, db):
    code, _, err = run(capsys, "list", "--limit", "x", "--locale", "fa")
    assert code == 2
    assert "عدد صحیح" in err


def test_limit_zero_is_out_of_range_not_a_wrong_type(capsys, db):
    code, _, err = run(capsys, "list", "--limit", "0", "--db", db)
    assert code == 1
    one_clean_line(err)
    assert "outside the allowed range" in err
    assert "type" not in err
    code, _, err = run(capsys, "list", "--limit", "0", "--db", db, "--locale", "fa")
    assert "خارج از محدودهٔ مجاز" in err


def test_an_unknown_time_zone_is_said_in_persian(capsys, db):
    code, _, err = run(capsys, "list", "--db", db, "--tz", "Mars/Base", "--locale", "fa")
    assert code == 1
    one_clean_line(err)
    assert "منطقه زمانی" in err
    assert "Mars/Base" in err
    assert "No time zone" not in err


def test_a_missing_output_folder_is_said_plainly(capsys, db, tmp_path):
    new_ticket(capsys, db)
    target = str(tmp_path / "missing" / "dump.jsonl")
    code, _, err = run(capsys, "export", "--db", db, "--as", "agent:ali", "-o", target)
    assert code == 1
    one_clean_line(err)
    assert "cannot write" in err
    assert "no such file or folder" in err
    code, _, err = run(
        capsys, "export", "--db", db, "--as", "agent:ali", "-o", target, "--locale", "fa"
    )
    one_clean_line(err)
    assert "وجود ندارد" in err


def test_an_unreadable_file_is_said_plainly(capsys, db, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for name in (str(tmp_path / "missing.jsonl"), str(folder), "bad\x00name"):
        code, _, err = run(capsys, "import", name, "--db", db, "--as", "agent:ali")
        assert code == 1, name
        one_clean_line(err)
        assert "cannot read" in err
    code, _, err = run(
        capsys,
        "import",
        str(tmp_path / "missing.jsonl"),
        "--db",
        db,
        "--as",
        "agent:ali",
        "--locale",
        "fa",
    )
    assert "خواندن" in err


def test_a_db_that_is_a_folder_is_not_a_retry_later(capsys, tmp_path):
    code, _, err = run(capsys, "list", "--db", str(tmp_path))
    assert code == 1
    one_clean_line(err)
    assert "is a folder" in err
    assert "try again" not in err
    assert "later" not in err


def test_naming_another_requester_lists_nothing(capsys, db):
    new_ticket(capsys, db)
    code, out, err = run(capsys, "list", "--requester", "sara", "--db", db, "--as", "user:reza")
    assert (code, err) == (0, "")
    assert out.strip() == "No tickets."
    assert "belongs to another user" not in out + err


def test_another_requesters_ticket_looks_missing(capsys, db):
    ticket_id = new_ticket(capsys, db)
    _, _, foreign = run(capsys, "show", ticket_id, "--db", db, "--as", "user:reza")
    _, _, missing = run(capsys, "show", "T-9999", "--db", db, "--as", "user:reza")
    assert foreign.replace(ticket_id, "T-9999") == missing


@pytest.mark.parametrize("ticket", ["", "   "])
def test_an_empty_ticket_number_is_asked_for(capsys, db, ticket):
    code, _, err = run(capsys, "show", ticket, "--db", db)
    assert code == 2
    one_clean_line(err)
    assert "a ticket number, such as T-1001, is required" in err
    assert "  was" not in err


def test_persian_sizes_use_a_persian_unit(capsys, db, tmp_path):
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 twenty-two b")
    ticket_id = new_ticket(capsys, db, "--attach", str(receipt))
    code, out, _ = run(capsys, "show", ticket_id, "--db", db, "--as", "user:sara", "--locale", "fa")
    assert code == 0
    assert "۲۱ بایت" in out
    assert " B," not in out
    code, out, _ = run(capsys, "show", ticket_id, "--db", db, "--as", "user:sara")
    assert "21 bytes" in out


def test_english_history_rows_say_what_kind_of_message(capsys, db):
    ticket_id = new_ticket(capsys, db)
    run(capsys, "reply", ticket_id, "On it", "--db", db, "--as", "agent:ali")
    run(capsys, "reply", ticket_id, "VIP", "--internal", "--db", db, "--as", "agent:ali")
    code, out, _ = run(capsys, "show", ticket_id, "--db", db, "--as", "agent:ali")
    assert code == 0
    rows = [line.split("  ") for line in out.splitlines()]
    details = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    messages = [row[3] for row in details if len(row) == 5 and row[2] == "Message"]
    assert messages == ["public reply", "internal note"]


def test_a_requester_adding_a_note_is_told_in_words(capsys, db):
    ticket_id = new_ticket(capsys, db)
    code, _, err = run(
        capsys, "reply", ticket_id, "x", "--internal", "--db", db, "--as", "user:sara"
    )
    assert code == 1
    one_clean_line(err)
    assert "not allowed to add internal notes" in err
    assert "add note " not in err


def test_a_reason_is_for_the_team_unless_made_public(capsys, db):
    ticket_id = new_ticket(capsys, db)
    run(
        capsys,
        "status",
        ticket_id,
        "in_progress",
        "--db",
        db,
        "--as",
        "agent:ali",
        "--reason",
        "waiting on fraud team",
    )
    with SQLiteRepository(db) as repository:
        event = repository.get(ticket_id).history[-1]
    assert (event.reason, event.reason_public) == ("waiting on fraud team", False)
    run(
        capsys,
        "status",
        ticket_id,
        "resolved",
        "--db",
        db,
        "--as",
        "agent:ali",
        "--reason",
        "refunded",
        "--public-reason",
    )
    with SQLiteRepository(db) as repository:
        assert repository.get(ticket_id).history[-1].reason_public is True


# -- rights come from the host's workflow --------------------------------------------


def test_export_and_import_rights_are_the_workflows(capsys, db, tmp_path):
    new_ticket(capsys, db)
    dump = str(tmp_path / "dump.jsonl")
    closed = tc.Workflow.default(permissions={"export": [], "import": []})
    for argv in (["export", "-o", dump], ["import", dump]):
        code = cli.main([*argv, "--db", db, "--as", "agent:ali"], workflow=closed)
        err = capsys.readouterr().err
        assert code == 1, argv
        one_clean_line(err)
        assert "not allowed to" in err
    open_to_all = tc.Workflow.default(
        permissions={"export": ["agent"], "view_at_risk": ["agent", "system"]}
    )
    assert (
        cli.main(["export", "-o", dump, "--db", db, "--as", "agent:ali"], workflow=open_to_all) == 0
    )


def test_the_sla_command_shows_the_hosts_policy(capsys, db):
    policy = tc.SLAPolicy.default()
    code = cli.main(["sla", "--db", db, "--as", "agent:ali"], policy=policy)
    assert code == 0
    with pytest.raises(TypeError) as caught:
        cli.main(["sla"], policy="fast")  # type: ignore[arg-type]
    assert isinstance(caught.value, tc.TicketcoreError)


@pytest.mark.parametrize("argv", [42, "list", [1, 2], ["list", None], b"list", {"list": 1}])
def test_main_with_wrong_typed_arguments_raises_a_ticketcore_error(argv):
    with pytest.raises(InvalidTypeError) as caught:
        cli.main(argv)
    assert caught.value.field == "argv"


@pytest.mark.parametrize(
    ("keywords", "field"),
    [
        ({"out": None}, "out"),
        ({"out": []}, "out"),
        ({"db": 42}, "db"),
        ({"db": b"x.sqlite3"}, "db"),
        ({"locale": None}, "locale"),
        ({"locale": ["fa"]}, "locale"),
    ],
)
def test_run_demo_with_wrong_typed_arguments_raises_a_ticketcore_error(keywords, field):
    arguments = {"out": io.StringIO(), **keywords}
    with pytest.raises(InvalidTypeError) as caught:
        cli.run_demo(arguments.pop("out"), **arguments)
    assert caught.value.field == field


def test_run_demo_on_a_missing_folder_raises_a_storage_error(tmp_path):
    with pytest.raises(tc.StorageError) as caught:
        cli.run_demo(io.StringIO(), db=tmp_path / "missing" / "demo.sqlite3")
    assert caught.value.code is tc.ErrorCode.STORAGE_INVALID


# -- import: the operations' rules, all or nothing -----------------------------------


def exported(capsys, db, tmp_path):
    receipt = tmp_path / "receipt.txt"
    receipt.write_text("paid", encoding="utf-8")
    first = new_ticket(capsys, db, "--attach", str(receipt))
    run(capsys, "reply", first, "hello", "--db", db, "--as", "agent:ali")
    new_ticket(capsys, db)
    dump = tmp_path / "dump.jsonl"
    assert run(capsys, "export", "--db", db, "--as", "agent:ali", "-o", str(dump))[0] == 0
    return [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]


def import_lines(capsys, tmp_path, lines, *extra):
    dump = tmp_path / "in.jsonl"
    dump.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    other = str(tmp_path / "other.sqlite3")
    code, _, err = run(capsys, "import", str(dump), "--db", other, "--as", "agent:ali", *extra)
    with SQLiteRepository(other) as repository:
        stored = repository.query().items
    return code, err, stored


def set_everywhere(data, key, value):
    if isinstance(data, dict):
        for name in data:
            if name == key:
                data[name] = value
            else:
                set_everywhere(data[name], key, value)
    elif isinstance(data, list):
        for item in data:
            set_everywhere(item, key, value)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("\x1b[31mred\x1b[0m", "control character"),
        ("pay\u202eyap", "text-direction character"),
        ("", "Please enter a subject"),
        ("x" * 10_000, "too long"),
    ],
)
def test_import_applies_the_subject_rules_and_imports_nothing(
    capsys, db, tmp_path, subject, expected
):
    good, second = exported(capsys, db, tmp_path)
    set_everywhere(second, "subject", subject)
    code, err, stored = import_lines(capsys, tmp_path, [good, second])
    assert code == 1
    one_clean_line(err)
    assert "line 2" in err
    assert expected in err
    assert "Nothing was imported." in err
    assert stored == ()  # not even the good first line


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("body", "hello\x1b]8;;http://evil\x07"),
        ("body", "\u2066hidden\u2069"),
        ("filename", "a\u202etxt.exe"),
        ("requester_id", "sa ra"),
        ("id", "T-1\n"),
    ],
)
def test_import_applies_the_rules_to_every_field(capsys, db, tmp_path, key, value):
    lines = exported(capsys, db, tmp_path)
    target = next(line for line in lines if "receipt.txt" in json.dumps(line))
    other = next(line for line in lines if line is not target)
    set_everywhere(target, key, value)
    code, err, stored = import_lines(capsys, tmp_path, [other, target])
    assert code == 1, key
    one_clean_line(err)
    assert "line 2" in err
    assert stored == ()


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00+00:00", "9999-12-31T00:00:00+00:00", "9999-12-31T23:59:59+00:00"],
)
def test_import_of_a_ticket_opened_at_the_ends_of_time(capsys, db, tmp_path, moment):
    _, second = exported(capsys, db, tmp_path)
    for key in ("at", "created_at", "updated_at"):
        set_everywhere(second, key, moment)
    code, err, stored = import_lines(capsys, tmp_path, [second])
    assert code == 1
    one_clean_line(err)
    assert "line 1" in err
    assert stored == ()
    code, err, _ = import_lines(capsys, tmp_path, [second], "--locale", "fa")
    one_clean_line(err)
    assert "سطر ۱" in err


@pytest.mark.parametrize("version", [2**63, 2**64, -1, 0])
def test_import_of_an_impossible_version(capsys, db, tmp_path, version):
    _, second = exported(capsys, db, tmp_path)
    set_everywhere(second, "version", version)
    code, err, stored = import_lines(capsys, tmp_path, [second])
    assert code == 1
    one_clean_line(err)
    assert stored == ()


@pytest.mark.parametrize(
    "line",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"id": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"id": ' + "[" * 500 + "]" * 500 + "}",
        '{"history": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}",
        "[]",
        "42",
        '"text"',
    ],
)
def test_import_of_nested_or_foreign_json(capsys, db, tmp_path, line):
    code, err, stored = import_lines(capsys, tmp_path, [line])
    assert code == 1
    one_clean_line(err)
    assert "line 1" in err
    assert stored == ()


def test_import_of_a_duplicate_line_imports_nothing(capsys, db, tmp_path):
    good, second = exported(capsys, db, tmp_path)
    code, err, stored = import_lines(capsys, tmp_path, [good, second, good])
    assert code == 1
    one_clean_line(err)
    assert stored == ()


def test_search_finds_tickets_by_their_words_in_either_language(capsys, db):
    assert new_ticket(capsys, db) == "T-1001"
    code, _, err = run(
        capsys, "new", "--db", db, "--as", "user:reza", "--subject", "پرداخت ناموفق",
        "--body", "مي‌خواهم پولم برگردد", "--category", "financial",
    )  # fmt: skip
    assert code == 0, err
    assert run(capsys, "reply", "T-1001", "SHP-9 refund", "--internal", "--db", db,
               "--as", "agent:ali")[0] == 0  # fmt: skip
    code, out, _ = run(capsys, "search", "shp-9", "--db", db, "--as", "agent:ali")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["T-1001"]
    code, out, _ = run(capsys, "search", "میخواهم", "--db", db, "--as", "agent:ali")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["T-1002"]
    code, out, _ = run(capsys, "search", "refund", "--db", db, "--as", "user:sara")
    assert code == 0
    assert out.strip() == "No tickets."  # a note: not for the requester
    code, out, _ = run(
        capsys, "--locale", "fa", "search", "پرداخت", "--db", db, "--as", "user:sara"
    )
    assert code == 0
    assert "T-1002" not in out  # Reza's ticket
    code, _, err = run(capsys, "search", "x", "--cursor", "nope", "--db", db, "--as", "agent:ali")
    assert code == 1
    assert err.count("\n") == 1
