"""ticketcore: customer-support tickets as a typed Python library.

The flat public API. The service layer (``Helpdesk`` and the storage values) is loaded
on first use, so that ``import ticketcore`` stays cheap for code that only needs the
model, the workflow or the SLA engine.
"""

import importlib as _importlib
from typing import TYPE_CHECKING

from ticketcore._persian import normalize_persian
from ticketcore._version import __version__
from ticketcore.calendar import BusinessCalendar
from ticketcore.enums import Category, Priority, Role, Status
from ticketcore.errors import (
    ConflictError,
    ErrorCode,
    InvalidTypeError,
    NotFoundError,
    PermissionDeniedError,
    RecordUnreadableError,
    StorageError,
    StorageUnavailableError,
    TicketcoreError,
    TransitionError,
    ValidationError,
)
from ticketcore.events import (
    AssigneeChanged,
    CategoryChanged,
    Event,
    MessageAdded,
    PriorityChanged,
    RequesterErased,
    StatusChanged,
    TicketOpened,
)
from ticketcore.limits import DEFAULT_CONTENT_TYPES, Limits
from ticketcore.model import Actor, Attachment, Message
from ticketcore.sla import ClockState, Metric, MetricStatus, SLAEvent, SLAPolicy, SLAReport
from ticketcore.ticket import Change, Ticket
from ticketcore.workflow import Action, Transition, Workflow

__all__ = [
    "DEFAULT_CONTENT_TYPES",
    "Action",
    "Actor",
    "AssigneeChanged",
    "Attachment",
    "BusinessCalendar",
    "Category",
    "CategoryChanged",
    "Change",
    "ClockState",
    "ConflictError",
    "ErrorCode",
    "Event",
    "Helpdesk",
    "InvalidTypeError",
    "Limits",
    "Message",
    "MessageAdded",
    "Metric",
    "MetricStatus",
    "NotFoundError",
    "Order",
    "Page",
    "PermissionDeniedError",
    "Priority",
    "PriorityChanged",
    "RecordUnreadableError",
    "RequesterErased",
    "Role",
    "SLAEvent",
    "SLAPolicy",
    "SLAReport",
    "Status",
    "StatusChanged",
    "StorageError",
    "StorageUnavailableError",
    "StoredContent",
    "StoredEvent",
    "Ticket",
    "TicketOpened",
    "TicketQuery",
    "TicketcoreError",
    "Transition",
    "TransitionError",
    "Upload",
    "ValidationError",
    "Workflow",
    "__version__",
    "normalize_persian",
]

if TYPE_CHECKING:
    from ticketcore.helpdesk import Helpdesk, Upload
    from ticketcore.ports import Order, Page, StoredContent, StoredEvent, TicketQuery

_LAZY = {
    "Helpdesk": "ticketcore.helpdesk",
    "Upload": "ticketcore.helpdesk",
    "Order": "ticketcore.ports",
    "Page": "ticketcore.ports",
    "StoredContent": "ticketcore.ports",
    "StoredEvent": "ticketcore.ports",
    "TicketQuery": "ticketcore.ports",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ticketcore' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
