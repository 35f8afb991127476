"""The search folding: what the stores index and what a query matches."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from ticketcore._search import index_terms, query_terms, search_cursor, search_offset

ALPHABET = (
    "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"  # Persian letters
    "يىكئؤأإآةۀ"  # Arabic forms and letters with hamza or madda
    "\u064b\u064c\u064e\u064f\u0650\u0651\u0652\u0654\u0670"  # harakat, hamza above
    "\u0640"  # kashida
    "\u200c\u200b\u200d\u2060\u00ad\ufeff"  # ZWNJ and its look-alikes
    "\u200e\u200f\u202b\u2067"  # direction marks
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩0123456789"
    "abcXYZéÉñ_- .،؛!?\n"
    "\u1100\u1161\uac00\u0bc6\u0bbe\u0bca"  # Hangul jamo and Tamil vowel signs compose
)
texts = st.text(alphabet=ALPHABET, max_size=40)
JOINERS = "\u200b\u200d\u2060\u00ad\ufeff"


def oracle_words(text):
    """A slow fold written out character by character, independent of the fast one."""
    out = []
    for found in unicodedata.normalize("NFD", text):
        if unicodedata.combining(found) or found in "\u0640\u200e\u200f\u202b\u2067":
            continue
        char = {"ي": "ی", "ى": "ی", "ك": "ک"}.get(found, found)
        if "۰" <= char <= "۹":
            char = str(ord(char) - ord("۰"))
        elif "٠" <= char <= "٩":
            char = str(ord(char) - ord("٠"))
        out.append("\u200c" if char in JOINERS else char)
    folded = unicodedata.normalize("NFC", "".join(out)).casefold()
    words, word = [], ""
    for char in folded + " ":
        if char.isalnum() or (char == "\u200c" and word):
            word += char
        elif word:
            words.append(word.rstrip("\u200c"))
            word = ""
    return [w for w in words if w]


@given(texts)
def test_the_fold_matches_a_character_by_character_oracle(text):
    expected = []
    for word in oracle_words(text):
        parts = [p for p in word.split("\u200c") if p]
        expected.extend([word.replace("\u200c", ""), *parts] if len(parts) > 1 else parts)
    assert index_terms(text).split() == expected


@given(texts)
def test_the_folded_text_is_stable_and_plain(text):
    folded = index_terms(text)
    assert index_terms(folded) == folded
    forbidden = set("يىك\u0640\u200c\u200e\u200f\u202b\u2067" + JOINERS + "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
    assert not forbidden & set(folded)
    assert not any(unicodedata.combining(c) for c in folded)
    assert folded == folded.casefold()


@given(texts)
def test_every_word_of_a_text_finds_it(text):
    indexed = index_terms(text).split()
    for term in query_terms(text):
        assert any(word.startswith(term) for word in indexed)


def test_decomposed_text_finds_its_composed_twin():
    """Characters of combining class 0 compose too (Hangul jamo, Tamil vowel signs)."""
    assert query_terms("\u1100\u1161") == query_terms("\uac00") == ("\uac00",)
    assert query_terms("\u0bc6\u0bbe") == query_terms("\u0bca")


def test_spellings_a_reader_takes_for_one_word_fold_alike():
    assert query_terms("مي‌خواهم") == query_terms("میخواهم") == ("میخواهم",)
    assert index_terms("می‌خواهم").split() == ["میخواهم", "می", "خواهم"]
    assert query_terms("۱۲۳ ١٢٣ 123") == ("123",)
    assert query_terms("پیـــگیری سِفارش") == ("پیگیری", "سفارش")
    assert query_terms("ئ") == ("ی",)


@given(st.integers(0, 10_000))
def test_a_search_cursor_is_the_offset_it_was_made_for(offset):
    assert search_offset(search_cursor(offset)) == offset
