# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""lib/validation.py: the query of ``GET orders`` (pagination, the
status, creation and change-time filters, the sort)."""

import datetime

import pytest
from validation_helpers import error_fields, rejects

# ----------------------------------------------------------------------
# GET orders
# ----------------------------------------------------------------------

NO_FILTER = {
    "statuses": None,
    "created_from": None,
    "created_to": None,
    "updated_since": None,
    "sort": "created_desc",
}


def _query(validation, **params):
    return validation.parse_orders_query(params)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, (1, 20)),
        ({"page": "3"}, (3, 20)),
        ({"page_size": "50"}, (1, 50)),
        ({"page": "2", "page_size": "100"}, (2, 100)),
        ({"page": "007"}, (7, 20)),
        ({"page": str(10**9)}, (10**9, 20)),
        ({"other": "x"}, (1, 20)),
    ],
)
def test_pagination(validation, params, expected):
    page, page_size, filters = validation.parse_orders_query(params)
    assert (page, page_size) == expected
    assert filters == NO_FILTER


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "abc"),
        ("page", str(10**9 + 1)),
        ("page", "9" * 31),
        ("page", "1e3"),
        ("page", ""),
        ("page", " 7 "),
        ("page_size", "0"),
        ("page_size", "101"),
        ("page_size", "1.5"),
        ("page_size", "+5"),
        ("page_size", "0x10"),
        ("page_size", "\u0663"),  # ARABIC-INDIC DIGIT THREE: int() would take it
    ],
)
def test_pagination_rejects(validation, name, raw):
    exc = rejects(validation, validation.parse_orders_query, {name: raw})
    assert error_fields(exc) == [name]
    assert exc.message.startswith(f"{name} must be a whole number between 1 and ")


def test_every_query_problem_is_listed(validation):
    exc = rejects(
        validation,
        validation.parse_orders_query,
        {"page": "0", "page_size": "x", "status": "draft", "sort": "new"},
    )
    assert error_fields(exc) == ["page", "page_size", "status", "sort"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-23T10:00:00Z", datetime.datetime(2026, 11, 23, 10)),
        ("2026-11-23t10:00:00z", datetime.datetime(2026, 11, 23, 10)),
        ("2026-11-23 10:00:00", datetime.datetime(2026, 11, 23, 10)),
        ("2026-11-23T10:00", datetime.datetime(2026, 11, 23, 10)),
        (
            "2026-11-23T10:00:00.123456Z",
            datetime.datetime(2026, 11, 23, 10, 0, 0, 123456),
        ),
        ("2026-11-23T11:00:00+01:00", datetime.datetime(2026, 11, 23, 10)),
        ("2026-11-23T11:00:00+0100", datetime.datetime(2026, 11, 23, 10)),
        ("2026-11-23T05:30:00-04:30", datetime.datetime(2026, 11, 23, 10)),
        # beyond the calendar's ends: its last and first microsecond
        ("9999-12-31T23:59:59-01:00", datetime.datetime.max),
        ("0001-01-01T00:30:00+01:00", datetime.datetime.min),
    ],
)
def test_date_time(validation, raw, expected):
    assert _query(validation, updated_since=raw)[2]["updated_since"] == expected
    assert _query(validation, created_from=raw)[2]["created_from"] == expected


@pytest.mark.parametrize(
    ("raw", "first", "last"),
    [
        ("2026-11-23", (2026, 11, 23), (2026, 11, 23, 23, 59, 59, 999999)),
        ("2028-02-29", (2028, 2, 29), (2028, 2, 29, 23, 59, 59, 999999)),
        ("9999-12-31", (9999, 12, 31), (9999, 12, 31, 23, 59, 59, 999999)),
    ],
)
def test_date_is_its_first_or_last_microsecond(validation, raw, first, last):
    filters = _query(validation, created_from=raw, created_to=raw)[2]
    assert filters["created_from"] == datetime.datetime(*first)
    assert filters["created_to"] == datetime.datetime(*last)


@pytest.mark.parametrize(
    "raw",
    [
        "0000-00-00",
        "2026-13-01",
        "2026-02-29",
        "2026-11-31",
        "2026-11-23T24:00:00Z",
        "2026-11-23T10:60:00Z",
        "2026-11-23T10:00:00+25:00",
        "2026-11-23T10:00:00.1234567Z",
        "2026-11-23T10",
        "23.11.2026",
        "1763892000",
        "",
        " 2026-11-23",
    ],
)
def test_date_time_rejected(validation, raw):
    for name in ("created_from", "created_to", "updated_since"):
        exc = rejects(validation, validation.parse_orders_query, {name: raw})
        assert error_fields(exc) == [name]
        assert "ISO 8601" in exc.message


def test_updated_since_refuses_a_date(validation):
    exc = rejects(
        validation, validation.parse_orders_query, {"updated_since": "2026-11-23"}
    )
    assert "or a date" not in exc.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("pending", ["pending"]),
        ("shipped,confirmed,shipped", ["confirmed", "shipped"]),
        (
            "pending,confirmed,partially_shipped,shipped,cancelled",
            sorted(
                ["pending", "confirmed", "partially_shipped", "shipped", "cancelled"]
            ),
        ),
    ],
)
def test_status_filter(validation, raw, expected):
    assert _query(validation, status=raw)[2]["statuses"] == expected


@pytest.mark.parametrize(
    "raw", ["", "draft", "Pending", "pending,", "pending, shipped", ","]
)
def test_status_filter_rejected(validation, raw):
    assert error_fields(
        rejects(validation, validation.parse_orders_query, {"status": raw})
    ) == ["status"]


@pytest.mark.parametrize("sort", ["created_desc", "created_asc", "updated_asc"])
def test_sort(validation, sort):
    assert _query(validation, sort=sort)[2]["sort"] == sort


@pytest.mark.parametrize("sort", ["", "updated_desc", "CREATED_DESC", "-created"])
def test_sort_rejected(validation, sort):
    assert error_fields(
        rejects(validation, validation.parse_orders_query, {"sort": sort})
    ) == ["sort"]
