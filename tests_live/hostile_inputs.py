# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the fuzzing and hostile-input live tests share
(``test_fuzz_and_hostile*.py``): the hostile strings, the check that an
answer is the contract's JSON, and the row counts of the tables a request
could write to."""

import json

TABLES = (
    "sale_order",
    "sale_order_line",
    "res_partner",
    "stock_picking",
    "partner_order_api_idempotency",
    "partner_order_api_webhook_event",
)


def _assert_contract_json(status, content_type, text, where):
    assert status < 500, f"{where}: {status} {text[:300]}"
    if status == 200 and "/partner_order_api/order/document?" in where:
        # the one answer that is not JSON: a document's PDF (or e-invoice)
        assert content_type in ("application/pdf", "application/xml"), (
            f"{where}: {content_type}"
        )
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
