# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The noisy-neighbour storm of tests_live/test_noisy_neighbour.py on the
two servers (issue 22): A storms through both, B reads through both; the
slots held in PostgreSQL must bound A across servers as across workers."""

import storm  # scripts/, on sys.path through conftest
import test_noisy_neighbour as live_storm  # tests_live/
from conftest import api
from webhook_receiver import RawReceiver

STORM_SECONDS = 15
MIN_B_REQUESTS = 6  # some 30 in 15 s when served at once
REPORT_BUNDLES = ("web.report_assets_common", "web.report_assets_pdf")


def _report_assets_generated(world):
    """The reports' asset bundles made and committed on the primary, as on a
    server that has printed before. This database is a copy of one taken
    right after the install, which never rendered a report: the first
    render makes the bundles while wkhtmltopdf fetches them, at once, from
    a server that reads the standby, and Odoo logs "Record does not exist"
    (a limit of Odoo's lazily built bundles behind a standby, not of the
    fair-use bounds this test is about: see the README, Several servers)."""
    with world.registry.cursor() as cr:
        env = world.odoo.api.Environment(cr, world.odoo.SUPERUSER_ID, {})
        for name in REPORT_BUNDLES:
            bundle = env["ir.qweb"]._get_asset_bundle(name)
            bundle.css()
            bundle.js()
        cr.commit()


def test_a_storming_partner_never_starves_another_on_two_servers(
    cluster, servers, world, capsys
):
    """As on one server: B's every request answers 200 within the gross
    bound, A gets the contract's JSON, no server logs a problem."""
    # wkhtmltopdf fetches the reports' assets from the first server (a load
    # balancer's address in production)
    before = live_storm.storm_params(world, servers[0].url)
    try:
        _a_id, a = live_storm._partner_with_orders(
            world, servers[0], "Cluster Storm A", rate_limit=live_storm.A_RATE_LIMIT
        )
        _b_id, b = live_storm._partner_with_orders(world, servers[1], "Cluster Storm B")
        a.urls = b.urls = [server.url for server in servers]
        _report_assets_generated(world)
        # GETs read the limits on the standby: once it holds them
        cluster.wait_replayed()
        with RawReceiver("trickle", interval=1, length=30) as trickle:
            put = api(servers[0], "PUT", "webhook", a.key, json={"url": trickle.url})
            assert put.status_code == 200, put.text[:300]
            quiet = storm.quiet(b, count=20)
            b_answers, a_answers = storm.run(a, b, seconds=STORM_SECONDS)
    finally:
        live_storm.set_params(world, before)
    with capsys.disabled():  # the figures in the run's output, passed or failed
        print(f"\nnoisy neighbour, 2 servers --workers=2, {STORM_SECONDS} s storm:")
        print(storm.report(quiet, b_answers, a_answers))

    failures = storm.failures(
        quiet, b_answers, a_answers, live_storm.B_BOUND, MIN_B_REQUESTS
    )
    for server in servers:
        log = server.log_lines(" WARNING ", " ERROR ", " CRITICAL ", "Traceback")
        failures += [f"server {server.port} log: {line[:300]}" for line in log[:10]]
    assert not failures, "\n".join(failures)
