# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark of the Partner Order API against a real multi-process Odoo.

Run through ``bench/run.sh`` (it finds Odoo, the virtualenv and PostgreSQL,
copies the addon and writes the configuration). Steps:

1. template database: the addon with demo data, then ``fill.seed`` (real
   flows); reused while the addon's files are unchanged;
2. one database per N (copies of the template) filled by
   ``replicate.replicate`` and VACUUM ANALYZEd, then checked over HTTP
   (``replicate.verify``);
3. one ``odoo-bin --workers=2`` per database; every comparison runs its
   series side by side (round-robin, same run), warm-up first;
4. the table on stdout and in bench/results/latest.md.

This file holds the command line and the order of the run; the parts live
one module each: ``dbs.py`` (the databases), ``api_client.py`` (the HTTP
client), ``series_reads.py`` and ``series_writes.py`` (the series timed
over HTTP), ``in_process.py`` (what is timed in this process),
``query_counts.py`` (statements per request, from the access logs),
``report_rows.py`` and ``report.py`` (the table and the report).
"""

import argparse
import json
import os
import random
import sys
import time

import fill
import large_orders
import pdf
import replicate
import storm_row
from api_client import Client
from common import BENCH_DIR, STATE, Server, log
from dbs import ensure_template, label, prepare_dbs
from in_process import explain_list_queries, measure_auth
from query_counts import query_counts
from report import build_report
from series_reads import (
    measure_cold_key,
    measure_deep_pages,
    measure_lists,
    measure_lists_cold,
    measure_status,
)
from series_writes import (
    BATCH_SIZE,
    measure_batch,
    measure_post,
    measure_webhooks,
    order_body,
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a trial run: N = 1,000 and 5,000, 20 requests per series after 5 "
        "of warm-up, 3 webhooks (options given too override these)",
    )
    parser.add_argument(
        "--sizes", help="N values, comma-separated (small,big); default 1000,100000"
    )
    parser.add_argument("--rounds", type=int, help="requests per series (200)")
    parser.add_argument("--warmup", type=int, help="warm-up requests per series (20)")
    parser.add_argument("--webhooks", type=int, help="webhook deliveries timed (20)")
    parser.add_argument(
        "--batch-rounds",
        type=int,
        help=f"rounds of POST orders/batch ({BATCH_SIZE} orders) beside "
        f"{BATCH_SIZE} POST order, after 1 of warm-up (10)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="seed of the shuffled order of the series in each round (default: random)",
    )
    parser.add_argument(
        "--port-base",
        type=int,
        default=int(os.environ.get("BENCH_PORT_BASE") or 0),
        help="HTTP ports base, base+2 for the two servers (their evented "
        "processes on base+1, base+3), base+4 for the RSS row's (+5); default "
        "BENCH_PORT_BASE, else free ports",
    )
    parser.add_argument(
        "--storm-seconds",
        type=int,
        default=storm_row.SECONDS,
        help="length of partner A's storm in the noisy-neighbour row "
        f"({storm_row.SECONDS}; 0 leaves the row out)",
    )
    parser.add_argument(
        "--storm-only",
        metavar="DB",
        help="run the noisy-neighbour row alone on DB (the addon installed with "
        "its demo data), print it and write $BENCH_STATE/storm.md",
    )
    parser.add_argument(
        "--rebuild-template",
        action="store_true",
        help="reinstall and reseed the template",
    )
    parser.add_argument(
        "--reuse-dbs",
        action="store_true",
        help="reuse filled databases from a previous run",
    )
    return _with_defaults(parser.parse_args())


def _with_defaults(args):
    """``args`` with the values of a full run, or of ``--quick``, for the
    options not given."""
    defaults = (
        {
            "sizes": "1000,5000",
            "rounds": 20,
            "warmup": 5,
            "webhooks": 3,
            "batch_rounds": 3,
        }
        if args.quick
        else {
            "sizes": "1000,100000",
            "rounds": 200,
            "warmup": 20,
            "webhooks": 20,
            "batch_rounds": 10,
        }
    )
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


class Run:
    """One run: its options, the N's databases and their facts, servers and
    clients, the figures it collects (``r``) and the access-log offsets
    where each phase began (``marks``, for the statements per request)."""

    def __init__(self, args, sizes, dbs, facts, rng, r):
        self.args = args
        self.sizes = sizes
        self.small, self.big = sizes
        self.dbs = dbs
        self.facts = facts
        self.rng = rng
        self.r = r
        self.servers = {}
        self.clients = {}
        self.marks = []

    def mark(self, phase):
        self.marks.append(
            (phase, {n: server.log_size() for n, server in self.servers.items()})
        )

    def start_servers(self):
        """One server per N, its client, and the N's orders verified."""
        args, r = self.args, self.r
        for index, (n, db) in enumerate(self.dbs.items()):
            port = args.port_base + 2 * index if args.port_base else None
            self.servers[n] = Server(db, workers=2, name=label(n), port=port).start()
            log(
                f"server N={label(n)}: {self.servers[n].url} (--workers=2), log {self.servers[n].log}"
            )
        self.clients = {n: Client(self.servers[n], self.facts[n]) for n in self.sizes}
        for n in self.sizes:
            r["verify"][n] = replicate.verify(
                self.clients[n].http,
                self.servers[n].url,
                self.facts[n]["key"],
                n,
                self.facts[n]["seed_orders"],
            )
            log(
                f"verify N={label(n)}: {r['verify'][n]['total_count']} orders; copies match their originals"
            )

    def stop_servers(self):
        for server in self.servers.values():
            server.stop()


