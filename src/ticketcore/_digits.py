"""Digit transliteration between numbering systems: pure, no Babel.

Babel applies a locale's number *symbols* (``٬`` and ``٫`` in Persian) but always writes
ASCII digits; :func:`localize_digits` finishes the job for the numbering systems CLDR
names as a locale default.

>>> localize_digits("1٬234٫5", "arabext")
'۱٬۲۳۴٫۵'
>>> to_ascii_digits("۱۲۳ و ٤٥٦")
'123 و 456'
"""

from __future__ import annotations

__all__ = [
    "ARABIC_INDIC_DIGITS",
    "ASCII_DIGITS",
    "PERSIAN_DIGITS",
    "localize_digits",
    "to_ascii_digits",
    "to_persian_digits",
]

ASCII_DIGITS = "0123456789"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0-U+06F9, "Extended Arabic-Indic"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"  # U+0660-U+0669: Arabic, never Persian

# CLDR numbering system -> its digit zero. Each of these scripts encodes 0-9 as ten
# consecutive code points. A locale whose default system is missing here keeps ASCII.
_ZEROS = {
    "adlm": 0x1E950,
    "arab": 0x0660,
    "arabext": 0x06F0,
    "beng": 0x09E6,
    "cakm": 0x11136,
    "deva": 0x0966,
    "gujr": 0x0AE6,
    "guru": 0x0A66,
    "hmnp": 0x1E140,
    "khmr": 0x17E0,
    "knda": 0x0CE6,
    "laoo": 0x0ED0,
    "mlym": 0x0D66,
    "mtei": 0xABF0,
    "mymr": 0x1040,
    "nkoo": 0x07C0,
    "olck": 0x1C50,
    "orya": 0x0B66,
    "telu": 0x0C66,
    "thai": 0x0E50,
    "tibt": 0x0F20,
}
_TO_SYSTEM = {
    name: str.maketrans(ASCII_DIGITS, "".join(chr(zero + i) for i in range(10)))
    for name, zero in _ZEROS.items()
}
_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, ASCII_DIGITS * 2)
_TO_PERSIAN = str.maketrans(ASCII_DIGITS + ARABIC_INDIC_DIGITS, PERSIAN_DIGITS * 2)


def localize_digits(text: str, numbering_system: str) -> str:
    """Write the ASCII digits of ``text`` in ``numbering_system`` (a CLDR name)."""
    table = _TO_SYSTEM.get(numbering_system)
    return text if table is None else text.translate(table)


def to_ascii_digits(text: str) -> str:
    """Persian (۰-۹) and Arabic-Indic (٠-٩) digits to ASCII 0-9; nothing else changes."""
    return text.translate(_TO_ASCII)


def to_persian_digits(text: str) -> str:
    """ASCII and Arabic-Indic digits to Persian ۰-۹; nothing else changes."""
    return text.translate(_TO_PERSIAN)
