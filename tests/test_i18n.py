"""ticketcore.i18n: catalogs, labels, messages, formatting, locales, normalization."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.pofile import PoFileError
from hypothesis import given
from hypothesis import strategies as st

import ticketcore as tc
from ticketcore import i18n
from ticketcore.i18n import _catalog
from ticketcore.i18n._format import duration_parts
from ticketcore.i18n._template import MISSING, fill, placeholders

LOCALE_DIR = Path(i18n.__file__).parent / "locale"
FIXTURES = Path(__file__).parent / "locale_fixtures"
SHIPPED = ("en", "fa")
LABELLED = (tc.Status, tc.Priority, tc.Category, tc.Role)
MEMBERS = [member for enum in LABELLED for member in enum]
KINDS = {tc.Status: "status", tc.Priority: "priority", tc.Category: "category", tc.Role: "role"}
PARAMS = {
    "limit",
    "length",
    "value",
    "valid",
    "from_status",
    "to_status",
    "role",
    "expected",
    "count",
    "ticket_id",
    "size",  # attachment errors: a byte count
    "action",  # ticketcore.workflow.Action values
    "field",
}
CLI_PARAMS = {
    "requester",
    "agent",
    "actor",
    "ticket_id",
    "status",
    "version",
    "events",
    "messages",
    "visible",
    "cursor",
    "window",
    "count",
    "line",
    "problem",
    "value",
    "path",
    "option",  # a command-line option: --within
    "valid",  # the choices an option takes
}
CONTEXTS = {
    *KINDS.values(),
    *(kind + " description" for kind in KINDS.values()),
    "action",
    "error",
    "field",
    "remaining",
    "event",  # event kinds, for people reading a history
    "metric",  # SLA metrics
    "clock state",  # SLA clock states
    "cli",  # the command line's own sentences
}
EVENT_TYPES = (
    tc.TicketOpened,
    tc.MessageAdded,
    tc.StatusChanged,
    tc.PriorityChanged,
    tc.CategoryChanged,
    tc.AssigneeChanged,
    tc.RequesterErased,
)
ARABIC_FORMS = re.compile("[\u064a\u0643\u0649\u0660-\u0669]")  # ي ك ى and ٠-٩
ZWNJ = "\u200c"
NOON = datetime(2026, 3, 21, 12, tzinfo=UTC)  # 1 Farvardin 1405


@pytest.fixture(autouse=True)
def _no_host_catalogs():
    _catalog._reset()
    yield
    _catalog._reset()


def read(path: Path, locale: str | None = None):
    with path.open("rb") as source:
        return _catalog.read_catalog(source, locale)


def entries(catalog) -> dict[tuple[str, str], object]:
    return {(m.context or "", m.id): m for m in catalog if m.id}


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "ticketcore.po"


# -- the shipped catalogs


def test_the_package_ships_english_and_persian():
    assert _catalog.shipped_locales() == SHIPPED
    assert i18n.available_locales() == SHIPPED


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_member_has_a_label_and_a_description(locale):
    found = entries(read(po_path(locale), locale))
    for member in MEMBERS:
        kind = KINDS[type(member)]
        for context in (kind, kind + " description"):
            message = found.get((context, member.value))
            assert message is not None, (locale, context, member)
            assert message.string.strip(), (locale, context, member)


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_event_metric_and_clock_state_has_a_label(locale):
    found = entries(read(po_path(locale), locale))
    keys = [("event", cls.kind) for cls in EVENT_TYPES]
    keys += [("metric", metric.value) for metric in tc.Metric]
    keys += [("clock state", state.value) for state in tc.ClockState]
    for key in keys:
        assert key in found, (locale, key)
        assert found[key].string.strip(), (locale, key)


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_error_code_has_a_template(locale):
    found = entries(read(po_path(locale), locale))
    for code in tc.ErrorCode:
        message = found.get(("error", code.value))
        assert message is not None, (locale, code)
        assert message.string.strip(), (locale, code)


@pytest.mark.parametrize("locale", SHIPPED)
def test_no_obsolete_untranslated_or_fuzzy_entries(locale):
    catalog = read(po_path(locale), locale)
    assert not catalog.obsolete
    assert [m.id for m in catalog if m.id and not m.string] == []
    assert [m.id for m in catalog if m.id and m.fuzzy] == []
    assert not catalog.fuzzy  # the header is not fuzzy either


@pytest.mark.parametrize("locale", SHIPPED)
def test_no_stale_entries(locale):
    wanted = {(KINDS[type(m)], m.value) for m in MEMBERS}
    wanted |= {(KINDS[type(m)] + " description", m.value) for m in MEMBERS}
    wanted |= {("error", code.value) for code in tc.ErrorCode}
    wanted |= {("event", cls.kind) for cls in EVENT_TYPES}
    wanted |= {("metric", metric.value) for metric in tc.Metric}
    wanted |= {("clock state", state.value) for state in tc.ClockState}
    for key in entries(read(po_path(locale), locale)):
        assert key[0] in CONTEXTS, key
        if key[0] not in {"field", "remaining", "action", "cli"}:
            assert key in wanted, f"{key} names no member or error code"


def test_catalogs_and_template_have_the_same_entries():
    template = entries(read(LOCALE_DIR / "ticketcore.pot"))
    assert all(not m.string for m in template.values())
    for locale in SHIPPED:
        assert entries(read(po_path(locale), locale)).keys() == template.keys(), locale


def test_translator_comments_show_the_english_text():
    english = {key: m.string for key, m in entries(read(po_path("en"), "en")).items()}
    for path in [
        LOCALE_DIR / "ticketcore.pot",
        po_path("fa"),
        FIXTURES / "de/LC_MESSAGES/ticketcore.po",
    ]:
        for key, message in entries(read(path)).items():
            if message.fuzzy:
                continue
            assert message.auto_comments == [english[key]], (path.parent.parent.name, key)


@pytest.mark.parametrize("locale", ["fa", "de"])
def test_placeholders_are_the_same_in_every_language(locale):
    english = entries(read(po_path("en"), "en"))
    path = po_path(locale) if locale in SHIPPED else FIXTURES / locale / "LC_MESSAGES/ticketcore.po"
    for key, message in entries(read(path, locale)).items():
        assert placeholders(message.string) == placeholders(english[key].string), key


def test_placeholders_are_known_and_well_formed():
    for key, message in entries(read(po_path("en"), "en")).items():
        names = placeholders(message.string)
        if key[0] == "remaining":
            assert names <= {"duration"}
        elif key[0] == "cli":
            assert names <= CLI_PARAMS, key
        else:
            assert names <= PARAMS, key
        assert fill(message.string, {}) is not None, key


def test_persian_uses_persian_letters_and_digits_and_normal_form():
    for key, message in entries(read(po_path("fa"), "fa")).items():
        text = message.string
        assert not ARABIC_FORMS.search(text), key
        assert i18n.normalize_persian(text) == text, key  # NFC, tidy ZWNJ


def test_persian_labels_follow_the_help_page_with_zwnj():
    assert [i18n.label(s, "fa") for s in tc.Status] == [
        "باز",
        "در حال بررسی",
        "در انتظار کاربر",
        f"حل{ZWNJ}شده",
        "بسته",
    ]
    assert [i18n.label(p, "fa") for p in tc.Priority] == ["فوری", "زیاد", "متوسط", "کم"]
    assert [i18n.label(c, "fa") for c in tc.Category] == [
        "فنی",
        "مالی",
        "حساب کاربری",
        "گزارش باگ",
        "درخواست ویژگی جدید",
        "عمومی",
    ]
    assert [i18n.label(r, "fa") for r in tc.Role] == [
        f"درخواست{ZWNJ}کننده",
        "کارشناس پشتیبانی",
        "سامانه",
    ]
    assert f"می{ZWNJ}دهد" in i18n.describe(tc.Role.AGENT, "fa")


def test_english_labels_and_descriptions():
    assert i18n.label(tc.Status.WAITING_FOR_USER, "en") == "Waiting for user"
    assert i18n.label(tc.Role.AGENT, "en_US") == "Support agent"
    assert i18n.describe(tc.Category.GENERAL, "en") == (
        "General questions that fit no other category."
    )
    assert i18n.describe(tc.Status.OPEN, "fa") == "تیکت ثبت شده و در انتظار بررسی است."


def test_labels_only_for_labelled_enums():
    with pytest.raises(tc.ValidationError) as caught:
        i18n.label("open", "en")  # type: ignore[arg-type]
    assert caught.value.code is tc.ErrorCode.INVALID_TYPE
    with pytest.raises(tc.ValidationError):
        i18n.describe(tc.ErrorCode.CONFLICT, "fa")  # type: ignore[arg-type]


def test_every_workflow_action_has_a_phrase():
    from ticketcore.workflow import Action

    for locale in SHIPPED:
        found = entries(read(po_path(locale), locale))
        assert {key for ctx, key in found if ctx == "action"} == {a.value for a in Action}


def test_field_labels():
    assert i18n.field_label("content_type", "en") == "file type"
    assert i18n.field_label("assignee_id", "fa") == "کارشناس مسئول"
    assert i18n.field_label("no_such_field", "fa") == "no such field"
    assert i18n.field_label("references.order_no", "en") == "related identifiers"


# -- locales


@pytest.mark.parametrize("locale", ["fa", "fa_IR", "fa-IR", "FA-ir", " fa ", "fa_AF"])
def test_persian_spellings(locale):
    assert i18n.label(tc.Status.CLOSED, locale) == "بسته"


@pytest.mark.parametrize(
    "locale", ["en", "en_US", "EN", "en-gb", "xx", "", "!!", None, "fa__IR", "de", 42, "\x00"]
)
def test_english_or_fallback(locale):
    assert i18n.label(tc.Status.CLOSED, locale) == "Closed"  # type: ignore[arg-type]


def test_a_babel_locale_object_is_accepted():
    assert i18n.label(tc.Priority.LOW, Locale.parse("fa_IR")) == "کم"
    assert i18n.direction(Locale("he")) == "rtl"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fa", "rtl"),
        ("fa-IR", "rtl"),
        ("ar", "rtl"),
        ("he", "rtl"),
        ("en", "ltr"),
        ("de", "ltr"),
        ("xx", "ltr"),
        (None, "ltr"),
        ("", "ltr"),
    ],
)
def test_direction(locale, expected):
    assert i18n.direction(locale) == expected


any_locale = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["fa", "fa_IR", "en", "en_US", "de", "ar_EG", "bn", "root", "und", "xx"]),
    st.none(),
)
english_and_persian_labels = {i18n.label(m, loc) for m in MEMBERS for loc in SHIPPED}


@given(any_locale)
def test_any_locale_string_falls_back_cleanly(locale):
    assert i18n.label(tc.Status.OPEN, locale) in english_and_persian_labels
    assert i18n.direction(locale) in {"rtl", "ltr"}
    assert i18n.format_number(1234, locale)
    assert i18n.format_duration(timedelta(hours=2, minutes=15), locale)
    assert i18n.format_datetime(NOON, locale)
    assert i18n.format_remaining(NOON, NOON - timedelta(hours=1), locale)
    assert i18n.message(tc.ValidationError(tc.ErrorCode.CONFLICT, "x"), locale)


# -- host catalogs


def test_a_host_adds_a_language_with_a_catalog_directory():
    assert i18n.label(tc.Status.WAITING_FOR_USER, "de") == "Waiting for user"
    i18n.add_catalog_dir(FIXTURES)
    assert i18n.available_locales() == ("de", "en", "fa")
    assert i18n.label(tc.Status.WAITING_FOR_USER, "de") == "Wartet auf Antwort"
    assert i18n.label(tc.Status.RESOLVED, "de_AT") == "Gelöst"
    assert i18n.describe(tc.Status.CLOSED, "de") == "Das Ticket ist geschlossen."
    # Entries the catalog lacks, or marks fuzzy, fall back to English one by one.
    assert i18n.describe(tc.Status.OPEN, "de") == "Created and waiting to be reviewed."
    assert i18n.label(tc.Priority.URGENT, "de") == "Urgent"
    assert i18n.format_remaining(NOON, NOON - timedelta(minutes=90), "de") == (
        "noch 1 Stunde und 30 Minuten"
    )
    error = tc.ValidationError(
        tc.ErrorCode.SUBJECT_TOO_LONG, "x", field="subject", params={"limit": 200, "length": 1234}
    )
    assert i18n.message(error, "de") == (
        "Der Betreff ist zu lang (1.234 Zeichen); höchstens 200 sind erlaubt."
    )
    # Persian is untouched.
    assert i18n.label(tc.Status.WAITING_FOR_USER, "fa") == "در انتظار کاربر"


def write_po(path: Path, entries_: dict[tuple[str, str], str], language: str = "fa") -> Path:
    body = "".join(
        f'\nmsgctxt "{ctx}"\nmsgid "{key}"\nmsgstr "{text}"\n'
        for (ctx, key), text in entries_.items()
    )
    header = (
        f'msgid ""\nmsgstr ""\n"Language: {language}\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
    )
    path.write_text(header + body, encoding="utf-8")
    return path


def test_a_host_overrides_shipped_wording(tmp_path):
    po = write_po(tmp_path / "fa.po", {("role", "requester"): "کاربر"})
    i18n.register_catalog("fa-IR", po)
    assert i18n.label(tc.Role.REQUESTER, "fa_IR") == "کاربر"
    assert i18n.label(tc.Role.REQUESTER, "fa") == f"درخواست{ZWNJ}کننده"  # fa_IR only
    assert i18n.label(tc.Role.AGENT, "fa_IR") == "کارشناس پشتیبانی"
    newer = write_po(tmp_path / "newer.po", {("role", "requester"): "مشتری"})
    i18n.register_catalog("fa_IR", newer)
    assert i18n.label(tc.Role.REQUESTER, "fa_IR") == "مشتری"  # the newest wins


def test_a_malformed_template_falls_back_to_the_next_catalog(tmp_path):
    po = write_po(tmp_path / "de.po", {("error", "subject_too_long"): "{limit ist zu lang"}, "de")
    i18n.register_catalog("de", po)
    error = tc.ValidationError(tc.ErrorCode.SUBJECT_TOO_LONG, "x", params={"limit": 5})
    assert i18n.message(error, "de").startswith("The subject is too long")
    broken = write_po(tmp_path / "fa.po", {("error", "subject_too_long"): "{limit}} طولانی"})
    i18n.register_catalog("fa", broken)
    assert i18n.message(error, "fa").startswith("موضوع بیش از حد طولانی است")


def test_registration_fails_early(tmp_path):
    with pytest.raises(tc.ValidationError) as caught:
        i18n.register_catalog("xx", write_po(tmp_path / "xx.po", {}))
    assert caught.value.field == "locale"
    with pytest.raises(tc.ValidationError) as missing:
        i18n.register_catalog("de", tmp_path / "missing.po")
    assert (missing.value.code, missing.value.field) == (tc.ErrorCode.STORAGE_INVALID, "path")
    assert isinstance(missing.value.__cause__, FileNotFoundError)
    broken = tmp_path / "broken.po"
    broken.write_text('msgid "a"\nmsgstr "b"\nnonsense\n', encoding="utf-8")
    with pytest.raises(tc.ValidationError) as malformed:
        i18n.register_catalog("de", broken)
    assert malformed.value.code is tc.ErrorCode.FORMAT_INVALID
    assert isinstance(malformed.value.__cause__, PoFileError)
    with pytest.raises(tc.ValidationError) as not_a_folder:
        i18n.add_catalog_dir(broken)
    assert not_a_folder.value.code is tc.ErrorCode.OUT_OF_RANGE
    with pytest.raises(tc.InvalidTypeError):
        i18n.add_catalog_dir(None)
    bad_dir = tmp_path / "catalogs" / "nonsense!" / "LC_MESSAGES"
    bad_dir.mkdir(parents=True)
    write_po(bad_dir / "ticketcore.po", {})
    with pytest.raises(tc.ValidationError):
        i18n.add_catalog_dir(tmp_path / "catalogs")
    assert i18n.available_locales() == SHIPPED  # nothing half-registered


# -- datetimes


def test_persian_datetimes_are_jalali_with_persian_digits():
    assert i18n.format_datetime(NOON, "fa") == "۱ فروردین ۱۴۰۵، ۱۲:۰۰"
    assert i18n.format_datetime(NOON, "fa_IR", format="short") == "۱۴۰۵/۰۱/۰۱ ۱۲:۰۰"
    assert i18n.format_datetime(NOON, "fa", tz="Asia/Tehran") == "۱ فروردین ۱۴۰۵، ۱۵:۳۰"
    late = datetime(2025, 3, 20, 23, 59, tzinfo=ZoneInfo("Asia/Tehran"))
    assert i18n.format_datetime(late, "fa") == "۳۰ اسفند ۱۴۰۳، ۲۳:۵۹"
    assert i18n.format_datetime(late, "fa", tz=UTC, format="short") == "۱۴۰۳/۱۲/۳۰ ۲۰:۲۹"


def test_english_and_other_datetimes_use_babel():
    assert i18n.format_datetime(NOON, "en") == "March 21, 2026, 12:00:00\u202fPM UTC"
    assert i18n.format_datetime(NOON, "en", format="short") == "3/21/26, 12:00\u202fPM"
    tehran = ZoneInfo("Asia/Tehran")
    assert i18n.format_datetime(NOON, "en_US", tz=tehran, format="short") == "3/21/26, 3:30\u202fPM"
    assert i18n.format_datetime(NOON, "de", format="short") == "21.03.26, 12:00"


def test_datetime_errors():
    with pytest.raises(tc.ValidationError) as caught:
        i18n.format_datetime(datetime(2026, 1, 1), "fa")  # noqa: DTZ001 - naive on purpose
    assert caught.value.code is tc.ErrorCode.NAIVE_DATETIME
    with pytest.raises(tc.ValidationError) as caught:
        i18n.format_datetime("2026-01-01", "fa")  # type: ignore[arg-type]
    assert caught.value.code is tc.ErrorCode.INVALID_TYPE
    with pytest.raises(tc.ValidationError) as caught:
        i18n.format_datetime(NOON, "fa", tz="Mars/Olympus")
    assert caught.value.code is tc.ErrorCode.TIME_ZONE_UNKNOWN
    with pytest.raises(tc.ValidationError) as caught:
        i18n.format_datetime(NOON, "fa", format="full")  # type: ignore[arg-type]
    assert caught.value.code is tc.ErrorCode.INVALID_CHOICE


@given(st.text(max_size=40))
def test_any_zone_name_formats_or_is_a_validation_error(name):
    codes = []
    try:
        i18n.format_datetime(NOON, "en", tz=name)
    except tc.ValidationError as error:
        codes.append(error.code)
    assert codes in ([], [tc.ErrorCode.TIME_ZONE_UNKNOWN])


edge_zones = st.one_of(
    st.timezones(),
    st.sampled_from([UTC, ZoneInfo("Asia/Tehran"), ZoneInfo("Pacific/Kiritimati")]),
    st.integers(-86_399, 86_399).map(lambda s: timezone(timedelta(seconds=s))),
)
formats = st.sampled_from(["long", "short"])
locales = st.sampled_from(["fa", "fa_AF", "en", "de", "ar_EG", "bn", "root", "xx"])


@given(st.datetimes(timezones=edge_zones), locales, formats)
def test_any_aware_datetime_formats(dt, locale, fmt):
    text = i18n.format_datetime(dt, locale, format=fmt)
    assert text
    if locale == "fa":
        assert not re.search("[0-9\u0660-\u0669]", text)


@given(
    st.datetimes(
        datetime(1800, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; zones come after
        datetime(2200, 12, 31),  # noqa: DTZ001
        timezones=edge_zones,
    ),
    edge_zones,
    locales,
    formats,
)
def test_any_aware_datetime_converts_and_formats(dt, zone, locale, fmt):
    assert i18n.format_datetime(dt, locale, tz=zone, format=fmt)


# -- durations and countdowns


@pytest.mark.parametrize(
    ("delta", "english", "persian"),
    [
        (timedelta(0), "0 minutes", "۰ دقیقه"),
        (timedelta(seconds=29), "0 minutes", "۰ دقیقه"),
        (timedelta(seconds=30), "1 minute", "۱ دقیقه"),
        (timedelta(minutes=15), "15 minutes", "۱۵ دقیقه"),
        (timedelta(minutes=59, seconds=40), "1 hour", "۱ ساعت"),
        (timedelta(hours=2, minutes=15), "2 hours and 15 minutes", "۲ ساعت و ۱۵ دقیقه"),
        (timedelta(hours=23, minutes=59, seconds=40), "1 day", "۱ روز"),
        (timedelta(days=1, minutes=29), "1 day", "۱ روز"),
        (timedelta(days=1, minutes=30), "1 day and 1 hour", "۱ روز و ۱ ساعت"),
        (timedelta(days=3, hours=4, minutes=31), "3 days and 5 hours", "۳ روز و ۵ ساعت"),
        (timedelta(days=1234), "1,234 days", "۱٬۲۳۴ روز"),
        (-timedelta(hours=2, minutes=15), "2 hours and 15 minutes", "۲ ساعت و ۱۵ دقیقه"),
    ],
)
def test_durations(delta, english, persian):
    assert i18n.format_duration(delta, "en") == english
    assert i18n.format_duration(delta, "fa") == persian


def test_duration_type():
    with pytest.raises(tc.ValidationError) as caught:
        i18n.format_duration(3600, "en")  # type: ignore[arg-type]
    assert caught.value.code is tc.ErrorCode.INVALID_TYPE


any_timedelta = st.one_of(
    st.timedeltas(),
    st.sampled_from([timedelta.min, timedelta.max, timedelta(0), timedelta(microseconds=-1)]),
)


@given(any_timedelta, locales)
def test_any_duration_formats_with_at_most_two_units(delta, locale):
    assert i18n.format_duration(delta, locale)
    parts = duration_parts(delta)
    assert 1 <= len(parts) <= 2
    if len(parts) == 2:
        assert parts[1][1] > 0
    units = [unit for unit, _ in parts]
    assert units in (["minute"], ["hour"], ["hour", "minute"], ["day"], ["day", "hour"])
    seconds = {"day": 86_400, "hour": 3_600, "minute": 60}
    shown = sum(seconds[unit] * amount for unit, amount in parts)
    error = 1_800 if units[0] == "day" else 30
    assert abs(shown - abs(delta.total_seconds())) <= error + 1e-6 * abs(delta.total_seconds())


def test_days_and_hours_are_rounded_once_from_the_exact_time():
    # 1 day 4:29:30 is nearer 4 hours than 5; rounding to minutes first gave 4:30 -> 5.
    assert duration_parts(timedelta(days=1, hours=4, minutes=29, seconds=30)) == [
        ("day", 1),
        ("hour", 4),
    ]


def test_countdowns():
    deadline = NOON + timedelta(hours=2, minutes=15)
    assert i18n.format_remaining(deadline, NOON, "en") == "2 hours and 15 minutes left"
    assert i18n.format_remaining(deadline, NOON, "fa") == "۲ ساعت و ۱۵ دقیقه مانده"
    late = NOON - timedelta(hours=3)
    assert i18n.format_remaining(late, NOON, "en") == "overdue by 3 hours"
    assert i18n.format_remaining(late, NOON, "fa") == "۳ ساعت از مهلت گذشته"
    assert i18n.format_remaining(NOON, NOON + timedelta(seconds=10), "en") == "due now"
    assert i18n.format_remaining(NOON, NOON, "fa") == f"مهلت همین حالا به پایان می{ZWNJ}رسد"
    assert i18n.format_remaining(deadline, NOON, "xx") == "2 hours and 15 minutes left"


def test_countdowns_count_real_time_across_zones_and_daylight_saving():
    berlin = ZoneInfo("Europe/Berlin")
    # Clocks jump from 02:00 to 03:00 on 29 March 2026: 01:00 to 04:00 is two hours.
    now = datetime(2026, 3, 29, 1, 0, tzinfo=berlin)
    deadline = datetime(2026, 3, 29, 4, 0, tzinfo=berlin)
    assert i18n.format_remaining(deadline, now, "en") == "2 hours left"
    tehran_noon = datetime(2026, 3, 21, 12, tzinfo=ZoneInfo("Asia/Tehran"))
    assert i18n.format_remaining(tehran_noon, NOON, "en") == "overdue by 3 hours and 30 minutes"


def test_countdown_needs_aware_datetimes():
    with pytest.raises(tc.ValidationError) as caught:
        i18n.format_remaining(datetime(2026, 1, 1), NOON, "en")  # noqa: DTZ001
    assert caught.value.field == "deadline"


@given(st.datetimes(timezones=edge_zones), st.datetimes(timezones=edge_zones), locales)
def test_any_countdown_formats(deadline, now, locale):
    text = i18n.format_remaining(deadline, now, locale)
    assert text
    if locale == "en" and deadline > now + timedelta(minutes=1):
        assert text.endswith(" left")


# -- numbers


def test_numbers():
    assert i18n.format_number(1234567.5, "fa") == "۱٬۲۳۴٬۵۶۷٫۵"
    assert i18n.format_number(1234567.5, "fa", latin_digits=True) == "1,234,567.5"
    assert i18n.format_number(1234567.5, "en") == "1,234,567.5"
    assert i18n.format_number(Decimal("0.25"), "de") == "0,25"
    assert i18n.format_number(42, "ar_EG") == "٤٢"  # Arabic digits for Arabic, not for fa
    assert i18n.format_number(float("nan"), "fa")
    with pytest.raises(tc.ValidationError):
        i18n.format_number(number=True, locale="fa")
    with pytest.raises(tc.ValidationError):
        i18n.format_number("12", "fa")  # type: ignore[arg-type]


@given(st.one_of(st.integers(), st.floats(), st.decimals()), locales, st.booleans())
def test_any_number_formats(number, locale, latin):
    text = i18n.format_number(number, locale, latin_digits=latin)
    assert text
    if locale == "fa" and not latin:
        assert not re.search("[0-9\u0660-\u0669]", text)


# -- error messages


def test_messages_in_both_languages():
    with pytest.raises(tc.ValidationError) as caught:
        tc.Status("opened")
    assert i18n.message(caught.value, "en") == (
        "“opened” is not a valid status. Valid values: "
        "Open, In progress, Waiting for user, Resolved, or Closed."
    )
    persian = i18n.message(caught.value, "fa")
    assert persian.startswith("«opened» برای وضعیت معتبر نیست. مقدارهای مجاز: باز،")
    assert f"حل{ZWNJ}شده" in persian

    error = tc.ValidationError(
        tc.ErrorCode.SUBJECT_TOO_LONG, "x", field="subject", params={"limit": 200, "length": 1234}
    )
    assert i18n.message(error, "en") == (
        "The subject is too long (1,234 characters); at most 200 are allowed."
    )
    assert i18n.message(error, "fa") == (
        "موضوع بیش از حد طولانی است (۱٬۲۳۴ کاراکتر)؛ حداکثر ۲۰۰ کاراکتر مجاز است."
    )


def test_enum_params_become_labels_and_fields_are_translated():
    error = tc.TransitionError(
        tc.ErrorCode.TRANSITION_NOT_ALLOWED,
        "x",
        field="status",
        params={"from_status": "closed", "to_status": tc.Status.OPEN},
    )
    assert i18n.message(error, "en") == (
        f"The role “{MISSING}” may not move a ticket from “Closed” to “Open”."
    )
    error = tc.TransitionError(
        tc.ErrorCode.TRANSITION_NOT_ALLOWED,
        "x",
        field="status",
        params={"from_status": "closed", "to_status": "open", "role": "requester"},
    )
    assert i18n.message(error, "fa") == (
        f"نقش «درخواست{ZWNJ}کننده» نمی{ZWNJ}تواند وضعیت تیکت را از «بسته» به «باز» تغییر دهد."
    )
    denied = tc.PermissionDeniedError(
        tc.ErrorCode.ACTION_NOT_ALLOWED,
        "x",
        field="add_note",
        params={"action": "add_note", "role": "requester"},
    )
    assert i18n.message(denied, "en") == (
        "The role “Requester” is not allowed to add internal notes."
    )
    assert i18n.message(denied, "fa") == (
        f"نقش «درخواست{ZWNJ}کننده» اجازهٔ افزودن یادداشت داخلی را ندارد."
    )
    naive = tc.ValidationError(tc.ErrorCode.NAIVE_DATETIME, "x", field="due_at")
    assert i18n.message(naive, "en") == "The due time must include a time zone."
    assert i18n.message(naive, "fa") == "موعد باید همراه با منطقه زمانی باشد."


def test_identifiers_are_never_mangled_and_sizes_are_readable():
    error = tc.NotFoundError(tc.ErrorCode.NOT_FOUND, "x", params={"ticket_id": 12345})
    assert i18n.message(error, "fa") == "تیکت 12345 پیدا نشد."
    assert i18n.message(error, "en") == "Ticket 12345 was not found."
    large = tc.ValidationError(
        tc.ErrorCode.ATTACHMENT_TOO_LARGE,
        "x",
        field="size",
        params={"value": "scan.pdf", "size": 12_345_678, "limit": 10 * 1024 * 1024},
    )
    assert i18n.message(large, "en") == (
        "The file “scan.pdf” is larger than the limit of 10 megabytes."
    )
    assert i18n.message(large, "fa") == ("حجم فایل «scan.pdf» بیش از حد مجاز (۱۰ مگابایت) است.")
    empty = tc.ValidationError(
        tc.ErrorCode.ATTACHMENT_EMPTY, "x", field="size", params={"value": "a.pdf", "size": 0}
    )
    assert "{" not in i18n.message(empty, "fa")


def test_missing_params_show_an_ellipsis():
    error = tc.NotFoundError(tc.ErrorCode.NOT_FOUND, "x")
    assert i18n.message(error, "en") == f"Ticket {MISSING} was not found."
    error = tc.ValidationError(tc.ErrorCode.TEXT_TOO_LONG, "x")  # no field either
    assert i18n.message(error, "en") == (
        f"The value is too long ({MISSING} characters); at most {MISSING} are allowed."
    )


@pytest.mark.parametrize("locale", SHIPPED)
@pytest.mark.parametrize("code", list(tc.ErrorCode))
def test_every_code_has_a_message_with_or_without_params(code, locale):
    bare = i18n.message(tc.TicketcoreError(code, "english"), locale)
    full = tc.TicketcoreError(
        code,
        "english",
        field="subject",
        params={
            "limit": 5,
            "length": 7,
            "value": "v",
            "valid": "a, b",
            "from_status": "open",
            "to_status": "closed",
            "role": "agent",
            "expected": "str",
            "count": 9,
            "ticket_id": "T-1",
        },
    )
    for text in (bare, i18n.message(full, locale)):
        assert text
        assert text != "english"
        assert "{" not in text
        assert "}" not in text
        if locale == "fa":
            assert not re.search("[0-9\u0660-\u0669]", text.replace("T-1", ""))


def test_message_needs_an_error():
    with pytest.raises(tc.ValidationError):
        i18n.message(ValueError("x"), "en")  # type: ignore[arg-type]


odd_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.text(max_size=10),
    st.binary(max_size=4),
    st.timedeltas(),
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
    st.frozensets(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(object),
)


@given(
    st.sampled_from(list(tc.ErrorCode)),
    st.one_of(
        st.none(), st.sampled_from(["status", "role", "subject", "size"]), st.text(max_size=8)
    ),
    st.dictionaries(st.sampled_from([*sorted(PARAMS - {"field"}), "x"]), odd_values),
    locales,
)
def test_messages_never_raise_for_odd_params(code, field, params, locale):
    assert i18n.message(tc.TicketcoreError(code, "english", field=field, params=params), locale)


def test_templates_only_fill_plain_names():
    values = {"limit": lambda: "5"}
    assert (
        fill("{limit} {limit.real} {0} {limit!r:>9} {{x}}", values)
        == f"5 {MISSING} {MISSING} 5 {{x}}"
    )
    assert fill("{limit", values) is None
    assert placeholders("{a} and {b}") == {"a", "b"}


# -- normalize_persian


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("كيك", "کیک"),  # Arabic Kaf and Yeh
        ("مصطفى", "مصطفی"),  # Alef Maksura
        ("مدرسة", "مدرسة"),  # Teh Marbuta stays
        (f"می{ZWNJ}{ZWNJ}شود", f"می{ZWNJ}شود"),  # a run of ZWNJ becomes one
        (f"{ZWNJ}سلام{ZWNJ} {ZWNJ}دنیا{ZWNJ}", "سلام دنیا"),  # at word edges
        (f"تیکت{ZWNJ}۱", "تیکت۱"),  # next to a digit
        ("ي\u0654", "ئ"),  # NFC
        ("\u200fسلام\u200f", "\u200fسلام\u200f"),  # RLM stays
        ("شماره ۱۲۳ و ٤٥٦", "شماره ۱۲۳ و ٤٥٦"),  # digits kept by default
    ],
)
def test_normalize_persian(text, expected):
    assert i18n.normalize_persian(text) == expected


def test_normalize_persian_digits_and_options():
    assert i18n.normalize_persian("۱۲۳-٤٥٦", digits="ascii") == "123-456"
    assert i18n.normalize_persian("123-٤٥٦", digits="persian") == "۱۲۳-۴۵۶"
    kept = f"{ZWNJ}می{ZWNJ}{ZWNJ}شود"
    assert i18n.normalize_persian(kept, clean_zwnj=False) == kept
    with pytest.raises(tc.ValidationError) as caught:
        i18n.normalize_persian("x", digits="arabic")  # type: ignore[arg-type]
    assert caught.value.code is tc.ErrorCode.INVALID_CHOICE
    with pytest.raises(tc.ValidationError) as caught:
        i18n.normalize_persian(b"x")  # type: ignore[arg-type]
    assert caught.value.code is tc.ErrorCode.INVALID_TYPE


persianish = st.text(
    st.one_of(
        st.sampled_from(f"{ZWNJ} يكىیکةه۰۱٠١01ـ\u064e\u0654\u200f=\u0338"),
        st.characters(),
    ),
    max_size=30,
)


@given(persianish, st.sampled_from(["keep", "ascii", "persian"]), st.booleans())
def test_normalize_persian_properties(text, digits, clean):
    out = i18n.normalize_persian(text, digits=digits, clean_zwnj=clean)
    assert i18n.normalize_persian(out, digits=digits, clean_zwnj=clean) == out
    assert unicodedata.is_normalized("NFC", out)
    assert not re.search("[\u064a\u0643\u0649]", out)
    if digits == "ascii":
        assert not re.search("[\u06f0-\u06f9\u0660-\u0669]", out)
    if clean:
        for index, char in enumerate(out):
            if char == ZWNJ:
                assert 0 < index < len(out) - 1
                assert unicodedata.category(out[index - 1])[0] in "LM"
                assert unicodedata.category(out[index + 1])[0] in "LM"


@given(st.text(max_size=30).filter(lambda t: ZWNJ not in t))
def test_normalize_persian_changes_nothing_else(text):
    text = unicodedata.normalize("NFC", text)
    swapped = text.translate({0x064A: 0x06CC, 0x0649: 0x06CC, 0x0643: 0x06A9})
    assert i18n.normalize_persian(text) == swapped


# -- import cost


def test_importing_ticketcore_and_the_babel_free_parts_does_not_import_babel():
    code = (
        "import sys, ticketcore, ticketcore.i18n, ticketcore._persian, "
        "ticketcore.i18n._jalali\n"
        "from ticketcore.i18n import normalize_persian, to_jalali\n"
        "normalize_persian('كي'); import datetime; to_jalali(datetime.date(2026, 3, 21))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_read_catalog_accepts_any_binary_stream():
    catalog = _catalog.read_catalog(io.BytesIO(po_path("en").read_bytes()), "en")
    assert catalog.get("open", context="status").string == "Open"


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_sla_metrics_and_clock_states_have_labels(locale):
    for member in [*tc.Metric, *tc.ClockState]:
        text = i18n.label(member, locale)
        assert text
        assert "_" not in text
        assert i18n.describe(member, locale) == text  # no description: the label stands in
    assert i18n.label(tc.Metric.FIRST_RESPONSE, "fa") == "نخستین پاسخ"
    assert i18n.label(tc.ClockState.BREACHED, "en") == "Breached"


@pytest.mark.parametrize("size", [Decimal("NaN"), Decimal("sNaN"), float("inf"), float("nan")])
def test_a_byte_count_that_is_not_finite_is_shown_plainly(size):
    error = tc.ValidationError(
        tc.ErrorCode.ATTACHMENT_TOO_LARGE, "x", field="size", params={"size": size, "limit": 5}
    )
    for locale in ("en", "fa"):
        assert i18n.message(error, locale)
