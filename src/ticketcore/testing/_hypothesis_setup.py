"""The ``hypothesis`` entry point: ``st.from_type`` for ticketcore's public types.

Hypothesis calls :func:`_hypothesis_setup_hook` when it is imported, in any process where
ticketcore is installed, so the hook must be cheap and must not fail: it imports only
ticketcore's own types, and the strategies module (with its hypothesis imports) only when
a type is first resolved. The entry point, in ``pyproject.toml``::

    [project.entry-points.hypothesis]
    ticketcore = "ticketcore.testing._hypothesis_setup:_hypothesis_setup_hook"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = ["_hypothesis_setup_hook"]

_Resolver = Callable[[type[Any]], "SearchStrategy[Any]"]


def _lazy(name: str, **kwargs: object) -> _Resolver:
    """A resolver that builds ``strategies.<name>(**kwargs)`` when the type is first asked for."""

    def resolve(_type: type[Any]) -> SearchStrategy[Any]:
        from ticketcore.testing import strategies  # noqa: PLC0415 - lazily, see the module

        strategy: SearchStrategy[Any] = getattr(strategies, name)(**kwargs)
        return strategy

    return resolve


def _hypothesis_setup_hook() -> None:
    """Register a strategy for each public ticketcore type with hypothesis."""
    from hypothesis import strategies as st  # noqa: PLC0415 - hypothesis calls this hook

    from ticketcore.calendar import BusinessCalendar  # noqa: PLC0415
    from ticketcore.enums import Category, Priority, Role, Status  # noqa: PLC0415
    from ticketcore.events import (  # noqa: PLC0415
        AssigneeChanged,
        CategoryChanged,
        Event,
        MessageAdded,
        PriorityChanged,
        StatusChanged,
        TicketOpened,
    )
    from ticketcore.limits import Limits  # noqa: PLC0415
    from ticketcore.model import Actor, Attachment, Message  # noqa: PLC0415
    from ticketcore.sla import SLAPolicy, SLAReport  # noqa: PLC0415
    from ticketcore.ticket import Ticket  # noqa: PLC0415
    from ticketcore.workflow import Transition, Workflow  # noqa: PLC0415

    for enum in (Status, Priority, Category, Role):
        st.register_type_strategy(enum, st.sampled_from(enum))
    lazy: dict[type[Any], _Resolver] = {
        Actor: _lazy("actors"),
        Attachment: _lazy("attachments"),
        Message: _lazy("messages"),
        Ticket: _lazy("tickets"),
        Event: _lazy("events"),
        BusinessCalendar: _lazy("calendars"),
        SLAPolicy: _lazy("policies"),
        SLAReport: _lazy("reports"),
        Workflow: _lazy("workflows"),
        Transition: _lazy("transitions"),
        Limits: _lazy("limits"),
    }
    for kind in (
        TicketOpened,
        MessageAdded,
        StatusChanged,
        PriorityChanged,
        CategoryChanged,
        AssigneeChanged,
    ):
        lazy[kind] = _lazy("events", types=kind)
    for kind, resolve in lazy.items():
        st.register_type_strategy(kind, resolve)
