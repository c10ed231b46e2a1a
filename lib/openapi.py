# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The OpenAPI 3.1 document, generated from ``lib/schemas.py``.

``OPERATIONS`` is the one list of the API's routes: ``controllers/`` takes
each route's path, method and access from it, and ``document()`` builds the
document from it and from the models. ``scripts/gen_openapi.py`` writes
``static/openapi.json``; a test fails when the committed file differs.

This module builds the document (and holds its introduction,
``INFO_DESCRIPTION``); it is the one name to import the rest by
(``from ..lib import openapi``: ``openapi.BY_ID``, ``openapi.PREFIX``...),
which lives in

- ``lib/openapi_operations.py``: ``OPERATIONS``, one ``Operation`` per
  route, with ``BY_ID``, ``BY_ROUTE`` and ``READ_ONLY_POSTS``;
- ``lib/openapi_components.py``: the shared error answers, headers and
  parameters, and the named schemas' descriptions;
- ``lib/openapi_webhooks.py``: what the document says of each webhook event;
- ``lib/openapi_examples.py``: the examples.
"""

import ast
import copy
import json
from pathlib import Path

from pydantic.json_schema import models_json_schema

from . import code_samples, costs, schemas
from .events import EVENT_TYPES
from .openapi_components import (  # noqa: F401 (re-exported)
    ERROR_EXAMPLES,
    ERROR_RESPONSES,
    FILE_SCHEMAS,
    HEADERS,
    PARAMETERS,
    RATE_HEADERS,
    SCHEMA_DESCRIPTIONS,
)
from .openapi_examples import EXAMPLES
from .openapi_operations import (  # noqa: F401 (re-exported)
    BY_ID,
    BY_ROUTE,
    LIST_ORDERS_DESCRIPTION,
    OPERATIONS,
    ORDER_DOCUMENT_DESCRIPTION,
    PREFIX,
    READ_ONLY_POSTS,
    Operation,
    allowed_methods,
    md,
    operation_at,
)
from .openapi_ubl import UBL_SCHEMAS, xml_request_content
from .openapi_webhooks import (  # noqa: F401 (re-exported)
    EVENT_HEADER,
    EVENT_TYPE_DESCRIPTION,
    WEBHOOKS,
)

REF = "#/components/{kind}/{name}"


INFO_DESCRIPTION = md(
    """
    A small JSON API for partner-scoped ordering and order tracking.

    **Authentication.** Every route except this document needs an API key of a
    portal user of a partner enabled for the API. The user generates it in
    *My Account → Connection & Security* and sends it in every request as
    `Authorization: Bearer <key>`. A missing, malformed, unknown, revoked or
    expired key answers 401 `unauthorized` (with `WWW-Authenticate`); a valid key
    whose partner is not enabled answers 403 `forbidden`. A company and all its
    contacts share orders and allowed products.

    **Companies.** When the seller runs several companies in one Odoo, each
    request works in one company, the key user's *API company*: the company
    the partner is restricted to, else the user's default company. Orders are
    created there (its warehouse, currency, prices and taxes), and only its
    orders are read: another company's order answers 404 `not_found`, as
    another partner's does. Allowed products are offered in their own company
    only; `external_order_id` and `Idempotency-Key` are unique per partner and
    company; the webhook is the company's. A user not allowed in the company
    its partner is restricted to gets 403 `forbidden` naming that company.

    **Read-only keys.** A key whose scope is `partner_order_api.readonly` opens
    the GET routes, `POST order/quote` and `POST order/change/quote` (which
    write nothing) only: every route that writes (`POST order`,
    `POST orders/batch`, `POST order/cancel`, `POST order/change`,
    `POST order/return`, `PUT webhook`, `DELETE webhook`, `POST webhook/test`,
    `POST webhook/rotate_secret`) answers it 403 `insufficient_scope`. Keys
    with scope `partner_order_api`, and keys without scope, open every route.

    **Test keys.** A key whose scope is `partner_order_api.test` opens every
    route in test mode (like Stripe's `sk_test_` keys): the orders it places
    are test orders (`test: true` in the order object): quotations that never
    reserve, ship or invoice anything, answered with `status` `confirmed`,
    that send their webhooks (`test: true` in the body) and are cancelled
    after 24 hours. A test key reads and acts on test orders only, any other
    key on real orders only (404 `not_found` for the other mode's orders);
    `external_order_id` is unique per partner and mode. Returning a test
    order answers 409 `not_returnable` (nothing was delivered).

    **Envelope.** Every answer is JSON (`application/json; charset=utf-8`),
    except the PDF that `order/document` answers on success, and carries an
    `X-Request-Id` header (the client's own when it sends a sane one).
    Success: `{"success": true, ...}` with 200, or 201 for a created order.
    Error: `{"success": false, "error": {"code", "message", "details"?}}` with the
    HTTP status of its code; `details` lists every invalid field as
    `{"field", "message"}` and `message` repeats the first one. Each error
    response lists the codes it may carry in `x-error-codes`.

    **Requests.** Request bodies are JSON objects; a member the schema does not
    name is refused (400 `validation_error`), as is a query parameter the
    route does not declare (a mistyped filter never answers everything), and
    a query parameter or member that does not match its schema.

    **Privacy.** An order that does not exist and an order of another partner
    are answered alike: 404 `not_found`, never 403. An EAN that is unknown and
    one that is not allowed for the partner are answered alike: 403
    `product_not_allowed`.

    **Idempotency.** `POST order`, `POST orders/batch`, `POST order/cancel`,
    `POST order/change` and `POST order/return` take an optional
    `Idempotency-Key` header (1 to 255 printable ASCII
    characters, e.g. a UUID), remembered per partner and company for 24 hours. A repeat
    with the same key, route and JSON body (the order of its keys does not
    matter) does not run again: it gets the first answer, status included, with
    `Idempotent-Replayed: true`. The same
    key with another body or route answers 409 `idempotency_key_reused`; a repeat
    while the first request still runs answers 409 `idempotency_in_progress` with
    `Retry-After: 1`. Only successful answers are remembered: after an error the
    same key may be sent again.

    **Sync.** `GET orders?sort=updated_asc&updated_since=...` returns the orders
    changed since a point in time, and `pagination.next_updated_since` the point
    to ask from next (see `listOrders`).

    **Webhook.** A partner may register a URL (`PUT webhook`) and choose its
    events (`event_types`, default: all). The server POSTs the `order_status`
    body of an API order there when it is created (`order.created`), when an
    outgoing delivery of it is validated (`order.partially_shipped` or
    `order.shipped`), when it is cancelled (`order.cancelled`), when a
    customer invoice of it is posted (`order.invoiced`), when the partner
    changes it (`order.changed`, `POST order/change`), when a return of its
    goods is created (`order.return_requested`) and received
    (`order.returned`), and beside each of
    them an `order.updated` (the event clients written before event types
    know); `POST webhook/test` sends a `ping`. Every request is
    signed per the Standard Webhooks specification and names its event in
    `X-Webhook-Event` (see `webhooks`); after `POST webhook/rotate_secret`,
    requests carry the signatures of the new and the old secret for 24 hours.

    Timestamps are ISO 8601 in UTC with `Z` (`updated_at` and
    `next_updated_since` with microseconds); money is a JSON number rounded to
    the currency's precision, with `currency` as an ISO 4217 code.

    This document is generated from the addon's models (`lib/schemas.py`,
    `lib/openapi.py`).

    ## Fair use

    No partner can slow the others down: its budget counts what its requests
    cost the server, and its requests in flight are bounded.

    **The budget.** Each partner has one budget, shared by all its users and
    keys: by default 120 tokens a minute (system parameter
    `partner_order_api.rate_limit_per_minute`, 0 turns it off; an administrator
    can set a partner's own). It is a token bucket: it holds at most a quarter
    of the limit (at least 30, at most the limit: 30 at 120 a minute) and
    refills continuously at the limit's rate (2 a second at 120 a minute). Each
    request takes what it costs the server:

    COST_TABLE

    A request is let in when the bucket holds its cost, or, for a cost beyond
    the bucket's capacity (a batch of 100 orders), when the bucket is full: it
    then goes below zero, and the partner's next request waits until it has
    refilled (about 35 s after a batch of 100 at 120 a minute). Every answer to a
    valid key carries `X-RateLimit-Limit` (the rate, tokens a minute),
    `X-RateLimit-Remaining` (whole tokens left right now: a fresh client sees
    `120` and `29` after its first read) and `X-RateLimit-Cost` (the tokens
    this request took), 403 answers included. Beyond the budget the answer is
    429 `rate_limited` with `Retry-After` in seconds, and takes nothing. The
    count is kept in PostgreSQL, so it holds across workers and servers.

    **Requests in flight.** A partner may have at most
    `partner_order_api.max_concurrent_requests` requests running at once, all
    its keys and every server together (by default half the server's HTTP
    workers, at least 1). One more is answered at once with 429
    `concurrency_limited` and `Retry-After: 1`, and takes nothing: send
    requests one after the other, or retry. PDFs are rendered a few at a time
    for the whole server (`partner_order_api.pdf_render_slots`); when all are
    busy, `GET order/document` answers 503 `busy` with `Retry-After`. A
    partner has one `POST webhook/test` running at a time.

    **Failed authentications.** A wrong key whose first 8 characters match a
    stored key costs the server a pbkdf2 check: such failures are counted per
    client address and key prefix (default 30 a minute, system parameter
    `partner_order_api.auth_failure_limit_per_minute`, 0 turns it off; behind
    a reverse proxy, Odoo's `proxy_mode` takes the address from
    `X-Forwarded-For`, and an IPv6 client counts by its /64). Beyond it, keys
    with that prefix from that address are answered 429 `rate_limited` with
    `Retry-After` and without `X-RateLimit-*`, unchecked, until the budget
    refills. Other keys are never held back: a key that matches no stored key
    costs no check and is counted nowhere, and a valid key is never refused for
    the failures of other clients at its address.
    """
).replace("COST_TABLE", costs.markdown_table())


def _ref(kind, name):
    return {"$ref": REF.format(kind=kind, name=name)}


def _clean(node):
    """Pydantic's JSON schema without its ``title`` annotations, nor the
    ``default: null`` of optional members that are not nullable."""
    if isinstance(node, dict):
        return {
            key: _clean(value)
            for key, value in node.items()
            if not (key == "title" and isinstance(value, str))
            and not (key == "default" and value is None)
        }
    if isinstance(node, list):
        return [_clean(value) for value in node]
    return node


def _schemas():
    """components/schemas: every model of ``schemas.SCHEMAS`` and what they
    use, by class name."""
    _refs, top = models_json_schema(
        [(model, "validation") for model in schemas.SCHEMAS],
        ref_template=REF.format(kind="schemas", name="{model}"),
    )
    result = _clean(top["$defs"])
    request = result["OrderCreateRequest"]
    # the two shapes exclude each other (additionalProperties: false)
    request["oneOf"] = request.pop("anyOf")
    adapter = schemas.IdempotencyKey.__metadata__[-1].json_schema
    result["IdempotencyKey"] = dict(adapter)
    for name, description in SCHEMA_DESCRIPTIONS.items():
        result[name]["description"] = description
    result.update(copy.deepcopy(FILE_SCHEMAS))
    result.update(copy.deepcopy(UBL_SCHEMAS))
    return dict(sorted(result.items()))


def _parameters(model):
    """The query parameters of ``model`` (its JSON schema's properties)."""
    schema = _clean(
        model.model_json_schema(ref_template=REF.format(kind="schemas", name="{model}"))
    )
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        parameter = {
            "name": name,
            "in": "query",
            "required": name in schema.get("required", []),
            "description": prop.pop("description"),
        }
        for key in ("style", "explode"):
            if f"x-{key}" in prop:
                parameter[key] = prop.pop(f"x-{key}")
        examples = prop.pop("examples", None)
        parameter["schema"] = prop
        if examples and len(examples) == 1:
            parameter["example"] = examples[0]
        elif examples:
            parameter["examples"] = {
                f"example{index}": {"value": value}
                for index, value in enumerate(examples, 1)
            }
        parameters.append(parameter)
    return parameters


def _headers(*names):
    return {name: _ref("headers", name) for name in names}


def _content(schema_name, examples, media_type="application/json"):
    media = {"schema": _ref("schemas", schema_name)}
    if examples:
        media["examples"] = {name: _ref("examples", name) for name in examples}
    return {media_type: media}


def _operation(operation):
    result = {
        "operationId": operation.operation_id,
        "tags": [operation.tag],
        "summary": operation.summary,
    }
    if operation.description:
        result["description"] = operation.description
    if not operation.authenticate:
        result["security"] = []
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": "The id of one of the partner's webhook endpoints "
            "(`GET webhook/endpoints`); another partner's: 404.",
            "schema": {"type": "integer", "minimum": 1},
        }
        for name in operation.path_parameters
    ]
    if operation.query:
        parameters += _parameters(operation.query)
    if operation.idempotent:
        parameters.append(_ref("parameters", "Idempotency-Key"))
    if parameters:
        result["parameters"] = parameters
    if operation.body:
        result["requestBody"] = {
            "required": True,
            "content": _content(operation.body.__name__, operation.body_examples),
        }
        if operation.xml_body:  # issue 28: a UBL Order in place of the JSON
            result["requestBody"]["content"].update(xml_request_content())
    success_headers = ["X-Request-Id", "X-API-Version"]
    if operation.media_type != "application/json":
        success_headers.append("Content-Disposition")
    if operation.idempotent:
        success_headers.append("Idempotent-Replayed")
    if operation.authenticate:
        success_headers += RATE_HEADERS
    responses = {
        str(operation.status): {
            "description": operation.response_description,
            "headers": _headers(*success_headers),
            "content": {
                **_content(
                    operation.response
                    if isinstance(operation.response, str)
                    else operation.response.__name__,
                    operation.response_examples,
                    operation.media_type,
                ),
                **{
                    media_type: {"schema": _ref("schemas", name)}
                    for media_type, name in operation.more_media
                },
            },
        }
    }
    for status, name in operation.errors.items():
        responses[status] = _ref("responses", name)
    result["responses"] = responses
    return result


def _error_responses():
    responses = {}
    for name, (description, codes, headers) in ERROR_RESPONSES.items():
        examples = []
        for code in codes:
            # validation_error: its example is ValidationError
            examples += ERROR_EXAMPLES.get(code) or [
                "".join(part.title() for part in code.split("_"))
            ]
        responses[name] = {
            "description": description,
            "x-error-codes": codes,
            "headers": _headers("X-Request-Id", "X-API-Version", *headers),
            "content": _content("Error", examples),
        }
    return responses


def _webhooks():
    webhooks = {}
    for event in EVENT_TYPES:
        operation_id, summary, description, model, example = WEBHOOKS[event]
        parameters = [
            _ref("parameters", name)
            for name in PARAMETERS
            if name.startswith("webhook-")
        ]
        parameters.append(
            {
                "name": EVENT_HEADER,
                "in": "header",
                "required": True,
                "description": "The event type (see `WebhookEventType`): "
                "dispatch on it; the body alone is the same for every order event.",
                "schema": {"const": event, "type": "string"},
            }
        )
        if event != "ping":
            parameters.append(
                {
                    "name": "X-Webhook-Sequence",
                    "in": "header",
                    "required": False,
                    "description": "Per order and endpoint: one more than the "
                    "previous event of that order to that endpoint (1, 2, 3...). "
                    "A gap means an event of the order is still to come "
                    "(retried); a number already processed, a redelivery. "
                    "Absent on events recorded before 18.0.1.6.0.",
                    "schema": {"type": "integer", "minimum": 1},
                }
            )
        webhooks[event] = {
            "post": {
                "operationId": operation_id,
                "summary": summary,
                "description": description,
                "security": [],
                "parameters": parameters,
                "requestBody": {
                    "required": True,
                    "content": _content(model.__name__, [example] if example else []),
                },
                "responses": {"2XX": {"description": "Received."}},
            }
        }
    return webhooks


def manifest_version(root=None):
    root = Path(root or Path(__file__).resolve().parent.parent)
    manifest = ast.literal_eval((root / "__manifest__.py").read_text(encoding="utf-8"))
    return manifest["version"]


def api_version(version=None):
    """The API's version, ``X-API-Version`` of every answer: the release's
    two numbers after Odoo's series (``18.0.1.6.0`` → ``1.6``). A release
    adds to the API (a new minor version); removing or changing anything a
    client reads would take a new major version, announced 12 months ahead
    (README, "API versions")."""
    parts = (version or manifest_version()).split(".")
    return ".".join(parts[2:4])


# the exchanges scripts/gen_examples.py recorded on a running server (a file
# of the repository, not of the installed addon)
RECORDED = Path(__file__).resolve().parent.parent / "docs" / "examples.json"


def _recorded_examples(paths):
    """Add to each operation the successful exchanges recorded on a real
    server (``docs/examples.json``): their request bodies and JSON answers,
    named ``recorded`` (1, 2...), beside the hand-written examples, so that
    the docs page shows what the server answered. Error answers stay in the
    shared responses (their examples are the error envelope's)."""
    if not RECORDED.is_file():
        return
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    for operation in OPERATIONS:
        item = paths[operation.full_path][operation.method.lower()]
        exchanges = recorded.get(operation.operation_id, [])
        succeeded = [e for e in exchanges if 200 <= e["response"]["status"] < 300]
        if succeeded:
            # the first successful exchange, as curl, Python and JavaScript
            # (the docs page shows them beside the operation)
            item["x-codeSamples"] = code_samples.samples(succeeded[0])
        for index, exchange in enumerate(exchanges, 1):
            answer = exchange["response"]
            if (
                not 200 <= answer["status"] < 300
                or not isinstance(answer["body"], dict)
                or operation.operation_id == "getOpenApiDocument"  # abridged
            ):
                continue
            name = f"recorded{index}"
            example = {"summary": f"Recorded: {exchange['title']}"}
            content = item["responses"][str(answer["status"])]["content"]
            content["application/json"].setdefault("examples", {})[name] = dict(
                example, value=answer["body"]
            )
            body = exchange["request"].get("body")
            if body is not None and "requestBody" in item:
                item["requestBody"]["content"]["application/json"].setdefault(
                    "examples", {}
                )[name] = dict(example, value=body)


def document(version=None):
    """The OpenAPI 3.1 document of the API, as a dict."""
    paths = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.full_path, {})[operation.method.lower()] = (
            _operation(operation)
        )
    _recorded_examples(paths)
    parameters = copy.deepcopy(PARAMETERS)
    parameters["Idempotency-Key"]["schema"] = _ref("schemas", "IdempotencyKey")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Partner Order API",
            "version": version or manifest_version(),
            "summary": "Partner-scoped ordering and order tracking for B2B partners.",
            "description": INFO_DESCRIPTION,
            "license": {
                "name": "LGPL-3.0-or-later",
                "identifier": "LGPL-3.0-or-later",
            },
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [
            {"name": "Products", "description": "What the partner may order."},
            {"name": "Orders", "description": "The partner's sales orders."},
            {
                "name": "Shipping",
                "description": "The partner's carriers and delivery addresses.",
            },
            {
                "name": "Account",
                "description": "The partner's payment terms, credit and open invoices.",
            },
            {
                "name": "Webhook",
                "description": "Where the partner's order updates are POSTed.",
            },
            {"name": "Meta", "description": "This document."},
        ],
        "paths": paths,
        "webhooks": _webhooks(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key that the partner's portal user "
                    "generated on *My Account → Connection & Security*, sent as "
                    "`Authorization: Bearer <key>`. Keys scoped "
                    "`partner_order_api.readonly` open the GET routes and "
                    "`POST order/quote` only (the "
                    "others answer 403 `insufficient_scope`); keys scoped "
                    "`partner_order_api.test` open every route in test mode "
                    "(test orders only); keys scoped "
                    "`partner_order_api`, or without scope, open every route.",
                }
            },
            "parameters": parameters,
            "headers": copy.deepcopy(HEADERS),
            "schemas": _schemas(),
            "responses": _error_responses(),
            "examples": copy.deepcopy(EXAMPLES),
        },
    }


def dumps(doc):
    """The document as ``static/openapi.json`` holds it."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
