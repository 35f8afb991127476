"""The examples run the way a new user runs them: as scripts, and under pytest.

Each runs in a subprocess of this interpreter, from a temporary folder, so nothing
depends on the current directory and nothing is left in the repository.
"""

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ticketcore.testing.contract import TicketRepositoryContract

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WEB_APP = EXAMPLES / "fastapi_app"
# What the web example needs besides ticketcore: the `examples` extra.
WEB_MODULES = ("fastapi", "httpx", "python_multipart", "uvicorn")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
        check=False,
    )


def pytest_in_subprocess(target: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The repository's pytest configuration applies (warnings are errors), as in CI.
    return run("-m", "pytest", str(target), "-q", "-p", "no:cacheprovider", cwd=cwd)


def require_web_modules() -> None:
    """Skip when the examples extra is missing, except in CI, which must install it."""
    missing = [name for name in WEB_MODULES if importlib.util.find_spec(name) is None]
    if not missing:
        return
    reason = f"the FastAPI example needs {', '.join(missing)}: pip install -e '.[examples]'"
    if os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}:
        pytest.fail(f"CI must install the examples extra; {reason}")
    pytest.skip(reason)


def test_quickstart(tmp_path):
    result = run(str(EXAMPLES / "quickstart.py"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for line in (
        "1. sara opens a ticket",
        "   status  Open / باز",
        "   first_response  running        5 hours left / ۵ ساعت مانده",
        "   en: The role “Requester” is not allowed to change the priority.",
        "   fa: نقش «درخواست‌کننده» اجازهٔ تغییر اولویت را ندارد.",
        "   event   v6 status_changed by system system",
        "   first_response  met            answered at 10:30",
        "   status  Closed / بسته",
        "T-1001: closed, version 8, 9 events, 4 messages (3 visible to sara: no internal notes)",
    ):
        assert line in out.splitlines(), f"missing {line!r} in:\n{out}"


def test_sla_report(tmp_path):
    result = run(str(EXAMPLES / "sla_report.py"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # Columns are padded with spaces; the Persian lines start with a right-to-left mark.
    rows = [" ".join(line.strip("\u200f").split()) for line in result.stdout.splitlines()]
    for row in (
        "T-102 Medium Open First response Breached overdue by 6 hours",
        "T-101 Urgent Open First response Warning 15 minutes left",
        "T-104 Low Waiting for user First response Paused 23 hours",
        "گزارش مهلت‌های پاسخ در ۱ فروردین ۱۴۰۵، ۱۵:۳۰",
        "T-102 متوسط باز نخستین پاسخ از مهلت گذشته ۶ ساعت از مهلت گذشته",
        "T-101 فوری باز نخستین پاسخ هشدار ۱۵ دقیقه مانده",
    ):
        assert row in rows, f"missing {row!r} in:\n{result.stdout}"


def test_custom_repository_as_a_script(tmp_path):
    result = run(str(EXAMPLES / "custom_repository.py"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "T-1 read back from its document: open, version 2" in result.stdout


def test_custom_repository_passes_the_contract_suite(tmp_path):
    result = pytest_in_subprocess(EXAMPLES / "custom_repository.py", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    checks = [name for name in dir(TicketRepositoryContract) if name.startswith("test_")]
    assert re.search(rf"\b{len(checks)} passed\b", result.stdout), result.stdout
    assert "skipped" not in result.stdout


def test_property_test_of_a_custom_workflow_passes(tmp_path):
    result = pytest_in_subprocess(EXAMPLES / "property_test_custom_workflow.py", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_fastapi_app_tests_pass(tmp_path):
    require_web_modules()
    result = pytest_in_subprocess(WEB_APP, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout
    assert "skipped" not in result.stdout


def test_fastapi_app_serves_as_the_readme_says(tmp_path):
    require_web_modules()
    with socket.socket() as probe:  # a free port on the loopback interface
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, str(WEB_APP / "app.py"), "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/openapi.json", timeout=2):  # noqa: S310
                    break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "the server did not start in 30 s"
                time.sleep(0.1)
        request = urllib.request.Request(  # noqa: S310 - a fixed loopback URL
            f"{base}/tickets/T-404",
            headers={"X-Actor": "agent:ali", "Accept-Language": "fa"},
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=5)  # noqa: S310
        assert caught.value.code == 404
        body = json.loads(caught.value.read().decode())
        assert body == {
            "code": "not_found",
            "field": "ticket_id",
            "message": "تیکت T-404 پیدا نشد.",
        }
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert (tmp_path / "tickets.sqlite3").is_file()  # where the README says tickets go
