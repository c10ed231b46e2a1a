# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How ``scripts/gen_examples.py`` records its examples on a running server:
``Recorder`` sends a request and keeps it with its answer, ``Masker``
replaces what changes from one run to the next (names, dates, keys) by
stable placeholders, and ``record`` is the scenario, one example or more
per operation in a fixed order (the placeholders are numbered in order of
appearance). ``make_partner``, ``refill_budgets`` and ``set_params`` prepare
the database.

Imported by ``scripts/gen_examples.py``, which puts ``scripts/`` and
``tests/`` (``webhook_receiver.py``) on ``sys.path`` first.
"""

import datetime
import json
import re

import gen_examples_shipping
import requests
from gen_examples_change import record_change
from gen_examples_dates import record_dates
from gen_examples_despatch import record_despatch
from gen_examples_einvoice import record_einvoice
from gen_examples_endpoints import record_webhook_endpoints
from gen_examples_return import record_return
from gen_examples_terms import record_terms
from gen_examples_ubl import record_ubl
from gen_examples_webhook_log import record_webhook_log
from webhook_receiver import WebhookReceiver

PREFIX = "/partner_order_api/"
ADDRESS = {
    "name": "John Doe",
    "street": "Main Street 1",
    "zip": "10115",
    "city": "Berlin",
    "country_code": "DE",
}
RECEIVER_URL = "https://partner.example/hooks/orders"


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
        # (but 2099-...: a date a request must keep in the future, added as
        # a literal by its recorder, e.g. gen_examples_dates.py)
        (r"\b(?!2099-)\d{4}-\d{2}-\d{2}\b", "2026-11-24"),
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
    def __init__(self, server, key, masker, refill=None, readonly=None):
        self.server = server
        self.key = key
        self.readonly = readonly  # shown as <read-only API key>
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
            # the key's placeholder says which key: a read-only one, or the
            # partner's full key (lib/code_samples.py names its variable)
            shown_key = (
                "Bearer <read-only API key>"
                if key not in (True, None, False) and key == self.readonly
                else "Bearer <API key>"
            )
            request_headers = {
                k: (shown_key if k == "Authorization" else self.masker.text(v))
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
                        **(
                            {"raw_body": self.masker.text(raw.decode())}
                            if raw is not None
                            else {}
                        ),
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
        """The JSON answer, masked; a PDF or an XML e-invoice as a note of
        what it is (its bytes change with every rendering); a DespatchAdvice
        (made by the addon, the same every time) as its masked text."""
        if answer.headers.get("Content-Type", "").startswith("application/pdf"):
            if not answer.content.startswith(b"%PDF-"):
                raise SystemExit(f"{answer.url}: not a PDF")
            return "<the PDF document: %PDF-1.4 ... %%EOF>"
        if answer.headers.get("Content-Type", "").startswith("application/xml"):
            if not answer.content.startswith(b"<?xml"):
                raise SystemExit(f"{answer.url}: not an XML document")
            if b"DespatchAdvice" in answer.content[:500]:
                return self.masker.text(answer.text)  # the UBL document, masked
            return "<the XML e-invoice: <?xml ...><Invoice ...>...</Invoice>>"
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


def _record_orders(rec, ctx):
    """Products, then orders: created one by one, quoted, in a batch;
    returns the external id and the name of the first order."""
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
    return ext, name


def _record_reads(rec, ctx, ext, name):
    """The orders read back: listed, one by one, its PDF; then cancelled."""
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


def _record_webhook(rec):
    """The webhook: set (to a local receiver), events chosen, secret rotated,
    pinged, removed."""
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
        rec.call("setWebhook", "422: plain http (not allowed on this server)", "PUT", "webhook",
                 body={"url": "http://partner.example/hook"})  # fmt: skip
        answer = rec.call("testWebhook", "Ping", "POST", "webhook/test")
        webhook_id = "msg_2p5Jm8yD1pQ0a7c3V9xLk4TzNf"
        rec.masker.add(answer.json().get("webhook_id"), webhook_id)
        rec.examples["testWebhook"][-1]["response"]["body"]["webhook_id"] = webhook_id
        record_webhook_log(rec)
        record_webhook_endpoints(rec, url)
    rec.call("deleteWebhook", "Remove the URL", "DELETE", "webhook")


def _record_meta_and_limits(rec, ctx):
    """The document (abridged), a wrong method, and a 429 over the
    partner's budget (last: it lowers that budget and stops the refills)."""
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


def record(rec, ctx):
    """One example (or more) per operation; errors among them. The order of
    the calls is the order of the examples and of the placeholders."""
    ext, name = _record_orders(rec, ctx)
    _record_reads(rec, ctx, ext, name)
    record_dates(rec, ctx)
    _record_webhook(rec)
    # before the limits: they spend the partner's budget
    gen_examples_shipping.record_shipping(rec, ctx)
    record_change(rec, ctx)
    record_return(rec, ctx)
    record_terms(rec, ctx)
    record_einvoice(rec, ctx)
    record_ubl(rec, ctx)
    record_despatch(rec, ctx)
    _record_meta_and_limits(rec, ctx)
