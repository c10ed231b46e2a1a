# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fuzzing from the OpenAPI document (schemathesis) and hand-written hostile
inputs, against the real multi-process server."""

import http.client
import json
import re
import shutil
import subprocess
import sys
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from conftest import api, order_body

MIN_REQUESTS = 1000
TABLES = (
    "sale_order",
    "sale_order_line",
    "res_partner",
    "stock_picking",
    "partner_order_api_idempotency",
    "partner_order_api_webhook_event",
)


def _schemathesis():
    found = shutil.which("schemathesis") or str(
        Path(sys.executable).with_name("schemathesis")
    )
    if not Path(found).exists():
        pytest.fail(
            "schemathesis is not installed (requirements-test.txt)", pytrace=False
        )
    return found


def _assert_contract_json(status, content_type, text, where):
    assert status < 500, f"{where}: {status} {text[:300]}"
    if status == 200 and "/partner_order_api/order/document?" in where:
        # the one answer that is not JSON: a document's PDF
        assert content_type == "application/pdf", f"{where}: {content_type}"
        return
    assert content_type == "application/json; charset=utf-8", (
        f"{where}: {content_type} {text[:200]}"
    )
    body = json.loads(text)
    assert isinstance(body, dict) and isinstance(body.get("success"), bool), (
        f"{where}: {text[:200]}"
    )
    if status >= 400:
        assert (
            body["success"] is False
            and body["error"]["code"]
            and body["error"]["message"]
        ), where


# The two routes whose answer to a well-formed request depends on the world,
# as their documented 400 says: ``PUT webhook`` resolves the URL's host (a
# generated host does not resolve, or is private), ``POST webhook/test``
# needs a URL set first. For them, positive_data_acceptance also takes that
# 400; every other check, and every other route, is as schemathesis ships it.
SCHEMATHESIS_CONFIG = """
[[operations]]
include-operation-id = ["setWebhook", "testWebhook"]
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "400", "401", "403", "404", "409", "429",
]
"""


def test_schemathesis_with_every_check_finds_nothing(server, world, tmp_path):
    """Every check (``--checks all``): the server accepts what the document
    allows (positive_data_acceptance), refuses what it does not
    (negative_data_rejection), and answers only documented statuses, headers
    and bodies."""
    _partner_id, _user_id, key = world.partners[3]
    har = tmp_path / "fuzz.har"
    config = tmp_path / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_CONFIG)
    result = subprocess.run(  # noqa: S603
        [
            _schemathesis(),
            "--config-file",
            str(config),
            "run",
            f"{server.url}/partner_order_api/openapi.json",
            "--header",
            f"Authorization: Bearer {key}",
            "--max-examples",
            "60",
            "--seed",
            "20261123",
            "--continue-on-failure",
            "--checks",
            "all",
            "--report",
            "har",
            "--report-har-path",
            str(har),
        ],
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    summary = "\n".join(result.stdout.splitlines()[-40:])
    print(summary)
    entries = json.loads(har.read_text())["log"]["entries"]
    for entry in entries:
        response = entry["response"]
        headers = {h["name"].lower(): h["value"] for h in response["headers"]}
        where = f"{entry['request']['method']} {entry['request']['url'][:150]}"
        _assert_contract_json(
            response["status"],
            headers.get("content-type"),
            response["content"].get("text", ""),
            where,
        )
    assert len(entries) >= MIN_REQUESTS, f"only {len(entries)} requests"
    assert result.returncode == 0, summary


def _counts(world):
    with world.registry.cursor() as cr:
        counts = {}
        for table in TABLES:
            cr.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (fixed names)
            counts[table] = cr.fetchone()[0]
        return counts


SQL = "'; DROP TABLE sale_order; --"
# breaks out of an attribute, then a tag and a script: whatever shows it
# unescaped runs it
HTML = '"><img src=x onerror=alert(1)><script>alert(1)</script>'
HOSTILE_STRINGS = [
    "x" * 10000,
    SQL,
    HTML,
    "\u0000nul",
    "\ud800",
    "ünïcödé" * 1000,
]


def _hostile_requests(ean):
    """(label, method, route, kwargs, expected statuses)."""
    big = b'{"ean": "' + b"1" * (10 * 1024 * 1024) + b'"}'
    nested = b"[" * 100000 + b"]" * 100000
    deep_object = ('{"a":' * 5000 + "1" + "}" * 5000).encode()
    cases = [
        (
            "10 MB body",
            "POST",
            "order",
            {"data": big, "headers": {"Content-Type": "application/json"}},
            {400},
        ),
        (
            "nested lists",
            "POST",
            "order",
            {"data": nested, "headers": {"Content-Type": "application/json"}},
            {400},
        ),
        (
            "nested objects",
            "POST",
            "order",
            {"data": deep_object, "headers": {"Content-Type": "application/json"}},
            {400},
        ),
        (
            "wrong content type",
            "POST",
            "order",
            {
                "data": json.dumps(order_body(ean)),
                "headers": {"Content-Type": "text/xml"},
            },
            {400},
        ),
        ("form body", "POST", "order", {"data": {"ean": ean, "amount": "1"}}, {400}),
        (
            "invalid UTF-8",
            "POST",
            "order",
            {
                "data": b'{"ean": "\xff\xfe"}',
                "headers": {"Content-Type": "application/json"},
            },
            {400},
        ),
        (
            "NUL in JSON",
            "POST",
            "order",
            {
                "data": b'{"ean": "12\\u0000"}',
                "headers": {"Content-Type": "application/json"},
            },
            {400},
        ),
        (
            "raw NUL byte",
            "POST",
            "order",
            {
                "data": b'{"ean": "12\x00"}',
                "headers": {"Content-Type": "application/json"},
            },
            {400},
        ),
        (
            "page beyond 2^63",
            "GET",
            "orders",
            {"params": {"page": str(2**63 + 5)}},
            {400},
        ),
        (
            "page_size beyond 2^63",
            "GET",
            "orders",
            {"params": {"page_size": str(2**70)}},
            {400},
        ),
        (
            "huge order_id",
            "GET",
            "order_status",
            {"params": {"identifiedBy": "external", "order_id": "9" * 10000}},
            {400},
        ),
        (
            "webhook 10 kB URL",
            "PUT",
            "webhook",
            {"json": {"url": "https://" + "a" * 10000 + ".example/"}},
            {400},
        ),
        (
            "idempotency key with NUL",
            "POST",
            "order",
            {"json": order_body(ean), "headers": {"Idempotency-Key": "a\x00b"}},
            {400},
        ),
    ]
    for value in HOSTILE_STRINGS:
        for param in (
            "page",
            "page_size",
            "status",
            "sort",
            "created_from",
            "updated_since",
        ):
            cases.append(
                (
                    f"{param}={value[:12]!r}",
                    "GET",
                    "orders",
                    {"params": {param: value}},
                    {400},
                )
            )
        cases.append(
            (
                f"order_id={value[:12]!r}",
                "GET",
                "order_status",
                {"params": {"identifiedBy": "biomes", "order_id": value}},
                {400, 404},
            )
        )
        cases.append(
            (
                f"cancel {value[:12]!r}",
                "POST",
                "order/cancel",
                {"json": {"identifiedBy": "external", "order_id": value}},
                {400, 404},
            )
        )
        cases.append(
            (
                f"webhook {value[:12]!r}",
                "PUT",
                "webhook",
                {"json": {"url": value}},
                {400},
            )
        )
    return cases


def _send(server, key, method, route, kwargs):
    kwargs = dict(kwargs)
    if "json" in kwargs:
        # json.dumps keeps lone surrogates as \\ud800 escapes, as a client would send them
        kwargs["data"] = json.dumps(kwargs.pop("json"))
        kwargs.setdefault("headers", {})["Content-Type"] = "application/json"
    headers = kwargs.pop("headers", {})
    if "params" in kwargs:
        # encoded by hand: a lone surrogate becomes bytes that are not UTF-8
        query = "&".join(
            f"{name}={quote(value.encode('utf-8', 'surrogatepass'))}"
            for name, value in kwargs.pop("params").items()
        )
        route = f"{route}?{query}"
    # requests refuses to send a NUL in a header; send it raw through http.client
    if any("\x00" in value for value in headers.values()):
        host, port = server.url.split("//")[1].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.putrequest(method, f"/partner_order_api/{route}")
        conn.putheader("Authorization", f"Bearer {key}")
        for name, value in headers.items():
            conn._output(f"{name}: {value}".encode())  # noqa: SLF001
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(kwargs["data"])))
        conn.endheaders(kwargs["data"].encode())
        response = conn.getresponse()
        return (
            response.status,
            response.getheader("Content-Type"),
            response.read().decode(),
        )
    response = api(server, method, route, key, headers=headers, **kwargs)
    return response.status_code, response.headers.get("Content-Type"), response.text


def test_hostile_inputs_get_a_4xx_and_change_nothing(server, world):
    _partner_id, _user_id, key = world.partners[4]
    before = _counts(world)
    cases = _hostile_requests(world.ean)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda case: _send(server, key, case[1], case[2], case[3]), cases)
        )
    failures = []
    for (label, method, route, _kwargs, expected), (status, content_type, text) in zip(
        cases, results, strict=True
    ):
        try:
            _assert_contract_json(
                status, content_type, text, f"{label}: {method} {route}"
            )
            assert status in expected, (
                f"{label}: {method} {route} -> {status} {text[:200]}"
            )
        except (AssertionError, ValueError) as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures[:20])
    assert _counts(world) == before
    # (the fields of POST order: test_hostile_values_in_an_order_that_would_be_created)
    assert len(cases) > 60


ORDER_TEXT_FIELDS = (
    "external_order_id",
    "note",
    "delivery_address.name",
    "delivery_address.street",
    "delivery_address.street2",
    "delivery_address.zip",
    "delivery_address.city",
)
# where a value may be refused but never stored: a country is a code, an
# EAN a product the partner may order (an unknown one is 403)
ORDER_CODE_FIELDS = ("delivery_address.country_code", "lines[1].ean")
HEADERS = ("Idempotency-Key", "X-Request-Id")


def _hostile_order(ean, field, value, run, index):
    """(body, headers) of an order that would be created, ``value`` in
    ``field``."""
    body = order_body(ean, external_order_id=f"H-{run}-{index}")
    headers = {}
    if field in HEADERS:
        headers[field] = value
    elif field.startswith("delivery_address."):
        body["delivery_address"][field.split(".", 1)[1]] = value
    elif field == "lines[1].ean":
        del body["ean"], body["amount"]
        body["lines"] = [{"ean": ean, "amount": 1}, {"ean": value, "amount": 1}]
    else:
        body[field] = value
    return body, headers


def _post_raw(server, key, body, headers):
    """POST order with ``headers`` sent as the bytes a client may put on
    the wire (UTF-8, lone surrogates and NUL included: requests refuses
    those). The answer's (status, headers, text)."""
    data = json.dumps(body).encode()  # \\uXXXX escapes, as clients send them
    host, port = server.url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        conn.putrequest("POST", "/partner_order_api/order", skip_accept_encoding=True)
        conn.putheader("Authorization", f"Bearer {key}")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(data)))
        for name, value in headers.items():
            conn._output(  # noqa: SLF001 (putheader refuses these bytes)
                name.encode() + b": " + value.encode("utf-8", "surrogatepass")
            )
        conn.endheaders(data)
        response = conn.getresponse()
        return (
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            response.read().decode(),
        )
    finally:
        conn.close()


