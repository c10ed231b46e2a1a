# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The bench's report in Markdown: the verdict of the run, the timing
table (its rows: ``report_rows.py``), the statements per request, how the
databases were filled, the EXPLAIN plans and the servers' log problems.

Imports ``fill``, ``dbs``, ``report_rows``, ``series_writes`` and
``storm_row`` of bench/.
"""

import os
import time

import fill
import storm_row
from dbs import RATE_LIMITS, label
from report_rows import timing_rows, yes
from series_writes import BATCH_SIZE


def met_cell(met, log_problems):
    """The Met column: a row with a target is not met when a server logged a
    problem during the run, whatever its figures."""
    if met is None:
        return "-"
    if log_problems:
        return "NO (server log)" if met else "NO"
    return "yes" if met else "NO"


def verdict(r, rows):
    """(met, why): the run is met when every row with a target is and no
    server logged a WARNING, ERROR or CRITICAL."""
    missed = [row[0] for row in rows if row[5] is False]
    why = []
    if r.get("problems"):
        why.append(
            f"the servers logged {len(r['problems'])} problem line(s), listed at the end"
        )
    if missed:
        why.append(f"{len(missed)} target(s) missed")
    return not why, "; ".join(why)


def common_values(values):
    """The values of at least 20 % of the requests (a worker's first request
    after a cache invalidation, or when the 60 s cache of verified keys
    turns over, runs a few more)."""
    return sorted(v for v in set(values) if values.count(v) >= 0.2 * len(values))


def query_rows(r):
    n_small, n_big = r["sizes"]
    counts = r["queries"]
    names = list(dict.fromkeys(name for name, _n in counts))
    rows = []
    for name in names:
        cells, sets = [], []
        for n in (n_small, n_big):
            c = counts.get((name, n))
            if c:
                usual = common_values(c)
                sets.append(usual)
                rare = sorted(set(c) - set(usual))
                cells.append(
                    f"{' or '.join(map(str, usual))} ({len(c)} req"
                    + (f"; rarely {rare}" if rare else "")
                    + ")"
                )
            else:
                cells.append("-")
        rows.append(
            (
                name,
                cells[0],
                cells[1],
                yes(sets[0] == sets[1]) if len(sets) == 2 else "-",
            )
        )
    page_sets = {
        tuple(common_values(counts[(name, n)]))
        for name in ("GET orders page_size=10", "GET orders page_size=100")
        for n in (n_small, n_big)
        if counts.get((name, n))
    }
    return rows, page_sets


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return lines


def build_report(r):
    """(the report in Markdown, whether the run met its targets)."""
    rows = timing_rows(r)
    met, why = verdict(r, rows)
    out = _heading(r, met, why)
    out += table(
        ("Measure", "A p50 / p95", "B p50 / p95", "p50 ratio A/B", "Target", "Met"),
        [(*row[:5], met_cell(row[5], r.get("problems"))) for row in rows],
    )
    if r.get("storm"):
        out += storm_row.notes(r["storm"])
    out += _query_section(r)
    out += _fill_section(r)
    out += _explain_section(r)
    if r.get("problems"):
        out += [
            "",
            f"Server log problems ({len(r['problems'])} line(s), the first 20):",
            "",
        ] + [f"    {line}" for line in r["problems"][:20]]
    out += ["", f"Whole run: {r['total_seconds'] / 60:.1f} min"]
    return "\n".join(out), met


def _heading(r, met, why):
    """The title, the verdict and how the run was made."""
    out = [
        f"# Partner Order API benchmark ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
    ]
    if r.get("quick"):
        out += [
            "**Quick trial run (--quick): few requests, small N; not a result.**",
            "",
        ]
    out += [
        f"**Run: {'met' if met else 'NOT MET'}**"
        + (f" ({why})" if why else "")
        + ": every target below, and no WARNING, ERROR or CRITICAL in the servers' logs.",
        "",
        f"odoo-bin --workers=2 per database on 127.0.0.1; {r['rounds']} requests per series after {r['warmup']} "
        "warm-up; the series of a comparison run side by side in the same run, in an order shuffled "
        f"anew each round (seed {r['seed']}). Times in ms, client-side. POST orders/batch "
        f"beside {BATCH_SIZE} POST order: {r.get('batch_rounds')} rounds after 1 of warm-up, each "
        "series timed whole.",
        "Rate limits: "
        + ", ".join(
            f"{name.split('.')[-1]} = {value:,}" for name, value in RATE_LIMITS.items()
        )
        + " (every request takes a token of its partner's budget, which the bench never spends).",
        f"Load average (1 min) at start / end: {r['load'][0]:.1f} / {r['load'][1]:.1f} on {os.cpu_count()} "
        "cores (other processes on the machine add noise; series side by side share it).",
        "",
    ]
    return out


def _query_section(r):
    """The table of statements per request, and whether GET orders runs as
    many for a page of 10 as for one of 100."""
    n_small, n_big = r["sizes"]
    rows, page_sets = query_rows(r)
    out = [
        "",
        "SQL queries per request, from each server's access log: Odoo's werkzeug line carries the number of",
        "statements the request ran in its thread (every cursor: rate limiter, registry checks included).",
        "Values of at least 20 % of the requests; 'rarely': a worker's first request after a cache",
        "invalidation, or when its 60 s cache of verified keys turns over (+4: the key's check, on a",
        "cursor of its own, as for a fresh key).",
        "",
    ]
    out += table(
        ("Endpoint", f"N={label(n_small)}", f"N={label(n_big)}", "Constant in N"), rows
    )
    out += [
        "",
        f"GET orders: same count for page_size 10 and 100 at both N: {yes(len(page_sets) == 1)} {sorted(page_sets)}",
    ]
    return out


def _fill_section(r):
    """How the template and each N's database were made (or reused), and
    what their verification found."""
    out = ["", "Fill:"]
    tpl = r["template"]
    if tpl.get("reused"):
        out.append("- template: reused (addon unchanged since it was seeded)")
    else:
        out.append(
            f"- template: install {tpl['install_seconds']:.0f} s; seed of {fill.SEED_ORDERS} orders through the real "
            f"flows {tpl['seed_seconds']:.0f} s (statuses {tpl['statuses']}; {tpl['unflagged_pickings']} deliveries "
            "never flagged for the reservation cron, reserved with action_assign)"
        )
    for n in r["sizes"]:
        f, v = r["fill"][n], r["verify"][n]
        if f.get("reused"):
            upgraded = f.get("upgraded_seconds")
            out.append(
                f"- N={label(n)}: reused from a previous run (--reuse-dbs)"
                + (
                    f", the addon upgraded there (-u, {upgraded:.0f} s)"
                    if upgraded is not None
                    else ""
                )
                + f"; verified: total_count = {v['total_count']}, "
                f"{v['copies_checked']} copies answer order_status like their originals"
            )
            continue
        out.append(
            f"- N={label(n)}: {f['fill_total_seconds']:.0f} s (createdb -T {f['createdb_seconds']:.0f} s, "
            f"SQL replication x{f['copies']} {f['fill_seconds']:.0f} s, VACUUM ANALYZE {f['vacuum_seconds']:.0f} s); "
            f"verified: total_count = {v['total_count']}, {v['copies_checked']} copies answer order_status "
            "like their originals"
            + (f"; not copied: {f['uncopied']}" if f.get("uncopied") else "")
        )
    return out


def _explain_section(r):
    """The EXPLAIN (ANALYZE, BUFFERS) of the list's statements at the big N."""
    out = [
        "",
        f"EXPLAIN (ANALYZE, BUFFERS) at N={label(r['sizes'][1])}, as the portal user, of the queries _list_orders ran",
        f"(page_size=100; the sync poll's updated_since={r['explain_since']}):",
        "",
    ]
    for title, query, plan in r["explain"]:
        out.append(f"{title}:")
        if "updated_since" in title:
            out.append(
                f"Index sale_order_order_api_updated_idx used: {yes('sale_order_order_api_updated_idx' in plan)}"
            )
        out += ["```sql", query, "```", "```", plan, "```"]
    return out
