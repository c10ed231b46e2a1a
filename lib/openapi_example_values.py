# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The values the OpenAPI document's examples are made of (``lib/openapi_examples.py``
names them in ``EXAMPLES``): one order, address, delivery, invoice... each
written once, so that every example showing it agrees."""

from .events import EVENT_TYPES

IDEMPOTENCY_KEY = "8e0f4bb2-3c5d-4e1a-9f27-6b1d0c9a7e54"
NOTE = (
    "Please deliver to the lab entrance (building B).\nCall +49 30 1234567 on arrival."
)
ADDRESS_IN = {
    "name": "John Doe",
    "street": "Main Street 1",
    "street2": "",
    "zip": "10115",
    "city": "Berlin",
    "country_code": "DE",
}
ADDRESS = dict(
    ADDRESS_IN, street2=None, state_code=None, phone=None, email=None, company_name=None
)
ADDRESS_US_IN = {
    "name": "Receiving Dock",
    "company_name": "Acme Labs Inc.",
    "street": "500 Terry Francine St",
    "zip": "94158",
    "city": "San Francisco",
    "state_code": "CA",
    "country_code": "US",
    "phone": "+1 415 555 0100",
    "email": "dock@acme-labs.example",
}
SAVED_ADDRESS = dict(ADDRESS_US_IN, id=57, street2=None)
CARRIER_SHIPPING = {
    "carrier_code": "express",
    "carrier": "Parcel Express",
    "price": 9.5,
}
PRODUCTS = {  # ean: (name, unit price, internal reference)
    "4260582941016": ("Test Kit", 29.75, "KIT-1"),
    "4260582941023": ("Test Kit Plus", 39.5, "KIT-PLUS"),
    "4260582941030": ("Swab Set (10)", 4.2, "SWAB-10"),
}
TRACKING = {
    "delivery_order_name": "WH/OUT/00012",
    "carrier": "Parcel Express",
    "tracking_ref": "PX123456789DE",
    "date_done": "2026-11-24T08:15:00Z",
}


INVOICE = {
    "number": "INV/2026/00042",
    "move_type": "out_invoice",
    "state": "posted",
    "payment_state": "not_paid",
    "invoice_date": "2026-11-24",
    "due_date": "2026-12-24",
    "amount_total": 35.4,
    "amount_residual": 35.4,
    "currency": "EUR",
    "formats": ["ubl_bis3", "xrechnung", "facturx"],
}
DELIVERY_DONE = {
    "name": "WH/OUT/00012",
    "state": "done",
    "scheduled_date": "2026-11-23T10:00:00Z",
    "date_done": "2026-11-24T08:15:00Z",
    "carrier": "Parcel Express",
    "tracking_ref": "PX123456789DE",
    "tracking_url": "https://track.parcel-express.example/PX123456789DE",
    "lines": [
        {
            "ean": "4260582941016",
            "quantity": 1.0,
            "lots": [
                {"name": "LOT-1", "expiry_date": "2027-06-30T00:00:00Z"},
                {"name": "LOT-2", "expiry_date": "2027-09-30T00:00:00Z"},
            ],
        }
    ],
    "lots": ["LOT-1", "KIT-ABC"],
    "weight": 2.45,
    "packages": [
        {
            "name": "106141411234567897",
            "sscc": "106141411234567897",
            "package_type": "Parcel box",
            "weight": 2.45,
        }
    ],
}
DELIVERY_BACKORDER = {
    "name": "WH/OUT/00014",
    "state": "assigned",
    "scheduled_date": "2026-11-23T10:00:00Z",
    "date_done": None,
    "carrier": "Parcel Express",
    "tracking_ref": None,
    "tracking_url": None,
    "lines": [{"ean": "4260582941016", "quantity": 1.0, "lots": []}],
    "lots": [],
    "weight": 0.25,
    "packages": [],
}


def _line(ean, quantity, delivered=0.0, expected=None, cancelled=False):
    name, price, code = PRODUCTS[ean]
    open_quantity = 0.0 if cancelled else float(quantity - delivered)
    return {
        "ean": ean,
        "product_name": name,
        "default_code": code,
        "quantity": float(quantity),
        "delivered_quantity": float(delivered),
        "open_quantity": open_quantity,
        "unit_price": price,
        "subtotal": round(price * quantity, 2),
        "customer_reference": None,
        # (issue 27) an open line reserved: its delivery's scheduled date
        "expected_date": expected if open_quantity else None,
        "available_now": bool(expected and open_quantity),
    }


DELIVERIES = {"S00042": "WH/OUT/00012", "S00043": "WH/OUT/00013"}
THREE_LINES = [("4260582941016", 2), ("4260582941023", 1), ("4260582941030", 5)]


def order_example(name, external_id, status, lines, created, updated, **extra):
    lines = [_line(*line, cancelled=status == "cancelled") for line in lines]
    return {
        "biomes_order_id": name,
        "external_order_id": external_id,
        "status": status,
        "delivery_order_name": DELIVERIES[name],
        # 19 % VAT on top of the lines
        "total_cost": round(sum(line["subtotal"] for line in lines) * 1.19, 2),
        "total_tax": round(sum(line["subtotal"] for line in lines) * 0.19, 2),
        "currency": "EUR",
        "sent_lots": extra.pop("sent_lots", []),
        "created_at": created,
        "updated_at": updated,
        "note": extra.pop("note", None),
        "test": extra.pop("test", False),
        "delivery_address": ADDRESS,
        "requested_delivery_date": extra.pop("requested_delivery_date", None),
        "ship_complete": extra.pop("ship_complete", False),
        "shipping": extra.pop("shipping", None),
        "lines": lines,
        "tracking": extra.pop("tracking", []),
        "deliveries": extra.pop("deliveries", []),
        "invoices": extra.pop("invoices", []),
        "returns": extra.pop("returns", []),
    }


SHIPPING = order_example(
    "S00042",
    "EXT-1001",
    "partially_shipped",
    [("4260582941016", 2, 1, "2026-11-23")],
    "2026-11-23T10:00:00Z",
    "2026-11-24T08:15:00.482913Z",
    sent_lots=["LOT-1", "KIT-ABC"],
    tracking=[TRACKING],
    deliveries=[DELIVERY_DONE, DELIVERY_BACKORDER],
    invoices=[INVOICE],
)
CANCELLED = order_example(
    "S00043",
    "EXT-1002",
    "cancelled",
    THREE_LINES,
    "2026-11-23T11:30:00Z",
    "2026-11-23T12:05:41.002817Z",
    note=NOTE,
)
RETURNED = dict(
    SHIPPING,
    updated_at="2026-11-26T14:02:09.512006Z",
    returns=[
        {
            "name": "WH/IN/00007",
            "state": "requested",
            "reason": "Damaged in transit",
            "lines": [{"ean": "4260582941016", "quantity": 1.0}],
            "lots": ["KIT-ABC"],
            "credit_note": None,
        }
    ],
)
PAGINATION = {
    "page": 1,
    "page_size": 20,
    "total_count": 1,
    "total_pages": 1,
    "has_next": False,
    "has_previous": False,
}
WEBHOOK_URL = "https://partner.example/hooks/orders"
WEBHOOK_INFO = {
    "success": True,
    "url": WEBHOOK_URL,
    "signing_secret_set": True,
    "event_types": list(EVENT_TYPES),
    "previous_secret_expires_at": None,
}


def _quote():
    lines = []
    for (ean, quantity), free in zip(THREE_LINES, (140.0, 0.0, None), strict=True):
        line = _line(ean, quantity)
        del line["delivered_quantity"], line["open_quantity"]
        del line["expected_date"], line["available_now"]
        line["available"] = free is None or free >= quantity
        line["available_quantity"] = free
        lines.append(line)
    untaxed = sum(line["subtotal"] for line in lines)
    return {
        "success": True,
        "external_order_id": "EXT-1002",
        "total_cost": round(untaxed * 1.19, 2),
        "total_tax": round(untaxed * 0.19, 2),
        "currency": "EUR",
        "available": all(line["available"] for line in lines),
        "note": NOTE,
        "delivery_address": ADDRESS,
        "requested_delivery_date": None,
        "ship_complete": False,
        "shipping": None,
        "lines": lines,
    }


QUOTE = _quote()


def quote_with_carrier():
    """The quote of ``OrderCreateRequestCarrier``: one line, shipped by the
    carrier ``express`` to a saved US address."""
    quote = dict(QUOTE, external_order_id=None, note=None)
    line = quote["lines"][0]
    untaxed = line["subtotal"] + CARRIER_SHIPPING["price"]
    return dict(
        quote,
        lines=[line],
        available=line["available"],
        total_cost=round(untaxed * 1.19, 2),
        total_tax=round(untaxed * 0.19, 2),
        delivery_address={k: v for k, v in SAVED_ADDRESS.items() if k != "id"},
        shipping=CARRIER_SHIPPING,
    )
