# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the bench measures in its own process, through Odoo's registry:
the bearer key check and the rate limiter's token, and the EXPLAIN of the
statements ``_list_orders`` runs (captured through Odoo's query hooks).

Imports ``common`` and ``series_reads`` (the deep pages) of bench/.
"""

import threading

from common import env, odoo, registry, timed
from series_reads import deep_pages


def measure_auth(db, key, rounds):
    """In-process: Odoo's bearer key check (``_check_credentials``: one SQL
    query and a pbkdf2 verify), the bare pbkdf2 verify, and the service's
    ``_authenticate`` as the routes call it (with whatever cache it has)."""
    from odoo.addons.base.models.res_users import KEY_CRYPT_CONTEXT  # noqa: PLC0415

    with registry(db).cursor() as cr:
        e = env(cr)
        keys = e["res.users.apikeys"]
        service = e["partner.order.api.service"]
        check, service_check = [], []
        for index in range(rounds + 20):
            seconds, uid = timed(
                lambda: keys._check_credentials(scope="partner_order_api", key=key)
            )
            assert uid
            seconds_service, (uid, _ro) = timed(
                lambda: service._authenticate(f"Bearer {key}")
            )
            if index >= 20:
                check.append(seconds)
                service_check.append(seconds_service)
        # the rate limiter as every authenticated request runs it: one token
        # taken in PostgreSQL on its own cursor and committed
        buckets = e["partner.order.api.rate.bucket"].sudo()
        rate = []
        for index in range(rounds + 20):
            seconds, budget = timed(lambda: buckets._take(f"bench-rate-{key}", 10**9))
            assert budget.allowed
            if index >= 20:
                rate.append(seconds)
        cr.execute("SELECT key FROM res_users_apikeys WHERE index = %s", [key[:8]])
        hashed = cr.fetchone()[0]
        verify = [
            timed(lambda: KEY_CRYPT_CONTEXT.verify(key, hashed))[0]
            for _i in range(rounds)
        ]
    return {
        "check": check,
        "pbkdf2": verify,
        "service": service_check,
        "rate_limit": rate,
    }


def capture_queries(func):
    """The SQL statements ``func()`` runs in this thread (Odoo's query hooks)."""
    seen = []

    def hook(cr, query, params, start, delay):
        seen.append(cr._obj.mogrify(query, params).decode())

    thread = threading.current_thread()
    old = getattr(thread, "query_hooks", ())
    thread.query_hooks = (*old, hook)
    try:
        func()
    finally:
        thread.query_hooks = old
    return seen


def explain_list_queries(db, facts, n):
    """EXPLAIN (ANALYZE, BUFFERS) of the queries _list_orders runs, as the
    portal user, captured as the service ran them: for
    ?updated_since=...&sort=updated_asc&page_size=100 (a sync poll), for the
    default first page, and the page query of the last page (deep OFFSET).
    Returns (updated_since, [(title, query, plan)])."""
    o = odoo()
    with registry(db).cursor() as cr:
        cr.execute(
            "SELECT order_api_updated_at FROM sale_order WHERE order_api_partner_id = %s "
            "ORDER BY order_api_updated_at DESC OFFSET %s LIMIT 1",
            [facts["partner_id"], n // 100],
        )
        since = cr.fetchone()[0]  # the newest 1 %: a sync poll
        e = o.api.Environment(cr, facts["user_id"], {})
        service = e["partner.order.api.service"]
        default = {"statuses": None, "sort": "created_desc"}
        last = deep_pages(n)[-1]
        plans = []
        for title, page, filters in (
            (
                "sync poll: updated_since (newest 1 %), sort=updated_asc",
                1,
                {"statuses": None, "sort": "updated_asc", "updated_since": since},
            ),
            ("default sort, page 1", 1, default),
            (
                f"default sort, page {last} (the last): the page query",
                last,
                default,
            ),
        ):
            queries = capture_queries(
                lambda p=page, f=filters: service._list_orders(p, 100, f)
            )
            # the page with its count and the orders' headers: one statement
            wanted = [q for q in queries if "OFFSET" in q and "sale_order" in q]
            for query in wanted:
                cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
                plans.append((title, query, "\n".join(row[0] for row in cr.fetchall())))
        cr.rollback()
    return since, plans
