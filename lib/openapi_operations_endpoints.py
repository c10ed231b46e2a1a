# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook endpoints' routes (``webhook/endpoints``...), gathered into
``OPERATIONS`` by ``lib/openapi_operations.py``. Pure Python."""

from . import schemas
from .openapi_operation import Operation, _errors, md
from .schema_webhook_endpoints import ENDPOINTS_MAX

TAG = "Webhook"
ENDPOINTS_DESCRIPTION = md(
    f"""
    A partner may have up to {ENDPOINTS_MAX} webhook endpoints (per API
    company), each with its own URL, signing secret and event types; each
    receives the events it chose, as its own event (its own `webhook-id`),
    signed with its own secret. The first one (lowest `id`) is the one the
    `webhook` routes (`GET`/`PUT`/`DELETE webhook`, `webhook/test`,
    `webhook/rotate_secret`) act on. `state`: `enabled`, or `disabled` (by
    the partner, or by the server when its deliveries failed for 5 days:
    `disabled_reason` says so; `PUT` with `{{"state": "enabled"}}`
    re-enables it). Another partner's endpoint id answers 404.
    """
)

ENDPOINT_OPERATIONS = (
    Operation(
        "listWebhookEndpoints",
        "GET",
        "webhook/endpoints",
        TAG,
        "The partner's webhook endpoints",
        schemas.WebhookEndpointList,
        "The endpoints, oldest first.",
        _errors(),
        description=ENDPOINTS_DESCRIPTION,
    ),
    Operation(
        "createWebhookEndpoint",
        "POST",
        "webhook/endpoints",
        TAG,
        "Add a webhook endpoint",
        schemas.WebhookEndpointResponse,
        "The endpoint, with its signing secret (shown once).",
        _errors(
            "400",
            write=True,
            _409="WebhookEndpointLimit",
            _422="WebhookUrlRejected",
        ),
        status=201,
        description=md(
            f"""
            `url` and `event_types` as `PUT webhook` takes them (422
            `webhook_url_rejected` for a URL the server will not call). The
            answer carries the endpoint's `signing_secret`, shown once. A
            partner with {ENDPOINTS_MAX} endpoints answers 409
            `webhook_endpoint_limit`.
            """
        ),
        body=schemas.WebhookEndpointCreateRequest,
        body_examples=("WebhookEndpointCreateRequest",),
    ),
    Operation(
        "updateWebhookEndpoint",
        "PUT",
        "webhook/endpoints/{endpoint_id}",
        TAG,
        "Change a webhook endpoint: its URL, events or state",
        schemas.WebhookEndpointResponse,
        "The endpoint.",
        _errors("400", "404", write=True, _422="WebhookUrlRejected"),
        description="Changes the members given: `url`, `event_types` (null: "
        "all), `state` (`enabled` re-enables a disabled endpoint, which sends "
        "its pending events again from then on).",
        body=schemas.WebhookEndpointUpdateRequest,
        body_examples=("WebhookEndpointReEnable", "WebhookEndpointEventTypes"),
    ),
    Operation(
        "deleteWebhookEndpoint",
        "DELETE",
        "webhook/endpoints/{endpoint_id}",
        TAG,
        "Delete a webhook endpoint",
        schemas.WebhookEndpointResponse,
        "The endpoint deleted; its pending events are not sent.",
        _errors("404", write=True),
    ),
    Operation(
        "rotateWebhookEndpointSecret",
        "POST",
        "webhook/endpoints/{endpoint_id}/rotate_secret",
        TAG,
        "A new signing secret for a webhook endpoint",
        schemas.WebhookEndpointResponse,
        "The endpoint with its new secret (shown once).",
        _errors("404", write=True),
        description="The previous secret keeps signing the endpoint's requests, "
        "beside the new one, for 24 hours.",
    ),
    Operation(
        "testWebhookEndpoint",
        "POST",
        "webhook/endpoints/{endpoint_id}/test",
        TAG,
        "Send a signed `ping` event to a webhook endpoint now",
        schemas.WebhookTestResult,
        "Whether the receiver answered 2xx.",
        _errors("404", write=True, _409="WebhookNotSet", _422="WebhookUrlRejected"),
        description="As `POST webhook/test`, to this endpoint (409 "
        "`webhook_not_set` when it has no URL).",
    ),
)
