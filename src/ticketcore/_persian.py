"""Persian input normalization: pure, no Babel (``ticketcore.normalize_persian``).

>>> normalize_persian("كيف‌‌ها ")  # Arabic Kaf and Yeh, a doubled ZWNJ
'کیف‌ها '
>>> normalize_persian("شماره ۱۲۳ و ٤٥٦", digits="ascii")
'شماره 123 و 456'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from ticketcore import _check
from ticketcore._digits import to_ascii_digits, to_persian_digits
from ticketcore.errors import ErrorCode, ValidationError, _short, wrong_type

__all__ = ["ZWNJ", "normalize_persian"]

ZWNJ = "\u200c"
"""ZERO WIDTH NON-JOINER: separates the parts of a Persian word without a space."""

_PERSIAN_LETTERS = str.maketrans(
    {
        "\u064a": "\u06cc",  # ARABIC LETTER YEH -> ARABIC LETTER FARSI YEH
        "\u0649": "\u06cc",  # ARABIC LETTER ALEF MAKSURA -> ARABIC LETTER FARSI YEH
        "\u0643": "\u06a9",  # ARABIC LETTER KAF -> ARABIC LETTER KEHEH (Persian Kaf)
    }
)
_ZWNJ_RUN = re.compile(ZWNJ + "{2,}")
_DIGIT_MODES = ("keep", "ascii", "persian")


def normalize_persian(
    text: str,
    *,
    digits: Literal["keep", "ascii", "persian"] = "keep",
    clean_zwnj: bool = True,
) -> str:
    """Return ``text`` in the canonical form ticketcore stores and searches Persian in.

    In order, it:

    1. applies Unicode NFC (composed characters, so ``ي`` + ``ٔ`` becomes ``ئ``);
    2. replaces Arabic Yeh ``ي`` (U+064A) and Alef Maksura ``ى`` (U+0649) with Persian
       Yeh ``ی`` (U+06CC), and Arabic Kaf ``ك`` (U+0643) with Persian Kaf ``ک``
       (U+06A9); Teh Marbuta ``ة``, Heh ``ه``/``ۀ``, Hamza forms and presentation forms
       (U+FB50-U+FEFF) are left alone;
    3. converts digits: ``"keep"`` (the default) leaves them; ``"ascii"`` turns Persian
       ``۰-۹`` and Arabic-Indic ``٠-٩`` into ``0-9`` (for search keys and identifiers);
       ``"persian"`` turns ASCII and Arabic-Indic digits into Persian ``۰-۹``;
    4. with ``clean_zwnj`` (the default), tidies ZERO WIDTH NON-JOINERs (U+200C): a run
       of them becomes one, and one is kept only between two letters or combining marks,
       so those at the start or end of the text, next to a space, a digit or
       punctuation, are dropped; ZWNJs inside words (``می‌شود``) stay;
    5. applies NFC again (dropping a ZWNJ may bring a base and a mark together).

    Nothing else changes: no case folding, no reordering, no removal of direction marks
    (LRM, RLM), Tatweel (``ـ``), diacritics or whitespace. The result is stable: calling
    the function on its own output returns it unchanged.

    Raises :class:`~ticketcore.ValidationError` if ``text`` is not a ``str``
    (``invalid_type``) or ``digits`` is not one of the three modes (``invalid_choice``).
    """
    if not isinstance(text, str):
        raise wrong_type("text", "str", text)
    if digits not in _DIGIT_MODES:
        shown = _short(digits)  # any object: its repr may fail or recurse
        raise ValidationError(
            ErrorCode.INVALID_CHOICE,
            f"digits must be one of {', '.join(_DIGIT_MODES)}, not {shown}",
            field="digits",
            params={"value": shown, "valid": ", ".join(_DIGIT_MODES)},
        )
    text = unicodedata.normalize("NFC", text).translate(_PERSIAN_LETTERS)
    if digits == "ascii":
        text = to_ascii_digits(text)
    elif digits == "persian":
        text = to_persian_digits(text)
    if _check.boolean(clean_zwnj, "clean_zwnj") and ZWNJ in text:
        text = unicodedata.normalize("NFC", _tidy_zwnj(text))
    return text


def _tidy_zwnj(text: str) -> str:
    text = _ZWNJ_RUN.sub(ZWNJ, text)
    last = len(text) - 1
    kept = [
        char
        for index, char in enumerate(text)
        if char != ZWNJ
        or (0 < index < last and _joins(text[index - 1]) and _joins(text[index + 1]))
    ]
    return "".join(kept)


def _joins(char: str) -> bool:
    """Whether a ZWNJ next to ``char`` can matter: letters and combining marks only."""
    return unicodedata.category(char)[0] in "LM"
