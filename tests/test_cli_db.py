import io
import subprocess
import sys
import tempfile

import ticketcore as tc
from ticketcore import cli
from ticketcore.storage.sqlite import SQLiteRepository


def test_demo_with_db_leaves_the_ticket_in_the_file(tmp_path, capsys):
    path = tmp_path / "demo.sqlite3"
    assert cli.main(["demo", "--db", str(path)]) == 0
    assert "T-1001: Closed, version 8" in capsys.readouterr().out
    with SQLiteRepository(path) as repository:
        ticket = repository.get("T-1001")
        log = repository.events_after(0)
    assert ticket.status is tc.Status.CLOSED
    assert ticket.version == 8
    assert tc.Ticket.replay(ticket.history) == ticket
    assert [record.event for record in log] == list(ticket.history)


def test_demo_prints_the_same_with_or_without_a_file(tmp_path):
    without, with_file = io.StringIO(), io.StringIO()
    cli.run_demo(without)
    cli.run_demo(with_file, db=tmp_path / "demo.sqlite3")
    assert with_file.getvalue() == without.getvalue()


def test_demo_prints_the_events_the_helpdesk_logged(tmp_path):
    out = io.StringIO()
    ticket = cli.run_demo(out, db=tmp_path / "demo.sqlite3")
    printed = [line for line in out.getvalue().splitlines() if line.startswith("   event")]
    assert len(printed) == len(ticket.history) == 9
    assert "v6  Status changed" in printed[6]
    assert printed[6].endswith("by System")


def test_demo_run_again_on_the_same_file_adds_another_ticket(tmp_path):
    path = tmp_path / "demo.sqlite3"
    cli.run_demo(io.StringIO(), db=path)
    out = io.StringIO()
    second = cli.run_demo(out, db=path)
    assert second.id == "T-1002"
    assert "T-1002: Closed" in out.getvalue()
    with SQLiteRepository(path) as repository:
        assert [t.id for t in repository.query().items] == ["T-1001", "T-1002"]


def test_demo_without_db_uses_a_temporary_file_and_removes_it(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ticket = cli.run_demo(io.StringIO())
    assert ticket.status is tc.Status.CLOSED
    assert list(tmp_path.iterdir()) == []


def test_demo_with_an_unusable_file_fails_cleanly(tmp_path, capsys):
    assert cli.main(["demo", "--db", str(tmp_path / "no-such-folder" / "x.sqlite3")]) == 1
    assert capsys.readouterr().err.startswith("ticketcore: ")


def test_python_dash_m_demo_with_db(tmp_path):
    path = tmp_path / "demo.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "ticketcore", "demo", "--db", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "T-1001: Closed" in result.stdout
    with SQLiteRepository(path) as repository:
        assert repository.get("T-1001").status is tc.Status.CLOSED
