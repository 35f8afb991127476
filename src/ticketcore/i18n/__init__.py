"""Persian and English (and any language a host adds) for people reading tickets.

Labels and descriptions of statuses, priorities, categories and roles; localized error
messages; dates (Jalali in Persian), SLA countdowns and numbers with the locale's digits;
text direction; Persian input normalization.

>>> import ticketcore as tc
>>> from ticketcore import i18n
>>> i18n.label(tc.Status.WAITING_FOR_USER, "fa"), i18n.label(tc.Status.WAITING_FOR_USER, "en")
('در انتظار کاربر', 'Waiting for user')
>>> i18n.direction("fa-IR"), i18n.direction("EN")
('rtl', 'ltr')

Every ``locale`` argument takes a string Babel can parse (``fa``, ``fa_IR``, ``fa-IR``,
``en_US``, ``EN``), a ``babel.Locale`` or ``None``; anything unknown or malformed
falls back to English without raising. Texts come from gettext catalogs
(``locale/<lang>/LC_MESSAGES/ticketcore.po``, read with Babel); a host adds or
overrides a language with :func:`add_catalog_dir` or :func:`register_catalog`.
See ``docs/i18n.md``.

This module imports Babel only when a function first needs it.
"""

from __future__ import annotations

from ticketcore._persian import normalize_persian
from ticketcore.i18n._catalog import add_catalog_dir, available_locales, register_catalog
from ticketcore.i18n._format import (
    DateTimeFormat,
    direction,
    format_datetime,
    format_duration,
    format_number,
    format_remaining,
)
from ticketcore.i18n._jalali import from_jalali, is_jalali_leap_year, to_jalali
from ticketcore.i18n._messages import Labelled, describe, field_label, label, message

__all__ = [
    "DateTimeFormat",
    "Labelled",
    "add_catalog_dir",
    "available_locales",
    "describe",
    "direction",
    "field_label",
    "format_datetime",
    "format_duration",
    "format_number",
    "format_remaining",
    "from_jalali",
    "is_jalali_leap_year",
    "label",
    "message",
    "normalize_persian",
    "register_catalog",
    "to_jalali",
]
