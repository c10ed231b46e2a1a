# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""In-process costs of the order objects, on a bench database (issue 24).

    BENCH_STATE=... ODOO_SRC=... python bench/cold_page.py DB [--partner large]
        [--rounds 50] [--peak] [--fill-digests]

* **A cold page**: the objects of a page of 100 orders (GET orders' first
  page, ``create_date desc``) made anew, in this process through Odoo's
  registry, with nothing in the ORM's cache (``invalidate_all`` before
  each round): the reader's ``_objects(orders)`` where the addon has it
  (``partner.order.api.order.reader``), else ``orders._order_api_objects()``
  (18.0.1.3.0, the digest design, before the reader: the same making), else
  ``orders._order_api_serialize()`` (before it: the same making, without
  settling). Median and p95 ms, and
  the SQL statements (``cr.sql_log_count``); then the same with the JSON
  texts the cache keeps. Run it with ``BENCH_STATE`` pointing at a state
  whose ``odoo.conf`` loads the addon to measure (another worktree's copy:
  the code before).
* ``--peak``: the peak of Python allocations while one page is made
  (``tracemalloc``): what a worker needs beside its cache.
* ``--fill-digests``: the 18.0.1.3.0 migration's cost: every order's digest
  emptied (``--skip-large``: but the large partner's, whose 100 lines an
  order weigh on the figure), then ``sale.order._order_api_fill_digests()``
  timed; rolled back.
"""

import argparse
import statistics
import sys
import time
import tracemalloc

from common import env, log, percentile, registry

ORDER_STATES = ("sent", "sale", "cancel")


def page(e, partner_param):
    """The 100 orders of GET orders' first page of the partner named by the
    ``ir.config_parameter`` ``partner_param``."""
    partner_id = int(e["ir.config_parameter"].get_param(partner_param))
    orders = e["sale.order"].search(
        [("order_api_partner_id", "=", partner_id), ("state", "in", ORDER_STATES)],
        order="create_date desc, id desc",
        limit=100,
    )
    assert len(orders) == 100, len(orders)
    return orders


def make(orders):
    """The objects of ``orders`` made anew, as the code of this database
    makes them: (method name, objects)."""
    if "partner.order.api.order.reader" in orders.env:
        reader = orders.env["partner.order.api.order.reader"]
        return "reader._objects", reader._objects(orders)
    if hasattr(orders, "_order_api_objects"):
        return "_order_api_objects", orders._order_api_objects()
    return "_order_api_serialize", orders._order_api_serialize()


def json_texts(objects):
    from odoo.addons.partner_order_api.lib.json_text import json_text  # noqa: PLC0415

    return [json_text(order_object) for order_object in objects]


def cold_page(cr, orders, rounds, warmup=5, with_json=False):
    """{"method", "ms": [..], "statements": [..], "lines", "bytes"} over
    ``rounds`` rounds after ``warmup``, the ORM cache emptied each time."""
    e = orders.env
    times, counts = [], []
    lines = size = 0
    for index in range(warmup + rounds):
        e.invalidate_all()
        start_count = cr.sql_log_count
        start = time.perf_counter()
        method, objects = make(orders)
        if with_json:
            size = sum(map(len, json_texts(objects)))
        seconds = time.perf_counter() - start
        if index >= warmup:
            times.append(seconds * 1000)
            counts.append(cr.sql_log_count - start_count)
        lines = sum(len(o["lines"]) for o in objects)
    return {
        "method": method,
        "ms": times,
        "statements": counts,
        "lines": lines,
        "bytes": size,
    }


def peak(orders):
    """Peak Python allocations (bytes) while one page is made, JSON included."""
    orders.env.invalidate_all()
    tracemalloc.start()
    _method, objects = make(orders)
    texts = json_texts(objects)
    peak_bytes = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak_bytes, sum(map(len, texts))


def fill_digests(cr, skip_large=False):
    """(orders, seconds, seconds of this process's CPU) of the 18.0.1.3.0
    migration's digest fill, after
    every digest was emptied (``skip_large``: but the large partner's); the
    caller rolls back."""
    e = env(cr)
    large = e["ir.config_parameter"].get_param("bench.large_partner_id")
    if skip_large and large:
        cr.execute(
            "UPDATE sale_order SET order_api_digest = NULL"
            " WHERE order_api_partner_id IS DISTINCT FROM %s",
            [int(large)],
        )
    else:
        cr.execute("UPDATE sale_order SET order_api_digest = NULL")
    orders = cr.rowcount
    e.invalidate_all()
    start, cpu = time.perf_counter(), time.process_time()
    e["sale.order"]._order_api_fill_digests()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    cr.execute("SELECT count(*) FROM sale_order WHERE order_api_digest IS NULL")
    assert cr.fetchone()[0] == 0
    return orders, seconds, cpu


def describe(name, result):
    ms = result["ms"]
    return (
        f"{name}: {result['method']}() of 100 orders ({result['lines']} lines): "
        f"median {statistics.median(ms):.1f} ms (p95 {percentile(ms, 95):.1f}), "
        f"{max(set(result['statements']), key=result['statements'].count)} statements"
        + (f", {result['bytes'] / 1024:.0f} kB of JSON" if result["bytes"] else "")
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db")
    parser.add_argument(
        "--partner",
        choices=("bench", "large"),
        default="bench",
        help="the bench partner's 2-line orders, or the large partner's "
        "(large_orders.py)",
    )
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--peak", action="store_true")
    parser.add_argument("--fill-digests", action="store_true")
    parser.add_argument(
        "--skip-large",
        action="store_true",
        help="--fill-digests of every order but the large partner's",
    )
    args = parser.parse_args()
    param = "bench.partner_id" if args.partner == "bench" else "bench.large_partner_id"
    with registry(args.db).cursor() as cr:
        orders = page(env(cr), param)
        print(describe("cold page", cold_page(cr, orders, args.rounds)))
        print(
            describe(
                "cold page + JSON texts",
                cold_page(cr, orders, args.rounds, with_json=True),
            )
        )
        if args.peak:
            peak_bytes, size = peak(orders)
            print(
                f"peak Python allocations making one page: {peak_bytes / 2**20:.1f} MB "
                f"(its JSON texts: {size / 2**20:.1f} MB)"
            )
        cr.rollback()
        if args.fill_digests:
            log("timing the digest fill of every order (rolled back after)")
            count, seconds, cpu = fill_digests(cr, args.skip_large)
            print(
                f"migration: _order_api_fill_digests() of {count} orders: {seconds:.1f} s "
                f"({cpu:.1f} s of Odoo's CPU), {seconds * 100_000 / count:.1f} s per "
                "100,000 orders"
            )
            cr.rollback()
    return 0


if __name__ == "__main__":
    sys.exit(main())
