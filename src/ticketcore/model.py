"""Who acts, what they send: actors, messages and attachment metadata.

>>> import ticketcore as tc
>>> sara = tc.Actor.requester("sara")
>>> sara
Actor(id='sara', role=<Role.REQUESTER: 'requester'>)
>>> tc.Actor("ali", "agent").role is tc.Role.AGENT
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import attrs

from ticketcore import _check
from ticketcore._validate import clean_filename, clean_identifier, clean_sha256
from ticketcore.enums import Role
from ticketcore.errors import ErrorCode, ValidationError, wrong_type
from ticketcore.limits import CONTENT_TYPE_ESSENCE, Limits

__all__ = ["Actor", "Attachment", "Message", "check_attachments", "require_actor"]


def _actor_id(value: object) -> str:
    return clean_identifier(value, "actor.id")


def _role(value: object) -> Role:
    if type(value) is Role:
        return value
    return Role(_check.text(value, "actor.role"))


@attrs.frozen
class Actor:
    """Someone (or something) acting on tickets.

    A requester acts only on tickets whose ``requester_id`` is their own ``id``; agents
    and the system act on any ticket, as the workflow allows.
    """

    id: str = attrs.field(converter=_actor_id)
    role: Role = attrs.field(converter=_role)

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


def require_actor(actor: object) -> Actor:
    """``actor`` if it is an :class:`Actor` (``invalid_type`` otherwise)."""
    if not isinstance(actor, Actor):
        raise wrong_type("actor", "Actor", actor)
    return actor


def _size(instance: Attachment, _attribute: attrs.Attribute[int], value: int) -> None:
    _check.integer(value, "size")
    if value <= 0:
        raise ValidationError(
            ErrorCode.ATTACHMENT_EMPTY,
            f"{instance.filename!r} is empty ({value} bytes)",
            field="size",
            params={"value": instance.filename, "size": value},
        )


# ``type/subtype``, optionally ``; charset=<token>``: nothing else reaches a header.
_CONTENT_TYPE = re.compile(
    r"(?P<essence>[^; \t]+)[ \t]*(?:;[ \t]*(?i:charset)[ \t]*=[ \t]*"
    r"(?P<charset>\"?[A-Za-z0-9_.:+-]{1,40}\"?))?[ \t]*"
)


def _content_type(value: object) -> str:
    """A content type as ``type/subtype`` or ``type/subtype; charset=name``, lowercase.

    Other parameters, quoting tricks, and control, line-break or bidi characters are
    refused: the value is sent back as a ``Content-Type`` header when the file is read.
    """
    text = _check.text(value, "content_type")
    found = _CONTENT_TYPE.fullmatch(text)
    essence = found.group("essence").lower() if found else ""
    charset = found.group("charset") if found else None
    if (
        found is None
        or not CONTENT_TYPE_ESSENCE.fullmatch(essence)
        or (charset is not None and (charset.count('"') not in {0, 2} or charset == '""'))
    ):
        raise ValidationError(
            ErrorCode.CONTENT_TYPE_INVALID,
            f"content type must be 'type/subtype' with at most a charset, not {text[:80]!r}",
            field="content_type",
            params={"value": text[:80]},
        )
    if charset is None:
        return essence
    name = charset.strip('"').lower()
    return f"{essence}; charset={name}"


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

    @property
    def essence(self) -> str:
        """The content type without its charset: ``text/plain; charset=utf-8`` is
        ``text/plain``. The workflow's limits allow and refuse essences."""
        return self.content_type.split(";", 1)[0]


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


def check_attachments(attachments: Iterable[Attachment], limits: Limits) -> tuple[Attachment, ...]:
    """The attachments of one message against the workflow's limits."""
    _check.instance(limits, Limits, "limits")
    items = _check.items(attachments, "attachments", limit=limits.attachments_per_message)
    if len(items) > limits.attachments_per_message:
        raise ValidationError(
            ErrorCode.TOO_MANY_ATTACHMENTS,
            f"more than {limits.attachments_per_message} attachments",
            field="attachments",
            params={"count": len(items), "limit": limits.attachments_per_message},
        )
    checked: list[Attachment] = []
    for item in items:
        if not isinstance(item, Attachment):
            raise wrong_type("attachments", "Attachment", item)
        if item.essence not in limits.content_types:
            raise ValidationError(
                ErrorCode.CONTENT_TYPE_NOT_ALLOWED,
                f"{item.filename!r} has content type {item.essence!r}, which is not allowed",
                field="content_type",
                params={"value": item.essence, "valid": ", ".join(sorted(limits.content_types))},
            )
        if item.size > limits.attachment_max_size:
            raise ValidationError(
                ErrorCode.ATTACHMENT_TOO_LARGE,
                f"{item.filename!r} is {item.size} bytes; the limit is"
                f" {limits.attachment_max_size}",
                field="size",
                params={
                    "value": item.filename,
                    "size": item.size,
                    "limit": limits.attachment_max_size,
                },
            )
        checked.append(item)
    return tuple(checked)
