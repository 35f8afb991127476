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
from ticketcore.helpdesk import Helpdesk, Upload
from ticketcore.i18n._normalize import normalize_persian
from ticketcore.limits import DEFAULT_CONTENT_TYPES, Limits
from ticketcore.model import Actor, Attachment, Message
from ticketcore.ports import Order, Page, StoredContent, StoredEvent, TicketQuery
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
