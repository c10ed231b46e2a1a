# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The fixture of the document tests (``test_api_documents*.py``): an order
of partner A (3 sensors, 2 kits) with its first delivery, a carrier, a
stub of ``report.url`` for wkhtmltopdf's assets (``AssetStub``), and the
helpers that read the order object, download documents and look into the
shared document cache."""

import base64
import http.server
import mimetypes
import threading

from odoo.addons.partner_order_api.lib.pg_slots import CONNECTIONS

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


class DocumentsCase(PartnerOrderApiCase):
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