def extra_requests(client, count):
    """Requests for the query counts alone: another page size, a sync poll,
    the partner's products."""
    for _i in range(count):
        client.orders_page(page_size=10)
        client.orders_page(
            page_size=100,
            sort="updated_asc",
            updated_since="2000-01-01T00:00:00Z",
        )
        client.api("GET", "available_products")


def warm_caches(run):
    """Every worker's caches warm before counting."""
    for n, client in run.clients.items():
        client.login()
        for _i in range(4):
            client.orders_page()
            client.search_read_page()
            client.order_status(fill.ext_id(1))
            client.api(
                "POST",
                "order",
                key=run.facts[n]["writer_key"],
                json=order_body(run.dbs[n]),
            )
        extra_requests(client, 4)


def measure_reads(run):
    """The series of reads over HTTP, each phase marked in the logs."""
    args, r, rng, clients = run.args, run.r, run.rng, run.clients
    small, big = run.small, run.big
    log("measuring GET orders vs JSON-RPC search_read")
    r["rss"] = {}
    run.mark("lists")
    r["times"].update(measure_lists(clients, args.rounds, args.warmup, r["rss"], rng))
    log("measuring GET orders with every order object made anew")
    run.mark("lists_cold")
    r["times"].update(measure_lists_cold(clients, args.rounds, args.warmup, rng))
    log("measuring GET order_status")
    run.mark("status")
    r["times"].update(measure_status(clients, args.rounds, args.warmup, rng))
    log("measuring GET order/document: rendered vs served again")
    run.mark("pdf")
    r["times"].update(pdf.measure_pdf(clients[small], run.dbs[small], rng))
    log(f"measuring deep pages at N={label(big)}")
    run.mark("deep")
    r["times"].update(
        measure_deep_pages(clients[big], big, args.rounds, args.warmup, rng)
    )
    log("measuring a cold key against a warm one")
    run.mark("cold")
    r["times"].update(
        measure_cold_key(
            clients[small],
            run.dbs[small],
            run.facts[small],
            args.rounds,
            args.warmup,
            rng,
        )
    )
    run.mark("extra")  # more requests for the query counts: other page size, sync
    for client in clients.values():
        extra_requests(client, 20)


def measure_in_process(run):
    """The key check and the rate limiter in this process; the EXPLAIN of
    the list's statements."""
    r, small, big = run.r, run.small, run.big
    run.mark("in-process")
    log("measuring the bearer key check in-process")
    r["auth"] = measure_auth(run.dbs[small], run.facts[small]["key"], run.args.rounds)
    log("EXPLAIN of the list queries")
    r["explain_since"], r["explain"] = explain_list_queries(
        run.dbs[big], run.facts[big], big
    )


