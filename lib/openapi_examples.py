# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The examples of the OpenAPI document (``components/examples``).

``tests_standalone/test_openapi_schemas.py`` checks each against the models
it illustrates: request examples parse, answers match their schemas.
"""

from .openapi_example_values import (
    ADDRESS_IN,
    ADDRESS_US_IN,
    CANCELLED,
    IDEMPOTENCY_KEY,
    NOTE,
    PAGINATION,
    QUOTE,
    RETURNED,
    SAVED_ADDRESS,
    SHIPPING,
    THREE_LINES,
    WEBHOOK_INFO,
    WEBHOOK_URL,
    order_example,
    quote_with_carrier,
)


def _error(code, message):
    return {"value": {"success": False, "error": {"code": code, "message": message}}}


EXAMPLES = {
    # requests
    "OrderCreateRequest": {
        "summary": "Order one test kit (the original document's body)",
        "value": {
            "ean": "4260582941016",
            "amount": 1,
            "external_order_id": "EXT-1001",
            "delivery_address": ADDRESS_IN,
        },
    },
    "OrderCreateRequestLines": {
        "summary": "Three products with a note",
        "description": f"Sent with the header `Idempotency-Key: {IDEMPOTENCY_KEY}`: if "
        "the answer is lost, send the same request with the same key again; it "
        "will not create a second order.",
        "value": {
            "lines": [
                {"ean": ean, "amount": amount, "customer_reference": f"PO-77/{n}"}
                for n, (ean, amount) in enumerate(THREE_LINES, 1)
            ],
            "external_order_id": "EXT-1002",
            "note": NOTE,
            "delivery_address": ADDRESS_IN,
            "requested_delivery_date": "2026-12-15",
            "ship_complete": True,
        },
    },
    "OrderBatchRequest": {
        "summary": "Three orders",
        "description": "The second one asks for a product the partner may not "
        "order; the third repeats an external id already used.",
        "value": {
            "orders": [
                {
                    "lines": [
                        {"ean": ean, "amount": amount} for ean, amount in THREE_LINES
                    ],
                    "external_order_id": "EXT-1002",
                    "note": NOTE,
                    "delivery_address": ADDRESS_IN,
                },
                {
                    "ean": "4260582941047",
                    "amount": 2,
                    "external_order_id": "EXT-1003",
                    "delivery_address": ADDRESS_IN,
                },
                {
                    "ean": "4260582941016",
                    "amount": 1,
                    "external_order_id": "EXT-1001",
                    "delivery_address": ADDRESS_IN,
                },
            ]
        },
    },
    "OrderChangeRequest": {
        "summary": "Change quantities, remove a line, add one",
        "value": {
            "identifiedBy": "biomes",
            "order_id": "S00042",
            "lines": [
                {"ean": "4006381333931", "amount": 5},
                {"ean": "4006381333948", "amount": 0},
            ],
            "requested_delivery_date": "2026-12-18",
        },
    },
    "OrderCancelRequest": {
        "summary": "Cancel by the partner's own order id",
        "value": {"identifiedBy": "external", "order_id": "EXT-1002"},
    },
    "OrderReturnRequest": {
        "summary": "Return one test kit, by its kit barcode",
        "value": {
            "identifiedBy": "biomes",
            "order_id": "S00042",
            "lines": [{"ean": "4260582941016", "amount": 1, "lots": ["KIT-ABC"]}],
            "reason": "Damaged in transit",
        },
    },
    "WebhookPutRequest": {
        "summary": "Every event (event_types omitted)",
        "value": {"url": WEBHOOK_URL},
    },
    "WebhookEndpointCreateRequest": {
        "summary": "A second endpoint, for shipments only",
        "value": {"url": WEBHOOK_URL + "/shipments", "event_types": ["order.shipped"]},
    },
    "WebhookEndpointReEnable": {
        "summary": "Re-enable an endpoint the server disabled",
        "value": {"state": "enabled"},
    },
    "WebhookEndpointEventTypes": {
        "summary": "Change its events",
        "value": {"event_types": ["order.shipped", "order.invoiced"]},
    },
    "WebhookPutRequestEventTypes": {
        "summary": "Chosen events, without the older order.updated",
        "value": {
            "url": WEBHOOK_URL,
            "event_types": ["order.created", "order.shipped", "order.invoiced"],
        },
    },
    # answers
    "ProductList": {
        "value": {
            "success": True,
            "products": [
                {
                    "ean": "4260582941016",
                    "name": "Test Kit",
                    "default_code": "KIT-1",
                    "price": 29.75,
                    "currency": "EUR",
                    "available_quantity": 140.0,
                    "sale_delay": 2,
                    "restock_date": None,
                    "price_breaks": [
                        {"min_quantity": 1.0, "price": 29.75},
                        {"min_quantity": 10.0, "price": 27.5},
                        {"min_quantity": 100.0, "price": 25.0},
                    ],
                    "min_quantity": None,
                    "order_multiple": 12.0,
                },
                {
                    "ean": "4260582941030",
                    "name": "Swab Set (10)",
                    "default_code": "SWAB-10",
                    "price": 4.2,
                    "currency": "EUR",
                    "available_quantity": None,
                    "sale_delay": 0,
                    "restock_date": None,
                    "price_breaks": [],
                    "min_quantity": 20.0,
                    "order_multiple": 10.0,
                },
            ],
        }
    },
    "Account": {
        "value": {
            "success": True,
            "account": {
                "payment_terms": "30 Days",
                "credit_limit": 5000.0,
                "open_balance": 1234.5,
                "overdue_amount": 410.0,
                "currency": "EUR",
                "open_invoices": [
                    {
                        "number": "INV/2026/00031",
                        "due_date": "2026-11-02",
                        "amount_residual": 410.0,
                    },
                    {
                        "number": "INV/2026/00042",
                        "due_date": "2026-12-24",
                        "amount_residual": 824.5,
                    },
                ],
            },
        }
    },
    "OrderQuote": {
        "summary": "Three products, one of them short in stock",
        "value": QUOTE,
    },
    "OrderQuoteCarrier": {
        "summary": "A carrier chosen, to a saved address",
        "value": quote_with_carrier(),
    },
    "OrderCreateRequestCarrier": {
        "summary": "A carrier of GET carriers, to a saved address of GET addresses",
        "value": {
            "lines": [{"ean": "4260582941016", "amount": 2}],
            "delivery_address_id": 57,
            "carrier_code": "express",
        },
    },
    "OrderCreateRequestUs": {
        "summary": "A US address: state_code is required there",
        "value": {
            "ean": "4260582941016",
            "amount": 2,
            "delivery_address": ADDRESS_US_IN,
            "carrier_code": "express",
        },
    },
    "CarrierList": {
        "value": {
            "success": True,
            "carriers": [
                {"code": "express", "name": "Parcel Express"},
                {"code": "freight", "name": "Pallet Freight"},
            ],
        }
    },
    "AddressList": {
        "value": {"success": True, "addresses": [SAVED_ADDRESS]},
    },
    "OrderBatchResults": {
        "summary": "Three orders: two created, one refused",
        "value": {
            "success": True,
            "results": [
                {
                    "index": 0,
                    "status": 201,
                    "order": dict(
                        CANCELLED,
                        status="confirmed",
                        updated_at="2026-11-23T11:30:00.654321Z",
                    ),
                },
                {
                    "index": 1,
                    "status": 403,
                    "error": {
                        "code": "product_not_allowed",
                        "message": "EAN 4260582941047 is unknown or not allowed "
                        "for this partner.",
                    },
                },
                {
                    "index": 2,
                    "status": 409,
                    "error": {
                        "code": "duplicate_external_order_id",
                        "message": "external_order_id 'EXT-1001' is already used "
                        "by this partner.",
                    },
                },
            ],
        },
    },
    "OrderList": {
        "summary": "Newest first (the default)",
        "value": {"success": True, "orders": [SHIPPING], "pagination": PAGINATION},
    },
    "OrderListSync": {
        "summary": "Sync: sort=updated_asc&updated_since=2026-11-24T08:00:00Z",
        "description": "The orders changed since 2026-11-24T08:00:00Z, least "
        "recently changed first. The next request asks for "
        "`sort=updated_asc&updated_since=2026-11-24T09:02:17.318204Z`.",
        "value": {
            "success": True,
            "orders": [
                SHIPPING,
                dict(CANCELLED, updated_at="2026-11-24T09:02:17.318204Z"),
            ],
            "pagination": dict(
                PAGINATION,
                total_count=2,
                next_updated_since="2026-11-24T09:02:17.318204Z",
            ),
        },
    },
    "OrderStatus": {"value": dict({"success": True}, **SHIPPING)},
    "OrderCreated": {
        "value": dict(
            {"success": True},
            **order_example(
                "S00042",
                "EXT-1001",
                "confirmed",
                [("4260582941016", 1)],
                "2026-11-23T10:00:00Z",
                "2026-11-23T10:00:00.123456Z",
            ),
        )
    },
    "OrderCreatedLines": {
        "summary": "Three products with a note",
        "description": "A repeat with the same `Idempotency-Key` and body gets "
        "this same answer with `Idempotent-Replayed: true`.",
        "value": dict(
            {"success": True},
            **dict(
                CANCELLED,
                status="confirmed",
                updated_at="2026-11-23T11:30:00.654321Z",
            ),
        ),
    },
    "OrderCancelled": {
        "summary": "The cancelled order",
        "value": dict({"success": True}, **CANCELLED),
    },
    "OrderReturned": {
        "summary": "The order with its requested return",
        "value": dict({"success": True}, **RETURNED),
    },
    "WebhookInfo": {"value": WEBHOOK_INFO},
    "WebhookInfoWithSecret": {
        "summary": "The first time: the signing secret, shown once",
        "value": dict(
            WEBHOOK_INFO, signing_secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        ),
    },
    "WebhookInfoEventTypes": {
        "summary": "Chosen events (ping is always sent)",
        "value": dict(
            WEBHOOK_INFO,
            event_types=["order.created", "order.shipped", "order.invoiced", "ping"],
        ),
    },
    "WebhookInfoRotated": {
        "summary": "The new secret, shown once; the old one signs too until the expiry",
        "value": dict(
            WEBHOOK_INFO,
            signing_secret="whsec_3q2+7w5kG9mY0rTzXl8VbN1cHs4DpA6eFuJiKoLq",
            previous_secret_expires_at="2026-11-24T10:15:00Z",
        ),
    },
    "WebhookInfoDeleted": {"value": dict(WEBHOOK_INFO, url=None)},
    "WebhookTestResult": {
        "value": {
            "success": True,
            "delivered": True,
            "webhook_id": "msg_6f1c2a9e0b8d4c7f9a3e5b1d2c4f6a8e",
            "url": WEBHOOK_URL,
            "status_code": 200,
            "error": None,
        }
    },
    # errors
    "ValidationError": {
        "value": {
            "success": False,
            "error": {
                "code": "validation_error",
                "message": "Amount must be greater than zero",
                "details": [
                    {"field": "amount", "message": "Amount must be greater than zero"}
                ],
            },
        }
    },
    "Unauthorized": _error(
        "unauthorized", "The API key is unknown, revoked or expired."
    ),
    "Forbidden": _error(
        "forbidden", "This partner is not enabled for the Partner Order API."
    ),
    "ProductNotAllowed": _error(
        "product_not_allowed",
        "EAN 4260582941016 is unknown or not allowed for this partner.",
    ),
    "InsufficientScope": _error(
        "insufficient_scope",
        "This API key is read-only: it cannot be used on a route that writes.",
    ),
    "NotFound": _error("not_found", "No order with biomes id 'S00042'."),
    "MethodNotAllowed": _error("method_not_allowed", "Method not allowed; use GET."),
    "DuplicateExternalOrderId": _error(
        "duplicate_external_order_id",
        "external_order_id 'EXT-1001' is already used by this partner.",
    ),
    "IdempotencyKeyReused": _error(
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request.",
    ),
    "IdempotencyInProgress": _error(
        "idempotency_in_progress",
        "The first request with this Idempotency-Key is still running; retry in "
        "a moment.",
    ),
    "NotCancellable": dict(
        _error(
            "not_cancellable",
            "Order S00042 can no longer be cancelled: transfer WH/PICK/00012 is done.",
        ),
        summary="A step of the delivery is done",
    ),
    "NotCancellableInvoiced": dict(
        _error(
            "not_cancellable",
            "Order S00043 can no longer be cancelled: it is locked; invoice "
            "INV/2026/00007 is posted.",
        ),
        summary="Locked and invoiced",
    ),
    "NotCancellableNotPlacedThroughApi": dict(
        _error(
            "not_cancellable",
            "Order S00044 was not placed through the Partner Order API by this "
            "partner: only orders placed through the API can be cancelled through "
            "it; ask your sales contact.",
        ),
        summary="Entered by a salesperson",
    ),
    "NotChangeable": dict(
        _error(
            "not_changeable",
            "Order S00042 cannot be changed so: EAN 4006381333931: delivery "
            "WH/OUT/00012 is done.",
        ),
        summary="The product is shipped",
    ),
    "NotReturnable": _error(
        "not_returnable",
        "Order S00042: EAN 4260582941016 cannot be returned: 1 delivered and "
        "not yet returned, 2 asked.",
    ),
    "NotReturnableLot": dict(
        _error(
            "not_returnable",
            "Order S00042: lot KIT-XYZ of EAN 4260582941016 did not leave on "
            "this order or came back already.",
        ),
        summary="A lot that was not delivered on this order",
    ),
    "NotConfigured": _error(
        "not_configured",
        "PO API Company Without Warehouse has no warehouse: the seller's "
        "administrator must set one up (Inventory › Configuration › Warehouses).",
    ),
    "DocumentUnavailable": _error(
        "document_unavailable",
        "PDF documents cannot be rendered on this server right now (wkhtmltopdf "
        "is not installed); retry later or ask the seller.",
    ),
    "WebhookUrlRejected": _error(
        "webhook_url_rejected",
        "The host of url (hooks.partner.example) does not resolve.",
    ),
    "WebhookNotSet": _error("webhook_not_set", "No webhook URL is set: PUT one first."),
    "WebhookEndpointLimit": _error(
        "webhook_endpoint_limit",
        "A partner has at most 5 webhook endpoints: delete one first.",
    ),
    "WebhookRedeliverEvent": {
        "summary": "One event again (its id from GET webhook/events)",
        "value": {"event_id": "msg_2f1c0a9e7b3d4c58a6e0f1b2c3d4e5f6"},
    },
    "WebhookRedeliverFailedSince": {
        "summary": "Every failed event since a time",
        "value": {"since": "2026-11-23T00:00:00Z", "status": "failed"},
    },
    "InternalError": _error(
        "internal_error",
        "An unexpected error occurred (request id 0f8e4b2a9c1d4e6f8a7b3c5d9e1f2a4b).",
    ),
    "RateLimited": _error(
        "rate_limited",
        "Too many requests: slow down and retry after the time in Retry-After.",
    ),
    "ConcurrencyLimited": _error(
        "concurrency_limited",
        "Too many requests of this partner are running at once: wait for one "
        "to finish and retry after the time in Retry-After.",
    ),
    "Busy": _error(
        "busy",
        "The server is busy with other documents: retry after the time in Retry-After.",
    ),
}
