# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Python client generated from the served OpenAPI document (by
openapi-python-client, in scripts/test.sh's client stage) drives the real
server: list products, create a three-line order with an Idempotency-Key
(and replay it), read its status, cancel it. Typed models in, typed models
out: a document that generators cannot use breaks this test.

Needs POA_PY_CLIENT: the generated package's directory (scripts/test.sh sets
it; ``poa_check_clients`` in scripts/lib.sh makes one by hand).
"""

import importlib
import os
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from live_helpers import _wait_for_reservations


@pytest.fixture(scope="module")
def client_package():
    path = os.environ.get("POA_PY_CLIENT")
    if not path or not (Path(path) / "__init__.py").is_file():
        pytest.fail(
            "POA_PY_CLIENT must name the Python client generated from "
            "static/openapi.json (scripts/test.sh generates it)",
            pytrace=False,
        )
    package = Path(path)
    sys.path.insert(0, str(package.parent))
    return package.name


def _import(package, name):
    return importlib.import_module(f"{package}.{name}")


@pytest.fixture(scope="module")
def shop(world):
    """A partner of its own, with a key and three allowed products in stock."""
    stamp = time.time_ns() // 1000
    with world.registry.cursor() as cr:
        env = world.env(cr)
        stock = (
            env["stock.warehouse"]
            .search([("company_id", "=", env.company.id)], limit=1)
            .lot_stock_id
        )
        products = env["product.product"]
        for index in range(3):
            product = products.create(
                {
                    "name": f"Generated Client Product {index}",
                    "barcode": f"77{(stamp + index) % 10**11:011d}",
                    "list_price": 10.0 + index,
                    "type": "consu",
                    "is_storable": True,
                }
            )
            env["stock.quant"]._update_available_quantity(product, stock, 100)
            products |= product
        cr.commit()
        barcodes = products.mapped("barcode")
        product_ids = products.ids
    _partner_id, _user_id, _login, key = world.new_partner(
        "Generated Client Partner", product_ids=product_ids
    )
    return key, barcodes


def _client_api(package):
    """The generated package's modules this test calls, by short name."""
    return SimpleNamespace(
        client=_import(package, "client"),
        models=_import(package, "models"),
        products=_import(package, "api.products.list_available_products"),
        create_order=_import(package, "api.orders.create_order"),
        get_order_status=_import(package, "api.orders.get_order_status"),
        cancel_order=_import(package, "api.orders.cancel_order"),
    )


def _order_request(models, eans):
    """A three-line order of ``eans`` (2, 1 and 5 of them), as typed models."""
    return models.OrderLinesRequest(
        lines=[
            models.OrderLineInput(ean=ean, amount=amount)
            for ean, amount in zip(eans, (2, 1, 5), strict=True)
        ],
        delivery_address=models.DeliveryAddressInput(
            name="Generated Client",
            street="Typed Street 3",
            zip_="10115",
            city="Berlin",
            country_code=models.DeliveryAddressInputCountryCode.DE,
        ),
        external_order_id=f"GEN-{uuid.uuid4().hex[:12]}",
        note="Three lines, sent by the generated client.",
    )


def _create_and_replay(gen, client, body, eans):
    """POST order with an Idempotency-Key, then again: the order created,
    and replayed."""
    models = gen.models
    idempotency_key = str(uuid.uuid4())
    created = gen.create_order.sync_detailed(
        client=client, body=body, idempotency_key=idempotency_key
    )
    assert created.status_code == 201, created.content
    order = created.parsed
    assert isinstance(order, models.OrderResponse)
    assert order.status == models.OrderStatus.CONFIRMED
    assert [(line.ean, line.quantity) for line in order.lines] == [
        (eans[0], 2.0),
        (eans[1], 1.0),
        (eans[2], 5.0),
    ]
    assert order.external_order_id == body.external_order_id

    replayed = gen.create_order.sync_detailed(
        client=client, body=body, idempotency_key=idempotency_key
    )
    assert replayed.status_code == 201
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.parsed.biomes_order_id == order.biomes_order_id
    return order


def _assert_status_reads(gen, client, body, order):
    """order_status by external id answers the order; an unknown id, the
    typed error."""
    models = gen.models
    status = gen.get_order_status.sync(
        client=client,
        identified_by=models.GetOrderStatusIdentifiedBy.EXTERNAL,
        order_id=body.external_order_id,
    )
    assert isinstance(status, models.OrderResponse)
    assert status.biomes_order_id == order.biomes_order_id
    assert status.note == body.note

    missing = gen.get_order_status.sync(
        client=client,
        identified_by=models.GetOrderStatusIdentifiedBy.BIOMES,
        order_id="no-such-order",
    )
    assert isinstance(missing, models.Error)
    assert missing.error.code == models.ErrorCode.NOT_FOUND


def _cancel(gen, client, world, order):
    """Cancel ``order`` once the server's reservation cron reserved it: a
    cancel racing the cron over the same stock moves makes one of them fail
    and retry, and Odoo logs the failed statement as an ERROR (which fails
    the run)."""
    models = gen.models
    _wait_for_reservations(world)
    cancelled = gen.cancel_order.sync(
        client=client,
        body=models.OrderCancelRequest(
            identified_by=models.OrderCancelRequestIdentifiedBy.BIOMES,
            order_id=order.biomes_order_id,
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    assert isinstance(cancelled, models.OrderResponse), cancelled
    assert cancelled.status == models.OrderStatus.CANCELLED


def test_generated_client_orders_reads_and_cancels(server, world, shop, client_package):
    key, eans = shop
    gen = _client_api(client_package)
    client = gen.client.AuthenticatedClient(
        base_url=server.url, token=key, timeout=60.0
    )

    listed = gen.products.sync(client=client)
    assert isinstance(listed, gen.models.ProductList), listed
    assert sorted(product.ean for product in listed.products) == sorted(eans)

    body = _order_request(gen.models, eans)
    order = _create_and_replay(gen, client, body, eans)
    _assert_status_reads(gen, client, body, order)
    _cancel(gen, client, world, order)

    with world.registry.cursor() as cr:
        record = world.env(cr)["sale.order"].search(
            [("name", "=", order.biomes_order_id)]
        )
        assert record.state == "cancel"
        assert len(record.order_line) == 3
        assert record.order_api_external_id == body.external_order_id
