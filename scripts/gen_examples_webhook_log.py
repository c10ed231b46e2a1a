# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The recorded examples of the webhook event log (issue 29): ``GET
webhook/events`` (the test ping just sent, with its attempt) and ``POST
webhook/events/redeliver`` (every failed event since a time; an unknown
event). Called by ``_record_webhook`` in ``scripts/gen_examples_record.py``
(the ``Recorder`` there) while its receiver runs; imports nothing of the
addon (the endpoints' placeholders from ``gen_examples_endpoints.py``).
"""

from gen_examples_endpoints import ENDPOINT_ID

# the endpoint PUT webhook made, as the endpoints' examples show it
FIRST_ENDPOINT_ID = ENDPOINT_ID - 1


def record_webhook_log(rec):
    """The log after the ping, then the two ways of sending again."""
    rec.call("listWebhookEvents", "The test events, with their attempts",
             "GET", "webhook/events?type=ping")  # fmt: skip
    # how long the receiver took and the endpoint's id vary from run to
    # run: shown as 12 ms and the first endpoint's id in the endpoints'
    # examples (``gen_examples_endpoints.py``)
    for event in rec.examples["listWebhookEvents"][-1]["response"]["body"]["events"]:
        if event.get("endpoint_id") is not None:
            event["endpoint_id"] = FIRST_ENDPOINT_ID
        for attempt in event["attempts"]:
            attempt["duration_ms"] = 12
    rec.call("redeliverWebhookEvents", "Every failed event since a time (none here)",
             "POST", "webhook/events/redeliver",
             body={"since": "2026-11-23T00:00:00Z", "status": "failed"})  # fmt: skip
    rec.call("redeliverWebhookEvents", "404: an event this partner does not have",
             "POST", "webhook/events/redeliver",
             body={"event_id": "msg_not_one_of_yours"})  # fmt: skip
