#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Record one real request and answer per endpoint, and the error table.

    python scripts/gen_examples.py --conf ODOO_CONF --db DB          # write
    python scripts/gen_examples.py --conf ODOO_CONF --db DB --check  # exit 1 on drift

Run with the Odoo venv's Python on a database where the addon is installed
with its demo data (scripts/run.sh's demo database, or scripts/test.sh's):
it makes a partner of its own (a company enabled for the API with the demo
products, a portal user and an API key, committed), starts ``odoo-bin`` on a
free port on that database, sends the requests below over HTTP, and writes

- ``docs/examples.json``: ``{operationId: [{title, request, response}]}``;
- ``docs/EXAMPLES.md``: the same as text, then the table of every error code.

Every endpoint of ``lib/openapi.OPERATIONS`` must have an example here and
every error class of ``lib/errors.py`` a row in ``ERROR_GUIDE``: a missing
one stops the script, naming it. Volatile values (order and delivery names,
dates, keys, secrets, request and webhook ids, the local receiver's URL) are
replaced by stable placeholders, so that a second run writes the same files:
``--check`` compares instead of writing (scripts/test.sh runs it). The
system parameters it changes for the 429 and webhook examples are restored.
"""

import argparse
import datetime
import difflib
import importlib.util
import json
import os
import re
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "tests"))
from gen_openapi import load_openapi  # noqa: E402
from odoo_server import OdooServer  # noqa: E402
from webhook_receiver import WebhookReceiver  # noqa: E402

OUT_JSON = REPO / "docs" / "examples.json"
OUT_MD = REPO / "docs" / "EXAMPLES.md"
PREFIX = "/partner_order_api/"
ADDRESS = {
    "name": "John Doe",
    "street": "Main Street 1",
    "zip": "10115",
    "city": "Berlin",
    "country_code": "DE",
}
RECEIVER_URL = "https://partner.example/hooks/orders"

# What a client should do, per error code (lib/errors.py). Every code must
# be here: the script stops otherwise.
ERROR_GUIDE = {
    "validation_error": (
        "Malformed JSON, a missing or invalid field or parameter; `message` "
        "names the field, `details` lists every one.",
        "Do not retry as is: fix the request. A new request may reuse the "
        "`Idempotency-Key` (errors are not remembered).",
    ),
    "unauthorized": (
        "No `Authorization: Bearer` header, or the key is unknown, revoked or "
        "expired, or its user is archived.",
        "Do not retry: get a new key (My Account > Connection & Security).",
    ),
    "forbidden": (
        "The key is valid but its partner is not enabled for the API.",
        "Do not retry: ask the seller to enable the partner.",
    ),
    "insufficient_scope": (
        "A read-only key (scope `partner_order_api.readonly`) on a route that writes.",
        "Do not retry: use a key with scope `partner_order_api`.",
    ),
    "product_not_allowed": (
        "The EAN is unknown or not allowed for this partner (the same answer for both).",
        "Do not retry: order only EANs of `GET available_products`.",
    ),
    "not_found": (
        "An unknown route under `/partner_order_api/`, or an order that does not "
        "exist or belongs to another partner.",
        "Do not retry: check the identifier and `identifiedBy`.",
    ),
    "method_not_allowed": (
        "A route called with the wrong HTTP method (`Allow` lists the right ones).",
        "Do not retry: use a method from `Allow`.",
    ),
    "duplicate_external_order_id": (
        "`external_order_id` is already used by an order of this partner.",
        "Do not retry: the order exists; read it with "
        "`order_status?identifiedBy=external`. To make retries safe, send an "
        "`Idempotency-Key`.",
    ),
    "idempotency_key_reused": (
        "An `Idempotency-Key` sent before (24 hours) with another body or route.",
        "Do not retry: a new request needs a new key.",
    ),
    "idempotency_in_progress": (
        "The first request with this `Idempotency-Key` is still running.",
        "Retry after `Retry-After` (1 s) with the same key and body: you get "
        "the first request's answer.",
    ),
    "not_cancellable": (
        "The order cannot be cancelled (not placed through the API, locked, "
        "posted invoice, done transfer); `message` says why.",
        "Do not retry: contact the seller.",
    ),
    "not_configured": (
        "`POST order`, `order/quote`, an order of `orders/batch`: the seller's "
        "Odoo is not set up for this order in its company (no warehouse, no "
        "pricelist for the partner); `message` says what is missing. Nothing "
        "was created.",
        "Do not retry as is: send `message` to the seller, whose administrator "
        "must complete the setup; then retry.",
    ),
    "rate_limited": (
        "The partner's budget (all its keys together) does not hold this "
        "request's cost (`X-RateLimit-Cost`), or too many wrong keys with this "
        "key's prefix came from this address.",
        "Retry after `Retry-After` seconds; a POST with the same "
        "`Idempotency-Key` is safe.",
    ),
    "concurrency_limited": (
        "The partner already has its maximum of requests in flight (all its keys "
        "and the servers together); nothing was done.",
        "Retry after `Retry-After` seconds; send requests one after the other.",
    ),
    "document_unavailable": (
        "`GET order/document`: the server cannot render PDFs now (no working "
        "wkhtmltopdf); the seller's condition, not the request's.",
        "Retry later with backoff; if it persists, tell the seller.",
    ),
    "busy": (
        "`GET order/document`: every server-wide PDF render slot is taken by "
        "other documents right now.",
        "Retry after `Retry-After` seconds.",
    ),
    "internal_error": (
        "Anything unexpected; the server logged it with the `X-Request-Id`.",
        "Retry later with backoff; a POST only with the same `Idempotency-Key` "
        "(without one, check `GET orders` first). Report the `X-Request-Id`.",
    ),
}


def _load_lib():
    """lib/'s openapi and errors modules, loaded as scripts/gen_openapi.py
    loads lib/ (without the addon, which imports Odoo at its root)."""
    openapi = load_openapi()
    return openapi, importlib.import_module("poa_lib.errors")


def error_classes(errors):
    """{code: (status, class)} of every error of lib/errors.py."""
    found = {}
    for value in vars(errors).values():
        if isinstance(value, type) and issubclass(value, errors.OrderApiError):
            found.setdefault(value.code, (value.status, value))
    return found


def error_rows(errors):
    """(status, code, when, what to do) of every error code, by status; stops
    when a code has no row in ERROR_GUIDE (or ERROR_GUIDE names a code that
    is gone)."""
    codes = error_classes(errors)
    missing = sorted(set(codes) - set(ERROR_GUIDE))
    gone = sorted(set(ERROR_GUIDE) - set(codes))
    if missing or gone:
        raise SystemExit(
            f"scripts/gen_examples.py ERROR_GUIDE: add {missing}, remove {gone} "
            "(lib/errors.py's codes)"
        )
    return [
        (status, code, *ERROR_GUIDE[code])
        for code, (status, _cls) in sorted(codes.items(), key=lambda i: (i[1][0], i[0]))
    ]


def error_table(errors):
    """The markdown table of every error code."""
    rows = ["| HTTP | code | when | what the client does |", "|---|---|---|---|"]
    rows += [
        f"| {status} | `{code}` | {when} | {todo} |"
        for status, code, when, todo in error_rows(errors)
    ]
    return "\n".join(rows)


def _rst_inline(text):
    return re.sub(r"`([^`]+)`", r"``\1``", text)


def error_table_rst(errors):
    """The same table as an RST list-table."""
    rows = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 6 22 36 36",
        "",
        "   * - HTTP",
        "     - code",
        "     - when",
        "     - what the client does",
    ]
    for status, code, when, todo in error_rows(errors):
        rows += [
            f"   * - {status}",
            f"     - ``{code}``",
            f"     - {_rst_inline(when)}",
            f"     - {_rst_inline(todo)}",
        ]
    return "\n".join(rows)


def _http_lines(example):
    """The request and the answer of an example as HTTP text lines."""
    req, res = example["request"], example["response"]
    lines = [f"{req['method']} {req['path']}"]
    lines += [f"{k}: {v}" for k, v in req["headers"].items() if k != "X-Request-Id"]
    if "body" in req:
        lines += [""] + json.dumps(
            req["body"], indent=2, ensure_ascii=False
        ).splitlines()
    if "raw_body" in req:
        lines += ["", req["raw_body"]]
    lines += ["", f"HTTP/1.1 {res['status']}"]
    lines += [
        f"{k}: {v}"
        for k, v in res["headers"].items()
        if k in ("Retry-After", "Idempotent-Replayed")
    ]
    lines += [""] + json.dumps(res["body"], indent=2, ensure_ascii=False).splitlines()
    return lines


README_MARKERS = (
    ".. examples:start (generated by scripts/gen_examples.py from docs/examples.json: do not edit)",
    ".. examples:end",
)
USAGE_MARKERS = (
    "<!-- examples:start (generated by scripts/gen_examples.py from docs/examples.json: do not edit) -->",
    "<!-- examples:end -->",
)
README_RST = REPO / "README.rst"
USAGE_MD = REPO / "readme" / "USAGE.md"


def render_readme_rst(examples, operations, errors):
    """The README's section: the first (successful) example of every
    endpoint, then the error table."""
    out = [README_MARKERS[0], ""]
    for operation in operations:
        example = examples[operation.operation_id][0]
        out += [f"``{operation.method} {operation.full_path}``: {_rst_inline(operation.summary)}.", "",
                ".. code-block:: text", ""]  # fmt: skip
        out += [f"    {line}".rstrip() for line in _http_lines(example)]
        out += [""]
    out += ["**Error codes**", "", error_table_rst(errors), "", README_MARKERS[1]]
    return "\n".join(out)


def render_readme_md(examples, operations, errors):
    out = [USAGE_MARKERS[0], ""]
    for operation in operations:
        example = examples[operation.operation_id][0]
        out += [
            f"`{operation.method} {operation.full_path}`: {operation.summary}.",
            "",
            "```",
        ]
        out += _http_lines(example)
        out += ["```", ""]
    out += ["**Error codes**", "", error_table(errors), "", USAGE_MARKERS[1]]
    return "\n".join(out)


def replace_between(text, markers, section, path):
    start, end = text.find(markers[0]), text.find(markers[1])
    if start < 0 or end < start:
        raise SystemExit(f"{path.relative_to(REPO)} lacks the markers {markers}")
    return text[:start] + section + text[end + len(markers[1]) :]


class Masker:
    """Replaces volatile values by stable placeholders, numbered in order of
    appearance."""

    PATTERNS = [
        # ISO date-times and dates
        # (with microseconds when the answer has them: updated_at's pattern)
        (
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z",
            lambda m: "2026-11-24T09:00:00" + (".000000" if m[1] else "") + "Z",
        ),
        (r"\b\d{4}-\d{2}-\d{2}\b", "2026-11-24"),
    ]

    def __init__(self):
        self.maps = {}
        self.literal = {}

    def add(self, value, placeholder):
        if value:
            self.literal[str(value)] = placeholder

    def numbered(self, kind, value, template):
        table = self.maps.setdefault(kind, {})
        if value not in table:
            table[value] = template.format(len(table) + 1)
        return table[value]

    def text(self, value):
        for literal, placeholder in sorted(
            self.literal.items(), key=lambda i: -len(i[0])
        ):
            value = value.replace(literal, placeholder)
        value = re.sub(
            r"\bS\d{5,}\b", lambda m: self.numbered("order", m[0], "S{:05d}"), value
        )
        value = re.sub(
            r"\b(WH/OUT/)\d+\b",
            lambda m: self.numbered("picking", m[0], "WH/OUT/{:05d}"),
            value,
        )
        for pattern, placeholder in self.PATTERNS:
            value = re.sub(pattern, placeholder, value)
        return value

    # stock moves with every order a database has seen: free quantities are
    # shown as this placeholder (and a line as available), so that the
    # examples do not change with the database they are recorded on
    STOCK_KEYS = {"available_quantity": 100.0, "available": True}

    def json(self, value):
        if isinstance(value, dict):
            return {
                k: (
                    self.STOCK_KEYS[k]
                    if k in self.STOCK_KEYS and v is not None
                    else self.json(v)
                )
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value


SHOWN_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Retry-After",
    "Allow",
    "WWW-Authenticate",
    "Idempotent-Replayed",
    "X-RateLimit-Limit",
    "X-Request-Id",
)


class Recorder:
    def __init__(self, server, key, masker, refill=None):
        self.server = server
        self.key = key
        self.masker = masker
        self.examples = {}
        # called before each request: the budgets full again, so that every
        # example is recorded as a client within its budget sees it, however
        # long the ones before took (None: the budgets are left as they are)
        self.refill = refill

    def call(self, operation_id, title, method, route, *, key=True, body=None, raw=None,
             headers=None, keep=True):  # fmt: skip
        if self.refill:
            self.refill()
        headers = dict(headers or {})
        if key:
            headers["Authorization"] = f"Bearer {self.key if key is True else key}"
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        else:
            data = raw
        headers["X-Request-Id"] = "example-request"
        url = f"{self.server.url}{PREFIX}{route}"
        answer = requests.request(method, url, timeout=60, data=data, headers=headers)
        if keep:
            shown = {
                k: self.masker.text(answer.headers[k])
                for k in SHOWN_HEADERS
                if k in answer.headers
            }
            request_headers = {
                k: ("Bearer <API key>" if k == "Authorization" else self.masker.text(v))
                for k, v in headers.items()
            }
            self.examples.setdefault(operation_id, []).append(
                {
                    "title": title,
                    "request": {
                        "method": method,
                        "path": PREFIX + self.masker.text(route),
                        "headers": request_headers,
                        **(
                            {"body": self.masker.json(body)} if body is not None else {}
                        ),
                        **({"raw_body": raw.decode()} if raw is not None else {}),
                    },
                    "response": {
                        "status": answer.status_code,
                        "headers": shown,
                        "body": self._body(answer),
                    },
                }
            )
        return answer

    def _body(self, answer):
        """The JSON answer, masked; a PDF as a note of what it is (its bytes
        change with every rendering)."""
        if answer.headers.get("Content-Type", "").startswith("application/pdf"):
            if not answer.content.startswith(b"%PDF-"):
                raise SystemExit(f"{answer.url}: not a PDF")
            return "<the PDF document: %PDF-1.4 ... %%EOF>"
        return self.masker.json(answer.json())


def make_partner(odoo, registry, stamp):
    """A committed company enabled for the API with the demo products, its
    portal user and a key (full) and a read-only key."""
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        demo = env.ref("partner_order_api.demo_partner_company")
        company = env["res.partner"].create(
            {
                "name": f"Example Lab {stamp}",
                "is_company": True,
                "order_api_enabled": True,
                "order_api_product_ids": [(6, 0, demo.order_api_product_ids.ids)],
                "property_product_pricelist": demo.property_product_pricelist.id,
            }
        )
        contact = env["res.partner"].create(
            {"name": "Example Buyer", "parent_id": company.id}
        )
        user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": contact.name,
                    "login": f"examples-{stamp}",
                    "partner_id": contact.id,
                    "groups_id": [(6, 0, env.ref("base.group_portal").ids)],
                }
            )
        )
        later = datetime.datetime.now() + datetime.timedelta(days=1)
        keys = env["res.users.apikeys"].with_user(user).sudo()
        full = keys._generate("partner_order_api", "examples", later)
        readonly = keys._generate("partner_order_api.readonly", "examples", later)
        eans = sorted(demo.order_api_product_ids.filtered("barcode").mapped("barcode"))
        not_allowed = env.ref("partner_order_api.demo_product_not_allowed").barcode
        cr.commit()
        return company.id, full, readonly, eans, not_allowed


def refill_budgets(registry):
    """Every request budget full again (a bucket without a row is full)."""
    with registry.cursor() as cr:
        cr.execute("DELETE FROM partner_order_api_rate_bucket")
        cr.commit()


def set_params(odoo, registry, values):
    """Set system parameters; returns their old values."""
    with registry.cursor() as cr:
        params = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})["ir.config_parameter"]
        old = {name: params.get_param(name) for name in values}
        for name, value in values.items():
            params.set_param(name, value)
        cr.commit()
    # running servers drop their cached parameters
    registry.signal_changes()
    return old


def record(rec, ctx):  # noqa: C901
    """One example (or more) per operation; errors among them."""
    eans, stamp = ctx["eans"], ctx["stamp"]
    ext = f"EXT-{stamp}"
    rec.masker.add(ext, "EXT-1001")
    rec.masker.add(f"{ext}-2", "EXT-1002")
    single = {
        "ean": eans[0],
        "amount": 2,
        "external_order_id": ext,
        "delivery_address": ADDRESS,
    }
    rec.call(
        "listAvailableProducts", "The partner's products", "GET", "available_products"
    )
    rec.call(
        "listAvailableProducts", "401: no key", "GET", "available_products", key=False
    )
    created = rec.call(
        "createOrder",
        "One product (as in the original document)",
        "POST",
        "order",
        body=single,
    )
    name = created.json()["biomes_order_id"]
    rec.masker.add(f"key-{stamp}", "8e0f4bb2-3c5d-4e1a-9f27-6b1d0c9a7e54")
    rec.call("createOrder", "Several products, a note and an Idempotency-Key", "POST", "order",
             body={"lines": [{"ean": eans[0], "amount": 1}, {"ean": eans[1], "amount": 3}],
                   "external_order_id": f"{ext}-2", "note": "Deliver to the lab entrance.",
                   "delivery_address": ADDRESS},
             headers={"Idempotency-Key": f"key-{stamp}"})  # fmt: skip
    rec.call(
        "createOrder",
        "409: external_order_id already used",
        "POST",
        "order",
        body=single,
    )
    rec.call("createOrder", "400: invalid body", "POST", "order",
             body={"ean": eans[0], "amount": 0, "delivery_address": {**ADDRESS, "country_code": "XX"}})  # fmt: skip
    rec.call("createOrder", "403: product not allowed", "POST", "order",
             body={**single, "ean": ctx["not_allowed"], "external_order_id": None})  # fmt: skip
    rec.call(
        "createOrder",
        "403: read-only key",
        "POST",
        "order",
        body=single,
        key=ctx["readonly"],
    )
    rec.call("createOrder", "400: malformed JSON", "POST", "order", raw=b'{"ean": ')
    rec.call("quoteOrder", "What an order would be (nothing created)", "POST", "order/quote",
             body={"lines": [{"ean": eans[0], "amount": 2}, {"ean": eans[1], "amount": 1}],
                   "delivery_address": ADDRESS})  # fmt: skip
    rec.call("quoteOrder", "403: product not allowed (as POST order answers)", "POST",
             "order/quote", body={**single, "ean": ctx["not_allowed"], "external_order_id": None})  # fmt: skip
    rec.masker.add(f"{ext}-3", "EXT-1003")
    rec.masker.add(f"batch-{stamp}", "5b8c0f7e-1d2a-4c3b-9e6f-0a1b2c3d4e5f")
    rec.call("createOrdersBatch", "Three orders, one refused", "POST", "orders/batch",
             body={"orders": [
                 {"ean": eans[0], "amount": 1, "external_order_id": f"{ext}-3",
                  "delivery_address": ADDRESS},
                 {"ean": ctx["not_allowed"], "amount": 1, "delivery_address": ADDRESS},
                 {**single},
             ]},
             headers={"Idempotency-Key": f"batch-{stamp}"})  # fmt: skip
    rec.call("createOrdersBatch", "400: not a list of 1 to 100 orders", "POST", "orders/batch",
             body={"orders": []})  # fmt: skip
    rec.call("listOrders", "First page", "GET", "orders?page=1&page_size=20")
    rec.call("listOrders", "400: page_size out of range", "GET", "orders?page_size=500")
    rec.call(
        "getOrderStatus",
        "By the order's name",
        "GET",
        f"order_status?identifiedBy=biomes&order_id={name}",
    )
    rec.call(
        "getOrderStatus",
        "By external_order_id",
        "GET",
        f"order_status?identifiedBy=external&order_id={ext}",
    )
    rec.call("getOrderStatus", "404: unknown (or another partner's) order", "GET",
             "order_status?identifiedBy=biomes&order_id=S99999999")  # fmt: skip
    # wkhtmltopdf fetches the report's assets from this server
    old_report_url = set_params(
        ctx["odoo"], ctx["registry"], {"report.url": rec.server.url}
    )
    rec.call("getOrderDocument", "The order confirmation (PDF)", "GET",
             f"order/document?identifiedBy=biomes&order_id={name}&type=order")  # fmt: skip
    set_params(
        ctx["odoo"], ctx["registry"], {"report.url": old_report_url["report.url"] or ""}
    )
    rec.call("getOrderDocument", "404: the order has no posted invoice", "GET",
             f"order/document?identifiedBy=biomes&order_id={name}&type=invoice")  # fmt: skip
    rec.call("cancelOrder", "Cancel", "POST", "order/cancel",
             body={"identifiedBy": "external", "order_id": ext})  # fmt: skip
    rec.call("getWebhook", "No URL yet", "GET", "webhook")
    with WebhookReceiver() as receiver:
        url = f"{receiver.url}/hooks/orders"
        rec.masker.add(url, RECEIVER_URL)
        answer = rec.call("setWebhook", "Set the URL (the first time: the signing secret, shown once)",
                          "PUT", "webhook", body={"url": url})  # fmt: skip
        secret = "whsec_<shown once: keep it secret>"
        rec.masker.add(answer.json().get("signing_secret"), secret)
        rec.examples["setWebhook"][-1]["response"]["body"]["signing_secret"] = secret
        rec.call("setWebhook", "Choose the events", "PUT", "webhook",
                 body={"url": url, "event_types": ["order.shipped", "order.cancelled"]})  # fmt: skip
        answer = rec.call("rotateWebhookSecret", "A new secret (the old one signs too for 24 h)",
                          "POST", "webhook/rotate_secret")  # fmt: skip
        rec.masker.add(
            answer.json().get("signing_secret"), "whsec_<the new secret, shown once>"
        )
        rec.examples["rotateWebhookSecret"][-1]["response"]["body"][
            "signing_secret"
        ] = "whsec_<the new secret, shown once>"
        rec.call("setWebhook", "400: not https", "PUT", "webhook",
                 body={"url": "http://partner.example/hook"})  # fmt: skip
        answer = rec.call("testWebhook", "Ping", "POST", "webhook/test")
        webhook_id = "msg_2p5Jm8yD1pQ0a7c3V9xLk4TzNf"
        rec.masker.add(answer.json().get("webhook_id"), webhook_id)
        rec.examples["testWebhook"][-1]["response"]["body"]["webhook_id"] = webhook_id
    rec.call("deleteWebhook", "Remove the URL", "DELETE", "webhook")
    rec.call(
        "getOpenApiDocument",
        "The document (abridged here)",
        "GET",
        "openapi.json",
        key=False,
    )
    doc = rec.examples["getOpenApiDocument"][-1]["response"]["body"]
    rec.examples["getOpenApiDocument"][-1]["response"]["body"] = {
        "openapi": doc["openapi"],
        "info": {"title": doc["info"]["title"], "version": doc["info"]["version"]},
        "paths": "...",
    }
    rec.call("listOrders", "405: wrong method", "DELETE", "orders")
    # 429: this partner's own budget (its Requests per Minute) down to 2,
    # spent by the calls below
    rec.refill = None
    with ctx["registry"].cursor() as cr:
        env = ctx["odoo"].api.Environment(cr, ctx["odoo"].SUPERUSER_ID, {})
        env["res.partner"].browse(ctx["partner"]).order_api_rate_limit_per_minute = 2
        cr.commit()
    for _i in range(10):  # the bucket empties after a few calls
        answer = rec.call("listOrders", "", "GET", "orders?page_size=1", keep=False)
        if answer.status_code == 429:
            break
    rec.call(
        "listOrders", "429: over the partner's budget", "GET", "orders?page_size=1"
    )
    # seconds until a token is back: masked
    rec.examples["listOrders"][-1]["response"]["headers"]["Retry-After"] = "<seconds>"


def render_md(examples, operations, table):
    out = [
        "# Partner Order API: examples and errors",
        "",
        "<!-- Generated by scripts/gen_examples.py from a running server: do not",
        "     edit; re-run it (scripts/test.sh checks it with --check). -->",
        "",
        "Real requests and answers, recorded against the demo data. Volatile",
        "values (names, dates, keys, secrets, ids) are replaced by stable",
        "placeholders. Every request may carry `X-Request-Id` (echoed back).",
        "",
    ]
    for operation in operations:
        out += [
            f"## {operation.method} {operation.full_path}",
            "",
            f"`{operation.operation_id}`: {operation.summary}.",
            "",
        ]
        for example in examples[operation.operation_id]:
            req, res = example["request"], example["response"]
            out += [
                f"### {example['title']}",
                "",
                "```http",
                f"{req['method']} {req['path']}",
            ]
            out += [f"{k}: {v}" for k, v in req["headers"].items()]
            if "body" in req:
                out += ["", json.dumps(req["body"], indent=2, ensure_ascii=False)]
            if "raw_body" in req:
                out += ["", req["raw_body"]]
            out += ["```", "", "```http", f"HTTP/1.1 {res['status']}"]
            out += [f"{k}: {v}" for k, v in res["headers"].items()]
            out += [
                "",
                json.dumps(res["body"], indent=2, ensure_ascii=False),
                "```",
                "",
            ]
    out += [
        "## Error codes",
        "",
        'Every error answers `{"success": false, "error": {"code", "message", '
        '"details"?}}` with the status below (generated from `lib/errors.py`).',
        "A POST retried after a network failure or a 5xx is safe only with the same",
        "`Idempotency-Key` (and the same body): the first answer comes back with",
        "`Idempotent-Replayed: true` instead of a second order.",
        "",
        table,
        "",
    ]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--conf", required=True, help="odoo.conf naming the addons path"
    )
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-src", default=os.environ.get("ODOO_SRC"))
    parser.add_argument("--log", default="/tmp/poa-gen-examples.log")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    openapi, errors = _load_lib()
    table = error_table(errors)
    sys.path.insert(0, args.odoo_src)
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.db])
    registry = Registry(args.db)
    stamp = time.time_ns() // 1000
    partner, key, readonly, eans, not_allowed = make_partner(odoo, registry, stamp)
    old = set_params(
        odoo,
        registry,
        {
            "partner_order_api.webhook_allow_http": "True",
            "partner_order_api.webhook_allowed_hosts": "127.0.0.1",
            "partner_order_api.rate_limit_per_minute": "120",
        },
    )
    masker = Masker()
    masker.add(f"Example Lab {stamp}", "Example Lab")
    server = OdooServer(args.odoo_src, args.conf, args.db, args.log, workers=0,
                        args=("--max-cron-threads=0",))  # fmt: skip
    server.start(timeout=120)
    try:
        rec = Recorder(server, key, masker, refill=lambda: refill_budgets(registry))
        record(rec, {"eans": eans, "stamp": stamp, "readonly": readonly, "not_allowed": not_allowed, "partner": partner,
                     "odoo": odoo, "registry": registry})  # fmt: skip
    finally:
        server.stop()
        set_params(odoo, registry, {k: v or "" for k, v in old.items()})
    missing = [
        op.operation_id
        for op in openapi.OPERATIONS
        if op.operation_id not in rec.examples
    ]
    if missing:
        raise SystemExit(
            f"scripts/gen_examples.py has no example for {missing}: add them to record()"
        )
    ordered = {
        op.operation_id: rec.examples[op.operation_id] for op in openapi.OPERATIONS
    }
    outputs = {
        OUT_JSON: json.dumps(ordered, indent=2, ensure_ascii=False) + "\n",
        OUT_MD: render_md(ordered, openapi.OPERATIONS, table),
        README_RST: replace_between(
            README_RST.read_text(),
            README_MARKERS,
            render_readme_rst(ordered, openapi.OPERATIONS, errors),
            README_RST,
        ),
        USAGE_MD: replace_between(
            USAGE_MD.read_text(),
            USAGE_MARKERS,
            render_readme_md(ordered, openapi.OPERATIONS, errors),
            USAGE_MD,
        ),
    }
    if args.check:
        stale = [p.relative_to(REPO) for p, text in outputs.items()
                 if not p.exists() or p.read_text() != text]  # fmt: skip
        if stale:
            for path, text in outputs.items():
                old_text = path.read_text() if path.exists() else ""
                diff = difflib.unified_diff(
                    old_text.splitlines(),
                    text.splitlines(),
                    str(path),
                    "now",
                    lineterm="",
                )
                print("\n".join(list(diff)[:60]))
            raise SystemExit(
                f"{stale} differ from what the server answers now: run "
                "scripts/gen_examples.py and commit"
            )
        print(
            "docs/examples.json, docs/EXAMPLES.md and the README's examples are up to date"
        )
        return
    OUT_JSON.parent.mkdir(exist_ok=True)
    for path, text in outputs.items():
        path.write_text(text)
    print("wrote " + ", ".join(str(p.relative_to(REPO)) for p in outputs))


if __name__ == "__main__":
    main()
