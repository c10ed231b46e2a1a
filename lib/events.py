# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook's event types: the one list, in the order the API shows them.

Everything that names them takes them from here: the parser of
``PUT webhook``'s ``event_types`` and the ``WebhookEventType`` enum
(``lib/schema_requests.py``, ``lib/schema_responses.py``), the document's
``webhooks`` (``lib/openapi_webhooks.py`` describes each one; the document
builder, ``lib/openapi.py``, walks this list) and its examples
(``lib/openapi_examples.py``), and the partner's subscription
(``models/res_partner.py``, ``models/partner_order_api_portal.py``, through
``lib/schemas.py``). The webhook event model's selection
(``models/partner_order_api_webhook_event.py``) holds the same values with
its field labels; ``tests_standalone/test_openapi_document.py`` checks that
it names every one. Pure Python, imports nothing.
"""

# the events a webhook subscription chooses from; ``ping`` (test events of
# ``POST webhook/test``) is always delivered
ORDER_EVENT_TYPES = (
    "order.updated",
    "order.created",
    "order.partially_shipped",
    "order.shipped",
    "order.cancelled",
    "order.invoiced",
    "order.changed",
    "order.return_requested",
    "order.returned",
)
PING = "ping"
EVENT_TYPES = (*ORDER_EVENT_TYPES, PING)
