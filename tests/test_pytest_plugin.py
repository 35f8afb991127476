"""The pytest plugin's fixtures, used here exactly as a host's tests use them."""

import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import ticketcore as tc
from ticketcore.storage.sqlite import SQLiteRepository
from ticketcore.testing.pytest_plugin import FROZEN_AT

SARA, ALI = tc.Actor.requester("sara"), tc.Actor.agent("ali")


def test_frozen_clock_stands_still_until_moved(frozen_clock):
    assert frozen_clock.now() == FROZEN_AT
    assert frozen_clock.now() == FROZEN_AT
    frozen_clock.advance(timedelta(hours=3))
    assert frozen_clock.now() == FROZEN_AT + timedelta(hours=3)


def test_helpdesk_runs_on_the_frozen_clock(helpdesk, frozen_clock):
    ticket = helpdesk.open_ticket(SARA, subject="Refund", body="Charged twice", priority="urgent")
    assert ticket.id == "T-1"
    assert ticket.created_at == FROZEN_AT
    assert isinstance(helpdesk.repository, tc.storage.InMemoryRepository)
    frozen_clock.advance(timedelta(hours=3))
    at_risk = helpdesk.at_risk(ALI, within=timedelta(0))
    assert [t.id for t in at_risk.items] == ["T-1"]  # two hours for urgent, three passed


def test_each_test_gets_a_fresh_helpdesk(helpdesk):
    assert helpdesk.open_ticket(SARA, subject="s", body="b").id == "T-1"


def test_sqlite_helpdesk_keeps_tickets_in_a_file(sqlite_helpdesk, tmp_path):
    ticket = sqlite_helpdesk.open_ticket(SARA, subject="s", body="b")
    sqlite_helpdesk.reply(ALI, ticket.id, "hello")
    with SQLiteRepository(tmp_path / "tickets.sqlite3") as repository:
        assert repository.get(ticket.id).version == 2


def test_a_host_project_gets_the_fixtures_without_imports(tmp_path):
    """Through the installed entry point, as in a host's own test suite."""
    test_file = tmp_path / "test_host.py"
    test_file.write_text(
        textwrap.dedent(
            """
            import ticketcore as tc

            def test_host(helpdesk, frozen_clock):
                ticket = helpdesk.open_ticket(
                    tc.Actor.requester("sara"), subject="s", body="b"
                )
                assert ticket.created_at == frozen_clock.now()
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_plugin_imports_nothing_heavy():
    code = (
        "import sys, ticketcore.testing.pytest_plugin;"
        "print([m for m in ('sqlite3', 'babel', 'hypothesis') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_fixture_example_in_the_docs_passes(tmp_path):
    """docs/testing.md shows a host test using the fixtures: run it as a host would."""
    page = (Path(__file__).parent.parent / "docs" / "testing.md").read_text(encoding="utf-8")
    section = page.split("## Fixtures", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    test_file = tmp_path / "test_from_docs.py"
    test_file.write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
