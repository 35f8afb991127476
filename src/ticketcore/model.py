"""Who acts, what they send: actors, messages and attachment metadata.

>>> import ticketcore as tc
>>> sara = tc.Actor.requester("sara")
>>> sara
Actor(id='sara', role=<Role.REQUESTER: 'requester'>)
>>> tc.Actor("ali", "agent").role is tc.Role.AGENT
True
"""

from __future__ import annotations

from datetime import datetime

import attrs

from ticketcore._validate import clean_filename, clean_identifier, clean_sha256
from ticketcore.enums import Role
from ticketcore.errors import ErrorCode, ValidationError

__all__ = ["Actor", "Attachment", "Message"]


def _actor_id(value: object) -> str:
    return clean_identifier(value, "actor.id")


@attrs.frozen
class Actor:
    """Someone (or something) acting on tickets.

    A requester acts only on tickets whose ``requester_id`` is their own ``id``; agents
    and the system act on any ticket, as the workflow allows.
    """

    id: str = attrs.field(converter=_actor_id)
    role: Role = attrs.field(converter=Role)

    @classmethod
    def requester(cls, id: str) -> Actor:  # noqa: A002 - the domain's word
        """A user who opens tickets and talks to support."""
        return cls(id, Role.REQUESTER)

    @classmethod
    def agent(cls, id: str) -> Actor:  # noqa: A002
        """A support team member."""
        return cls(id, Role.AGENT)

    @classmethod
    def system(cls, id: str = "system") -> Actor:  # noqa: A002
        """Automation: auto-close, automatic status moves, integrations."""
        return cls(id, Role.SYSTEM)


def _size(instance: Attachment, _attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(
            ErrorCode.INVALID_TYPE,
            f"size must be an int, not {type(value).__name__}",
            field="size",
            params={"expected": "int", "type": type(value).__name__},
        )
    if value <= 0:
        raise ValidationError(
            ErrorCode.ATTACHMENT_EMPTY,
            f"{instance.filename!r} is empty ({value} bytes)",
            field="size",
            params={"value": instance.filename, "size": value},
        )


def _content_type(value: object) -> str:
    if not isinstance(value, str) or "/" not in value:
        raise ValidationError(
            ErrorCode.CONTENT_TYPE_NOT_ALLOWED,
            f"content type must look like 'type/subtype', not {value!r}",
            field="content_type",
            params={"value": str(value)},
        )
    return value.strip().lower()


@attrs.frozen
class Attachment:
    """A file's metadata; the bytes live in an attachment store, addressed by ``sha256``.

    The constructor checks the name, size and digest; the workflow's
    :class:`~ticketcore.Limits` (size limit, allowed types, count) apply when the
    attachment is added to a ticket.

    >>> Attachment("receipt.pdf", "application/pdf", 1024, "ab" * 32).filename
    'receipt.pdf'
    """

    filename: str = attrs.field(converter=clean_filename)
    content_type: str = attrs.field(converter=_content_type)
    size: int = attrs.field(validator=_size)
    sha256: str = attrs.field(converter=clean_sha256)


@attrs.frozen
class Message:
    """One message on a ticket. ``internal`` notes are for agents only.

    Messages are built by ticket operations, which validate them; the constructor itself
    does not check, so that storage adapters can restore stored messages cheaply.
    """

    id: str
    author: Actor
    body: str
    at: datetime
    internal: bool = False
    attachments: tuple[Attachment, ...] = ()
