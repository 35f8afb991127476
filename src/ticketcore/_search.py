"""Full-text search terms, Persian-aware: what the stores index and what a query matches.

Text is folded before it is indexed and before it is matched, so the spellings a reader
takes for the same word find each other: :func:`~ticketcore.normalize_persian` (Arabic
``ي``/``ك`` to Persian ``ی``/``ک``), Persian and Arabic-Indic digits to ASCII,
diacritics (harakat, superscript alef, hamza above) and kashida removed, direction
marks dropped, case folded. A word joined by ZWNJ or one of its look-alikes (ZWJ, zero
width space, word joiner, soft hyphen, BOM) is indexed whole, without the joiner, and by
its parts, so ``می‌خواهم``, ``میخواهم`` and ``می خواهم`` all find it.

>>> index_terms("مي‌خواهم سفارش ۱۲۳ را پيگيري كنم")
'میخواهم می خواهم سفارش 123 را پیگیری کنم'
>>> query_terms("  پیگیری، سفارش‌ها! ")
('پیگیری', 'سفارشها')
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import unicodedata

from ticketcore.errors import ErrorCode, ValidationError

__all__ = ["index_terms", "query_terms", "search_cursor", "search_offset"]

_JOINERS = str.maketrans(dict.fromkeys("\u200b\u200d\u2060\u00ad\ufeff", "\u200c"))
_DROPPED = dict.fromkeys(
    map(ord, "\u0640\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
# Arabic Yeh, Alef Maksura and Kaf as Persian (normalize_persian's table), the joiners
# as ZWNJ, the dropped marks gone, Persian and Arabic-Indic digits as ASCII
_TABLE = {
    "\u064a": "\u06cc",
    "\u0649": "\u06cc",
    "\u0643": "\u06a9",
    **{chr(code): "\u200c" for code in _JOINERS},
    **dict.fromkeys(map(chr, _DROPPED), ""),
    **{chr(0x06F0 + n): str(n) for n in range(10)},
    **{chr(0x0660 + n): str(n) for n in range(10)},
}
_WORD = re.compile(r"[^\W_]+(?:\u200c+[^\W_]+)*")
#: a query of more words than this is cut (a search box, not a document)
MAX_QUERY_TERMS = 16
#: the deepest result a page may start at
MAX_OFFSET = 10_000


def _fold(text: str) -> str:
    if text.isascii():  # the common case for many desks: nothing but case to fold
        return text.casefold()
    if (
        unicodedata.is_normalized("NFD", text)
        and unicodedata.is_normalized("NFC", text)
        and not _special().search(text)
    ):
        return text.casefold()  # plain letters: the common case in Persian too
    # marks off first (ئ is ي + hamza above), then the letters and digits
    bare = _marks().sub("", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", _special().sub(_replace, bare)).casefold()


def _replace(found: re.Match[str]) -> str:
    char = found.group()
    return _TABLE.get(char, char)


def _ranges(codes: list[int]) -> str:
    """A regular-expression class body for these code points, as ranges."""
    parts: list[str] = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code != previous + 1:
            first, last = re.escape(chr(start)), re.escape(chr(previous))
            parts.append(first if start == previous else f"{first}-{last}")
            start = code
        previous = code
    return "".join(parts)


@functools.cache
def _combining() -> list[int]:
    return [code for code in range(0x10000) if unicodedata.combining(chr(code))]


@functools.cache
def _marks() -> re.Pattern[str]:
    """Every combining mark (diacritics, harakat, hamza above...), worked out once."""
    return re.compile(f"[{_ranges(_combining())}]+")


@functools.cache
def _special() -> re.Pattern[str]:
    """What folding changes besides case: marks, joiners, dropped marks, Arabic letters
    and non-ASCII digits."""
    others = "\u064a\u0649\u0643\u200c\u0660-\u0669\u06f0-\u06f9"
    joiners = "".join(re.escape(chr(code)) for code in [*_JOINERS, *_DROPPED])
    return re.compile(f"[{_ranges(_combining())}{others}{joiners}]")


def _words(text: str) -> list[str]:
    return _WORD.findall(_fold(text))


def index_terms(text: str) -> str:
    """``text`` as the search index keeps it: folded words separated by spaces; a
    ZWNJ-joined word both whole and by its parts."""
    out: list[str] = []
    for word in _words(text):
        if "\u200c" in word:
            out.append(word.replace("\u200c", ""))
            out.extend(part for part in word.split("\u200c") if part)
        else:
            out.append(word)
    return " ".join(out)


def query_terms(text: str) -> tuple[str, ...]:
    """The words a query must all match (each as a prefix), folded like the index,
    once each, in order; at most :data:`MAX_QUERY_TERMS`."""
    seen: dict[str, None] = {}
    for word in _words(text):
        seen.setdefault(word.replace("\u200c", ""), None)
    return tuple(seen)[:MAX_QUERY_TERMS]


def search_cursor(offset: int) -> str:
    """The opaque cursor of the result page starting at ``offset``."""
    return base64.urlsafe_b64encode(f"s{offset:d}".encode("ascii")).decode("ascii").rstrip("=")


def search_offset(cursor: str | None) -> int:
    """Where the page a :func:`search_cursor` names starts (0 for the first page)."""
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, binascii.Error):
        raw = ""
    digits = raw[1:]
    if not (raw[:1] == "s" and digits.isascii() and digits.isdigit() and len(digits) <= 6):  # noqa: PLR2004
        raise ValidationError(
            ErrorCode.INVALID_CURSOR,
            "the cursor was not made by a search page",
            field="cursor",
            params={"value": cursor[:64]},
        )
    offset = int(digits)
    if offset > MAX_OFFSET:
        raise ValidationError(
            ErrorCode.OUT_OF_RANGE,
            f"a search page may start at most {MAX_OFFSET} results in: narrow the search",
            field="cursor",
            params={"value": cursor[:64]},
        )
    return offset
