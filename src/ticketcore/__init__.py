"""ticketcore: customer-support tickets as a typed Python library."""

from ticketcore._version import __version__
from ticketcore.calendar import BusinessCalendar
from ticketcore.enums import Category, Priority, Role, Status
from ticketcore.errors import (
    ConflictError,
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
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
    StatusChanged,
    TicketOpened,
)
from ticketcore.i18n._normalize import normalize_persian
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
    "Limits",
    "Message",
    "MessageAdded",
    "Metric",
    "MetricStatus",
    "NotFoundError",
    "PermissionDeniedError",
    "Priority",
    "PriorityChanged",
    "Role",
    "SLAEvent",
    "SLAPolicy",
    "SLAReport",
    "Status",
    "StatusChanged",
    "StorageError",
    "StorageUnavailableError",
    "Ticket",
    "TicketOpened",
    "TicketcoreError",
    "Transition",
    "TransitionError",
    "ValidationError",
    "Workflow",
    "__version__",
    "normalize_persian",
]
