# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""No partner can slow down, freeze or lock out another (issue 22): on an
``odoo-bin --workers=2`` server, partner A storms (PDFs, webhook tests to a
trickling receiver, batches of 100 orders, deep pages, bad keys from B's
address) while partner B polls its orders; the storm itself is
scripts/storm.py, which the bench's storm row runs too."""

import sys
import time
from pathlib import Path

import pytest
from conftest import Server, _require_env, api, order_body

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import storm  # noqa: E402  (scripts/, on sys.path through conftest)
from webhook_receiver import RawReceiver  # noqa: E402

WORKERS = 2
STORM_SECONDS = 25
# a gross bound that only starvation breaks: B's requests answer in tens of
# milliseconds; a frozen server made them wait 118-150 s
B_BOUND = 10
# B sends one request every 0.3 s besides its wait: some 50 in 25 s when
# served in tens of milliseconds, a handful when starved
MIN_B_REQUESTS = 10
# A's own budget, far above what it sends in a storm's seconds but for the
# batches: the budget is not what must shield B, the concurrency cap and the
# render slots are
A_RATE_LIMIT = 6000
# the fair-use settings at their defaults while A storms (the session's
# world turns some off for the other tests): a partner's requests in flight
# (half the workers), PDF renders at once, failed authentications per
# address (A's bad keys spend them from B's address)
DEFAULTS = (
    "partner_order_api.max_concurrent_requests",
    "partner_order_api.pdf_render_slots",
    "partner_order_api.auth_failure_limit_per_minute",
)
ORDERS_EACH = 3


def set_params(world, values):
    """Set the system parameters ``values`` (False: removed, its default
    applies); their values before, to set back."""
    with world.registry.cursor() as cr:
        params = world.env(cr)["ir.config_parameter"]
        before = {name: params.get_param(name) or False for name in values}
        for name, value in values.items():
            params.set_param(name, value)
        cr.commit()
        return before


def storm_params(world, report_url):
    """The defaults of ``DEFAULTS``, and wkhtmltopdf fetching the reports'
    assets from ``report_url`` (as in production: where else it fetches them
    is not the server under test); the values before."""
    values = dict.fromkeys(DEFAULTS, False)
    return set_params(world, dict(values, **{"report.url": report_url}))


def _consumable(world):
    """A product that is never reserved (not storable): A's batches leave
    the reservation cron no backlog that later tests would queue behind.
    ``(id, EAN)``."""
    stamp = time.time_ns() // 1000
    with world.registry.cursor() as cr:
        product = world.env(cr)["product.product"].create(
            {
                "name": "Storm Consumable",
                "barcode": f"98{stamp % 10**11:011d}",
                "list_price": 1.0,
                "type": "consu",
                "is_storable": False,
            }
        )
        cr.commit()
        return product.id, product.barcode


@pytest.fixture(scope="module")
def storm_server(world):
    """Its own ``--workers=2`` server, with the fair-use settings at their
    defaults while it runs (``storm_params``)."""
    conf, db, src = _require_env()
    srv = Server(conf, db, src, workers=WORKERS)
    before = storm_params(world, srv.url)
    try:
        yield srv.start()
    finally:
        srv.stop()
        set_params(world, before)


def _partner_with_orders(world, server, name, rate_limit=0):
    """A new partner that may order only a consumable, with a few orders,
    as a ``storm.Partner`` of ``server``: ``(partner id, partner)``."""
    product_id, ean = _consumable(world)
    partner_id, _user_id, _login, key = world.new_partner(
        name, product_ids=[product_id]
    )
    if rate_limit:
        with world.registry.cursor() as cr:
            partner = world.env(cr)["res.partner"].browse(partner_id)
            partner.order_api_rate_limit_per_minute = rate_limit
            cr.commit()
    orders = []
    for _index in range(ORDERS_EACH):
        created = api(server, "POST", "order", key, json=order_body(ean))
        assert created.status_code == 201, created.text[:300]
        orders.append(created.json()["biomes_order_id"])
    return partner_id, storm.Partner([server.url], key, orders, ean)


def test_a_storming_partner_never_starves_another(storm_server, world, capsys):
    """B's every request answers 200 within a gross bound while A storms;
    A is answered the contract's JSON (a PDF, 200/201, 401 to a bad key, or
    429/503 with Retry-After), never a 5xx, HTML or a dropped connection;
    the server logs no worker timeout and no error. Prints B's p50/p95 quiet
    beside under the storm."""
    _a_id, a = _partner_with_orders(
        world, storm_server, "Storm A", rate_limit=A_RATE_LIMIT
    )
    _b_id, b = _partner_with_orders(world, storm_server, "Storm B")
    # headers, then one byte a second: 30 s, three times the webhook deadline
    with RawReceiver("trickle", interval=1, length=30) as trickle:
        put = api(storm_server, "PUT", "webhook", a.key, json={"url": trickle.url})
        assert put.status_code == 200, put.text[:300]
        quiet = storm.quiet(b, count=20)
        b_answers, a_answers = storm.run(a, b, seconds=STORM_SECONDS)
    with capsys.disabled():  # the figures in the run's output, passed or failed
        print(f"\nnoisy neighbour, --workers={WORKERS}, {STORM_SECONDS} s storm:")
        print(storm.report(quiet, b_answers, a_answers))

    failures = storm.failures(quiet, b_answers, a_answers, B_BOUND, MIN_B_REQUESTS)
    log = storm_server.log_lines(" WARNING ", " ERROR ", " CRITICAL ", "Traceback")
    failures += [f"server log: {line[:300]}" for line in log[:10]]
    assert not failures, "\n".join(failures)
