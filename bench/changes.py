# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Real changes of the benchmarked orders, made through Odoo.

The cold row of ``GET orders?page_size=100`` (``series_reads.measure_lists_cold``)
needs every order of the page changed before each request, as a client
syncing after a busy hour would find them: not a test hook, but a write
through Odoo's JSON-RPC as the admin, the way a user editing the orders
makes it. The partner's note (``order_api_note``) is shown by the order
object, so each order's digest differs, its ``updated_at`` moves before
the write commits (``sale_order_freshness._order_api_settle``), and no
worker has the object under its new key.
"""

import itertools
import time

# the URL tag of the write (Odoo ignores it; its access log shows it): the
# query table counts the change apart from the reads
CHANGE_TAG = "bench_change"


def page_ids(client, offset=0):
    """The ids of the 100 orders of GET orders' default page at ``offset``
    (``create_date desc, id desc``), read once by JSON-RPC."""
    rows = client.search_read_page(offset, ["id"], "page_ids")
    assert len(rows) == 100, f"{len(rows)} orders on the page"
    return [row["id"] for row in rows]


def page_changer(client, offset=0):
    """A function that changes every order of the page at ``offset``
    through Odoo: ``sale.order.write(ids, {"order_api_note": ...})`` by
    JSON-RPC as the admin (``client``'s session), a new note each time (a
    note this run never wrote, so that every digest differs)."""
    ids = page_ids(client, offset)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    rounds = itertools.count(1)

    def change():
        note = f"Bench change {stamp} #{next(rounds)}: please ship to gate 2"
        done = client.call_kw(
            "sale.order", "write", [ids, {"order_api_note": note}], {}, CHANGE_TAG
        )
        assert done is True, done

    return change
