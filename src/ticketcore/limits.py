"""The size and content limits a workflow enforces on what users send."""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from ticketcore import _check
from ticketcore.errors import ErrorCode, ValidationError, _short, wrong_type

__all__ = ["DEFAULT_CONTENT_TYPES", "Limits"]

#: The attachment types accepted by default: common images, PDF, plain text, CSV, ZIP and
#: office documents. SVG and HTML are left out on purpose: browsers run scripts in them.
DEFAULT_CONTENT_TYPES: frozenset[str] = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/heic",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)

MIB = 1024 * 1024


#: A MIME type's essence, ``type/subtype``, in the token characters of RFC 9110.
CONTENT_TYPE_ESSENCE = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+/[a-z0-9!#$%&'*+.^_`|~-]+")


def _positive(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    _check.integer(value, attribute.name, minimum=1)


def _content_types(types: Iterable[str]) -> frozenset[str]:
    if isinstance(types, str):  # one type, not the letters of its name
        raise wrong_type("content_types", "a set of content types", types)
    kinds = set()
    for kind in _check.items(types, "content_types"):
        if not isinstance(kind, str) or not CONTENT_TYPE_ESSENCE.fullmatch(kind.lower()):
            raise ValidationError(
                ErrorCode.CONTENT_TYPE_INVALID,
                f"content_types holds {_short(kind, 100)}, which is not a type/subtype",
                field="content_types",
                params={"value": kind[:100] if isinstance(kind, str) else _short(kind, 100)},
            )
        kinds.add(kind.lower())
    return frozenset(kinds)


@attrs.frozen
class Limits:
    """What a workflow accepts. Hosts pass their own to :meth:`Workflow.default`.

    >>> import ticketcore as tc
    >>> limits = tc.Limits(attachment_max_size=2 * 1024 * 1024)
    >>> tc.Workflow.default(limits=limits).limits.attachment_max_size
    2097152
    """

    subject_max_length: int = attrs.field(default=200, validator=_positive)
    body_max_length: int = attrs.field(default=50_000, validator=_positive)
    reason_max_length: int = attrs.field(default=500, validator=_positive)
    attachment_max_size: int = attrs.field(default=10 * MIB, validator=_positive)
    attachments_per_message: int = attrs.field(default=10, validator=_positive)
    content_types: frozenset[str] = attrs.field(
        default=DEFAULT_CONTENT_TYPES,
        converter=_content_types,
    )
    references_max: int = attrs.field(default=20, validator=_positive)
    reference_value_max_length: int = attrs.field(default=200, validator=_positive)
