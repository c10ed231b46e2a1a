# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Helpers of the tests of lib/validation.py (``test_validation*.py``)."""

import pytest


def rejects(validation, func, *args):
    """The ValidationError ``func(*args)`` raises."""
    with pytest.raises(validation.ValidationError) as info:
        func(*args)
    exc = info.value
    assert exc.status == 400 and exc.code == "validation_error"
    assert exc.details, "every validation error lists its details"
    assert exc.details[0]["message"] in exc.message
    return exc


def error_fields(exc):
    return [detail["field"] for detail in exc.details]