def measure_writes(run):
    """POST order (and its statements at the big N), the webhook latency,
    then the batches; the statements per request of every phase."""
    args, r, rng, small, big = run.args, run.r, run.rng, run.small, run.big
    log("measuring POST order vs the ORM")
    run.mark("post")
    post_rounds = max(args.rounds, args.webhooks)
    r["times"].update(
        measure_post(
            run.clients[small],
            run.dbs[small],
            run.facts[small],
            post_rounds,
            args.warmup,
            rng,
        )
    )
    run.mark("warmup")  # the big N's workers have been idle: warm them first
    _post_orders(run, big, 4)
    run.mark("post")
    _post_orders(run, big, 20)  # POST's query count at the big N too
    log("measuring webhook latency")
    run.mark("webhook")
    r["webhook"] = measure_webhooks(
        run.clients[small],
        run.dbs[small],
        run.facts[small],
        args.webhooks,
        args.port_base + 8 if args.port_base else 0,
    )
    # last: its orders leave the reservation cron a backlog, which the
    # webhook measure (and a later run's) would wait for
    log(
        f"measuring POST orders/batch of {BATCH_SIZE} orders vs {BATCH_SIZE} POST order"
    )
    run.mark("batch")
    r["times"].update(
        measure_batch(
            run.clients[small],
            run.dbs[small],
            run.facts[small],
            args.batch_rounds,
            1,
            rng,
        )
    )
    r["batch_rounds"] = args.batch_rounds
    run.mark("end")
    r["queries"] = query_counts(run.servers, run.marks)


def _post_orders(run, n, count):
    for _i in range(count):
        run.clients[n].api(
            "POST",
            "order",
            key=run.facts[n]["writer_key"],
            json=order_body(run.dbs[n]),
        )


def measure_last(run):
    """The rows whose requests are not counted: the RSS over large orders
    (a server of its own) and the noisy neighbour."""
    args, r, big = run.args, run.r, run.big
    log(f"measuring the workers' RSS over large orders at N={label(big)}")
    r["rss_large"], r["rss_problems"] = large_orders.measure_on_new_server(
        run.dbs[big],
        run.facts[big]["key"],
        r["large"]["key"],
        args.port_base + 4 if args.port_base else None,
    )
    if args.storm_seconds:  # after the counts: its requests are not counted
        log("measuring partner B quiet, then under partner A's storms")
        r["storm"] = storm_row.measure(
            run.servers[run.small], run.dbs[run.small], args.storm_seconds
        )


def write_report(args, r):
    """Print the report and write it (and the raw figures); a trial run
    never replaces the committed results. The exit status."""
    report, met = build_report(r)
    results = STATE if args.quick else BENCH_DIR / "results"
    stem = "quick" if args.quick else "latest"
    results.mkdir(exist_ok=True)
    (results / f"{stem}.md").write_text(report + "\n")
    raw = {k: v for k, v in r.items() if k not in ("explain",)}
    raw["queries"] = {f"{name} @ {n}": c for (name, n), c in r["queries"].items()}
    (results / f"{stem}.json").write_text(json.dumps(raw, indent=1, default=str))
    print(report)
    log(
        f"report written to {results / f'{stem}.md'}; run {'met' if met else 'NOT MET'}"
    )
    return 0 if met else 1


def main():
    args = parse_args()
    if args.storm_only:
        return storm_row.main(args.storm_only, args.storm_seconds)
    sizes = [int(x) for x in args.sizes.split(",")]
    assert len(sizes) == 2 and sizes[0] < sizes[1]
    t_start = time.monotonic()
    seed = random.SystemRandom().randrange(2**31) if args.seed is None else args.seed
    rng = random.Random(seed)
    r = {
        "sizes": sizes,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "quick": args.quick,
        "seed": seed,
        "times": {},
        "fill": {},
        "verify": {},
    }
    load_start = os.getloadavg()[0]
    r["template"] = ensure_template(args.rebuild_template)
    dbs, facts = prepare_dbs(sizes, args.reuse_dbs, r)
    r["large"] = large_orders.ensure(dbs[sizes[1]])
    run = Run(args, sizes, dbs, facts, rng, r)
    try:
        run.start_servers()
        warm_caches(run)
        measure_reads(run)
        measure_in_process(run)
        measure_writes(run)
        measure_last(run)
    finally:
        run.stop_servers()
    # the whole of each server's log, its shutdown included
    r["problems"] = [
        f"[N={label(n)}] {line}"
        for n, server in run.servers.items()
        for line in server.problems()
    ] + r.pop("rss_problems", [])
    r["total_seconds"] = time.monotonic() - t_start
    r["load"] = (load_start, os.getloadavg()[0])
    return write_report(args, r)


if __name__ == "__main__":
    sys.exit(main())
