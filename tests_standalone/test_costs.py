# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a request costs (``lib/costs.py``), and the README's table of it."""

import json
import re

import pytest
from conftest import REPO, load_lib


@pytest.fixture(scope="session")
def costs():
    return load_lib("costs")


def _lines(count):
    return [{"ean": str(index), "amount": 1} for index in range(count)]


def _order(lines):
    return json.dumps({"lines": _lines(lines)}).encode()


def _batch(orders, lines):
    return json.dumps({"orders": [{"lines": _lines(lines)}] * orders}).encode()


@pytest.mark.parametrize(
    ("operation", "args", "body", "cost"),
    [
        ("listAvailableProducts", {}, b"", 1),
        ("getOrderStatus", {"identifiedBy": "biomes"}, b"", 1),
        ("listOrders", {}, b"", 1),  # page_size 20 by default
        ("listOrders", {"page_size": "50"}, b"", 1),
        ("listOrders", {"page_size": "51"}, b"", 2),
        ("listOrders", {"page_size": "100"}, b"", 2),
        ("listOrders", {"page_size": "100000"}, b"", 2),  # refused: at most 100
        ("listOrders", {"page_size": "x"}, b"", 1),
        ("createOrder", {}, b"{}", 1),
        ("createOrder", {}, _order(1), 1),
        ("createOrder", {}, _order(10), 1),
        ("createOrder", {}, _order(11), 2),
        ("createOrder", {}, _order(100), 10),
        ("createOrder", {}, _order(1000), 10),  # refused: at most 100
        ("createOrder", {}, b'{"ean": "1", "amount": 1}', 1),
        ("quoteOrder", {}, b"{}", 1),
        ("quoteOrder", {}, _order(100), 10),
        ("createOrdersBatch", {}, json.dumps({"orders": [{}] * 3}).encode(), 3),
        ("createOrdersBatch", {}, json.dumps({"orders": [{}] * 100}).encode(), 100),
        ("createOrdersBatch", {}, json.dumps({"orders": [{}] * 500}).encode(), 100),
        ("createOrdersBatch", {}, _batch(100, 100), 1000),
        ("createOrdersBatch", {}, _batch(2, 25), 6),
        ("createOrdersBatch", {}, json.dumps({"orders": []}).encode(), 1),
        ("createOrdersBatch", {}, b'{"orders": "x"}', 1),
        ("createOrdersBatch", {}, b"[1, 2]", 1),
        ("createOrdersBatch", {}, b"\xff", 1),
        ("createOrdersBatch", {}, b"[" * 100000, 1),
        ("getOrderDocument", {"type": "order"}, b"", 5),
        ("getOrderDocument", {"type": "invoice_xml", "format": "facturx"}, b"", 2),
        ("testWebhook", {}, b"", 5),
        (None, {}, b"", 1),
    ],
)
def test_request_cost(costs, operation, args, body, cost):
    assert costs.request_cost(operation, args, body) == cost


def test_the_readme_gives_the_cost_table(costs):
    """README.rst and readme/USAGE.md carry lib/costs.py's table, row by row."""
    usage = (REPO / "readme" / "USAGE.md").read_text()
    readme = (REPO / "README.rst").read_text()
    for what, tokens in costs.COST_TABLE:
        assert f"| {what} | {tokens} |" in usage, what
        rst_what = re.sub(r"`([^`]+)`", r"``\1``", what)
        rst_tokens = re.sub(r"`([^`]+)`", r"``\1``", tokens)
        assert f"     * - {rst_what}\n       - {rst_tokens}\n" in readme, what
