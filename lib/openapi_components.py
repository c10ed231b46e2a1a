# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The document's shared components: the error answers (``ERROR_RESPONSES``
with the codes each may carry), the response headers, the header
parameters, the descriptions of the named schemas, and the schemas that are
files.

The operations (``lib/openapi_operations.py``) name them; ``lib/openapi.py``
turns them into ``components/responses``, ``headers``, ``parameters`` and
``schemas``, and re-exports every name.
"""

from . import schemas
from .openapi_examples import IDEMPOTENCY_KEY
from .openapi_webhooks import EVENT_TYPE_DESCRIPTION

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Cost")
# name -> (description, error codes, extra headers)
ERROR_RESPONSES = {
    "ValidationError": (
        "Malformed JSON, or a missing, unknown or invalid field or parameter.",
        ["validation_error"],
        (),
    ),
    "Unauthorized": (
        "The Authorization header is missing or not `Bearer <key>`, or the key is "
        "unknown, revoked or expired, or its user is inactive.",
        ["unauthorized"],
        ("WWW-Authenticate",),
    ),
    "Forbidden": (
        "The key is valid but its partner is not enabled for the API, or the "
        "key is used from an address outside its allowed networks. It counts "
        "against the partner's request budget.",
        ["forbidden"],
        RATE_HEADERS,
    ),
    "WriteForbidden": (
        "`forbidden`: the partner is not enabled for the API, or the key is "
        "used outside its allowed networks; "
        "`insufficient_scope`: the key is read-only (scope "
        "`partner_order_api.readonly`). It counts against the partner's request "
        "budget.",
        ["forbidden", "insufficient_scope"],
        RATE_HEADERS,
    ),
    "OrderCreateForbidden": (
        "`forbidden`: the partner is not enabled for the API, or the key is "
        "used outside its allowed networks; "
        "`product_not_allowed`: an EAN is unknown or not allowed for this "
        "partner (the same answer for both); `insufficient_scope`: the key is "
        "read-only (scope `partner_order_api.readonly`). It counts against the "
        "partner's request budget.",
        ["forbidden", "product_not_allowed", "insufficient_scope"],
        RATE_HEADERS,
    ),
    "NotFound": (
        "No such order for this partner (also when it belongs to another partner).",
        ["not_found"],
        (),
    ),
    "MethodNotAllowed": (
        "The route does not accept this method; `Allow` lists those it accepts.",
        ["method_not_allowed"],
        ("Allow",),
    ),
    "WebhookUrlRejected": (
        "`webhook_url_rejected`: the URL is well formed but the server will not "
        "call it: plain `http://` where only https is allowed, a host that does "
        "not resolve, or one on a private, loopback or link-local address "
        "(administrators may allow hosts); `details` names the field.",
        ["webhook_url_rejected"],
        (),
    ),
    "WebhookNotSet": (
        "`webhook_not_set`: the partner has no webhook URL: `PUT webhook` first.",
        ["webhook_not_set"],
        (),
    ),
    "WebhookEndpointLimit": (
        "`webhook_endpoint_limit`: the partner has 5 webhook endpoints "
        "(in the API company): delete one first.",
        ["webhook_endpoint_limit"],
        (),
    ),
    "OrderQuoteForbidden": (
        "`forbidden`: the partner is not enabled for the API, or the key is "
        "used outside its allowed networks; "
        "`product_not_allowed`: an EAN is unknown or not allowed for this "
        "partner (the same answer for both). It counts against the partner's "
        "request budget.",
        ["forbidden", "product_not_allowed"],
        RATE_HEADERS,
    ),
    "AddressNotFound": (
        "`delivery_address_id` is not one of the partner's addresses (`GET "
        "addresses`; also when it is another partner's).",
        ["not_found"],
        (),
    ),
    "ProductListConflict": (
        "`not_configured`: the seller's Odoo has no pricelist for this partner "
        "in the seller's company, or one of another company (`POST order` "
        "would refuse an order too); the message says what is missing, for the "
        "seller's administrator.",
        ["not_configured"],
        (),
    ),
    "OrderQuoteConflict": (
        "`duplicate_external_order_id`: `external_order_id` is already used by "
        "this partner (`POST order` would refuse it); `not_configured`: the "
        "seller's Odoo is not set up for this order (`POST order` would refuse "
        "it too); the message says what is missing, for the seller's "
        "administrator.",
        ["duplicate_external_order_id", "not_configured"],
        (),
    ),
    "DocumentConflict": (
        "`not_configured`: the e-invoice (`type=invoice_xml`) cannot be made "
        "until the seller completes its Odoo (Odoo's own checks of the format: "
        "the seller's VAT number, bank account, phone...); the message says "
        "what is missing, for the seller's administrator.",
        ["not_configured"],
        (),
    ),
    "IdempotencyConflict": (
        "`idempotency_key_reused`: the `Idempotency-Key` was used before with "
        "another body or route; `idempotency_in_progress`: the first request "
        "with this key still runs (retry after `Retry-After` seconds).",
        ["idempotency_key_reused", "idempotency_in_progress"],
        ("Retry-After",),
    ),
    "OrderCreateConflict": (
        "`duplicate_external_order_id`: `external_order_id` is already used by "
        "this partner; `not_configured`: the seller's Odoo is not set up for "
        "this order (e.g. no warehouse, no pricelist for the partner in the "
        "seller's company); the message says what is missing, for the seller's "
        "administrator; `idempotency_key_reused`: the `Idempotency-Key` was used "
        "before with another body or route; `idempotency_in_progress`: the first "
        "request with this key still runs (retry after `Retry-After` seconds).",
        [
            "duplicate_external_order_id",
            "not_configured",
            "idempotency_key_reused",
            "idempotency_in_progress",
        ],
        ("Retry-After",),
    ),
    "OrderCancelConflict": (
        "`not_cancellable`: the order was not placed through this API by this "
        "partner, is locked, has a posted invoice or credit note, or a transfer "
        "of it (any step) is done; the message names the reason and the "
        "blocking documents; `idempotency_key_reused`: the `Idempotency-Key` was "
        "used before with another body or route; `idempotency_in_progress`: the "
        "first request with this key still runs (retry after `Retry-After` "
        "seconds).",
        ["not_cancellable", "idempotency_key_reused", "idempotency_in_progress"],
        ("Retry-After",),
    ),
    "OrderChangeConflict": (
        "`not_changeable`: what would change is already shipped, picked or "
        "invoiced, or the order is cancelled, locked or was not placed through "
        "this API by this partner; the message names the reason and the "
        "blocking documents; `not_configured`: a new delivery address the "
        "seller's Odoo is not set up for; `idempotency_key_reused`, "
        "`idempotency_in_progress`: as for `POST order/cancel`.",
        [
            "not_changeable",
            "not_configured",
            "idempotency_key_reused",
            "idempotency_in_progress",
        ],
        ("Retry-After",),
    ),
    "OrderChangeQuoteConflict": (
        "`not_changeable`: as for `POST order/change`; `not_configured`: a new "
        "delivery address the seller's Odoo is not set up for.",
        ["not_changeable", "not_configured"],
        (),
    ),
    "OrderReturnConflict": (
        "`not_returnable`: more than was delivered and not yet returned, a lot "
        "that did not leave on this order or came back already, an EAN not "
        "delivered on this order, or an order not placed through this API by "
        "this partner; the message names the EAN or lot; "
        "`idempotency_key_reused`: the `Idempotency-Key` was used before with "
        "another body or route; `idempotency_in_progress`: the first request "
        "with this key still runs (retry after `Retry-After` seconds).",
        ["not_returnable", "idempotency_key_reused", "idempotency_in_progress"],
        ("Retry-After",),
    ),
    "DocumentNotNow": (
        "`document_unavailable`: the server cannot render PDF documents right "
        "now (wkhtmltopdf is missing or failed); retry later. The same request "
        "may succeed on a server that has it. `busy`: every render slot of the "
        "server is taken by other documents being rendered; retry after "
        "`Retry-After` seconds.",
        ["document_unavailable", "busy"],
        ("Retry-After",),
    ),
    "InternalError": (
        "Something unexpected; logged on the server with the request id. With "
        "`Retry-After`, the request may be retried after that many seconds.",
        ["internal_error"],
        ("Retry-After",),
    ),
    "RateLimited": (
        "`rate_limited`: the partner's budget does not hold this request's cost "
        "(the answer carries `X-RateLimit-*`, `X-RateLimit-Cost: 0`), or too "
        "many keys with this key's prefix failed from the client's address (no "
        "`X-RateLimit-*`: the key was not checked); `concurrency_limited`: the "
        "partner already has its maximum of requests in flight (no "
        "`X-RateLimit-*`: nothing was taken). Nothing was done; retry after "
        "`Retry-After` seconds.",
        ["rate_limited", "concurrency_limited"],
        ("Retry-After", *RATE_HEADERS),
    ),
}
# error code -> the names of its examples
ERROR_EXAMPLES = {
    "not_cancellable": [
        "NotCancellable",
        "NotCancellableInvoiced",
        "NotCancellableNotPlacedThroughApi",
    ],
    "not_changeable": ["NotChangeable"],
    "not_returnable": ["NotReturnable", "NotReturnableLot"],
}

HEADERS = {
    "Content-Disposition": {
        "description": '`attachment` with the file\'s name: `filename="..."` '
        "(ASCII letters, digits, `.`, `_` and `-`; other characters become `_`).",
        "required": True,
        "schema": {
            "type": "string",
            "pattern": '^attachment; filename="[A-Za-z0-9._-]+"$',
        },
        "example": 'attachment; filename="INV_2026_00042.pdf"',
    },
    "X-Request-Id": {
        "description": "The request's id, also in the server log: the client's own "
        "`X-Request-Id` when it sent one of 1 to 128 printable ASCII characters, a "
        "new one otherwise.",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
    },
    "X-API-Version": {
        "description": "The version of the API that answered (`major.minor`): a "
        "minor version only adds; see the README's deprecation policy.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+$"},
        "example": "1.6",
    },
    "WWW-Authenticate": {
        "description": "The authentication scheme to use.",
        "required": True,
        "schema": {"type": "string"},
        "example": 'Bearer realm="partner_order_api"',
    },
    "Allow": {
        "description": "The methods the route accepts.",
        "required": True,
        "schema": {"type": "string"},
        "example": "GET",
    },
    "Idempotent-Replayed": {
        "description": "`true` when the answer is the stored answer of an earlier "
        "request with the same `Idempotency-Key` (nothing ran again); absent "
        "otherwise.",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
        "example": "true",
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying: `1` with "
        "`idempotency_in_progress` and `concurrency_limited` (always sent with "
        "them); with `rate_limited` (always sent with it), until the partner's "
        "budget holds the request's cost, or the failed-authentication budget "
        "of the key's prefix from the client's address holds a token again; "
        "with `busy`, until a PDF render slot is likely free; a 500 may carry "
        "it when the server was too busy to answer.",
        "required": False,
        "x-required-for-error-codes": [
            "idempotency_in_progress",
            "rate_limited",
            "concurrency_limited",
            "busy",
        ],
        "schema": {"type": "integer", "minimum": 0},
        "example": 1,
    },
    "X-RateLimit-Limit": {
        "description": "The partner's request budget, in requests a minute "
        "(`partner_order_api.rate_limit_per_minute`, or the partner's own "
        "setting), shared by all its users and keys. On every answer to a valid "
        "key, 403 included; absent when rate limiting is off.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "X-RateLimit-Remaining": {
        "description": "Tokens the partner may still spend right now: the whole "
        "tokens in its bucket after this request took its cost (0 while the "
        "bucket is below zero after a large batch). The bucket holds at most a "
        "quarter of the limit (at least 30, at most the limit) and refills "
        "continuously at the limit's rate: at the default 120 a minute, `29` "
        "after the first read, 2 more each second up to 30.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "X-RateLimit-Cost": {
        "description": "The tokens this request took from the partner's budget: "
        "1 for a read, one per 10 lines of an order, one per order of up to 10 "
        "lines for `POST orders/batch`, more for a PDF or "
        "a webhook test (see Fair use); `0` on a 429 `rate_limited`, which "
        "takes nothing.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
}

PARAMETERS = {
    "Idempotency-Key": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Makes the request safe to repeat: per partner, for 24 "
        "hours, one key runs once; a repeat with the same body gets the first "
        "answer with `Idempotent-Replayed: true`. 1 to 255 printable ASCII "
        "characters; a UUID per intended write is a good choice.",
        "schema": "IdempotencyKey",
        "example": IDEMPOTENCY_KEY,
    },
    "webhook-id": {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "The event's id: the same on every retry of one event.",
    },
    "webhook-timestamp": {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "Unix time (seconds) of this attempt.",
    },
    "webhook-signature": {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "`v1,` + base64 HMAC-SHA256 of "
        "`{webhook-id}.{webhook-timestamp}.{body}` with the partner's secret. "
        "During the 24 hours after a rotation (`POST webhook/rotate_secret`), "
        "two such signatures, space-separated: the new secret's, then the old "
        "one's; a receiver accepts the request when one of them verifies "
        "(Standard Webhooks libraries do).",
    },
}

SCHEMA_DESCRIPTIONS = {
    "ErrorCode": ", ".join(
        f"{code} {status}" for code, status in schemas.ERROR_STATUSES.items()
    )
    + ".",
    "OrderStatus": "The order's status.",
    "DeliveryState": "Odoo's state of the delivery: `draft`; `waiting` (for "
    "another operation, e.g. picking); `confirmed` (waiting for stock); "
    "`assigned` (ready to ship); `done` (shipped); `cancel` (cancelled).",
    "InvoiceType": "`out_invoice`: a customer invoice; `out_refund`: a credit note.",
    "WebhookEventType": EVENT_TYPE_DESCRIPTION,
    "IdempotencyKey": "1 to 255 printable ASCII characters.",
}


# components/schemas that are files, not JSON (named, as every body is)
FILE_SCHEMAS = {
    "PdfDocument": {
        "type": "string",
        "format": "binary",
        "contentMediaType": "application/pdf",
        "description": "A PDF file (it starts with `%PDF-`).",
    },
    "XmlDocument": {
        "type": "string",
        "contentMediaType": "application/xml",
        "description": "An XML document, UTF-8: with `type=invoice_xml`, an "
        "e-invoice (a UBL 2.1 `Invoice` or `CreditNote` for `ubl_bis3` and "
        "`xrechnung`, a UN/CEFACT `CrossIndustryInvoice` for `facturx`); with "
        "`type=despatch_advice`, a UBL 2.1 DespatchAdvice (OASIS "
        "`urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2`).",
    },
}
