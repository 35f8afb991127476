"""Every rejected input gets a clear, typed error and changes nothing."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ticketcore as tc
from helpers import ALI, PDF, SARA, T0, later, opened

E = tc.ErrorCode


def expect(code, field=None, kind=tc.ValidationError):
    class _Check:
        def __enter__(self):
            self.raises = pytest.raises(kind)
            self.info = self.raises.__enter__()
            return self.info

        def __exit__(self, *exc):
            result = self.raises.__exit__(*exc)
            assert self.info.value.code == code, self.info.value
            if field is not None:
                assert self.info.value.field == field
            return result

    return _Check()


# -- subject ---------------------------------------------------------------------------


def test_subject_is_normalized_and_stripped():
    # "e" + combining acute becomes "é" (NFC); surrounding whitespace goes
    ticket = opened(subject="  Cafe\u0301 payment \n")
    assert ticket.subject == "Café payment"


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_subject_is_required(blank):
    with expect(E.SUBJECT_REQUIRED, "subject"):
        opened(subject=blank)


def test_subject_length_limit_is_200_characters_after_cleaning():
    assert len(opened(subject="x" * 200).subject) == 200
    assert opened(subject="  " + "x" * 200 + "  ").subject == "x" * 200
    with expect(E.SUBJECT_TOO_LONG, "subject") as caught:
        opened(subject="x" * 201)
    assert caught.value.params == {"length": 201, "limit": 200}


def test_subject_counts_characters_not_bytes():
    persian = "ی" * 200  # 400 bytes in UTF-8
    assert opened(subject=persian).subject == persian


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\n", "\t", "\u2028"])
def test_subject_rejects_control_characters(char):
    with expect(E.CONTROL_CHARACTER, "subject"):
        opened(subject=f"bad{char}subject")


@pytest.mark.parametrize("char", [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]])
def test_subject_rejects_bidi_overrides_and_isolates(char):
    with expect(E.BIDI_CONTROL, "subject") as caught:
        opened(subject=f"invoice{char}fdp.exe")
    assert caught.value.params["value"] == f"U+{ord(char):04X}"


@pytest.mark.parametrize("char", ["\u200c", "\u200d", "\u200e", "\u200f"])
def test_subject_keeps_zwnj_zwj_lrm_rlm(char):
    subject = f"تیکت{char}های من"
    assert opened(subject=subject).subject == subject


def test_subject_rejects_lone_surrogates():
    with expect(E.CONTROL_CHARACTER, "subject"):
        opened(subject="bad \ud800 text")


def test_subject_must_be_text():
    with expect(E.INVALID_TYPE, "subject"):
        opened(subject=b"bytes")


def test_right_to_left_text_is_normal_input():
    subject = "پرداخت ناموفق بود — سفارش ۱۲۳"
    body = "سلام،\nمبلغ دو بار از حسابم کم شد.\tلطفاً بررسی کنید."
    ticket = opened(subject=subject, body=body)
    assert ticket.subject == subject
    assert ticket.messages[0].body == body


# -- body ------------------------------------------------------------------------------


def test_body_keeps_newlines_and_tabs_and_normalizes_line_endings():
    ticket = opened(body="line one\r\nline two\rline\tthree\n")
    assert ticket.messages[0].body == "line one\nline two\nline\tthree"


@pytest.mark.parametrize("blank", ["", "  \n\t "])
def test_body_is_required(blank):
    with expect(E.BODY_REQUIRED, "body"):
        opened(body=blank)


def test_body_limit_is_50000_characters():
    assert len(opened(body="x" * 50_000).messages[0].body) == 50_000
    with expect(E.BODY_TOO_LONG, "body") as caught:
        opened(body="x" * 50_001)
    assert caught.value.params["limit"] == 50_000


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x0c", "\x1f", "\x9b"])
def test_body_rejects_controls_other_than_newline_and_tab(char):
    with expect(E.CONTROL_CHARACTER, "body"):
        opened(body=f"text{char}more")


def test_body_rejects_bidi_overrides():
    with expect(E.BIDI_CONTROL, "body"):
        opened(body="amount: \u202e001")


def test_reply_body_is_validated_the_same_way():
    ticket = opened()
    with expect(E.BODY_REQUIRED, "body"):
        ticket.reply(SARA, "   ", at=later(ticket))
    with expect(E.BIDI_CONTROL, "body"):
        ticket.reply(SARA, "x\u2067y", at=later(ticket))


# -- attachments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["", " ", ".", "..", "a/b.pdf", "..\\x.pdf", "/etc/passwd", "nul\x00.pdf", "a\nb"]
)
def test_attachment_filename_must_be_a_plain_name(name):
    with expect(E.FILENAME_INVALID, "filename"):
        tc.Attachment(name, "application/pdf", 10, "0" * 64)


def test_attachment_filename_limit_is_255_utf8_bytes():
    assert tc.Attachment("a" * 251 + ".pdf", "application/pdf", 1, "0" * 64)
    with expect(E.FILENAME_TOO_LONG, "filename") as caught:
        tc.Attachment("ف" * 126 + ".pdf", "application/pdf", 1, "0" * 64)  # 256 bytes
    assert caught.value.params == {"length": 256, "limit": 255}


def test_attachment_names_may_be_persian_and_contain_dots():
    assert tc.Attachment("رسید.پرداخت.pdf", "application/pdf", 1, "0" * 64).filename


@pytest.mark.parametrize("size", [0, -1])
def test_attachment_must_not_be_empty(size):
    with expect(E.ATTACHMENT_EMPTY, "size"):
        tc.Attachment("a.pdf", "application/pdf", size, "0" * 64)


def test_attachment_size_must_be_an_int():
    with expect(E.INVALID_TYPE, "size"):
        tc.Attachment("a.pdf", "application/pdf", 1.5, "0" * 64)


@pytest.mark.parametrize("digest", ["", "0" * 63, "g" * 64, "0" * 65])
def test_attachment_checksum_is_64_hex_digits(digest):
    with expect(E.CHECKSUM_INVALID, "sha256"):
        tc.Attachment("a.pdf", "application/pdf", 1, digest)


def test_attachment_checksum_and_type_are_lowercased():
    item = tc.Attachment("a.pdf", "Application/PDF", 1, "AB" * 32)
    assert (item.content_type, item.sha256) == ("application/pdf", "ab" * 32)


@pytest.mark.parametrize(
    "kind",
    [
        " application/pdf ",  # not stripped: values are never coerced
        "application/pdf; name=x",
        "text/plain; x=\r\nSet-Cookie: a=b",
        "text/plain;\x00\u202e",
        "text/plain\r\n",
        "text/plain; charset=utf-8\u202e",
        "text",
        "/plain",
        "text/plain; charset=",
        'text/plain; charset="utf-8',
    ],
)
def test_content_types_are_a_bare_type_with_at_most_a_charset(kind):
    with expect(E.CONTENT_TYPE_INVALID, "content_type"):
        tc.Attachment("a.txt", kind, 1, "ab" * 32)


def test_a_charset_is_kept_in_canonical_form():
    item = tc.Attachment("a.txt", 'Text/Plain; Charset="UTF-8"', 1, "ab" * 32)
    assert item.content_type == "text/plain; charset=utf-8"
    assert item.essence == "text/plain"


def test_attachment_size_limit_defaults_to_10_mib():
    limit = 10 * 1024 * 1024
    exact = tc.Attachment("big.pdf", "application/pdf", limit, "0" * 64)
    assert opened(attachments=[exact]).messages[0].attachments == (exact,)
    with expect(E.ATTACHMENT_TOO_LARGE, "size") as caught:
        opened(attachments=[tc.Attachment("big.pdf", "application/pdf", limit + 1, "0" * 64)])
    assert caught.value.params["limit"] == limit


@pytest.mark.parametrize("kind", ["text/html", "image/svg+xml", "application/x-msdownload"])
def test_attachment_type_must_be_on_the_allow_list(kind):
    with expect(E.CONTENT_TYPE_NOT_ALLOWED, "content_type"):
        opened(attachments=[tc.Attachment("x.bin", kind, 10, "0" * 64)])


def test_attachment_type_parameters_are_ignored_for_the_allow_list():
    item = tc.Attachment("a.txt", "text/plain; charset=utf-8", 10, "0" * 64)
    assert opened(attachments=[item]).messages[0].attachments == (item,)


def test_host_can_change_the_allow_list_and_size():
    workflow = tc.Workflow.default(
        limits=tc.Limits(content_types={"image/svg+xml"}, attachment_max_size=100)
    )
    svg = tc.Attachment("logo.svg", "image/svg+xml", 100, "0" * 64)
    assert opened(attachments=[svg], workflow=workflow).messages[0].attachments == (svg,)
    with expect(E.CONTENT_TYPE_NOT_ALLOWED):
        opened(attachments=[PDF], workflow=workflow)
    with expect(E.ATTACHMENT_TOO_LARGE):
        opened(
            attachments=[tc.Attachment("logo.svg", "image/svg+xml", 101, "0" * 64)],
            workflow=workflow,
        )


def test_at_most_ten_attachments_per_message():
    assert len(opened(attachments=[PDF] * 10).messages[0].attachments) == 10
    with expect(E.TOO_MANY_ATTACHMENTS, "attachments") as caught:
        opened(attachments=[PDF] * 11)
    assert caught.value.params == {"count": 11, "limit": 10}


def test_attachments_must_be_attachment_objects():
    with expect(E.INVALID_TYPE, "attachments"):
        opened(attachments=[{"filename": "a.pdf"}])


def test_limits_reject_nonsense():
    with pytest.raises(ValueError):
        tc.Limits(attachment_max_size=0)


# -- references ------------------------------------------------------------------------


def test_references_are_kept_read_only():
    ticket = opened(references={"order": "A-1009", "shipment_id": "SHP-123"})
    assert dict(ticket.references) == {"order": "A-1009", "shipment_id": "SHP-123"}
    with pytest.raises(TypeError):
        ticket.references["order"] = "x"  # type: ignore[index]


def test_references_are_normalized_for_lookup():
    """However a user types an order number, it is one spelling: ASCII digits, Persian ی/ک."""
    ticket = opened(references={"order": "A-۱۰۰۹", "shipment_id": "٤٥", "city": "كرج يزد"})
    assert dict(ticket.references) == {"order": "A-1009", "shipment_id": "45", "city": "کرج یزد"}


def test_at_most_twenty_references():
    assert len(opened(references={f"k{i}": "v" for i in range(20)}).references) == 20
    with expect(E.TOO_MANY_REFERENCES, "references"):
        opened(references={f"k{i}": "v" for i in range(21)})


@pytest.mark.parametrize("key", ["", "1order", "order number", "o" * 65, "سفارش", 7])
def test_reference_keys_are_short_identifiers(key):
    with expect(E.REFERENCE_KEY_INVALID, "references"):
        opened(references={key: "A-1"})


@pytest.mark.parametrize("value", ["", "  ", "x" * 201, 12, "a\x00b"])
def test_reference_values_are_short_text(value):
    with pytest.raises(tc.ValidationError) as caught:
        opened(references={"order": value})
    assert caught.value.field in {"references", "references.order"}


# -- identifiers -----------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", " T-1", "T 1", "T\n1", "x" * 129, None])
def test_ticket_id_must_be_a_clean_identifier(bad):
    with pytest.raises(tc.ValidationError) as caught:
        opened(id=bad)
    assert caught.value.code in {E.INVALID_IDENTIFIER, E.INVALID_TYPE}
    assert caught.value.field == "id"


@pytest.mark.parametrize("bad", ["", "a b", None])
def test_actor_id_must_be_a_clean_identifier(bad):
    with pytest.raises(tc.ValidationError):
        tc.Actor(bad, "agent")


def test_actor_role_must_be_known():
    with expect(E.INVALID_CHOICE, "role"):
        tc.Actor("x", "admin")


# -- time ------------------------------------------------------------------------------


def test_naive_datetimes_are_rejected_never_guessed():
    with expect(E.NAIVE_DATETIME, "at"):
        opened(at=datetime(2026, 3, 21, 9, 0))  # noqa: DTZ001
    ticket = opened()
    with expect(E.NAIVE_DATETIME, "at"):
        ticket.reply(SARA, "hi", at=datetime(2026, 3, 22))  # noqa: DTZ001


def test_at_must_be_a_datetime():
    with expect(E.INVALID_TYPE, "at"):
        opened(at="2026-03-21T09:00:00Z")


def test_time_never_goes_backwards_on_a_ticket():
    ticket = opened()
    same_instant = ticket.reply(SARA, "at the same instant", at=T0).ticket
    assert same_instant.version == 2
    with expect(E.TIME_WENT_BACKWARDS, "at"):
        ticket.reply(SARA, "too early", at=T0 - timedelta(microseconds=1))


def test_time_comparison_is_by_instant_not_wall_clock():
    tehran = timezone(timedelta(hours=3, minutes=30))
    ticket = opened()
    # 12:29 in Tehran is 08:59 UTC: before the ticket was opened
    with expect(E.TIME_WENT_BACKWARDS):
        ticket.reply(SARA, "hi", at=datetime(2026, 3, 21, 12, 29, tzinfo=tehran))
    assert ticket.reply(SARA, "hi", at=datetime(2026, 3, 21, 12, 30, tzinfo=tehran)).ticket


# -- nothing changes on error ----------------------------------------------------------


@given(
    st.sampled_from(
        [
            {"subject": ""},
            {"body": "x" * 50_001},
            {"category": "bugs"},
            {"priority": "critical"},
            {"attachments": [PDF] * 11},
            {"references": {"": "x"}},
        ]
    )
)
def test_a_rejected_reply_leaves_the_ticket_as_it_was(bad):
    ticket = opened()
    before = (ticket.version, ticket.messages, ticket.history)
    with pytest.raises(tc.ValidationError):
        opened(**bad)
    with pytest.raises(tc.ValidationError):
        ticket.reply(ALI, "", at=later(ticket))
    assert (ticket.version, ticket.messages, ticket.history) == before


def test_an_id_of_exactly_128_characters_is_accepted_and_129_refused():
    longest = "T" * 128
    assert opened(id=longest).id == longest
    assert tc.Actor.requester("r" * 128).id == "r" * 128
    with expect(E.INVALID_IDENTIFIER, "id"):
        opened(id=longest + "1")
