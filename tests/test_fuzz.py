"""The fuzz test: every public entry point, driven with hostile values, raises only
ticketcore errors, and a failing Helpdesk call leaves everything it stores as it was.

The entry points are found by ``tests/fuzzing.py`` from ``__all__`` and the public
modules, so new API is covered the day it lands. It runs under the ``ci`` hypothesis
profile whatever profile the rest of the suite uses, with a tenth of its
``max_examples`` calls per entry point (20), to keep the suite fast; for a deeper run
and a report of every escape::

    .venv/bin/python tests/fuzzing.py --examples 200
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

import ticketcore as tc
from fuzzing import (
    Resources,
    arguments_strategy,
    call,
    entry_points,
    instance_factory,
    invoke,
    snapshot,
    sqlite_helpdesk,
)

POINTS = entry_points()
CI = settings.get_profile("ci")
FUZZ = settings(
    CI,
    max_examples=CI.max_examples // 10,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def resources(tmp_path_factory):
    return Resources(tmp_path_factory.mktemp("fuzz"), os.environ.get("TICKETCORE_TEST_POSTGRES"))


@pytest.fixture(autouse=True)
def _scratch_folder(tmp_path, monkeypatch):
    # a fuzzed relative path lands in a scratch folder, never in the working tree
    monkeypatch.chdir(tmp_path)


def _instance(entry, resources):
    if not entry.bound:
        return None
    try:
        return instance_factory(entry.owner)(resources)
    except Exception as error:  # a server that is not there: the factory says so
        if type(error).__name__ == "_NoInstance":
            pytest.skip(str(error))
        raise


def test_the_fuzzer_finds_the_public_surface():
    names = {entry.name for entry in POINTS}
    for expected in (
        "ticketcore.Helpdesk.reply",
        "ticketcore.Limits",
        "ticketcore.SLAPolicy.evaluate",
        "ticketcore.serialization.ticket_from_json",
        "ticketcore.storage.SQLiteRepository.get",
        "ticketcore.testing.strategies.tickets",
        "ticketcore.i18n.message",
    ):
        assert expected in names
    assert len(names) == len(POINTS) > 200


@pytest.mark.parametrize("entry", POINTS, ids=str)
def test_an_entry_point_raises_only_ticketcore_errors(entry, resources):
    instance = _instance(entry, resources)

    @FUZZ
    @given(arguments_strategy(entry))
    def fuzz(arguments):
        escape = call(entry, instance, arguments)
        assert escape is None, (
            f"{escape.kind}: {escape.error} from {entry.name}({arguments!r:.300})"
        )

    fuzz()


HELPDESK_CALLS = [entry for entry in POINTS if entry.owner is tc.Helpdesk and entry.bound]


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
@pytest.mark.parametrize("entry", HELPDESK_CALLS, ids=str)
def test_a_failing_helpdesk_call_changes_nothing(entry, backend, resources):
    helpdesk = _instance(entry, resources) if backend == "memory" else sqlite_helpdesk(resources)

    @FUZZ
    @given(arguments_strategy(entry))
    def fuzz(arguments):
        before = snapshot(helpdesk)
        error = invoke(entry, helpdesk, arguments)
        if error is None:
            return
        assert isinstance(error, tc.TicketcoreError), f"{type(error).__name__}: {error}"
        assert snapshot(helpdesk) == before, f"{entry.name} failed with {error.code} half-done"

    fuzz()
