# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The bench's PDF row (issue 22): ``GET order/document?type=order`` of one
order rendered by wkhtmltopdf (the document cache emptied first, untimed)
vs the same document served again from the document cache, side by side.

Small on purpose: ``PDF_ROUNDS`` requests of each, a render takes about a
second.
"""

import fill
from common import env, interleave, registry

PDF_ROUNDS = 10


def _set_report_url(db, url):
    """wkhtmltopdf fetches the report's assets from ``report.url``: this
    server (its free port is known once it runs). Returns the old value.
    The server's workers are told (``signal_changes``), as after a change
    made through the web client."""
    reg = registry(db)
    with reg.cursor() as cr:
        params = env(cr)["ir.config_parameter"]
        old = params.get_param("report.url")
        params.set_param("report.url", url)
    reg.signal_changes()
    return old


def _forget_documents(db):
    with registry(db).cursor() as cr:
        cr.execute("DELETE FROM partner_order_api_document_cache")


def measure_pdf(client, db, rng, rounds=PDF_ROUNDS, warmup=1, order=None):
    """``{"pdf_rendered": [s], "pdf_served_again": [s]}`` for the
    confirmation of ``order`` (``(identifiedBy, order_id)``; default: the
    client's first order)."""
    identified_by, order_id = order or ("external", fill.ext_id(1))
    params = {"identifiedBy": identified_by, "order_id": order_id, "type": "order"}

    def fetch():
        resp = client.api("GET", "order/document", params=params)
        if not resp.content.startswith(b"%PDF-"):
            raise RuntimeError(f"order/document answered {resp.content[:60]!r}")

    old = _set_report_url(db, client.url)
    try:
        return interleave(
            {"pdf_rendered": fetch, "pdf_served_again": fetch},
            rounds,
            warmup,
            rng,
            before={
                "pdf_rendered": lambda: _forget_documents(db),
                "pdf_served_again": fetch,  # made once, untimed: in the cache
            },
        )
    finally:
        _set_report_url(db, old or False)
