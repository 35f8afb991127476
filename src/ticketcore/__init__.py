"""ticketcore: customer-support tickets as a typed Python library."""

from ticketcore._version import __version__
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
from ticketcore.limits import DEFAULT_CONTENT_TYPES, Limits
from ticketcore.model import Actor, Attachment, Message
from ticketcore.ticket import Change, Ticket
from ticketcore.workflow import Action, Transition, Workflow

__all__ = [
    "DEFAULT_CONTENT_TYPES",
    "Action",
    "Actor",
    "AssigneeChanged",
    "Attachment",
    "Category",
    "CategoryChanged",
    "Change",
    "ConflictError",
    "ErrorCode",
    "Event",
    "Limits",
    "Message",
    "MessageAdded",
    "NotFoundError",
    "PermissionDeniedError",
    "Priority",
    "PriorityChanged",
    "Role",
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
]
