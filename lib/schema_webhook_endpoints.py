# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook endpoints' shapes: ``GET``/``POST webhook/endpoints``,
``PUT``/``DELETE webhook/endpoints/{endpoint_id}``, ``POST
webhook/endpoints/{endpoint_id}/rotate_secret`` (``.../test`` answers as
``POST webhook/test``).

Re-exported by ``lib/schemas.py``; the URL and event types are parsed as
``PUT webhook`` parses them (``WebhookPutRequest``). Pure Python.
"""

from typing import Literal

from pydantic import Field

from .schema_requests import WebhookEventTypes, WebhookPutRequest, WebhookUrl, _Request
from .schema_responses import UtcSeconds, WebhookEventType, _Response

ENDPOINT_STATES = ("enabled", "disabled")
# a partner's endpoints per company (models/partner_order_api_webhook_endpoint.py)
ENDPOINTS_MAX = 5


class WebhookEndpointCreateRequest(WebhookPutRequest):
    """``url`` and ``event_types`` as ``PUT webhook`` takes them."""


class WebhookEndpointUpdateRequest(_Request):
    url: WebhookUrl = Field(
        None, description="A new URL, checked as `PUT webhook` checks it."
    )
    event_types: WebhookEventTypes = Field(
        None,
        description="The events to receive (null: all); omitted: unchanged.",
    )
    state: Literal["enabled", "disabled"] = Field(
        None,
        description="`enabled` re-enables an endpoint the server disabled "
        "(its deliveries failed for 5 days); `disabled` stops its deliveries.",
    )


class WebhookEndpoint(_Response):
    id: int
    url: str | None = Field(
        description="Null: none (the first endpoint after `DELETE webhook`); "
        "it receives nothing until `PUT` gives it one."
    )
    event_types: list[WebhookEventType] = Field(
        description="The events the endpoint receives (`ping` always)."
    )
    state: Literal["enabled", "disabled"]
    disabled_reason: str | None = Field(description="Why it is disabled; null if not.")
    created_at: UtcSeconds
    previous_secret_expires_at: UtcSeconds | None = Field(
        description="After a rotation: until when requests are also signed "
        "with the previous secret."
    )
    signing_secret: str = Field(
        None,
        pattern="^whsec_",
        description="Only when it was just created (`POST webhook/endpoints`, "
        "`rotate_secret`): shown once.",
    )


class WebhookEndpointList(_Response):
    success: Literal[True]
    endpoints: list[WebhookEndpoint] = Field(
        description=f"Oldest first, at most {ENDPOINTS_MAX}; the first is the "
        "one of the `webhook` routes."
    )


class WebhookEndpointResponse(_Response):
    success: Literal[True]
    endpoint: WebhookEndpoint
