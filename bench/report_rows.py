# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The rows of the bench's timing table, from the figures of a run: each
row is (measure, A, B, ratio, target, met: True, False or None when the
row has no target), in the order the table shows them. ``report.py``
writes the table around them.

Imports ``common`` and the bench modules whose figures it reads.
"""

import large_orders
import storm_row
from common import percentile, summary
from dbs import label
from series_reads import deep_pages
from series_writes import BATCH_SIZE

# GET orders?page_size=100 / JSON-RPC header-only search_read of the same
# page, p50: objects from the workers' caches (issue 24; issue 13 allowed
# 1.2), and every object made anew after a real change of every order
WARM_TARGET = 1.0
COLD_TARGET = 1.3


# the comparisons of GET orders?page_size=100 with JSON-RPC
_VS_RPC = (
    "GET orders page_size=100, objects from the workers' caches (A) vs JSON-RPC "
    "search_read of the same 100 orders, header fields only, 1 call (B)"
)
_VS_LINES = (
    "GET orders page_size=100 (A) vs JSON-RPC, the same 100 orders with their lines: "
    "search_read of the orders, then of their lines, 2 calls (B)"
)
_VS_RPC_COLD = (
    "GET orders page_size=100, every order of the page changed through Odoo "
    "before each request (JSON-RPC write of its note: every object made anew) "
    "(A) vs JSON-RPC search_read of the same 100 orders, header fields only, "
    "beside it (B)"
)


def ms(value):
    return f"{value * 1000:.1f}"


def cell(values):
    """ "p50 / p95" in ms of a list of seconds."""
    stats = summary(values)
    return f"{ms(stats['p50'])} / {ms(stats['p95'])}"


def p50(values):
    return percentile(values, 50)


def yes(ok):
    return "yes" if ok else "NO"


def ratio_row(name, a, c, target):
    """A row comparing two series by their p50 (and p95); ``target``: the
    largest p50 ratio A/B allowed, or None."""
    ratio = p50(a) / p50(c)
    return (
        name,
        cell(a),
        cell(c),
        f"{ratio:.2f} (p95 {percentile(a, 95) / percentile(c, 95):.2f})",
        f"<= {target}" if target else "-",
        ratio <= target if target else None,
    )


def timing_rows(r):
    """The table's rows: (measure, A, B, ratio, target, met: True, False or
    None when the row has no target)."""
    rows = [
        *_list_rows(r),
        *_deep_page_rows(r),
        *_write_rows(r),
        *_key_and_document_rows(r),
        *_webhook_and_memory_rows(r),
    ]
    if r.get("rss_large"):
        rows.append(large_orders.row(r["rss_large"], label(r["sizes"][1])))
    if r.get("storm"):
        rows.extend(storm_row.rows(r["storm"]))
    return rows


def _list_rows(r):
    """GET orders?page_size=100 beside JSON-RPC (warm, cold, with lines),
    at both N, and GET orders and order_status at the big N vs the small."""
    n_small, n_big = r["sizes"]
    s, b = label(n_small), label(n_big)
    t = r["times"]
    vs_rpc, vs_lines, vs_rpc_cold = _VS_RPC, _VS_LINES, _VS_RPC_COLD
    return [
        ratio_row(name, t[num], t[den], target)
        for name, num, den, target in (
            (
                f"{vs_rpc}, N={s}",
                f"api_orders_{n_small}",
                f"rpc_search_read_{n_small}",
                WARM_TARGET,
            ),
            (
                f"{vs_rpc}, N={b}",
                f"api_orders_{n_big}",
                f"rpc_search_read_{n_big}",
                WARM_TARGET,
            ),
            (
                f"{vs_rpc_cold}, N={s}",
                f"api_orders_cold_{n_small}",
                f"rpc_search_read_cold_{n_small}",
                COLD_TARGET,
            ),
            (
                f"{vs_rpc_cold}, N={b}",
                f"api_orders_cold_{n_big}",
                f"rpc_search_read_cold_{n_big}",
                COLD_TARGET,
            ),
            (
                f"{vs_lines}, N={s}",
                f"api_orders_{n_small}",
                f"rpc_with_lines_{n_small}",
                1.5,
            ),
            (
                f"{vs_lines}, N={b}",
                f"api_orders_{n_big}",
                f"rpc_with_lines_{n_big}",
                1.5,
            ),
            (
                f"GET orders page_size=100: N={b} (A) vs N={s} (B)",
                f"api_orders_{n_big}",
                f"api_orders_{n_small}",
                1.3,
            ),
            (
                f"JSON-RPC search_read, header fields (reference): N={b} (A) vs N={s} (B)",
                f"rpc_search_read_{n_big}",
                f"rpc_search_read_{n_small}",
                None,
            ),
            (
                f"GET order_status by external id: N={b} (A) vs N={s} (B)",
                f"api_order_status_{n_big}",
                f"api_order_status_{n_small}",
                1.3,
            ),
        )
    ]


def _deep_page_rows(r):
    """Page 1, the middle and the last page at the big N, each beside
    JSON-RPC at the same offset; the last page vs the first, both ways."""
    n_big = r["sizes"][1]
    b = label(n_big)
    t = r["times"]
    pages = deep_pages(n_big)
    rows = [
        ratio_row(
            f"GET orders page_size=100, page {page} of {pages[-1]} (A) vs JSON-RPC "
            f"search_read, header fields, offset {(page - 1) * 100} (B), N={b}",
            t[f"api_orders_p{page}_{n_big}"],
            t[f"rpc_search_read_p{page}_{n_big}"],
            1.2,
        )
        for page in pages
    ]
    first, last = pages[0], pages[-1]
    rows.append(
        ratio_row(
            f"Deep page, GET orders page_size=100, N={b}: page {last} (A) vs page {first} (B)",
            t[f"api_orders_p{last}_{n_big}"],
            t[f"api_orders_p{first}_{n_big}"],
            None,
        )
    )
    rows.append(
        ratio_row(
            f"Deep page, JSON-RPC search_read (reference), N={b}: offset {(last - 1) * 100} (A) vs 0 (B)",
            t[f"rpc_search_read_p{last}_{n_big}"],
            t[f"rpc_search_read_p{first}_{n_big}"],
            None,
        )
    )
    return rows


def _write_rows(r):
    """POST order vs the ORM, POST orders/batch vs 100 POST order, the
    round trip and the empty authenticated request."""
    s = label(r["sizes"][0])
    t = r["times"]
    api_p, orm_p, rtt = t["api_post_order"], t["orm_create_confirm"], t["rtt_health"]
    allowed = 1.15 * p50(orm_p) + p50(rtt)
    batch, singles = t["api_batch_100"], t["api_post_order_x100"]
    return [
        (
            f"POST order, 2 lines (A) vs the ORM in-process doing the same, committed: products "
            f"by barcode, external id checked, delivery contact searched, create + action_confirm "
            f"(B), N={s}",
            cell(api_p),
            cell(orm_p),
            f"{p50(api_p) / p50(orm_p):.2f}; A-B = {ms(p50(api_p) - p50(orm_p))} ms",
            f"A <= 1.15 B + RTT = {ms(allowed)}",
            p50(api_p) <= allowed,
        ),
        (
            f"POST orders/batch, {BATCH_SIZE} orders of 2 lines in one request (A) vs "
            f"{BATCH_SIZE} POST order of 2 lines one after the other (B), N={s}; "
            f"per order: A {ms(p50(batch) / BATCH_SIZE)} ms, B {ms(p50(singles) / BATCH_SIZE)} ms",
            cell(batch),
            cell(singles),
            f"{p50(batch) / p50(singles):.2f} (p95 "
            f"{percentile(batch, 95) / percentile(singles, 95):.2f})",
            "measured",
            None,
        ),
        (
            "RTT: GET /web/health (no key, no session, no rate limiter)",
            cell(rtt),
            "",
            "",
            "-",
            None,
        ),
        ratio_row(
            "Empty authenticated request: GET available_products of a partner with 0 products "
            "(key check, rate limiter, caller) (A) vs GET /web/health (B)",
            t["empty_request"],
            rtt,
            1.5,
        ),
    ]


def _key_and_document_rows(r):
    """A cold key vs a warm one, the PDF rendered vs served again, the
    bearer key check and the rate limiter in-process."""
    n_small = r["sizes"][0]
    s = label(n_small)
    t = r["times"]
    cold, warm = t["api_status_cold_key"], t["api_status_warm_key"]
    rows = [
        (
            f"GET order_status: a key's first request, no worker has seen it (A) vs a warm "
            f"key (B), N={s}",
            cell(cold),
            cell(warm),
            f"{p50(cold) / p50(warm):.2f}; A-B = {ms(p50(cold) - p50(warm))} ms",
            "measured",
            None,
        )
    ]
    if "pdf_rendered" in t:  # results of a run before the PDF row have none
        rendered, again = t["pdf_rendered"], t["pdf_served_again"]
        rows.append(
            (
                "GET order/document?type=order: rendered by wkhtmltopdf, the document "
                f"cache emptied first (A) vs the same PDF served again (B), N={s}",
                cell(rendered),
                cell(again),
                f"{p50(rendered) / p50(again):.1f}",
                "measured",
                None,
            )
        )
    auth, status = r["auth"]["check"], t[f"api_order_status_{n_small}"]
    rows.append(
        (
            f"Bearer key check, Odoo's _check_credentials in-process (A) vs whole GET order_status, N={s} (B)",
            cell(auth),
            cell(status),
            f"{p50(auth) / p50(status):.2f}",
            f"measured (pbkdf2 verify alone: {cell(r['auth']['pbkdf2'])}; the service's _authenticate "
            f"as deployed, with its cache: {cell(r['auth']['service'])})",
            None,
        )
    )
    rate = r["auth"]["rate_limit"]
    rows.append(
        (
            "Rate limiter: one token taken in PostgreSQL (own cursor, committed), in-process",
            cell(rate),
            "",
            "",
            "p50 < 1 ms",
            p50(rate) < 0.001,
        )
    )
    return rows


def _webhook_and_memory_rows(r):
    """The webhook latency and the servers' RSS at both N."""
    n_small, n_big = r["sizes"]
    s, b = label(n_small), label(n_big)
    wh = r["webhook"]
    lost = sum(1 for x in wh if x == float("inf"))
    mib = 2**20
    small = [max(x[i] for x in r["rss"][n_small]) / mib for i in (0, 1)]
    big = [max(x[i] for x in r["rss"][n_big]) / mib for i in (0, 1)]
    return [
        (
            f"Webhook: delivery validated + committed -> receiver has the POST ({len(wh)} deliveries, {lost} lost)",
            cell(wh),
            "",
            "",
            "p50 <= 2000",
            p50(wh) <= 2,
        ),
        (
            f"Server RSS serving page_size=100, max, all processes / HTTP workers: N={b} (A) vs N={s} (B)",
            f"{big[0]:.0f} / {big[1]:.0f} MB",
            f"{small[0]:.0f} / {small[1]:.0f} MB",
            f"A-B = {big[0] - small[0]:+.0f} MB (workers {big[1] - small[1]:+.0f} MB)",
            "<= +50 MB",
            big[0] - small[0] <= 50,
        ),
    ]
