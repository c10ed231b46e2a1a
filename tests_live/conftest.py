# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tests against a real Odoo server in multi-process mode (--workers).

The HttpCase suite (tests/) runs every request inside one test transaction,
so it cannot show what happens when requests really run at the same time in
several processes. These tests prepare data in a database with the addon
installed (committed, through Odoo's registry in this process), start
``odoo-bin --workers=N`` on it, and talk to it over HTTP from many threads.

Run by scripts/test.sh after the Odoo suite, on its freshly created test
database; needs the environment variables POA_LIVE_CONF (an odoo.conf naming
the addons path), POA_LIVE_DB and ODOO_SRC.
"""

import datetime
import os
import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from odoo_server import OdooServer  # noqa: E402

WORKERS = 3


def _require_env():
    missing = [
        name
        for name in ("POA_LIVE_CONF", "POA_LIVE_DB", "ODOO_SRC")
        if not os.environ.get(name)
    ]
    if missing:
        pytest.fail(
            f"tests_live/ needs {', '.join(missing)} (scripts/test.sh sets them)",
            pytrace=False,
        )
    return (
        os.environ["POA_LIVE_CONF"],
        os.environ["POA_LIVE_DB"],
        os.environ["ODOO_SRC"],
    )


def pytest_collection_modifyitems(items):
    """``test_no_server_error_logged`` reads the shared server's whole log:
    it runs after every other test."""
    last = [item for item in items if item.name == "test_no_server_error_logged"]
    items[:] = [item for item in items if item not in last] + last


@pytest.fixture(scope="session")
def odoo_env():
    """(odoo module, registry) of the test database, in this process."""
    conf, db, src = _require_env()
    if src not in sys.path:
        sys.path.insert(0, src)
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", conf, "-d", db])
    return odoo, Registry(db)


class World:
    """Committed test data: partners enabled for the API, their keys, products."""

    def __init__(self, odoo, registry):
        self.odoo = odoo
        self.registry = registry
        self.partners = []  # [(partner_id, user_id, key)]
        with registry.cursor() as cr:
            env = odoo.api.Environment(
                cr, odoo.SUPERUSER_ID, {"tracking_disable": True}
            )
            params = env["ir.config_parameter"]
            params.set_param("partner_order_api.webhook_allow_http", "True")
            params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
            # the fuzzer sends far more than a partner's budget; the rate
            # limit test gives its partner its own
            params.set_param("partner_order_api.rate_limit_per_minute", "0")
            # the race tests send one partner's requests by the dozen at once;
            # the bound on requests in flight has its own tests (tests/, the
            # noisy neighbour)
            params.set_param("partner_order_api.max_concurrent_requests", "0")
            # the revocation tests send refused keys from one address by the
            # dozen; the failed-authentication limit has its own tests
            params.set_param("partner_order_api.auth_failure_limit_per_minute", "0")
            stamp = time.time_ns() // 1000
            stock = (
                env["stock.warehouse"]
                .search([("company_id", "=", env.company.id)], limit=1)
                .lot_stock_id
            )
            self.product = env["product.product"].create(
                {
                    "name": "Live Test Product",
                    "barcode": f"99{stamp % 10**11:011d}",
                    "list_price": 10.0,
                    "type": "consu",
                    "is_storable": True,
                }
            )
            env["stock.quant"]._update_available_quantity(self.product, stock, 100000)
            self.ean = self.product.barcode
            cr.commit()
        for index in range(5):
            partner_id, user_id, _login, key = self.new_partner(
                f"Live Partner {index}",
                login=f"live-{index}-{stamp}",
                buyer=f"Live Buyer {index}",
            )
            self.partners.append((partner_id, user_id, key))

    def new_partner(
        self, name, login=None, buyer=None, password=None, product_ids=None
    ):
        """A committed company enabled for the API that may order the
        product (or ``product_ids``), its portal user (with ``password``, for
        the portal) and an API key: ``(partner id, user id, login, key)``."""
        stamp = time.time_ns() // 1000
        login = login or f"{name.lower().replace(' ', '-')}-{stamp}"
        with self.registry.cursor() as cr:
            env = self.env(cr)
            company = env["res.partner"].create(
                {
                    "name": f"{name} {stamp}",
                    "is_company": True,
                    "order_api_enabled": True,
                    "order_api_product_ids": [(6, 0, product_ids or self.product.ids)],
                }
            )
            contact = env["res.partner"].create(
                {"name": buyer or f"{name} buyer", "parent_id": company.id}
            )
            user = (
                env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    {
                        "name": contact.name,
                        "login": login,
                        "partner_id": contact.id,
                        "groups_id": [(6, 0, env.ref("base.group_portal").ids)],
                        **({"password": password} if password else {}),
                    }
                )
            )
            key = (
                env["res.users.apikeys"]
                .with_user(user)
                .sudo()
                ._generate(
                    "partner_order_api",
                    "live",
                    datetime.datetime.now() + datetime.timedelta(days=1),
                )
            )
            cr.commit()
            return company.id, user.id, login, key

    def env(self, cr):
        return self.odoo.api.Environment(
            cr, self.odoo.SUPERUSER_ID, {"tracking_disable": True}
        )


@pytest.fixture(scope="session")
def world(odoo_env):
    odoo, registry = odoo_env
    return World(odoo, registry)


class Server(OdooServer):
    def __init__(self, conf, db, src, workers=WORKERS, extra=()):
        log_dir = Path(os.environ.get("POA_LIVE_LOG_DIR", "/tmp"))
        super().__init__(
            src,
            conf,
            db,
            log_dir / f"poa-live-{db}-{time.time_ns()}.log",
            workers=workers,
            args=("--log-level=info", *extra),
            # 50 client threads on a 2-core machine can take more than Odoo's
            # default 2 s to send a request line; production puts a buffering
            # reverse proxy in front, the test gives the sockets more time.
            env={"ODOO_HTTP_SOCKET_TIMEOUT": "15"},
        )

    def start(self, timeout=90):
        return super().start(timeout)

    def log_problems(self):
        """WARNING/ERROR/CRITICAL lines the server logged."""
        return self.log_lines(" WARNING ", " ERROR ", " CRITICAL ")


@pytest.fixture(scope="session")
def server(world):
    conf, db, src = _require_env()
    srv = Server(conf, db, src).start()
    yield srv
    srv.stop()


def api(server, method, route, key=None, **kwargs):
    headers = dict(kwargs.pop("headers", {}) or {})
    if key:
        headers["Authorization"] = f"Bearer {key}"
    url = f"{server.url}/partner_order_api/{route}"
    return requests.request(method, url, headers=headers, timeout=120, **kwargs)


def order_body(ean, external_order_id=None, name="Live Receiver"):
    body = {
        "ean": ean,
        "amount": 1,
        "delivery_address": {
            "name": name,
            "street": "Concurrency Street 1",
            "zip": "10115",
            "city": "Berlin",
            "country_code": "DE",
        },
    }
    if external_order_id:
        body["external_order_id"] = external_order_id
    return body
