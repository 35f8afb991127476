"""Gettext catalogs: where they are, how they are read, and how a lookup falls back.

Catalogs are ``<dir>/<locale>/LC_MESSAGES/ticketcore.po`` files read with Babel's
``read_po``. Entries are keyed by ``(msgctxt, msgid)``: the context names the kind of
text (``status``, ``status description``, ``error``, ``field``, ``remaining``...) and the
message id is the stable English key (a wire value such as ``waiting_for_user``).

Lookup order for a locale such as ``fa_IR``: each candidate identifier from the most
specific (``fa_IR``, then ``fa``) and, for each, catalogs a host registered (newest
first) before the ones ticketcore ships; then the same for English. Empty and fuzzy
entries never count, so a partial catalog falls back entry by entry.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, TypeAlias

import attrs

from ticketcore import _check
from ticketcore.errors import ErrorCode, ValidationError, out_of_range
from ticketcore.i18n._locale import FALLBACK, LocaleLike, parse_locale, parse_locale_strictly
from ticketcore.i18n._template import fill

if TYPE_CHECKING:  # Babel is imported on first use: `import ticketcore` must not pay for it
    from babel import Locale
    from babel.messages.catalog import Catalog

__all__ = [
    "DOMAIN",
    "Translations",
    "add_catalog_dir",
    "available_locales",
    "register_catalog",
    "translations",
]

DOMAIN = "ticketcore"
"""The gettext domain: catalogs are named ``ticketcore.po``."""

_Table: TypeAlias = Mapping[tuple[str, str], str]

_lock = threading.Lock()
# Host catalogs, newest first: (canonical locale identifier, its entries).
_host_catalogs: list[tuple[str, _Table]] = []


@attrs.frozen
class Translations:
    """The catalogs for one requested locale, most specific first, English last."""

    locale: Locale
    """The locale text comes out in: the requested one if any catalog covers its
    language, else English. Numbers inside messages are formatted for it."""
    tables: tuple[_Table, ...]

    def get(self, context: str, key: str) -> str | None:
        """The first non-empty, non-fuzzy translation of ``key`` in ``context``."""
        return next(self.all(context, key), None)

    def all(self, context: str, key: str) -> Iterator[str]:
        """Every translation of ``key`` in ``context``, the preferred one first."""
        for table in self.tables:
            text = table.get((context, key))
            if text is not None:
                yield text

    def fill(self, context: str, key: str, values: Mapping[str, Callable[[], str]]) -> str | None:
        """The first translation that is a well-formed template, filled with ``values``."""
        for template in self.all(context, key):
            text = fill(template, values)
            if text is not None:
                return text
        return None


def translations(locale: LocaleLike) -> Translations:
    """Resolve ``locale`` (falling back to English) and gather its catalogs."""
    return _translations(str(parse_locale(locale)))


def add_catalog_dir(path: str | PathLike[str]) -> None:
    """Use every ``<path>/<locale>/LC_MESSAGES/ticketcore.po`` ahead of the shipped ones.

    Locale directory names are parsed with Babel (``de``, ``pt_BR``, ``pt-BR``). Every
    catalog is read at once, so a broken file fails here rather than at the first
    lookup. Each problem is a :class:`~ticketcore.ValidationError`: a path that is not
    a folder ``out_of_range``, a file that cannot be read ``storage_invalid``, a broken
    file ``format_invalid``, an unknown locale name ``invalid_choice``. Call it at
    start-up: later calls take precedence over earlier ones.
    """
    directory = Path(_check.file_path(path, "path"))
    try:
        catalogs = sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        is_folder = directory.is_dir()
    except OSError:  # a name too long, a loop of links...
        is_folder = False
    if not is_folder:
        raise out_of_range("path", str(directory), "an existing folder of catalogs")
    found = [(str(parse_locale_strictly(po.parent.parent.name)), po) for po in catalogs]
    _add(found)


def register_catalog(locale: LocaleLike, path: str | PathLike[str]) -> None:
    """Use the ``.po`` file at ``path`` for ``locale``, ahead of the shipped catalogs.

    The file is read at once; a missing, unreadable or broken file, or a locale Babel
    does not know, raises :class:`~ticketcore.ValidationError` as
    :func:`add_catalog_dir` does.
    """
    _add([(str(parse_locale_strictly(locale)), Path(_check.file_path(path, "path")))])


def available_locales() -> tuple[str, ...]:
    """Identifiers of every locale with a catalog, shipped or registered, sorted."""
    with _lock:
        hosted = {identifier for identifier, _ in _host_catalogs}
    return tuple(sorted(hosted | set(shipped_locales())))


@functools.cache
def shipped_locales() -> tuple[str, ...]:
    """Identifiers of the catalogs shipped inside the package."""
    root = resources.files("ticketcore.i18n").joinpath("locale")
    return tuple(
        sorted(
            entry.name
            for entry in root.iterdir()
            if entry.joinpath("LC_MESSAGES", f"{DOMAIN}.po").is_file()
        )
    )


def read_catalog(source: IO[bytes], locale: str | None = None) -> Catalog:
    """Parse one ``.po`` file with Babel, strictly (syntax errors raise)."""
    from babel.messages.pofile import read_po  # noqa: PLC0415 - Babel on first use only

    return read_po(source, locale=locale, domain=DOMAIN, abort_invalid=True)


def _add(found: list[tuple[str, Path]]) -> None:
    # Read everything first, so a broken file fails here and registers nothing.
    tables = [(identifier, _file_table(path, identifier)) for identifier, path in found]
    with _lock:
        _host_catalogs[:0] = reversed(tables)
        _translations.cache_clear()


def _reset() -> None:
    """Forget every host catalog (for tests)."""
    with _lock:
        _host_catalogs.clear()
        _translations.cache_clear()


@functools.cache
def _translations(identifier: str) -> Translations:
    locale = parse_locale(identifier)
    candidates = _candidates(locale)
    with _lock:
        hosted = list(_host_catalogs)
    tables: list[_Table] = []
    covered = False
    for candidate in dict.fromkeys([*candidates, *_candidates(parse_locale(FALLBACK))]):
        found = [table for name, table in hosted if name == candidate]
        shipped = _shipped_table(candidate)
        if shipped is not None:
            found.append(shipped)
        covered = covered or (bool(found) and candidate in candidates)
        tables.extend(found)
    text_locale = locale if covered else parse_locale(FALLBACK)
    return Translations(text_locale, tuple(tables))


def _candidates(locale: Locale) -> list[str]:
    parts = (
        [locale.language, locale.script, locale.territory],
        [locale.language, locale.territory],
        [locale.language, locale.script],
        [locale.language],
    )
    names = [str(locale), *("_".join(filter(None, part)) for part in parts)]
    return list(dict.fromkeys(names))


@functools.cache
def _shipped_table(identifier: str) -> _Table | None:
    po = resources.files("ticketcore.i18n").joinpath(
        "locale", identifier, "LC_MESSAGES", f"{DOMAIN}.po"
    )
    if not po.is_file():
        return None
    with po.open("rb") as source:
        return _table(read_catalog(source, identifier))


def _file_table(path: Path, identifier: str) -> _Table:
    from babel.messages.pofile import PoFileError  # noqa: PLC0415 - Babel on first use only

    try:
        with path.open("rb") as source:
            return _table(read_catalog(source, identifier))
    except OSError as error:
        raise _bad_catalog(ErrorCode.STORAGE_INVALID, path, "cannot be read", error) from error
    except (PoFileError, UnicodeDecodeError, ValueError) as error:
        raise _bad_catalog(
            ErrorCode.FORMAT_INVALID, path, "is not a valid .po file", error
        ) from error


def _bad_catalog(code: ErrorCode, path: Path, problem: str, error: Exception) -> ValidationError:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else error
    return ValidationError(
        code,
        f"the catalog {str(path)!r} {problem}: {reason}",
        field="path",
        params={"value": str(path)},
    )


def _table(catalog: Catalog) -> _Table:
    return MappingProxyType(
        {
            (message.context or "", message.id): message.string
            for message in catalog
            if isinstance(message.id, str)
            and message.id
            and isinstance(message.string, str)
            and message.string
            and not message.fuzzy
        }
    )
