# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import contextlib
import datetime
import importlib.util
import json
from pathlib import Path

from odoo import SUPERUSER_ID, Command, api
from odoo.sql_db import db_connect
from odoo.tests import Form, HttpCase

API = "/partner_order_api"
SCOPE = "partner_order_api"
# what a file answer of order/document starts with, by media type
FILE_STARTS = {"application/pdf": b"%PDF-", "application/xml": b"<?xml"}


def _load_openapi_check():
    path = Path(__file__).with_name("openapi_check.py")
    spec = importlib.util.spec_from_file_location("poa_openapi_check", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


openapi_check = _load_openapi_check()


def committed_row(dbname, query):
    """The first row of ``query`` read on a connection of its own: what
    is committed, not the test's own transaction."""
    with db_connect(dbname).cursor() as cr:
        cr.execute(query)
        return cr.fetchone()


@contextlib.contextmanager
def other_transactions(dbname, count=2):
    """``count`` superuser environments, each in a transaction on a
    connection of its own (other requests or crons running beside the
    test: they see committed data only), rolled back at the end."""
    with contextlib.ExitStack() as stack:
        cursors = [
            stack.enter_context(db_connect(dbname).cursor()) for _ in range(count)
        ]
        try:
            yield [api.Environment(cr, SUPERUSER_ID, {}) for cr in cursors]
        finally:
            for cr in cursors:
                cr.rollback()


class PartnerOrderApiCase(HttpCase):
    """Two enabled partners and a disabled one, each with a portal user and an
    API key; allowed and forbidden products; lot-tracked test kits in stock.

    ``self.api()`` talks to the real server over HTTP and checks every answer
    against the module's OpenAPI document."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # rate limiting has its own tests (its buckets live outside the test
        # transaction)
        cls.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.rate_limit_per_minute", "0"
        )
        cls.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.auth_failure_limit_per_minute", "0"
        )
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls._create_products()
        cls._create_kit_lots_in_stock()
        cls._create_pricelist()
        cls._create_api_partners()

    @classmethod
    def _create_products(cls):
        """Products an API partner may order (a storable sensor, a refill,
        lot-tracked kits) and those it may not (forbidden, without EAN,
        archived, not saleable)."""
        Product = cls.env["product.product"]
        cls.product_a = Product.create(
            {
                "name": "API Sensor",
                "default_code": "API-A",
                "barcode": "4006381333931",
                "list_price": 100.0,
                "type": "consu",
                "is_storable": True,
                "taxes_id": [Command.clear()],
            }
        )
        cls.product_b = Product.create(
            {
                "name": "API Refill",
                "default_code": "API-B",
                "barcode": "4006381333948",
                "list_price": 10.0,
                "type": "consu",
                "taxes_id": [Command.clear()],
            }
        )
        cls.kit = Product.create(
            {
                "name": "API Test Kit",
                "default_code": "API-KIT",
                "barcode": "4006381333955",
                "list_price": 50.0,
                "type": "consu",
                "is_storable": True,
                "tracking": "lot",
                "taxes_id": [Command.clear()],
            }
        )
        cls.product_forbidden = Product.create(
            {
                "name": "API Forbidden",
                "default_code": "API-X",
                "barcode": "4006381333962",
                "list_price": 999.0,
                "type": "consu",
            }
        )
        cls.product_no_ean = Product.create(
            {"name": "API Without EAN", "default_code": "API-NOEAN", "list_price": 5.0}
        )
        cls.product_archived = Product.create(
            {
                "name": "API Archived",
                "barcode": "4006381333979",
                "list_price": 5.0,
                "active": False,
            }
        )
        cls.product_unsaleable = Product.create(
            {"name": "API Not Saleable", "barcode": "4006381333986", "sale_ok": False}
        )

    @classmethod
    def _create_kit_lots_in_stock(cls):
        """Three kit lots (two with a kit barcode), 10 kits of each and
        1000 sensors in the warehouse's stock."""
        Lot = cls.env["stock.lot"]
        cls.lot_kit_1 = Lot.create(
            {"name": "KL-1", "product_id": cls.kit.id, "kit_barcode": "KB-0001"}
        )
        cls.lot_kit_2 = Lot.create({"name": "KL-2", "product_id": cls.kit.id})
        cls.lot_kit_3 = Lot.create(
            {"name": "KL-3", "product_id": cls.kit.id, "kit_barcode": "KB-0003"}
        )
        stock = cls.warehouse.lot_stock_id
        Quant = cls.env["stock.quant"]
        for lot in cls.lot_kit_1 | cls.lot_kit_2 | cls.lot_kit_3:
            Quant._update_available_quantity(cls.kit, stock, 10, lot_id=lot)
        Quant._update_available_quantity(cls.product_a, stock, 1000)

    @classmethod
    def _create_pricelist(cls):
        """The API partners' pricelist: 10 % off every product."""
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "API partner prices",
                "currency_id": cls.currency.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "3_global",
                            "compute_price": "percentage",
                            "percent_price": 10,
                        }
                    )
                ],
            }
        )

    @classmethod
    def _create_api_partners(cls):
        """Partners A (every product but the forbidden one) and B (sensor
        and refill), enabled, and Partner Off, disabled: each with its
        portal user and key."""
        allowed = cls.product_a | cls.product_b | cls.kit
        allowed |= cls.product_no_ean | cls.product_archived | cls.product_unsaleable
        cls.partner_a, cls.user_a, cls.key_a = cls._create_partner(
            "Partner A", "a", allowed, enabled=True
        )
        cls.partner_b, cls.user_b, cls.key_b = cls._create_partner(
            "Partner B", "b", cls.product_a | cls.product_b, enabled=True
        )
        cls.partner_off, cls.user_off, cls.key_off = cls._create_partner(
            "Partner Off", "off", cls.product_a, enabled=False
        )

    @classmethod
    def _create_partner(cls, name, login, products, enabled, company=None):
        """An API customer (restricted to ``company`` if given) with a
        contact, its portal user (in the current company) and a key."""
        company = cls.env["res.partner"].create(
            {
                "name": name,
                "company_id": company and company.id,
                "is_company": True,
                "country_id": cls.env.ref("base.de").id,
                "property_product_pricelist": cls.pricelist.id,
                "order_api_product_ids": [Command.set(products.ids)],
                "order_api_enabled": enabled,
            }
        )
        user, key = cls._portal_user(company, login, name=f"{name} Integrator")
        return company, user, key

    @classmethod
    def _portal_user(cls, partner, login, *companies, name=None):
        """A portal user of a new contact of ``partner`` and its API key;
        the user works in the first of ``companies`` (its default) and may
        work in the others (none given: the current company)."""
        contact = cls.env["res.partner"].create(
            {
                "name": name or f"{partner.name} {login}",
                "parent_id": partner.id,
                "email": f"{login}@example.com",
            }
        )
        vals = {
            "name": contact.name,
            "login": f"poa-{login}",
            "password": f"poa-{login}-password",
            "partner_id": contact.id,
            "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
        }
        if companies:
            vals["company_id"] = companies[0].id
            vals["company_ids"] = [Command.set([c.id for c in companies])]
        user = cls.env["res.users"].with_context(no_reset_password=True).create(vals)
        return user, cls._generate_key(user)

    @classmethod
    def _generate_key(cls, user, scope=SCOPE, days=30, name="test key"):
        expiration = (
            datetime.datetime.now() + datetime.timedelta(days=days) if days else None
        )
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(scope, name, expiration)
        )

    # ------------------------------------------------------------------
    # HTTP helpers
    # ------------------------------------------------------------------

    def api(
        self,
        method,
        route,
        key=None,
        params=None,
        body=None,
        data=None,
        headers=None,
        check=True,
    ):
        """Call the API over real HTTP; ``key`` None sends no Authorization.
        The test's transaction is flushed first as a commit would flush it
        (its precommit hooks run: the orders changed get their
        ``updated_at``, ``sale_order_freshness.py``)."""
        self.env.cr.flush()
        all_headers = {}
        if key:
            all_headers["Authorization"] = f"Bearer {key}"
        if body is not None:
            data = json.dumps(body)
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        path = route if route.startswith("/") else f"{API}/{route}"
        response = self.opener.request(
            method,
            self.base_url() + path,
            params=params,
            data=data,
            headers=all_headers,
            timeout=60,
            allow_redirects=False,
        )
        if check:
            self.assert_contract_response(method, path, response)
        return response

    def assert_contract_response(self, method, path, response):
        """Every answer is the contract's JSON, with a request id, and matches
        the OpenAPI document; a PDF or XML file (``order/document``) only
        where the document promises one, with its headers."""
        media_type = response.headers.get("Content-Type")
        if media_type in FILE_STARTS and response.status_code == 200:
            self.assertTrue(response.headers.get("X-Request-Id"))
            self.assertTrue(
                response.content.startswith(FILE_STARTS[media_type]),
                response.content[:20],
            )
            self.assertEqual(
                int(response.headers["Content-Length"]), len(response.content)
            )
            document = openapi_check.load_document()
            template = document["paths"][path.split("?")[0]][method.lower()]
            self.assertIn(media_type, template["responses"]["200"]["content"])
            openapi_check.validate_response(
                method, path.split("?")[0], 200, None, response.headers
            )
            return
        self.assertEqual(
            response.headers.get("Content-Type"),
            "application/json; charset=utf-8",
            f"{method} {path} answered {response.status_code} {response.text[:300]}",
        )
        self.assertTrue(response.headers.get("X-Request-Id"))
        body = response.json()
        if response.status_code >= 400:
            self.assertIs(body["success"], False)
            self.assertTrue(body["error"]["code"])
            self.assertTrue(body["error"]["message"])
        else:
            self.assertIs(body["success"], True)
        if method != "HEAD":
            openapi_check.validate_response(
                method, path.split("?")[0], response.status_code, body, response.headers
            )

    def assert_error(self, response, status, code):
        self.assertEqual(
            (response.status_code, response.json()["error"]["code"]),
            (status, code),
            response.text[:500],
        )

    def order_body(self, ean=None, amount=1, external_order_id=None, **address):
        body = {
            "ean": ean or self.product_a.barcode,
            "amount": amount,
            "delivery_address": dict(
                {
                    "name": "John Doe",
                    "street": "Main Street 1",
                    "street2": "",
                    "zip": "10115",
                    "city": "Berlin",
                    "country_code": "DE",
                },
                **address,
            ),
        }
        if external_order_id is not None:
            body["external_order_id"] = external_order_id
        return body

    # ------------------------------------------------------------------
    # Warehouse helpers
    # ------------------------------------------------------------------

    def _outgoing(self, order):
        return order.picking_ids.filtered(
            lambda p: (
                p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
            )
        )

    def deliver(self, order, lots=None, quantities=None, backorder=True):
        """Validate the open delivery of ``order``: ``lots`` maps a lot to the
        quantity shipped (tracked products), ``quantities`` a product to the
        quantity shipped (others); nothing given ships everything."""
        picking = self._outgoing(order)
        self.assertEqual(len(picking), 1)
        for move in picking.move_ids:
            move.move_line_ids.unlink()
            if move.product_id.tracking != "none":
                for lot, qty in (lots or {}).items():
                    if lot.product_id == move.product_id:
                        self._add_move_line(move, qty, lot)
            else:
                qty = (quantities or {}).get(move.product_id, move.product_uom_qty)
                if qty:
                    self._add_move_line(move, qty)
            move.picked = True
        result = picking.button_validate()
        if (
            isinstance(result, dict)
            and result.get("res_model") == "stock.backorder.confirmation"
        ):
            wizard = Form(
                self.env["stock.backorder.confirmation"].with_context(
                    **result["context"]
                )
            ).save()
            if backorder:
                wizard.process()
            else:
                wizard.process_cancel_backorder()
        self.assertEqual(picking.state, "done")
        return picking

    def _add_move_line(self, move, qty, lot=None):
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": move.picking_id.id,
                "product_id": move.product_id.id,
                "product_uom_id": move.product_uom.id,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
                "lot_id": lot.id if lot else False,
                "quantity": qty,
            }
        )

    def return_lots(self, picking, lots):
        """Return ``lots`` ({lot: qty}) of a done delivery and validate the return."""
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_ids=picking.ids,
                active_id=picking.id,
                active_model="stock.picking",
            )
        ).save()
        total = sum(lots.values())
        for line in wizard.product_return_moves:
            line.quantity = (
                total if line.product_id == next(iter(lots)).product_id else 0
            )
        result = wizard.action_create_returns()
        return_picking = self.env["stock.picking"].browse(result["res_id"])
        for move in return_picking.move_ids:
            move.move_line_ids.unlink()
            for lot, qty in lots.items():
                if lot.product_id == move.product_id:
                    self._add_move_line(move, qty, lot)
            move.picked = True
        return_picking.button_validate()
        self.assertEqual(return_picking.state, "done")
        return return_picking

    def create_order_orm(self, partner, user, lines, **vals):
        """An order entered in Odoo (not through the API), confirmed."""
        order = self.env["sale.order"].create(
            dict(
                {
                    "partner_id": user.partner_id.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty}
                        )
                        for product, qty in lines
                    ],
                },
                **vals,
            )
        )
        order.action_confirm()
        return order
