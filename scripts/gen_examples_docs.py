# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What ``scripts/gen_examples.py`` writes, from the recorded examples: the
error table (``ERROR_GUIDE``: what a client does, per error code of
``lib/errors.py``), docs/EXAMPLES.md, and the sections of README.rst and
readme/USAGE.md between their ``examples:`` markers.

Pure Python, no server nor Odoo: ``tests_standalone/test_examples_doc.py``
checks the error table through ``scripts/gen_examples.py``, which
re-exports it.
"""

import importlib.util
import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _code_samples():
    """lib/code_samples.py (pure Python, standard library only)."""
    path = REPO / "lib" / "code_samples.py"
    spec = importlib.util.spec_from_file_location("poa_code_samples", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


code_samples = _code_samples()


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
    "not_changeable": (
        "`POST order/change`: what would change is already shipped, picked or "
        "invoiced, or the order is cancelled, locked or not placed through the "
        "API; `message` names the blocking documents. Nothing was changed.",
        "Do not retry as is: change only what is still open, or contact the seller.",
    ),
    "not_returnable": (
        "`POST order/return`: more than was delivered and not yet returned, a "
        "lot that did not leave on this order or came back already, an EAN not "
        "delivered on it; `message` names it. Nothing was created.",
        "Do not retry as is: check the order's `deliveries`, `sent_lots` and "
        "`returns`, and fix the request.",
    ),
    "webhook_not_set": (
        "`POST webhook/test`: the partner has no webhook URL.",
        "Set one with `PUT webhook` (or in the portal), then test again.",
    ),
    "webhook_endpoint_limit": (
        "`POST webhook/endpoints`: the partner has 5 endpoints already.",
        "Delete one (`DELETE webhook/endpoints/{endpoint_id}`), or change an "
        "existing one with `PUT`.",
    ),
    "webhook_url_rejected": (
        "`PUT webhook`, `POST webhook/test`: the URL is well formed, but the "
        "server will not call it: plain http where only https is allowed, a "
        "host that does not resolve, or one on a private address.",
        "Do not retry as is: use a public https URL whose host resolves, or ask "
        "the seller's administrator to allow the host.",
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
            f"scripts/gen_examples_docs.py ERROR_GUIDE: add {missing}, remove {gone} "
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
        "Each example starts with its curl command, which sends the same request",
        "when pasted into a shell once the server and your keys are set:",
        "",
        "```sh",
        "export POA_URL=https://odoo.example          # your seller's Odoo",
        "export POA_KEY=...                           # your API key",
        "export POA_READONLY_KEY=...                  # a read-only key (the examples that use one)",
        "```",
        "",
        "The docs page (`/partner_order_api/docs`) shows the same request in",
        "Python and JavaScript beside each operation.",
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
                "```sh",
                code_samples.curl(req),
                "```",
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
