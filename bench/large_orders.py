# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Large orders and the memory each worker keeps of their objects (issue 24).

Each worker keeps the JSON texts of the order objects it made, bounded by
bytes (``OBJECT_CACHE_BYTES``, ``sale_order_freshness.py``), not by count:
a partner of 100-line orders must not take many times the memory of one of
2-line orders. The row measures it on a server started for it, on the big
N's database:

* ``ensure(db)``: once per database, a partner of its own ("Bench Large
  GmbH", its own key) with ``LARGE_ORDERS`` orders of ``LARGE_LINES``
  lines. One order is made through the real flows in this process (the
  API's service creates and confirms it as the partner's portal user, the
  reservation cron reserves it, the warehouse user validates its delivery),
  of ``LARGE_LINES`` products made for it; the others are copies of it
  (``replicate.Replicator``, as ``replicate.replicate`` copies the seed).
* ``measure(...)``: each HTTP worker's RSS after a warm-up, after reading
  every page (100 orders a page) of 1,000 of the bench partner's 2-line
  orders on both workers, then after reading every page of the large
  partner's orders on both workers. Which worker answered is in the access
  log (its pid); requests go two at a time until both have answered a page.
"""

import collections
import concurrent.futures
import time

import fill
import psycopg2
import replicate
import requests
from common import API, Server, env, log, odoo, registry

LARGE_ORDERS = 1000
LARGE_LINES = 100
PAGE_SIZE = 100
MIB = 2**20
# the RSS a worker may grow by beside its cache's bytes (OBJECT_CACHE_BYTES,
# read from the addon): making one page of 100 orders of 100 lines peaks at
# 12 MB of Python allocations (rows, objects, JSON texts: ``cold_page.py
# --partner large --peak``); twice that and 8 MB more for what tracemalloc
# does not see (libpq's results, the answer's copies as it is sent) and the
# allocator's fragmentation: glibc keeps freed memory for the next page
# rather than giving it back to the system
OVERHEAD_MB = 32
# a partner's requests in flight (default: half the HTTP workers, one here):
# two during the row, so that both workers answer a page at once
SLOTS_PARAM = "partner_order_api.max_concurrent_requests"


def _ean13(number):
    """An EAN-13 of 12 digits ``number`` and its check digit."""
    digits = f"{number:012d}"
    odd = sum(int(d) for d in digits[0::2])
    even = sum(int(d) for d in digits[1::2])
    return digits + str((10 - (odd + 3 * even) % 10) % 10)


def facts(db):
    """The large partner's facts, or None when ``db`` has none yet."""
    with registry(db).cursor() as cr:
        params = env(cr)["ir.config_parameter"]
        partner_id = params.get_param("bench.large_partner_id")
        key = params.get_param("bench.large_key")
    if not partner_id:
        return None
    return {"partner_id": int(partner_id), "key": key, "orders": LARGE_ORDERS}


def _seed_order(db):
    """The large partner, its products and one order of ``LARGE_LINES``
    lines through the real flows, its delivery validated; the partner's id."""
    reg = registry(db)
    with reg.cursor() as cr:
        e = env(cr)
        products = e["product.product"].create(
            [
                {
                    "name": f"Bench Part {index:03d}",
                    "default_code": f"BP-{index:03d}",
                    "barcode": _ean13(200_900_000_000 + index),
                    "type": "consu",
                    "list_price": 10.0 + index,
                    "sale_ok": True,
                }
                for index in range(1, LARGE_LINES + 1)
            ]
        )
        pricelist = e.ref("partner_order_api.demo_pricelist")
        partner, user, key = fill._make_partner(
            e, "Bench Large GmbH", products, pricelist
        )
        params = e["ir.config_parameter"]
        params.set_param("bench.large_partner_id", str(partner.id))
        params.set_param("bench.large_key", key)
        uid, partner_id = user.id, partner.id
        payload = {
            "lines": [
                {"ean": product.barcode, "amount": 1 + index % 5}
                for index, product in enumerate(products)
            ],
            "external_order_id": fill.ext_id(1),
            "note": "A large bench order",
            "delivery_address": dict(fill.ADDRESSES[0], street2=None),
        }
        cr.commit()
    with reg.cursor() as cr:
        env(cr, uid)["partner.order.api.service"]._create_order(payload)
    with reg.cursor() as cr:
        Picking = env(cr)["stock.picking"]
        while Picking.search_count([("order_api_reservation_pending", "=", True)]):
            Picking._cron_order_api_reserve(limit=1000)
            cr.commit()
    with reg.cursor() as cr:
        order = env(cr, 2)["sale.order"].search(
            [("order_api_partner_id", "=", partner_id)]
        )
        picking = order.picking_ids
        assert len(picking) == 1, picking
        if picking.state != "assigned":
            picking.action_assign()
        for move in picking.move_ids:
            move.picked = True
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        assert picking.state == "done", picking.state
        assert len(order.order_line) == LARGE_LINES
    return partner_id


def ensure(db):
    """The large partner's facts in ``db``, its orders made first if need be
    (about a minute)."""
    found = facts(db)
    if found:
        return {**found, "reused": True}
    t0 = time.monotonic()
    partner_id = _seed_order(db)
    with registry(db).cursor() as cr:
        cr.execute("SET LOCAL work_mem = '256MB'")
        rep = replicate.Replicator(
            cr, env(cr), {"partner_id": partner_id}, LARGE_ORDERS - 1
        )
        rep.seed_sets()
        rep.names()
        sale_id_expr = None
        for table in replicate.ORDER:
            if table in rep.ranges:
                sale_id_expr = rep.copy_table(table) or sale_id_expr
        if sale_id_expr:
            rep.set_group_sale_ids(sale_id_expr)
        for table in replicate.RELATIONS:
            rep.copy_relation(table)
        rep.check(LARGE_ORDERS)
        env(cr)["partner.order.api.order.tally"]._cron_compact()
        cr.commit()
    cnx = psycopg2.connect(dbname=db)
    cnx.autocommit = True
    with cnx.cursor() as cur:
        cur.execute(
            "VACUUM ANALYZE sale_order, sale_order_line, stock_picking, stock_move, "
            "stock_move_line, procurement_group, account_tax_sale_order_line_rel"
        )
    cnx.close()
    seconds = time.monotonic() - t0
    copied = ", ".join(f"{table} {rows}" for table, (rows, _s) in rep.done.items())
    log(
        f"{db}: {LARGE_ORDERS} orders of {LARGE_LINES} lines in {seconds:.0f} s ({copied})"
    )
    return {**facts(db), "reused": False, "seconds": seconds}


# ----------------------------------------------------------------------------
# The RSS row
# ----------------------------------------------------------------------------
def worker_rss(server):
    """{pid: RSS in bytes} of the server's HTTP workers (the children that
    keep the listening socket)."""
    import psutil  # noqa: PLC0415

    result = {}
    for proc in server.processes():
        if proc.pid == server.process.pid:
            continue
        try:
            conns = getattr(proc, "net_connections", proc.connections)(kind="tcp")
            if any(
                c.status == psutil.CONN_LISTEN and c.laddr.port == server.port
                for c in conns
            ):
                result[proc.pid] = proc.memory_info().rss
        except psutil.Error:
            continue
    return result


def _served_by(server, since):
    """{pid: [query counts]} of the GET orders lines of the access log
    after byte offset ``since`` (the pid is the log line's third field)."""
    pids = {}
    with open(server.log, "rb") as fh:
        fh.seek(since)
        for raw in fh.read().decode(errors="replace").splitlines():
            if " werkzeug: " not in raw or f"GET {API}/orders?" not in raw:
                continue
            try:
                pid = int(raw.split()[2])
                queries = int(raw.split('"')[2].split()[2])
            except (IndexError, ValueError):
                continue
            pids.setdefault(pid, []).append(queries)
    return pids


def get_orders(server, key, params):
    """The body of GET orders with ``params`` (bytes), as ``key``'s partner."""
    url, auth = f"{server.url}{API}/orders", {"Authorization": f"Bearer {key}"}
    resp = requests.get(url, params=params, headers=auth, timeout=300)
    resp.raise_for_status()
    return resp.content


def read_on_both(server, key, pages, workers):
    """Read every page of ``pages`` until each worker of ``workers`` (pids)
    has answered it, two requests at a time. Returns (answers,
    {statements: answers} (a worker making the objects runs 4 more than
    one answering from its cache), bytes of one answer of every page)."""

    def get(page):
        return len(get_orders(server, key, {"page_size": PAGE_SIZE, "page": page}))

    answers = size = 0
    statements = collections.Counter()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for page in pages:
            mark = server.log_size()
            seen = {}
            for _attempt in range(12):
                sizes = list(pool.map(get, [page, page]))
                time.sleep(0.05)  # the access log line follows the answer
                seen = _served_by(server, mark)
                if set(workers) <= set(seen):
                    break
            assert set(workers) <= set(seen), f"page {page}: answered by {seen}"
            size += sizes[0]
            answers += sum(len(counts) for counts in seen.values())
            statements.update(q for counts in seen.values() for q in counts)
    return answers, dict(sorted(statements.items())), size


def measure(server, small_key, large_key):
    """Each HTTP worker's RSS (bytes) after a warm-up (``before``), after
    reading 1,000 of the bench partner's 2-line orders on both workers
    (``small``), then the large partner's orders on both (``large``)."""
    pages = range(1, LARGE_ORDERS // PAGE_SIZE + 1)
    workers = sorted(worker_rss(server))
    assert len(workers) == 2, f"HTTP workers: {workers}"
    # every worker's first requests (imports, ORM caches): a page of 10
    # orders of each partner on both
    for key in (small_key, large_key) * 6:
        get_orders(server, key, {"page_size": 10})
    time.sleep(1)
    odoo()
    from odoo.addons.partner_order_api.models.sale_order_freshness import (  # noqa: PLC0415
        OBJECT_CACHE_BYTES,
    )

    result = {
        "workers": workers,
        "cache_bytes": OBJECT_CACHE_BYTES,
        "before": worker_rss(server),
    }
    for name, key in (("small", small_key), ("large", large_key)):
        answers, cold, size = read_on_both(server, key, pages, workers)
        time.sleep(1)
        result[name] = worker_rss(server)
        result[f"{name}_answers"] = (answers, cold, size)
    assert sorted(result["large"]) == workers, "a worker was replaced"
    return result


def _set_param(db, name, value):
    """Set the ``ir.config_parameter`` ``name`` (unset with None); its
    previous value."""
    with registry(db).cursor() as cr:
        params = env(cr)["ir.config_parameter"]
        previous = params.get_param(name)
        params.set_param(name, value or False)
    return previous


def measure_on_new_server(db, small_key, large_key, port=None):
    """(``measure``'s result, the problems its server logged) on a server of
    ``db`` started for it (``port``: None for a free one): its workers'
    caches hold nothing of the series before."""
    previous = _set_param(db, SLOTS_PARAM, "2")
    server = Server(db, workers=2, name=f"{db}-rss", port=port).start()
    try:
        result = measure(server, small_key, large_key)
    finally:
        server.stop()
        _set_param(db, SLOTS_PARAM, previous)
    # the whole of its log, its shutdown included
    return result, [f"[{db}, RSS row] {line}" for line in server.problems()]


def row(rss, n_label):
    """The table row: each worker's RSS growth over the large orders' reads
    (A, from the warm-up: the 2-line reads before them included) and over
    the 2-line orders' reads alone (B), against the cache's bound plus the
    stated overhead."""
    workers = rss["workers"]

    def growth(after):
        return [(rss[after][pid] - rss["before"][pid]) / MIB for pid in workers]

    large, small = growth("large"), growth("small")
    cache_mb = rss["cache_bytes"] / MIB
    bound = cache_mb + OVERHEAD_MB
    answers_l, counts_l, size_l = rss["large_answers"]
    answers_s, counts_s, size_s = rss["small_answers"]

    def statements(counts):
        return ", ".join(f"{n} of {q}" for q, n in counts.items())

    return (
        f"Server RSS, each HTTP worker's growth from its warm-up, N={n_label}: "
        f"after reading every page of {LARGE_ORDERS:,} orders of {LARGE_LINES} lines "
        f"on both workers (A; {size_l / MIB:.1f} MB of JSON; {answers_l} answers: "
        f"{statements(counts_l)} statements) vs after the same reads of "
        f"{LARGE_ORDERS:,} orders of 2 lines before them (B; {size_s / MIB:.1f} MB; "
        f"{answers_s} answers: {statements(counts_s)} statements)",
        " / ".join(f"{x:+.1f}" for x in large) + " MB",
        " / ".join(f"{x:+.1f}" for x in small) + " MB",
        f"max {max(large):+.1f} vs {max(small):+.1f} MB",
        f"each worker <= +{bound:.0f} MB (OBJECT_CACHE_BYTES {cache_mb:.0f} MB + "
        f"{OVERHEAD_MB} MB overhead)",
        max(large) <= bound,
    )
