# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order object's ``invoices`` and ``deliveries``, ``lines[].open_quantity``
and ``GET order/document`` (real PDFs rendered by wkhtmltopdf, in a
server-wide render slot, and kept in the shared document cache)."""

import base64
import datetime
import http.server
import mimetypes
import threading
from unittest.mock import patch

import psycopg2

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.base.models import ir_actions_report
from odoo.addons.partner_order_api.lib.pg_slots import CONNECTIONS
from odoo.addons.partner_order_api.models import (
    partner_order_api_document_cache as cache_module,
)

from .common import PartnerOrderApiCase

# the rows the tests made (since the class started): older ones are in the
# snapshot of the tests' transaction, which must be the only one to touch them
_CLEAR_CACHE = (
    "WITH gone AS (DELETE FROM partner_order_api_document_cache"
    " WHERE created_at >= %(since)s RETURNING 1) SELECT count(*) FROM gone"
)


class AssetStub:
    """A real HTTP server on the loopback that answers every GET with an
    empty 200 (a 404 would make wkhtmltopdf exit with a network error, which
    Odoo logs as a warning) and records the paths asked for.

    wkhtmltopdf fetches a report's assets (CSS, fonts) from ``report.url``.
    In production that is the Odoo server itself, on another worker or
    thread; inside an HttpCase the request that renders holds the one test
    cursor, so Odoo would wait for itself (Odoo's own PDF tests render from
    the test thread, not inside a request). The tests point ``report.url``
    here: the PDF is real, just unstyled, and ``paths`` proves that
    wkhtmltopdf ran and fetched the assets from ``report.url``."""

    def __init__(self):
        self.paths = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                stub.paths.append(self.path)
                self.send_response(200)
                self.send_header(
                    "Content-Type",
                    mimetypes.guess_type(self.path.split("?")[0])[0]
                    or "application/octet-stream",
                )
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@tagged("post_install", "-at_install")
class TestApiDocuments(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.assets = AssetStub()
        cls.addClassCleanup(cls.assets.stop)
        cls.env["ir.config_parameter"].sudo().set_param("report.url", cls.assets.url)
        (cls.cache_since,) = CONNECTIONS.fetchone(
            cls.env.cr.dbname, "SELECT now() AT TIME ZONE 'UTC'", {}
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Parcel Express",
                "delivery_type": "fixed",
                "fixed_price": 0.0,
                "tracking_url": "https://track.example/<shipmenttrackingnumber>",
                "product_id": cls.env["product.product"]
                .create({"name": "API Shipping", "type": "service"})
                .id,
            }
        )

    def setUp(self):
        super().setUp()
        self.assets.paths.clear()
        # the cache is written by the API's own autocommit connection: what
        # a test left there is not rolled back with it
        self._cache_sql(_CLEAR_CACHE, {"since": self.cache_since})
        self.addCleanup(self._cache_sql, _CLEAR_CACHE, {"since": self.cache_since})
        # 3 sensors and 2 kits; _ship_partially ships 1 sensor and kit
        # KB-0001 in the first delivery, the rest waits in a backorder
        self.order = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 3), (self.kit, 2)]
        )
        self.first = self._outgoing(self.order)
        self.first.write(
            {"carrier_id": self.carrier.id, "carrier_tracking_ref": "TR-1"}
        )

    def _ship_partially(self):
        picking = self.deliver(
            self.order,
            lots={self.lot_kit_1: 1},
            quantities={self.product_a: 1},
        )
        return picking, self._outgoing(self.order)

    def _invoice(self, order=None, post=True):
        invoice = (order or self.order)._create_invoices()
        if post:
            invoice.action_post()
        return invoice

    def _status(self, order=None, key=None):
        response = self.api(
            "GET",
            "order_status",
            key=key or self.key_a,
            params={"identifiedBy": "biomes", "order_id": (order or self.order).name},
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response.json()

    def _document(self, doc_type, key=None, order=None, **params):
        return self.api(
            "GET",
            "order/document",
            key=key or self.key_a,
            params=dict(
                {
                    "identifiedBy": "biomes",
                    "order_id": (order or self.order).name,
                    "type": doc_type,
                },
                **params,
            ),
        )

    def _cache_sql(self, query, params=None):
        """``query``'s first row, on the connection the cache is kept
        through (the test's own transaction does not see its rows)."""
        return CONNECTIONS.fetchone(self.env.cr.dbname, query, params or {})

    def _cached(self):
        """``[(key, content)]``: the cache's rows made by the tests."""
        (rows,) = self._cache_sql(
            "SELECT COALESCE(array_agg(ARRAY[key, encode(content, 'escape')]), '{}')"
            " FROM partner_order_api_document_cache WHERE created_at >= %(since)s",
            {"since": self.cache_since},
        )
        return [(key, base64.b64decode(content)) for key, content in rows]

    def _hold_render_slots(self):
        """Take every PDF render slot, each on a connection of its own (a
        session may take its own lock again), as other renders would: the
        held connections, released at the end of the test."""
        count = self.env["partner.order.api.document"]._render_slots()
        held = []
        for __ in range(count):
            connection = CONNECTIONS.hold(self.env.cr.dbname)
            self.addCleanup(connection.release)
            self.assertIsNotNone(connection.try_slot("pdf_render", 0, count))
            held.append(connection)
        other = CONNECTIONS.hold(self.env.cr.dbname)
        self.assertIsNone(other.try_slot("pdf_render", 0, count))  # all taken
        other.release()
        return held

    def assert_pdf(self, response, filename):
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertEqual(
            response.headers["Content-Disposition"],
            f'attachment; filename="{filename}"',
        )
        self.assertTrue(response.content.startswith(b"%PDF-"), response.content[:40])
        self.assertIn(b"%%EOF", response.content[-64:])

    # ------------------------------------------------------------------
    # The order object: invoices
    # ------------------------------------------------------------------

    def test_invoices_are_the_posted_ones_credit_notes_included(self):
        draft = self._invoice(post=False)
        self.assertEqual(self._status()["invoices"], [])
        draft.invoice_date = fields.Date.to_date("2026-11-24")
        draft.action_post()
        (invoice,) = self._status()["invoices"]
        self.assertEqual(
            invoice,
            {
                "number": draft.name,
                "move_type": "out_invoice",
                "state": "posted",
                "payment_state": "not_paid",
                "invoice_date": "2026-11-24",
                "due_date": draft.invoice_date_due.isoformat(),
                "amount_total": self.currency.round(draft.amount_total),
                "amount_residual": self.currency.round(draft.amount_total),
                "currency": self.currency.name,
            },
        )
        self.assertGreater(invoice["amount_total"], 0)
        refund = draft._reverse_moves(
            [{"invoice_date": fields.Date.to_date("2026-11-25")}]
        )
        self.assertEqual(
            [entry["number"] for entry in self._status()["invoices"]], [draft.name]
        )
        refund.action_post()
        invoices = self._status()["invoices"]
        self.assertEqual(
            [(entry["number"], entry["move_type"]) for entry in invoices],
            [(draft.name, "out_invoice"), (refund.name, "out_refund")],
        )
        self.assertEqual(invoices[1]["amount_total"], invoice["amount_total"])
        # the list shows the same entries
        listed = self.api("GET", "orders", key=self.key_a).json()["orders"]
        (mine,) = [o for o in listed if o["biomes_order_id"] == self.order.name]
        self.assertEqual(mine["invoices"], invoices)
        # another partner's orders show none of them
        self.assertNotIn(
            self.order.name,
            [
                o["biomes_order_id"]
                for o in self.api("GET", "orders", key=self.key_b).json()["orders"]
            ],
        )

    # ------------------------------------------------------------------
    # The order object: deliveries, open quantities
    # ------------------------------------------------------------------

    def test_deliveries_lots_and_open_quantity_after_a_partial_delivery(self):
        body = self._status()
        (pending,) = body["deliveries"]
        self.assertEqual(pending["name"], self.first.name)
        self.assertIn(pending["state"], ("confirmed", "assigned"))
        self.assertIsNone(pending["date_done"])
        self.assertEqual(pending["lots"], [])
        self.assertEqual(
            pending["lines"],
            [
                {"ean": self.product_a.barcode, "quantity": 3.0},
                {"ean": self.kit.barcode, "quantity": 2.0},
            ],
        )
        self.assertEqual([line["open_quantity"] for line in body["lines"]], [3.0, 2.0])

        first, backorder = self._ship_partially()
        self.assertEqual(first, self.first)
        body = self._status()
        self.assertEqual(body["status"], "partially_shipped")
        done, rest = body["deliveries"]
        self.assertEqual(
            done,
            {
                "name": first.name,
                "state": "done",
                "scheduled_date": first.scheduled_date.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "date_done": first.date_done.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "carrier": "Parcel Express",
                "tracking_ref": "TR-1",
                "tracking_url": "https://track.example/TR-1",
                "lines": [
                    {"ean": self.product_a.barcode, "quantity": 1.0},
                    {"ean": self.kit.barcode, "quantity": 1.0},
                ],
                "lots": ["KB-0001"],
            },
        )
        self.assertEqual(rest["name"], backorder.name)
        self.assertNotEqual(rest["state"], "done")
        self.assertIsNone(rest["tracking_url"])
        self.assertEqual(rest["lots"], [])
        self.assertEqual(
            rest["lines"],
            [
                {"ean": self.product_a.barcode, "quantity": 2.0},
                {"ean": self.kit.barcode, "quantity": 1.0},
            ],
        )
        self.assertEqual(
            [
                (line["quantity"], line["delivered_quantity"], line["open_quantity"])
                for line in body["lines"]
            ],
            [(3.0, 1.0, 2.0), (2.0, 1.0, 1.0)],
        )
        # unchanged: sent_lots and tracking
        self.assertEqual(body["sent_lots"], ["KB-0001"])
        self.assertEqual(
            body["tracking"],
            [
                {
                    "delivery_order_name": first.name,
                    "carrier": "Parcel Express",
                    "tracking_ref": "TR-1",
                    "date_done": done["date_done"],
                }
            ],
        )
        # the backorder ships with the other kit: each delivery keeps its lots
        self.deliver(self.order, lots={self.lot_kit_2: 1})
        body = self._status()
        self.assertEqual(body["status"], "shipped")
        self.assertEqual(
            [(d["state"], d["lots"]) for d in body["deliveries"]],
            [("done", ["KB-0001"]), ("done", ["KL-2"])],
        )
        self.assertEqual([line["open_quantity"] for line in body["lines"]], [0.0, 0.0])
        self.assertEqual(body["sent_lots"], ["KB-0001", "KL-2"])

    def test_cancelled_order_has_no_open_quantity_and_shows_its_cancelled_delivery(
        self,
    ):
        order = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 4)]
        )
        order.with_context(disable_cancel_warning=True).action_cancel()
        body = self._status(order)
        self.assertEqual(body["status"], "cancelled")
        self.assertEqual(body["lines"][0]["open_quantity"], 0.0)
        (delivery,) = body["deliveries"]
        self.assertEqual(delivery["state"], "cancel")
        self.assertEqual(
            delivery["lines"], [{"ean": self.product_a.barcode, "quantity": 4.0}]
        )

    # ------------------------------------------------------------------
    # GET order/document
    # ------------------------------------------------------------------

    def test_a_selector_of_another_type_is_ignored(self):
        response = self._document("order", invoice_number="INV/1999/00001")
        self.assert_pdf(response, f"{self.order.name}.pdf")
        self._ship_partially()
        response = self._document("delivery_slip", invoice_number="INV/1999/00001")
        self.assert_pdf(response, self.first.name.replace("/", "_") + ".pdf")

    def test_order_confirmation_pdf(self):
        attachments = self.env["ir.attachment"].search_count([])
        response = self._document("order")
        self.assert_pdf(response, f"{self.order.name}.pdf")
        # wkhtmltopdf really ran, and asked report.url for the report's assets
        self.assertTrue(self.assets.paths)
        # the route is read-only: rendering wrote nothing (no attachment saved)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        # by the partner's own order id too
        self.order.order_api_external_id = "EXT-DOC-1"
        response = self.api(
            "GET",
            "order/document",
            key=self.key_a,
            params={
                "identifiedBy": "external",
                "order_id": "EXT-DOC-1",
                "type": "order",
            },
        )
        self.assert_pdf(response, f"{self.order.name}.pdf")

    def test_delivery_slip_pdf(self):
        # nothing done yet: no delivery slip
        response = self._document("delivery_slip")
        self.assert_error(response, 404, "not_found")
        first, backorder = self._ship_partially()
        self.assert_pdf(
            self._document("delivery_slip"), first.name.replace("/", "_") + ".pdf"
        )
        self.assert_pdf(
            self._document("delivery_slip", delivery_order_name=first.name),
            first.name.replace("/", "_") + ".pdf",
        )
        # the backorder is not done, and another order's delivery is not this one's
        for name in (backorder.name, "WH/OUT/99999"):
            response = self._document("delivery_slip", delivery_order_name=name)
            self.assert_error(response, 404, "not_found")
        second = self.deliver(self.order, lots={self.lot_kit_2: 1})
        # without a name: the latest done delivery
        self.assert_pdf(
            self._document("delivery_slip"), second.name.replace("/", "_") + ".pdf"
        )

    def test_invoice_pdf(self):
        response = self._document("invoice")
        self.assert_error(response, 404, "not_found")
        self.assertIn("no posted invoice", response.json()["error"]["message"])
        self._ship_partially()
        # two invoices: the sensors first, the kits later
        first = self.order._create_invoices()
        kits = first.invoice_line_ids.filtered(lambda line: line.product_id == self.kit)
        first.write({"invoice_line_ids": [Command.delete(kits.id)]})
        first.action_post()
        draft = self._invoice(post=False)
        self.assertNotEqual(first, draft)
        self.assert_pdf(
            self._document("invoice"), first.name.replace("/", "_") + ".pdf"
        )
        # a draft is no document of the order's, an unknown number neither
        for number in (draft.name or "/", "INV/1999/00001"):
            response = self._document("invoice", invoice_number=number)
            self.assert_error(response, 404, "not_found")
        draft.action_post()
        # several: invoice_number picks one; without it, the latest
        self.assert_pdf(
            self._document("invoice", invoice_number=first.name),
            first.name.replace("/", "_") + ".pdf",
        )
        self.assert_pdf(
            self._document("invoice"), draft.name.replace("/", "_") + ".pdf"
        )
        refund = first._reverse_moves()
        refund.action_post()
        self.assert_pdf(
            self._document("invoice", invoice_number=refund.name),
            refund.name.replace("/", "_") + ".pdf",
        )

    def test_invoice_pdf_sent_by_accounting_is_answered_as_sent(self):
        invoice = self._invoice()
        legal = b"%PDF-1.4\n% the invoice accounting sent\n%%EOF\n"
        invoice.invoice_pdf_report_file = base64.b64encode(legal)
        self.assertTrue(invoice.invoice_pdf_report_id)
        response = self._document("invoice", invoice_number=invoice.name)
        self.assert_pdf(response, invoice.name.replace("/", "_") + ".pdf")
        self.assertEqual(response.content, legal)
        self.assertFalse(self.assets.paths)  # nothing rendered

    def test_another_partners_order_is_not_found(self):
        self._ship_partially()
        self._invoice()
        for doc_type in ("order", "delivery_slip", "invoice"):
            response = self._document(doc_type, key=self.key_b)
            self.assert_error(response, 404, "not_found")
            self.assertEqual(
                response.headers["Content-Type"], "application/json; charset=utf-8"
            )
        response = self.api(
            "GET",
            "order/document",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": "S-NONE", "type": "order"},
        )
        self.assert_error(response, 404, "not_found")

    def test_bad_parameters(self):
        base = {"identifiedBy": "biomes", "order_id": self.order.name}
        for params, field in (
            (base, "type"),
            (dict(base, type="receipt"), "type"),
            (dict(base, type="order", identifiedBy="name"), "identifiedBy"),
            ({"type": "order", "identifiedBy": "biomes"}, "order_id"),
            (dict(base, type="invoice", invoice_number=""), "invoice_number"),
        ):
            response = self.api("GET", "order/document", key=self.key_a, params=params)
            self.assert_error(response, 400, "validation_error")
            self.assertEqual(
                response.json()["error"]["details"][0]["field"], field, params
            )
        response = self.api("GET", "order/document", params=dict(base, type="order"))
        self.assert_error(response, 401, "unauthorized")
        response = self._document("order", key=self.key_off)
        self.assert_error(response, 403, "forbidden")

    def test_without_wkhtmltopdf_the_answer_is_503_json(self):
        """As when Odoo found no wkhtmltopdf binary at start-up (its
        ``wkhtmltopdf_state``, which ``get_wkhtmltopdf_state`` answers)."""
        with (
            patch.object(ir_actions_report, "wkhtmltopdf_state", "install"),
            self.assertLogs(
                "odoo.addons.partner_order_api.models.partner_order_api_document",
                "WARNING",
            ) as logs,
        ):
            response = self._document("order")
        self.assert_error(response, 503, "document_unavailable")
        self.assertIn("wkhtmltopdf", response.json()["error"]["message"])
        self.assertIn("wkhtmltopdf is not installed", logs.output[0])
        # a PDF accounting already sent needs no rendering
        invoice = self._invoice()
        invoice.invoice_pdf_report_file = base64.b64encode(b"%PDF-1.4\n%%EOF\n")
        with patch.object(ir_actions_report, "wkhtmltopdf_state", "install"):
            response = self._document("invoice")
        self.assert_pdf(response, invoice.name.replace("/", "_") + ".pdf")

    def test_read_only_key_may_download(self):
        key = self._generate_key(self.user_a, scope="partner_order_api.readonly")
        self.assert_pdf(self._document("order", key=key), f"{self.order.name}.pdf")

    # ------------------------------------------------------------------
    # Render slots and the document cache
    # ------------------------------------------------------------------

    def test_no_render_slot_free_answers_503_busy_and_renders_nothing(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.pdf_render_slots", "2"
        )
        held = self._hold_render_slots()
        self.assertEqual(len(held), 2)
        attachments = self.env["ir.attachment"].search_count([])
        response = self._document("order")
        self.assert_error(response, 503, "busy")
        self.assertEqual(response.headers["Retry-After"], "3")
        self.assertIn("retry", response.json()["error"]["message"])
        self.assertFalse(self.assets.paths)  # wkhtmltopdf did not run
        self.assertEqual(self._cached(), [])
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        # one slot free again (the other still held): the PDF is rendered
        held[0].release()
        response = self._document("order")
        self.assert_pdf(response, f"{self.order.name}.pdf")
        self.assertTrue(self.assets.paths)
        self.assertEqual(
            [content for __, content in self._cached()], [response.content]
        )

    def test_an_unchanged_document_is_served_again_without_rendering(self):
        first = self._document("order")
        self.assert_pdf(first, f"{self.order.name}.pdf")
        ((key, content),) = self._cached()
        self.assertEqual(content, first.content)
        # the API answers what the cache holds: a marker put there instead
        marker = b"%PDF-1.4\n% the cached confirmation\n%%EOF\n"
        self._cache_sql(
            "UPDATE partner_order_api_document_cache SET content = %(content)s"
            " WHERE key = %(key)s RETURNING id",
            {"key": key, "content": psycopg2.Binary(base64.b64encode(marker))},
        )
        self.assets.paths.clear()
        again = self._document("order")
        self.assert_pdf(again, f"{self.order.name}.pdf")
        self.assertEqual(again.content, marker)
        self.assertFalse(self.assets.paths)  # nothing rendered
        # the order changes (its object's updated_at moves): rendered anew
        self.order.order_api_note = "Leave it at the back door."
        fresh = self._document("order")
        self.assert_pdf(fresh, f"{self.order.name}.pdf")
        self.assertNotEqual(fresh.content, marker)
        self.assertTrue(self.assets.paths)
        self.assertEqual(len(self._cached()), 2)

    def test_a_delivery_slip_and_an_invoice_are_kept_too_each_under_its_own_key(self):
        picking, __ = self._ship_partially()
        # (an invoice posted moves the order's updated_at, part of every key)
        invoice = self._invoice()
        slip = self._document("delivery_slip")
        self.assert_pdf(slip, picking.name.replace("/", "_") + ".pdf")
        rendered = self._document("invoice")
        self.assert_pdf(rendered, invoice.name.replace("/", "_") + ".pdf")
        cached = dict(self._cached())
        self.assertEqual(
            sorted(cached.values()), sorted([slip.content, rendered.content])
        )
        # served again from the cache, with every render slot taken
        self._hold_render_slots()
        self.assertEqual(self._document("delivery_slip").content, slip.content)
        self.assertEqual(self._document("invoice").content, rendered.content)
        # the invoice changes (a later transaction: a later write_date; in
        # this test's one transaction, moved by hand): its PDF must be
        # rendered again, and cannot be now
        invoice.ref = "PO-4711"
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET write_date = write_date + interval '1 second'"
            " WHERE id = %s",
            [invoice.id],
        )
        self.assert_error(self._document("invoice"), 503, "busy")

    def test_a_cached_document_is_served_while_every_render_slot_is_taken(self):
        first = self._document("order")
        self.assert_pdf(first, f"{self.order.name}.pdf")
        self._hold_render_slots()
        self.assets.paths.clear()
        again = self._document("order")
        self.assert_pdf(again, f"{self.order.name}.pdf")
        self.assertEqual(again.content, first.content)
        self.assertFalse(self.assets.paths)
        # another order's confirmation is not in the cache: it waits
        other = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 1)]
        )
        self.assert_error(self._document("order", order=other), 503, "busy")

    def test_the_invoice_accounting_sent_needs_no_render_slot(self):
        invoice = self._invoice()
        legal = b"%PDF-1.4\n% the invoice accounting sent\n%%EOF\n"
        invoice.invoice_pdf_report_file = base64.b64encode(legal)
        self._hold_render_slots()
        response = self._document("invoice")
        self.assert_pdf(response, invoice.name.replace("/", "_") + ".pdf")
        self.assertEqual(response.content, legal)
        self.assertEqual(self._cached(), [])  # kept by accounting, not here

    def test_render_slots_default_to_fewer_than_the_http_workers(self):
        document = self.env["partner.order.api.document"]
        param = "partner_order_api.pdf_render_slots"
        for workers, setting, expected in (
            (0, False, 2),  # threaded
            (2, False, 1),
            (5, False, 4),
            (5, "3", 3),
            (5, "0", 4),
            (5, "many", 4),
        ):
            self.env["ir.config_parameter"].sudo().set_param(param, setting)
            with patch.dict(config.options, {"workers": workers}):
                self.assertEqual(document._render_slots(), expected, (workers, setting))

    def test_the_autovacuum_keeps_the_newest_rows_of_the_last_days(self):
        Cache = self.env["partner.order.api.document.cache"]
        now = fields.Datetime.now()
        old = Cache.create(
            {"key": "old", "created_at": now - datetime.timedelta(days=8)}
        )
        # newer than any row this database kept (an hour ahead): the newest
        newest = now + datetime.timedelta(hours=1)
        recent = Cache.create(
            [
                {"key": f"k{i}", "created_at": newest - datetime.timedelta(seconds=i)}
                for i in range(cache_module.MAX_ROWS + 2)
            ]
        )
        Cache._gc_documents()
        self.assertFalse(old.exists())
        self.assertEqual(recent.exists(), recent[: cache_module.MAX_ROWS])

    def test_the_cache_key_follows_what_the_pdf_shows(self):
        document = self.env["partner.order.api.document"]
        order = self.order.sudo()
        ref = "sale.action_report_saleorder"

        def key():
            self.env.cr.flush()  # as a commit would: updated_at settled
            return document._cache_key(ref, order, order)

        keys = [key()]
        self.assertEqual(key(), keys[0])  # stable
        # the caller's language
        self.env["res.lang"]._activate_lang("fr_FR")
        self.assertNotEqual(
            document.with_context(lang="fr_FR")._cache_key(ref, order, order), keys[0]
        )
        # the report
        picking_ref = "stock.action_report_delivery"
        self.assertNotEqual(document._cache_key(picking_ref, order, order), keys[0])
        # the customer's language
        self.env.cr.execute(
            "UPDATE res_partner SET lang = 'xx_XX' WHERE id = %s", [order.partner_id.id]
        )
        keys.append(key())
        # the order object (updated_at)
        self.order.order_api_note = "Ring twice."
        keys.append(key())
        # the shared data it names: a product's name, written, then imported
        # in French by raw SQL (no write date moves), a unit's name
        self.product_a.name = "Sensor, renamed"
        keys.append(key())
        self.env.cr.execute(
            'UPDATE product_template SET name = name || \'{"fr_FR": "Capteur"}\''
            " WHERE id = %s",
            [self.product_a.product_tmpl_id.id],
        )
        keys.append(key())
        self.env.cr.execute(
            'UPDATE uom_uom SET name = name || \'{"fr_FR": "Pièces"}\' WHERE id = %s',
            [self.product_a.uom_id.id],
        )
        keys.append(key())
        # the company (its address, its layout), the customer's address
        for table, record in (
            ("res_company", order.company_id),
            ("res_partner", order.partner_id),
            ("sale_order", order),
        ):
            self.env.cr.execute(
                f"UPDATE {table} SET write_date = write_date + interval '1 second'"
                " WHERE id = %s",
                [record.id],
            )
            keys.append(key())
        self.assertEqual(len(set(keys)), len(keys), keys)
