# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the document says of each webhook event (its ``webhooks``
section, and the ``WebhookEventType`` schema's description).

The event types themselves are ``lib/events.py``'s: ``lib/openapi.py``
builds one webhook per event type, in that order, from ``WEBHOOKS`` (a type
without its entry here stops the document's build), and re-exports every
name. ``EVENT_HEADER`` is the header that names the event; the sender
(``models/partner_order_api_webhook_event.py``) holds the same constant,
which ``tests_standalone/test_openapi_document.py`` checks.
"""

from . import schemas

_DELIVERY = (
    "Any 2xx answer acknowledges it; otherwise it is retried, with the same "
    "`webhook-id`, for up to 3 days. Each event type has its own `webhook-id`."
)
WEBHOOKS = {
    "order.updated": (
        "orderUpdated",
        "An API order changed (sent beside every other order event)",
        "POSTed to the partner's webhook URL whenever one of its API orders "
        "changes: created, an outgoing delivery (or a backorder of it) "
        "validated, cancelled, invoiced; following the "
        "Standard Webhooks specification: verify `webhook-signature` with the "
        "partner's `whsec_` secret over `{webhook-id}.{webhook-timestamp}.{body}`. "
        "The body is exactly the `order_status` body of the order at that moment. "
        f"{_DELIVERY} This is the event that clients written before event types "
        "existed know: it comes at every validated delivery as it always did, "
        "and with every other order event (each a separate request with its own "
        "`webhook-id`) when the subscription holds them; leave it out of "
        "`event_types` once you handle those.",
        schemas.OrderResponse,
        "OrderStatus",
    ),
    "order.created": (
        "orderCreated",
        "An API order was created",
        "POSTed when an order is created (and confirmed) through the API; "
        "signed as `order.updated`, and sent beside it. The body is the `order_status` body of the "
        f"new order, as the API answered its creation. {_DELIVERY}",
        schemas.OrderResponse,
        "OrderCreated",
    ),
    "order.partially_shipped": (
        "orderPartiallyShipped",
        "A delivery was validated, quantities are still to come",
        "POSTed when an outgoing delivery of an API order is validated and the "
        "order is not fully delivered (its `status` is `partially_shipped`, "
        "e.g. the rest follows in a backorder); sent beside `order.updated`. "
        f"The body is the `order_status` body of the order. {_DELIVERY}",
        schemas.OrderResponse,
        "OrderStatus",
    ),
    "order.shipped": (
        "orderShipped",
        "A delivery was validated, everything is delivered",
        "POSTed when an outgoing delivery of an API order is validated and "
        "every line is delivered (its `status` is `shipped`); sent beside "
        "`order.updated`. The body is the `order_status` body of the order. "
        f"{_DELIVERY}",
        schemas.OrderResponse,
        "OrderStatus",
    ),
    "order.cancelled": (
        "orderCancelled",
        "An API order was cancelled",
        "POSTed when one of the partner's API orders is cancelled, through "
        "`POST order/cancel` or in Odoo; signed, acknowledged and retried as "
        "`order.updated`, and sent beside it. The body is the `order_status` body of the cancelled "
        "order.",
        schemas.OrderResponse,
        "OrderCancelled",
    ),
    "order.invoiced": (
        "orderInvoiced",
        "A customer invoice of an API order was posted",
        "POSTed each time a customer invoice of one of the partner's API orders "
        "is posted (credit notes are not); an invoice of several orders sends "
        "one per order; sent beside `order.updated`. The body is the "
        f"`order_status` body of the order after the posting. {_DELIVERY}",
        schemas.OrderResponse,
        "OrderStatus",
    ),
    "order.changed": (
        "orderChanged",
        "An API order was changed by its partner",
        "POSTed when the partner changes one of its API orders through "
        "`POST order/change` (quantities, lines, delivery address, requested "
        "delivery date; a dry run sends nothing); sent beside `order.updated`. "
        "The body is the `order_status` body of the order after the change.",
        schemas.OrderResponse,
        "OrderStatus",
    ),
    "order.return_requested": (
        "orderReturnRequested",
        "A return of goods of an API order was created",
        "POSTed when a return of delivered goods of one of the partner's API "
        "orders is created, through `POST order/return` or by the seller in "
        "Odoo; sent beside `order.updated`. The body is the `order_status` "
        "body of the order, the return in `returns` as `requested`.",
        schemas.OrderResponse,
        "OrderReturned",
    ),
    "order.returned": (
        "orderReturned",
        "Returned goods of an API order were received",
        "POSTed when the seller receives the goods of a return of one of the "
        "partner's API orders (its transfer is validated); sent beside "
        "`order.updated`. The body is the `order_status` body of the order, "
        "the return in `returns` as `received`. The credit note follows "
        "as `order.updated` when it is posted.",
        schemas.OrderResponse,
        "OrderStatus",
    ),
    "ping": (
        "ping",
        "A test event, sent by `POST webhook/test`",
        "Sent once, at once, by `POST webhook/test`, signed as the other events; "
        "not retried. Always sent, whatever `event_types` holds.",
        schemas.WebhookPing,
        None,
    ),
}
EVENT_HEADER = "X-Webhook-Event"

# the WebhookEventType schema: every event in one line
EVENT_TYPE_DESCRIPTION = (
    "`order.updated`: an API order changed (sent beside each "
    "of the following; at a validated delivery as before event types "
    "existed); `order.created`: an API order "
    "was created; `order.partially_shipped`: a delivery was validated, more is "
    "to come; `order.shipped`: a delivery was validated, all is delivered; "
    "`order.cancelled`: an API order was cancelled; `order.invoiced`: a "
    "customer invoice of an API order was posted; `order.changed`: the partner "
    "changed an API order (`POST order/change`); `order.return_requested`: "
    "a return of goods was created; `order.returned`: returned goods were "
    "received; `ping`: a test event "
    "(`POST webhook/test`, always sent)."
)
