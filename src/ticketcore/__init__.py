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

__all__ = [
    "Category",
    "ConflictError",
    "ErrorCode",
    "NotFoundError",
    "PermissionDeniedError",
    "Priority",
    "Role",
    "Status",
    "StorageError",
    "StorageUnavailableError",
    "TicketcoreError",
    "TransitionError",
    "ValidationError",
    "__version__",
]
