# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The recorded examples of the webhook endpoints (issue 29): list, add (the
secret shown once), change, rotate, ping and delete a second endpoint.
Called by ``_record_webhook`` in ``scripts/gen_examples_record.py`` (the
``Recorder`` there) while its receiver runs, after ``PUT webhook`` made
the first endpoint; imports nothing of the addon.
"""

# stable placeholders for what changes from run to run
ENDPOINT_ID = 7
SECRET = "whsec_<shown once: keep it secret>"
NEW_SECRET = "whsec_<the new secret, shown once>"
PING_ID = "msg_3q6Kn9zE2qR1b8d4W0yMl5UaOg"


def _stable(rec, operation_id, endpoint_id):
    """The last example of ``operation_id`` with the endpoint's id (in the
    path and the answer) and secrets shown as placeholders."""
    example = rec.examples[operation_id][-1]
    example["request"]["path"] = example["request"]["path"].replace(
        f"/webhook/endpoints/{endpoint_id}", f"/webhook/endpoints/{ENDPOINT_ID}"
    )
    body = example["response"]["body"]
    endpoints = body.get("endpoints") or [body.get("endpoint") or {}]
    for number, endpoint in enumerate(endpoints):
        if endpoint.get("id") == endpoint_id:
            endpoint["id"] = ENDPOINT_ID
        elif "id" in endpoint:
            endpoint["id"] = ENDPOINT_ID - 1 - number
    if "signing_secret" in body.get("endpoint", {}):
        body["endpoint"]["signing_secret"] = (
            SECRET if operation_id == "createWebhookEndpoint" else NEW_SECRET
        )
    if operation_id == "testWebhookEndpoint":
        body["webhook_id"] = PING_ID


def record_webhook_endpoints(rec, url):
    """A second endpoint beside the first (``url``: the receiver's)."""
    second = f"{url}/second"
    answer = rec.call("createWebhookEndpoint", "Add an endpoint (its secret, shown once)",
                      "POST", "webhook/endpoints",
                      body={"url": second, "event_types": ["order.shipped"]})  # fmt: skip
    endpoint_id = answer.json()["endpoint"]["id"]
    _stable(rec, "createWebhookEndpoint", endpoint_id)
    path = f"webhook/endpoints/{endpoint_id}"
    rec.call("listWebhookEndpoints", "The endpoints (the first: the webhook routes')",
             "GET", "webhook/endpoints")  # fmt: skip
    _stable(rec, "listWebhookEndpoints", endpoint_id)
    rec.call("updateWebhookEndpoint", "Change its events", "PUT", path,
             body={"event_types": ["order.shipped", "order.invoiced"]})  # fmt: skip
    _stable(rec, "updateWebhookEndpoint", endpoint_id)
    rec.call("rotateWebhookEndpointSecret", "A new secret (the old one signs too for 24 h)",
             "POST", f"{path}/rotate_secret")  # fmt: skip
    _stable(rec, "rotateWebhookEndpointSecret", endpoint_id)
    rec.call("testWebhookEndpoint", "Ping it", "POST", f"{path}/test")
    _stable(rec, "testWebhookEndpoint", endpoint_id)
    rec.call("deleteWebhookEndpoint", "Delete it", "DELETE", path)
    _stable(rec, "deleteWebhookEndpoint", endpoint_id)