def _portal_session(server, login, password):
    session = requests.Session()
    url = f"{server.url}/web/session/authenticate"
    params = {"db": server.db, "login": login, "password": password}
    payload = {"jsonrpc": "2.0", "method": "call", "params": params}
    answer = session.post(url, json=payload, timeout=60).json()
    assert answer.get("result", {}).get("uid"), answer
    return session


def _without_markup(html):
    """The elements and attributes an HTML text holds (html.parser)."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


def _html_parts(html):
    """(start tags with their attributes, the text) of an HTML document,
    entities decoded, the text of scripts and styles left out of the text
    but kept with their tags."""
    tags = []
    text = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append([tag, dict(attrs), ""])

        def handle_data(self, data):
            if tags and tags[-1][0] in ("script", "style") and not tags[-1][2]:
                tags[-1][2] = data
            else:
                text.append(data)

    Collector(convert_charrefs=True).feed(html)
    return tags, "".join(text)


def _assert_shown_as_text(html, values, where):
    """``values`` appear in the text of ``html``, and no markup of HTML
    (the hostile value) was rendered: no attribute (an event handler)
    calling ``alert``, no image pointing at ``x``, no script running
    ``alert``."""
    tags, text = _html_parts(html)
    for value in values:
        assert value in text, f"{where}: {value!r} is not shown as text"
    injected = [
        (tag, attrs)
        for tag, attrs, content in tags
        if any("alert(1)" in (attr or "") for attr in attrs.values())
        or (tag == "img" and attrs.get("src") == "x")
        or (tag == "script" and "alert(1)" in content)
    ]
    assert not injected, f"{where}: markup of a client value was rendered: {injected}"


ADDRESS_FIELDS = ("name", "street", "street2", "zip", "city")
REQUEST_ID_RE = re.compile(r"[\x21-\x7e]{1,128}")


def test_hostile_values_in_an_order_that_would_be_created(server, world):
    """Each hostile value in each string field and header of a POST order
    that would otherwise be created (an allowed EAN, a valid address). It
    is refused whole (400 validation_error; 403 for an EAN that names no
    allowed product) and nothing is stored, or the order is created with
    the value stored and answered exactly as sent: data, never code. The
    SQL and HTML values are accepted in every free-text field (JSON strips
    leading and trailing blanks: these values have none). The partner's
    portal page of those orders and the salesperson's chatter note show the
    HTML as text, never as markup."""
    password = f"pw-{uuid.uuid4().hex}"
    partner_id, _user_id, login, key = world.new_partner("Hostile", password=password)
    run = uuid.uuid4().hex[:8]
    cases = [
        (field, value)
        for value in HOSTILE_STRINGS
        for field in (*ORDER_TEXT_FIELDS, *ORDER_CODE_FIELDS, *HEADERS)
    ]
    sent = [
        _hostile_order(world.ean, field, value, run, index)
        for index, (field, value) in enumerate(cases)
    ]
    before = _counts(world)
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda request: _post_raw(server, key, *request), sent))

    failures = []
    created = {}  # order name: (field, value, body, answer)
    for (field, value), (body, _headers), (status, headers, text) in zip(
        cases, sent, answers, strict=True
    ):
        label = f"{field}={value[:16]!r}"
        try:
            _assert_contract_json(status, headers.get("content-type"), text, label)
            answer = json.loads(text)
            if field == "X-Request-Id":
                # the client's id when it is sane, else one of the server's
                expected_id = (
                    value
                    if REQUEST_ID_RE.fullmatch(value)
                    else re.fullmatch("[0-9a-f]{32}", headers["x-request-id"])
                    and headers["x-request-id"]
                )
                assert headers["x-request-id"] == expected_id, (
                    f"{label}: X-Request-Id {headers['x-request-id'][:40]!r}"
                )
            if status == 201:
                created[answer["biomes_order_id"]] = (field, value, body, answer)
                continue
            expected = {(400, "validation_error")}
            if field == "lines[1].ean":
                expected.add((403, "product_not_allowed"))
            assert (status, answer["error"]["code"]) in expected, (
                f"{label}: {status} {text[:200]}"
            )
            assert field not in ORDER_TEXT_FIELDS or value not in (SQL, HTML), (
                f"{label}: plain text refused: {text[:200]}"
            )
        except (AssertionError, ValueError, KeyError) as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures[:20])
    fields_created = Counter(field for field, *_rest in created.values())
    assert fields_created == {
        **{field: 2 for field in ORDER_TEXT_FIELDS},  # SQL and HTML
        "Idempotency-Key": 2,  # SQL and HTML: printable ASCII
        "X-Request-Id": len(HOSTILE_STRINGS),  # never a reason to refuse
    }, fields_created

    # nothing of the refused requests was stored
    after = _counts(world)
    for table in ("sale_order", "sale_order_line"):
        assert after[table] - before[table] == len(created), table
    assert after["res_partner"] - before["res_partner"] <= len(created)
    idempotency = "partner_order_api_idempotency"
    assert after[idempotency] - before[idempotency] == 2
    webhooks = "partner_order_api_webhook_event"
    assert after[webhooks] == before[webhooks]

    # what was created is what was sent, stored and answered verbatim
    html_orders = {}
    with world.registry.cursor() as cr:
        env = world.env(cr)
        orders = env["sale.order"].search([("name", "in", list(created))])
        assert len(orders) == len(created)
        for order in orders:
            field, value, body, answer = created[order.name]
            where = f"{order.name} ({field}={value[:16]!r})"
            address = {
                name: body["delivery_address"].get(name) for name in ADDRESS_FIELDS
            }
            shipping = order.partner_shipping_id
            stored = {
                "external_order_id": order.order_api_external_id,
                "client_order_ref": order.client_order_ref,
                "note": order.order_api_note or None,
                "delivery_address": {
                    name: shipping[name] or None for name in ADDRESS_FIELDS
                },
                "country_code": shipping.country_id.code,
                "eans": order.order_line.product_id.mapped("barcode"),
            }
            assert stored == {
                "external_order_id": body["external_order_id"],
                "client_order_ref": body["external_order_id"],
                "note": body.get("note"),
                "delivery_address": address,
                "country_code": "DE",
                "eans": [world.ean],
            }, where
            assert answer["external_order_id"] == body["external_order_id"], where
            assert answer["note"] == body.get("note"), where
            assert answer["delivery_address"] == dict(address, country_code="DE"), where
            if field == "note":
                # the salesperson's copy in the chatter: text, not markup
                notes = order.message_ids.filtered(
                    lambda m: "Note from the partner" in (m.body or "")
                )
                assert len(notes) == 1, where
                _assert_shown_as_text(str(notes.body), [value], f"chatter of {where}")
            if field == "Idempotency-Key":
                row = env["partner.order.api.idempotency"].search(
                    [("partner_id", "=", partner_id), ("key", "=", value)]
                )
                assert len(row) == 1, where
                assert json.loads(row.response_body)["biomes_order_id"] == order.name
            if value == HTML and field in ORDER_TEXT_FIELDS and field != "note":
                html_orders[order.id] = (field, order.name)

    # a repeat with a hostile Idempotency-Key replays the first answer
    for (field, value), request in zip(cases, sent, strict=True):
        if field == "Idempotency-Key" and value in (SQL, HTML):
            status, headers, text = _post_raw(server, key, *request)
            first = next(
                name
                for name, (f, v, *_rest) in created.items()
                if (f, v) == (field, value)
            )
            assert (status, headers.get("idempotent-replayed")) == (201, "true"), text
            assert json.loads(text)["biomes_order_id"] == first

    # looked up by a hostile external id, the order comes back as stored
    for name, (field, value, *_rest) in created.items():
        if field == "external_order_id":
            status = api(
                server,
                "GET",
                "order_status",
                key,
                params={"identifiedBy": "external", "order_id": value},
            )
            assert status.status_code == 200, status.text
            assert status.json()["biomes_order_id"] == name
            assert status.json()["external_order_id"] == value

    # the partner's portal shows the HTML as text (the order's reference
    # and its delivery address)
    assert len(html_orders) == len(ORDER_TEXT_FIELDS) - 1
    session = _portal_session(server, login, password)
    for order_id, (field, name) in html_orders.items():
        page = session.get(f"{server.url}/my/orders/{order_id}", timeout=60)
        assert page.status_code == 200, (field, page.status_code)
        assert name in page.text, f"{field}: not the order's page"
        _assert_shown_as_text(page.text, [HTML], f"portal page of {name} ({field})")
