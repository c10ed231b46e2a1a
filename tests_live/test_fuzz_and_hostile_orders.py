# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Hostile values in each string field and header of a POST order that
would otherwise be created, against the real multi-process server: refused
whole, or stored and answered exactly as sent, and shown as text (never as
markup) in the portal and the chatter."""

import http.client
import json
import re
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import requests
from conftest import api, order_body
from hostile_inputs import HOSTILE_STRINGS, HTML, SQL, _assert_contract_json, _counts

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
    created = _created_or_refused_whole(cases, sent, answers)
    _assert_refused_stored_nothing(world, before, created)
    html_orders = _assert_stored_and_answered_verbatim(world, partner_id, created)
    _assert_hostile_idempotency_keys_replay(server, key, cases, sent, created)
    _assert_found_by_hostile_external_id(server, key, created)
    _assert_the_portal_shows_html_as_text(server, login, password, html_orders)


def _created_or_refused_whole(cases, sent, answers):
    """Each answer: the contract's JSON, the client's X-Request-Id when it
    is sane, and either 201 or a refusal (400 validation_error; 403 for an
    EAN), never of SQL or HTML in a free-text field. Orders were created
    for the SQL and HTML values of every free-text field and the
    Idempotency-Key, and for every X-Request-Id. ``{order name: (field,
    value, body, answer)}`` of the created."""
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
    return created


def _assert_refused_stored_nothing(world, before, created):
    """Nothing of the refused requests was stored."""
    after = _counts(world)
    for table in ("sale_order", "sale_order_line"):
        assert after[table] - before[table] == len(created), table
    assert after["res_partner"] - before["res_partner"] <= len(created)
    idempotency = "partner_order_api_idempotency"
    assert after[idempotency] - before[idempotency] == 2
    webhooks = "partner_order_api_webhook_event"
    assert after[webhooks] == before[webhooks]


def _assert_stored_and_answered_verbatim(world, partner_id, created):
    """What was created is what was sent, stored and answered verbatim; the
    salesperson's chatter note shows a hostile note as text; a hostile
    Idempotency-Key is kept with its answer. ``{order id: (field, order
    name)}`` of the orders with the HTML in a free-text field but the note
    (the portal shows those)."""
    html_orders = {}
    with world.registry.cursor() as cr:
        env = world.env(cr)
        orders = env["sale.order"].search([("name", "in", list(created))])
        assert len(orders) == len(created)
        for order in orders:
            field, value, body, answer = created[order.name]
            where = f"{order.name} ({field}={value[:16]!r})"
            _assert_order_as_sent(order, body, answer, world.ean, where)
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
    return html_orders


def _assert_order_as_sent(order, body, answer, ean, where):
    """``order`` (and its answer) holds what ``body`` sent."""
    address = {name: body["delivery_address"].get(name) for name in ADDRESS_FIELDS}
    shipping = order.partner_shipping_id
    stored = {
        "external_order_id": order.order_api_external_id,
        "client_order_ref": order.client_order_ref,
        "note": order.order_api_note or None,
        "delivery_address": {name: shipping[name] or None for name in ADDRESS_FIELDS},
        "country_code": shipping.country_id.code,
        "eans": order.order_line.product_id.mapped("barcode"),
    }
    assert stored == {
        "external_order_id": body["external_order_id"],
        "client_order_ref": body["external_order_id"],
        "note": body.get("note"),
        "delivery_address": address,
        "country_code": "DE",
        "eans": [ean],
    }, where
    assert answer["external_order_id"] == body["external_order_id"], where
    assert answer["note"] == body.get("note"), where
    # (the fields an address gained in issue 27: none sent)
    new_fields = dict.fromkeys(("state_code", "phone", "email", "company_name"))
    assert answer["delivery_address"] == dict(
        address, country_code="DE", **new_fields
    ), where


def _assert_hostile_idempotency_keys_replay(server, key, cases, sent, created):
    """A repeat with a hostile Idempotency-Key replays the first answer."""
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


def _assert_found_by_hostile_external_id(server, key, created):
    """Looked up by a hostile external id, the order comes back as stored."""
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


def _assert_the_portal_shows_html_as_text(server, login, password, html_orders):
    """The partner's portal shows the HTML as text (the order's reference
    and its delivery address)."""
    assert len(html_orders) == len(ORDER_TEXT_FIELDS) - 1
    session = _portal_session(server, login, password)
    for order_id, (field, name) in html_orders.items():
        page = session.get(f"{server.url}/my/orders/{order_id}", timeout=60)
        assert page.status_code == 200, (field, page.status_code)
        assert name in page.text, f"{field}: not the order's page"
        _assert_shown_as_text(page.text, [HTML], f"portal page of {name} ({field})")
