import subprocess
import sys

import pytest

import ticketcore as tc
from ticketcore import cli


def test_demo_walks_the_whole_lifecycle(capsys):
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    for expected in [
        "sara opens a ticket",
        "open -> in_progress",
        "in_progress -> waiting_for_user",
        "waiting_for_user -> in_progress    by system system",
        "in_progress -> resolved",
        "resolved -> closed",
        "T-1001: closed, version 8",
    ]:
        assert expected in out
    statuses = [line.split()[-1] for line in out.splitlines() if line.strip().startswith("status")]
    assert statuses == [
        "open",
        "in_progress",
        "in_progress",
        "in_progress",
        "waiting_for_user",
        "in_progress",
        "resolved",
        "closed",
    ]


def test_demo_ticket_is_consistent():
    import io

    ticket = cli.run_demo(io.StringIO())
    assert ticket.status is tc.Status.CLOSED
    assert tc.Ticket.replay(ticket.history) == ticket


def test_python_dash_m_runs_the_demo():
    result = subprocess.run(
        [sys.executable, "-m", "ticketcore", "demo"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "T-1001: closed" in result.stdout


def test_unknown_command_exits_non_zero(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["fly"])
    assert caught.value.code == 2


def test_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert tc.__version__ in capsys.readouterr().out
