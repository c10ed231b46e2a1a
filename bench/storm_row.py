# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The bench's noisy-neighbour rows (issue 22): partner B's p50/p95 quiet
beside under partner A's storm, the storm of scripts/storm.py (the one
tests_live/test_noisy_neighbour.py runs), twice in one run, beside the same
quiet series:

* A honouring ``Retry-After`` (a heavy but compliant client: on a 429 or
  503 each of A's threads waits what it says). Target: B's p95 under the
  storm at most twice its quiet p95, and every B request answered 200; this
  row decides whether the storm is met.
* A ignoring ``Retry-After`` (a flood, as the live tests storm): reported,
  no target on p95 (every B request must still be answered 200). A refused
  request still costs an Odoo worker about what ``/web/health`` costs, so a
  client that ignores Retry-After loads the workers whatever the addon
  does; only a rate limit in the reverse proxy stops requests before Odoo.

``bench.py`` runs it last, on the small N's server, after the query
counts (its requests are not counted). ``--storm-only DB`` runs it alone on
any database with the addon and its demo data: ``bench/run.sh --storm-only
DB`` for a database of the bench; for a ``scripts/dev_test.sh`` database,
``BENCH_STATE=$POA_STATE/dev/DB $ODOO_VENV/bin/python bench/bench.py
--storm-only DB`` (its own odoo.conf and filestore; run.sh would rewrite
them).
"""

import sys
import time
from collections import Counter

import fill
import requests
from common import BENCH_DIR, STATE, Server, env, log, registry

sys.path.insert(0, str(BENCH_DIR.parent / "scripts"))
sys.path.insert(0, str(BENCH_DIR.parent / "tests"))
import storm  # noqa: E402
from webhook_receiver import RawReceiver  # noqa: E402

SECONDS = 30
QUIET_REQUESTS = 40
TARGET = 2.0  # B's p95 under the storm / quiet
ORDERS_EACH = 3
A_RATE_LIMIT = 6000  # the budget is not what shields B: see the live test
# the storm's webhook receiver on the loopback; the fair-use settings at
# their defaults (False: the parameter removed), whatever the database held
PARAMS = {
    "partner_order_api.webhook_allow_http": "True",
    "partner_order_api.webhook_allowed_hosts": "127.0.0.1",
    "partner_order_api.max_concurrent_requests": False,
    "partner_order_api.pdf_render_slots": False,
    "partner_order_api.auth_failure_limit_per_minute": False,
}


def _partners(db, server):
    """Partners A and B, new in ``db``, with a few orders each through the
    API: (A, B) as ``storm.Partner``. wkhtmltopdf fetches the reports'
    assets from ``server`` (``report.url``), as in production."""
    with registry(db).cursor() as cr:
        e = env(cr)
        params = e["ir.config_parameter"]
        for name, value in dict(PARAMS, **{"report.url": server.url}).items():
            params.set_param(name, value)
        # never reserved (not storable): A's batches leave the reservation
        # cron no backlog
        product = e["product.product"].create(
            {
                "name": "Storm Consumable",
                "barcode": f"98{time.time_ns() // 1000 % 10**11:011d}",
                "list_price": 1.0,
                "type": "consu",
                "is_storable": False,
            }
        )
        a_company, _user, a_key = fill._make_partner(e, "Storm A", product, None)
        a_company.order_api_rate_limit_per_minute = A_RATE_LIMIT
        _b_company, _user, b_key = fill._make_partner(e, "Storm B", product, None)
        ean = product.barcode
        cr.commit()
    partners = []
    for key in (a_key, b_key):
        orders = [_order(server, key, ean) for _index in range(ORDERS_EACH)]
        partners.append(storm.Partner([server.url], key, orders, ean))
    return partners


def _order(server, key, ean):
    url, body = f"{server.url}{storm.API}/order", storm.batch_body(ean, 1)["orders"][0]
    auth = {"Authorization": f"Bearer {key}"}
    resp = requests.post(url, headers=auth, json=body, timeout=60)
    if resp.status_code != 201:
        raise RuntimeError(
            f"POST order for the storm: {resp.status_code} {resp.text[:300]}"
        )
    return resp.json()["biomes_order_id"]


# the two storms, in the order they run: (key, A honours Retry-After, label)
STORMS = (
    ("compliant", True, "A honouring Retry-After"),
    ("flood", False, "A ignoring Retry-After (flood)"),
)
FLOOD_WHY = (
    "no target: every request that reaches Odoo costs a worker a few ms, "
    "even refused; put a rate limit in the reverse proxy"
)


def by_status(answers):
    """``status code: count`` of the answers whatever their kind, most
    frequent first."""
    counts = Counter(
        f"{a.status if a.status is not None else 'no answer'}"
        + (f" {a.code}" if a.code else "")
        for a in answers
    )
    return ", ".join(f"{name}: {count}" for name, count in counts.most_common())


def _storm(a, b, seconds, honour, quiet):
    """One storm of A for ``seconds`` while B reads: its part of the result."""
    b_answers, a_answers = storm.run(a, b, seconds=seconds, honour_retry_after=honour)
    return {
        "storm": [answer.seconds for answer in b_answers],
        "b_count": len(b_answers),
        "b_problems": storm.b_problems(b_answers),
        "a_problems": storm.a_problems(a_answers),
        "a_tally": storm.tally(a_answers),
        "a_status": by_status(a_answers),
        "a_count": len(a_answers),
        "report": storm.report(quiet, b_answers, a_answers),
    }


def measure(server, db, seconds=SECONDS, quiet_count=QUIET_REQUESTS):
    """B quiet, then B under A's storm on ``server``, A honouring
    Retry-After, then ignoring it: {"seconds", "quiet", "quiet_problems",
    "storms": {key of ``STORMS``: see ``_storm``}}."""
    a, b = _partners(db, server)
    result = {"seconds": seconds, "storms": {}}
    with RawReceiver("trickle", interval=1, length=30) as trickle:
        url, auth = (
            f"{server.url}{storm.API}/webhook",
            {"Authorization": f"Bearer {a.key}"},
        )
        put = requests.put(url, headers=auth, json={"url": trickle.url}, timeout=60)
        if put.status_code != 200:
            raise RuntimeError(f"PUT webhook for the storm: {put.text[:300]}")
        log(f"storm: B quiet, {quiet_count} requests")
        quiet = storm.quiet(b, count=quiet_count)
        result["quiet"] = [answer.seconds for answer in quiet]
        result["quiet_problems"] = storm.b_problems(quiet)
        for key, honour, label in STORMS:
            log(f"storm: {label}, for {seconds} s; B reads meanwhile")
            result["storms"][key] = _storm(a, b, seconds, honour, quiet)
            time.sleep(2)  # what the storm left (a worker recycled) settles
    return result


def _cell(values):
    p50, p95 = (storm.percentile(values, pct) * 1000 for pct in (50, 95))
    return f"{p50:.1f} / {p95:.1f}"


def _row(result, key, honour, label):
    """One storm's row: (measure, A, B, ratio, target, met)."""
    quiet, part = result["quiet"], result["storms"][key]
    under = part["storm"]
    ratio = storm.percentile(under, 95) / storm.percentile(quiet, 95)
    p50_ratio = storm.percentile(under, 50) / storm.percentile(quiet, 50)
    failed = len(result["quiet_problems"]) + len(part["b_problems"])
    threads = ", ".join(f"{count} {kind}" for kind, count in storm.A_THREADS.items())
    manner = (
        "each thread waiting what a 429/503's Retry-After says"
        if honour
        else "back to back whatever the answer"
    )
    measure_ = (
        f"Noisy neighbour, {label}: partner B's GET orders / order_status, one "
        f"at a time every 0.3 s, under partner A's {result['seconds']} s storm "
        f"({threads} threads at once, {manner}; webhook tests to a trickling "
        f"receiver, batches of {storm.BATCH_SIZE} orders, bad keys from B's "
        f"address) (A) vs B quiet (B); A's {part['a_count']} answers: "
        f"{part['a_status']}; B requests not answered 200: {failed}"
    )
    if honour:
        target = f"p95 <= {TARGET} x quiet, every B request 200"
        met = ratio <= TARGET and not failed
    else:
        target = f"every B request 200 ({FLOOD_WHY})"
        met = False if failed else None
    return (
        measure_,
        _cell(under),
        _cell(quiet),
        f"p95 {ratio:.2f} (p50 {p50_ratio:.2f})",
        target,
        met,
    )


def rows(result):
    """The table's rows, one a storm: (measure, A, B, ratio, target, met);
    the compliant storm's decides the storm (the flood's is None, or False
    when B was not answered 200)."""
    return [_row(result, key, honour, label) for key, honour, label in STORMS]


def notes(result):
    """Lines under the table: what A was answered, what went wrong."""
    lines = [""]
    for key, _honour, label in STORMS:
        part = result["storms"][key]
        lines.append(
            f"Noisy neighbour, {label}: A's {part['a_count']} answers: "
            f"{part['a_tally']}."
        )
    lines.append(
        "Noisy neighbour, the flood: "
        + FLOOD_WHY
        + " (e.g. nginx limit_req; see the README's Fair use)."
    )
    problems = result["quiet_problems"][:10]
    for key, _honour, label in STORMS:
        part = result["storms"][key]
        problems += [f"[{label}] {p}" for p in part["b_problems"][:10]]
        problems += [f"[{label}] {p}" for p in part["a_problems"][:10]]
    if problems:
        lines += ["Outside the contract (the first 10 of B's, then of A's):", ""]
        lines += [f"    {line}" for line in problems]
    return lines


def main(db, seconds=SECONDS):
    """The storm rows alone on ``db``: printed, and written to
    ``$BENCH_STATE/storm.md``; 0 when met (and no server log problem)."""
    server = Server(db, workers=2, name=f"storm-{db}").start()
    log(f"storm server {server.url} (--workers=2) on {db}, log {server.log}")
    try:
        result = measure(server, db, seconds)
    finally:
        server.stop()
    problems = server.problems()
    header = ("Measure", "A p50 / p95", "B p50 / p95", "ratio A/B", "Target", "Met")
    out = [
        f"# Noisy neighbour on {db} (odoo-bin --workers=2 on 127.0.0.1; times in ms)",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    table = rows(result)
    for *cells, met in table:
        met_cell = "-" if met is None else "yes" if met else "NO"
        if problems and met is not None:
            met_cell = "NO (server log)" if met else "NO"
        out.append("| " + " | ".join([*cells, met_cell]) + " |")
    out += notes(result)
    for key, _honour, label in STORMS:
        out += ["", f"{label}:", result["storms"][key]["report"]]
    if problems:
        out += ["", f"Server log problems ({len(problems)} line(s), the first 20):", ""]
        out += [f"    {line[:300]}" for line in problems[:20]]
    text = "\n".join(out)
    (STATE / "storm.md").write_text(text + "\n")
    print(text)
    met = all(row[5] is not False for row in table) and table[0][5]
    return 0 if met and not problems else 1
