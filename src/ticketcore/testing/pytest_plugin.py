"""The ``ticketcore`` pytest plugin: fixtures a host's tests want.

Installed with the package (entry point ``pytest11``), so a host's tests can ask for
these fixtures without importing anything:

- ``frozen_clock``: a :class:`~ticketcore.clock.FixedClock` standing at
  ``2026-03-21 09:00 UTC`` (1 Farvardin 1405) until the test moves it with
  ``frozen_clock.advance(timedelta(...))`` or ``frozen_clock.set(...)``;
- ``helpdesk``: a :class:`~ticketcore.Helpdesk` on the in-memory adapters, with that
  clock, sequential ids (``T-1``, ``T-2``...), the default workflow and SLA policy;
- ``sqlite_helpdesk``: the same on a SQLite file and a file attachment store in the
  test's temporary directory, closed after the test.

A host fixture of the same name takes precedence over these, as pytest's rules say.
Importing this module is cheap: each fixture imports what it needs when it runs.

>>> from ticketcore.testing import pytest_plugin
>>> pytest_plugin.FROZEN_AT.isoformat()
'2026-03-21T09:00:00+00:00'
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ticketcore.clock import FixedClock
    from ticketcore.helpdesk import Helpdesk

__all__ = ["FROZEN_AT", "frozen_clock", "helpdesk", "sqlite_helpdesk"]

#: Where ``frozen_clock`` starts: the first moment of the Persian year 1405, in UTC.
FROZEN_AT = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen_clock() -> FixedClock:
    """A clock that stands still at :data:`FROZEN_AT` until the test moves it."""
    from ticketcore.clock import FixedClock  # noqa: PLC0415 - keep the plugin cheap

    return FixedClock(FROZEN_AT)


@pytest.fixture
def helpdesk(frozen_clock: FixedClock) -> Helpdesk:
    """A helpdesk on the in-memory adapters, driven by ``frozen_clock``."""
    from ticketcore.clock import SequentialIds  # noqa: PLC0415
    from ticketcore.helpdesk import Helpdesk  # noqa: PLC0415

    return Helpdesk.in_memory(clock=frozen_clock, ids=SequentialIds(prefix="T-"))


@pytest.fixture
def sqlite_helpdesk(frozen_clock: FixedClock, tmp_path: Path) -> Iterator[Helpdesk]:
    """A helpdesk on a SQLite file in the test's temporary directory."""
    from ticketcore.clock import SequentialIds  # noqa: PLC0415
    from ticketcore.helpdesk import Helpdesk  # noqa: PLC0415
    from ticketcore.sla import SLAPolicy  # noqa: PLC0415
    from ticketcore.storage.files import FileAttachmentStore  # noqa: PLC0415
    from ticketcore.storage.sqlite import SQLiteRepository  # noqa: PLC0415
    from ticketcore.workflow import Workflow  # noqa: PLC0415

    with SQLiteRepository(tmp_path / "tickets.sqlite3") as repository:
        yield Helpdesk(
            repository=repository,
            attachments=FileAttachmentStore(tmp_path / "attachments"),
            clock=frozen_clock,
            ids=SequentialIds(prefix="T-"),
            workflow=Workflow.default(),
            policy=SLAPolicy.default(),
        )
