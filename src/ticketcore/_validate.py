"""Input checks shared by the model's operations. Each raises ValidationError or returns
the cleaned value; none of them changes anything."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ticketcore._frozenmap import FrozenMap
from ticketcore._persian import normalize_persian
from ticketcore.errors import ErrorCode, ValidationError, wrong_type

if TYPE_CHECKING:
    from ticketcore.limits import Limits

__all__ = [
    "clean_body",
    "clean_identifier",
    "clean_line",
    "clean_references",
]

# Bidirectional embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069) can
# make text display in an order other than the one stored ("Trojan Source"). ZWNJ, ZWJ,
# LRM and RLM, which Persian writing needs, are not in these ranges and are kept.
_BIDI = "\u202a-\u202e\u2066-\u2069"
# C0 and C1 controls, DEL, lone surrogates (unencodable), line and paragraph separators.
_CONTROLS_LINE = "\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029"
# In a body, newline and tab are text.
_CONTROLS_BODY = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
_BAD_LINE = re.compile(f"[{_CONTROLS_LINE}]|([{_BIDI}])")
_BAD_BODY = re.compile(f"[{_CONTROLS_BODY}]|([{_BIDI}])")
_IDENTIFIER_MAX = 128
_BAD_IDENTIFIER = re.compile(r"[\x00-\x20\x7f-\x9f\ud800-\udfff\u2028\u2029" + _BIDI + "]")
_REFERENCE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,63}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _fail(code: ErrorCode, message: str, field: str, **params: object) -> ValidationError:
    return ValidationError(code, message, field=field, params=params)


def _require_str(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise wrong_type(field, "str", value)
    return value


def _check_characters(text: str, pattern: re.Pattern[str], field: str) -> None:
    bad = pattern.search(text)
    if bad is not None:
        char = bad.group()
        code = ErrorCode.BIDI_CONTROL if bad.group(1) else ErrorCode.CONTROL_CHARACTER
        raise _fail(
            code,
            f"{field} contains the forbidden character U+{ord(char):04X} at {bad.start()}",
            field,
            value=f"U+{ord(char):04X}",
            position=bad.start(),
        )


def clean_line(
    value: object,
    field: str,
    *,
    max_length: int,
    required_code: ErrorCode = ErrorCode.SUBJECT_REQUIRED,
    too_long_code: ErrorCode = ErrorCode.SUBJECT_TOO_LONG,
) -> str:
    """One line of text (a subject, a reason): NFC, stripped, 1..max_length characters."""
    text = unicodedata.normalize("NFC", _require_str(value, field)).strip()
    if not text:
        raise _fail(required_code, f"{field} is required", field)
    if len(text) > max_length:
        raise _fail(
            too_long_code,
            f"{field} is {len(text)} characters long; the limit is {max_length}",
            field,
            length=len(text),
            limit=max_length,
        )
    _check_characters(text, _BAD_LINE, field)
    return text


def clean_body(value: object, field: str, *, max_length: int, required: bool = True) -> str:
    """A message body: NFC, newlines normalized to LF, stripped, non-blank when required."""
    text = _require_str(value, field)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).strip()
    if not text and required:
        raise _fail(ErrorCode.BODY_REQUIRED, f"{field} is required", field)
    if len(text) > max_length:
        raise _fail(
            ErrorCode.BODY_TOO_LONG,
            f"{field} is {len(text)} characters long; the limit is {max_length}",
            field,
            length=len(text),
            limit=max_length,
        )
    _check_characters(text, _BAD_BODY, field)
    return text


def clean_identifier(value: object, field: str) -> str:
    """An id: 1..128 characters, no whitespace, controls or bidi controls."""
    text = _require_str(value, field)
    if not text or len(text) > _IDENTIFIER_MAX or _BAD_IDENTIFIER.search(text):
        raise _fail(
            ErrorCode.INVALID_IDENTIFIER,
            f"{field} must be 1 to {_IDENTIFIER_MAX} characters without spaces or controls,"
            f" not {text!r}",
            field,
            value=text,
            limit=_IDENTIFIER_MAX,
        )
    return text


def clean_filename(value: object, field: str = "filename") -> str:
    """A file's name as the user gave it: no path, no NUL, at most 255 UTF-8 bytes."""
    name = unicodedata.normalize("NFC", _require_str(value, field))
    if (
        not name.strip()
        or name in {".", ".."}
        or "/" in name
        or "\\" in name
        or _BAD_LINE.search(name)
    ):
        raise _fail(
            ErrorCode.FILENAME_INVALID,
            f"{field} must be a plain file name without path separators or controls, not {name!r}",
            field,
            value=name,
        )
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > 255:  # noqa: PLR2004 - the common file-system limit for one name
        raise _fail(
            ErrorCode.FILENAME_TOO_LONG,
            f"{field} is {size} bytes long in UTF-8; the limit is 255",
            field,
            length=size,
            limit=255,
        )
    return name


def clean_sha256(value: object, field: str = "sha256") -> str:
    """A SHA-256 digest as 64 lowercase hex digits."""
    digest = _require_str(value, field).lower()
    if not _SHA256.fullmatch(digest):
        raise _fail(
            ErrorCode.CHECKSUM_INVALID, f"{field} must be 64 hex digits", field, value=digest
        )
    return digest


def clean_references(references: Mapping[str, str] | None, limits: Limits) -> FrozenMap[str, str]:
    """Related identifiers (order number, shipment id...): a small str-to-str mapping."""
    if not references:
        return FrozenMap()
    if not isinstance(references, Mapping):
        raise wrong_type("references", "mapping", references)
    if len(references) > limits.references_max:
        raise _fail(
            ErrorCode.TOO_MANY_REFERENCES,
            f"{len(references)} references; the limit is {limits.references_max}",
            "references",
            count=len(references),
            limit=limits.references_max,
        )
    cleaned: dict[str, str] = {}
    for key, raw in references.items():
        if not isinstance(key, str) or not _REFERENCE_KEY.fullmatch(key):
            raise _fail(
                ErrorCode.REFERENCE_KEY_INVALID,
                f"reference key {key!r} must be a short identifier (a letter, then up to 63"
                " letters, digits, '_', '.' or '-')",
                "references",
                value=str(key),
            )
        try:
            value = clean_line(
                raw,
                f"references.{key}",
                max_length=limits.reference_value_max_length,
                required_code=ErrorCode.REFERENCE_VALUE_INVALID,
                too_long_code=ErrorCode.REFERENCE_VALUE_INVALID,
            )
        except ValidationError as error:
            if error.code in {ErrorCode.INVALID_TYPE, ErrorCode.REFERENCE_VALUE_INVALID}:
                raise _fail(
                    ErrorCode.REFERENCE_VALUE_INVALID,
                    f"reference {key!r} must be 1 to {limits.reference_value_max_length}"
                    " characters of text",
                    "references",
                    value=key,
                    limit=limits.reference_value_max_length,
                ) from error
            raise
        # References are identifiers people look things up by: one spelling for one
        # order, however it was typed ("A-۱۰۰۹" is "A-1009"; Arabic Yeh/Kaf are Persian).
        cleaned[key] = normalize_persian(value, digits="ascii")
    return FrozenMap(cleaned)
