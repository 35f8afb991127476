import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ticketcore as tc


@pytest.mark.parametrize(
    ("enum", "names"),
    [
        (tc.Status, ["open", "in_progress", "waiting_for_user", "resolved", "closed"]),
        (tc.Priority, ["urgent", "high", "medium", "low"]),
        (
            tc.Category,
            ["technical", "financial", "account", "bug_report", "feature_request", "general"],
        ),
        (tc.Role, ["requester", "agent", "system"]),
    ],
)
def test_wire_names_are_stable(enum, names):
    assert [member.value for member in enum] == names
    for name in names:
        assert enum(name).value == name
        assert enum(name) == name  # string enums compare equal to their wire names


@pytest.mark.parametrize("bad", [None, 1, b"open", ["open"]])
def test_a_status_of_the_wrong_type_is_a_type_error(bad):
    with pytest.raises(tc.InvalidTypeError) as caught:
        tc.Status(bad)
    assert isinstance(caught.value, TypeError)
    assert (caught.value.code, caught.value.field) == (tc.ErrorCode.INVALID_TYPE, "status")


@pytest.mark.parametrize("bad", ["opened", "OPEN", "Open", "", " open", "open "])
def test_unknown_status_is_a_validation_error_listing_valid_names(bad):
    with pytest.raises(tc.ValidationError) as caught:
        tc.Status(bad)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.code == tc.ErrorCode.INVALID_CHOICE
    assert error.field == "status"
    assert error.params["valid"] == "open, in_progress, waiting_for_user, resolved, closed"
    assert "in_progress" in str(error)


def test_enum_fields_are_named_in_snake_case():
    with pytest.raises(tc.ValidationError) as caught:
        tc.Category("bug")
    assert caught.value.field == "category"


def test_priority_is_ordered_by_severity_not_spelling():
    assert tc.Priority.URGENT > tc.Priority.HIGH > tc.Priority.MEDIUM > tc.Priority.LOW
    assert tc.Priority.LOW < tc.Priority.URGENT
    assert tc.Priority.HIGH >= tc.Priority.HIGH
    assert tc.Priority.MEDIUM <= tc.Priority.HIGH
    # as plain strings "high" < "low" < "medium" < "urgent": severity wins
    assert max(tc.Priority) is tc.Priority.URGENT
    assert min(tc.Priority) is tc.Priority.LOW


def test_priority_default_is_medium():
    assert tc.Priority.default() is tc.Priority.MEDIUM


def test_priority_compares_with_wire_names_by_severity_too():
    assert tc.Priority.HIGH > "low"  # alphabetically "high" < "low"
    assert tc.Priority.HIGH > "medium"
    with pytest.raises(tc.ValidationError):
        _ = tc.Priority.HIGH < "critical"
    with pytest.raises(TypeError):
        _ = tc.Priority.HIGH < 3  # type: ignore[operator]


@given(st.sampled_from(tc.Priority), st.sampled_from(tc.Priority))
def test_priority_order_matches_severity(a, b):
    assert (a < b) == (a.severity < b.severity)
    assert (a > b) == (a.severity > b.severity)
    assert (a <= b) != (a > b)


@given(st.sampled_from([*tc.Status, *tc.Priority, *tc.Category, *tc.Role]))
def test_members_pickle_and_hash_as_themselves(member):
    assert pickle.loads(pickle.dumps(member)) is member
    assert hash(member) == hash(member.value)
