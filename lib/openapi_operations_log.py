# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook event log's routes (``GET webhook/events``, ``POST
webhook/events/redeliver``), gathered into ``OPERATIONS`` by
``lib/openapi_operations.py``. Pure Python."""

from . import schemas
from .openapi_operation import Operation, _errors, md
from .schema_webhook_log import LOG_DAYS

LIST_EVENTS_DESCRIPTION = md(
    f"""
    The partner's webhook events of the last {LOG_DAYS} days, newest first,
    with every attempt to deliver each: when, the receiver's HTTP status,
    how long it took, what went wrong and the first characters of the
    receiver's answer. `state`: `pending` (waiting for its first or next
    attempt), `delivered` (a 2xx came), `failed` (retries ran out: 3 days;
    a test event is tried once). Filters combine: `status`, `since`,
    `type`, `order_id`.

    **Ordering.** Events are recorded in the transaction that changes the
    order, so an order's events are recorded in the order its changes were
    committed; the sender sends each partner's due events oldest first, one
    at a time per partner. A retry does not hold back the partner's later
    events: after a failed attempt, a later event may arrive before the one
    retried. Compare `updated_at` of the bodies (the order as it was when
    the event happened) to keep the newest.
    """
)

REDELIVER_DESCRIPTION = md(
    """
    Sends events again: one (`event_id`, whatever its state: a delivered
    event can be asked for again), or every `failed` event recorded since a
    time (`since` with `status: "failed"`). Each is queued as a new first
    attempt with a new retry window (3 days); the sender sends it with its
    original `webhook-id` and body, signed anew. Answers 202 with the number
    queued (0 when none matched). Another partner's event, or one older
    than the log, answers 404.
    """
)

LOG_OPERATIONS = (
    Operation(
        "listWebhookEvents",
        "GET",
        "webhook/events",
        "Webhook",
        "The webhook event log: events and their delivery attempts",
        schemas.WebhookEventList,
        "A page of events.",
        _errors("400"),
        description=LIST_EVENTS_DESCRIPTION,
        query=schemas.WebhookEventsQuery,
    ),
    Operation(
        "redeliverWebhookEvents",
        "POST",
        "webhook/events/redeliver",
        "Webhook",
        "Send one event, or every failed one since a time, again",
        schemas.WebhookRedeliverResult,
        "The number of events queued.",
        _errors("400", "404", write=True),
        status=202,
        description=REDELIVER_DESCRIPTION,
        body=schemas.WebhookRedeliverRequest,
        body_examples=("WebhookRedeliverEvent", "WebhookRedeliverFailedSince"),
    ),
)
