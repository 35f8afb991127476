import pickle

import pytest

import ticketcore as tc


def test_one_hierarchy_with_builtin_bases():
    assert issubclass(tc.ValidationError, tc.TicketcoreError)
    assert issubclass(tc.ValidationError, ValueError)
    assert issubclass(tc.TransitionError, tc.TicketcoreError)
    assert issubclass(tc.PermissionDeniedError, PermissionError)
    assert issubclass(tc.NotFoundError, tc.StorageError)
    assert issubclass(tc.NotFoundError, LookupError)
    assert issubclass(tc.ConflictError, tc.StorageError)
    assert issubclass(tc.StorageUnavailableError, tc.StorageError)
    assert issubclass(tc.StorageError, tc.TicketcoreError)


def test_error_carries_code_field_and_read_only_params():
    error = tc.ValidationError(
        tc.ErrorCode.SUBJECT_TOO_LONG, "too long", field="subject", params={"limit": 200}
    )
    assert error.code is tc.ErrorCode.SUBJECT_TOO_LONG
    assert error.code == "subject_too_long"
    assert error.field == "subject"
    assert error.params["limit"] == 200
    assert error.message == "too long"
    with pytest.raises(TypeError):
        error.params["limit"] = 1  # type: ignore[index]
    assert "subject_too_long" in repr(error)


def test_unknown_code_is_refused():
    with pytest.raises(ValueError):
        tc.TicketcoreError("no_such_code", "x")  # type: ignore[arg-type]


def test_errors_survive_pickling():
    error = tc.PermissionDeniedError(
        tc.ErrorCode.NOT_YOUR_TICKET, "nope", field="requester_id", params={"value": "sara"}
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is tc.PermissionDeniedError
    assert (copy.code, copy.field, dict(copy.params), str(copy)) == (
        error.code,
        error.field,
        dict(error.params),
        str(error),
    )


def test_error_codes_are_unique_snake_case_wire_names():
    values = [code.value for code in tc.ErrorCode]
    assert len(values) == len(set(values))
    for value in values:
        assert value == value.lower()
        assert value.replace("_", "").isalpha()
