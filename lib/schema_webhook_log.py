# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook event log's shapes: ``GET webhook/events`` (its query and
answer) and ``POST webhook/events/redeliver`` (its body and answer).

Re-exported by ``lib/schemas.py``; built from ``lib/schema_fields.py``'s
parsers as the other request models are. Pure Python.
"""

import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    WithJsonSchema,
)

from .events import EVENT_TYPES
from .schema_fields import (
    ORDER_ID_MAX,
    PAGE_MAX,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    choice,
    text,
    when,
    whole_number,
)
from .schema_responses import Pagination, UtcSeconds, _Response

# what the log answers, and filters on
EVENT_STATES = ("pending", "delivered", "failed")
# how far back the log reaches (the table keeps events longer, for the seller)
LOG_DAYS = 30
# the receiver's answer kept per attempt, in characters
EXCERPT_MAX = 200


class WebhookEventsQuery(BaseModel):
    """The query of ``GET webhook/events``."""

    model_config = ConfigDict(extra="forbid")

    status: Annotated[
        str | None,
        BeforeValidator(
            choice(EVENT_STATES, f"{{field}} must be one of {', '.join(EVENT_STATES)}.")
        ),
        WithJsonSchema({"type": "string", "enum": list(EVENT_STATES)}),
    ] = Field(None, description="Only events in this state.")
    since: Annotated[
        datetime.datetime | None,
        BeforeValidator(when(date_allowed=False)),
        WithJsonSchema({"type": "string", "format": "date-time"}),
    ] = Field(
        None,
        description="Only events recorded at or after this time (ISO 8601 "
        f"date-time, UTC unless it has an offset). The log reaches {LOG_DAYS} "
        "days back.",
    )
    type: Annotated[
        str | None,
        BeforeValidator(
            choice(EVENT_TYPES, f"{{field}} must be one of {', '.join(EVENT_TYPES)}.")
        ),
        WithJsonSchema({"type": "string", "enum": list(EVENT_TYPES)}),
    ] = Field(None, description="Only events of this type.")
    order_id: text(ORDER_ID_MAX, required=False) = Field(
        None, description="Only events of this order (its `biomes_order_id`)."
    )
    page: Annotated[
        int,
        BeforeValidator(whole_number(PAGE_MAX)),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": PAGE_MAX}),
    ] = Field(1, description="Page number, starting at 1.")
    page_size: Annotated[
        int,
        BeforeValidator(whole_number(PAGE_SIZE_MAX)),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX}),
    ] = Field(PAGE_SIZE_DEFAULT, description="Events per page, 1 to 100.")


class WebhookRedeliverEvent(BaseModel):
    """One event again, whatever its state."""

    model_config = ConfigDict(extra="forbid")

    event_id: text(100) = Field(description="The event's `id` (its `webhook-id`).")


class WebhookRedeliverFailedSince(BaseModel):
    """Every failed event recorded since a time."""

    model_config = ConfigDict(extra="forbid")

    since: Annotated[
        datetime.datetime,
        BeforeValidator(when(date_allowed=False)),
        WithJsonSchema({"type": "string", "format": "date-time"}),
    ] = Field(description="Every failed event recorded at or after this time.")
    status: Literal["failed"] = Field(
        description="`failed`: the only state that is sent again by time."
    )


class WebhookRedeliverRequest(
    RootModel[WebhookRedeliverEvent | WebhookRedeliverFailedSince]
):
    """``POST webhook/events/redeliver``: `event_id` alone, or `since` with
    `status: "failed"`."""


class WebhookAttempt(_Response):
    at: UtcSeconds = Field(description="When the attempt ended.")
    status_code: int | None = Field(
        description="The receiver's HTTP status; null if none came."
    )
    duration_ms: int = Field(ge=0)
    error: str | None = Field(description="Null when the receiver answered 2xx.")
    response_excerpt: str | None = Field(
        description=f"The first {EXCERPT_MAX} characters of the receiver's answer; "
        "null when it gave none, or when the address it was sent to is not a "
        "public one (an address the seller allowed)."
    )


class WebhookEvent(_Response):
    id: str = Field(description="The `webhook-id` header of the event.")
    type: str = Field(json_schema_extra={"enum": list(EVENT_TYPES)})
    biomes_order_id: str | None = Field(description="The order's; null for a ping.")
    endpoint_id: int | None = Field(
        description="The endpoint it goes to (`GET webhook/endpoints`); null: "
        "an event recorded before endpoints existed, or of a deleted endpoint."
    )
    created_at: UtcSeconds
    state: Literal["pending", "delivered", "failed"]
    attempts: list[WebhookAttempt] = Field(description="Oldest first.")


class WebhookEventList(_Response):
    success: Literal[True]
    events: list[WebhookEvent] = Field(description="Newest first.")
    pagination: Pagination


class WebhookRedeliverResult(_Response):
    success: Literal[True]
    queued: int = Field(
        ge=0, description="Events queued for delivery again (the sender sends them)."
    )
