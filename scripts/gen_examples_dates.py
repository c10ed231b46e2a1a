# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The examples of issue 27's dates and references (``record_dates``): an
order placed with a requested delivery date, ``ship_complete`` and a PO
line reference, then its ``order_status`` with each line's
``expected_date`` and ``available_now``, and a past date refused.
Called by ``record()`` in ``scripts/gen_examples_record.py``; imports
nothing of the addon (``Recorder`` is passed in)."""

import datetime


def record_dates(rec, ctx):
    """Record the examples (see the module's docstring)."""
    # (imported here: gen_examples_record imports this module)
    from gen_examples_record import ADDRESS  # pylint: disable=import-outside-toplevel

    eans, stamp = ctx["eans"], ctx["stamp"]
    ext = f"EXT-{stamp}-dates"
    rec.masker.add(ext, "EXT-1004")
    today = datetime.datetime.now(datetime.UTC).date()
    requested = (today + datetime.timedelta(days=14)).isoformat()
    # a date that stays in the future, so that the recorded request stays
    # valid (the other dates are masked as one past date)
    rec.masker.add(requested, "2099-12-15")
    body = {
        "lines": [
            {"ean": eans[0], "amount": 1, "customer_reference": "PO-77/1"},
            {"ean": eans[1], "amount": 2, "customer_reference": "PO-77/2"},
        ],
        "external_order_id": ext,
        "delivery_address": ADDRESS,
        "requested_delivery_date": requested,
        "ship_complete": True,
    }
    created = rec.call(
        "createOrder",
        "A requested delivery date, shipped complete, with PO line references",
        "POST",
        "order",
        body=body,
    )
    rec.call(
        "getOrderStatus",
        "When each line is expected (expected_date, available_now)",
        "GET",
        f"order_status?identifiedBy=biomes&order_id={created.json()['biomes_order_id']}",
    )
    past = dict(body, external_order_id=None)
    past["requested_delivery_date"] = (today - datetime.timedelta(days=1)).isoformat()
    rec.call("createOrder", "400: a requested delivery date in the past", "POST",
             "order", body=past)  # fmt: skip
