# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a partner sees through two servers whose reads go to a standby
1 s behind the primary (see conftest.py for the topology)."""

import contextlib
import os
import threading
import time
import uuid
from collections import Counter

import live_helpers as live_tests  # tests_live/: _parallel, _codes, _validate_delivery
import psutil
from conftest import api, order_body
from webhook_receiver import WebhookReceiver

RERUN = "the request runs on the primary"


def _reruns(servers):
    """How many requests the servers reran on the primary so far."""
    return sum(len(server.log_lines(RERUN)) for server in servers)


def _names(response):
    assert response.status_code == 200, response.text[:300]
    return [order["biomes_order_id"] for order in response.json()["orders"]]


def test_standby_lags_one_second(cluster, world):
    """The topology is what the other tests need: a streaming standby that
    applies commits 1 s late."""
    assert cluster.query("SELECT pg_is_in_recovery()", standby=True) == [(True,)]
    assert cluster.query(
        "SELECT current_setting('recovery_min_apply_delay')", standby=True
    ) == [("1s",)]
    assert cluster.query(
        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
    ) == [(1,)]


def test_read_your_writes_through_either_server(cluster, servers, world):
    """POST order through one server, then at once GET order_status and GET
    orders through the other and the same one: both answer the new order,
    though the standby does not hold it yet (checked on the standby itself).
    Once the standby has replayed the writes, the partner's GETs are served
    there again (no rerun on the primary)."""
    _partner_id, _user_id, _login, key = world.new_partner("Read Your Writes")
    run = uuid.uuid4().hex[:8]
    behind = 0
    for index in range(10):
        writer, other = servers[index % 2], servers[(index + 1) % 2]
        created = api(
            writer,
            "POST",
            "order",
            key,
            json=order_body(world.ean, f"RYW-{index}-{run}"),
        )
        assert created.status_code == 201, created.text[:300]
        name = created.json()["biomes_order_id"]
        sql = "SELECT count(*) FROM sale_order WHERE name = %s"
        behind += cluster.query(sql, [name], standby=True) == [(0,)]
        for server in (other, writer):
            status = api(
                server,
                "GET",
                "order_status",
                key,
                params={"identifiedBy": "biomes", "order_id": name},
            )
            assert status.status_code == 200, (index, status.text[:300])
            assert status.json()["biomes_order_id"] == name
            assert name in _names(
                api(server, "GET", "orders", key, params={"page_size": 100})
            )
    # the standby was behind for (nearly) every order: the answers above
    # came from the primary
    assert behind >= 8, f"the standby held {10 - behind} of 10 new orders at once"
    cluster.wait_replayed()
    time.sleep(0.5)  # the marker's own commit (asynchronous) is replayed too
    cluster.wait_replayed()
    before = _reruns(servers)
    for server in servers:
        assert (
            len(_names(api(server, "GET", "orders", key, params={"page_size": 100})))
            == 10
        )
    assert _reruns(servers) == before, "GETs still sent to the primary once replayed"


def test_a_user_and_key_made_a_moment_ago_work_on_both_servers(cluster, servers, world):
    """A partner, user and key created a moment ago (not on the standby
    yet): GET routes accept the key at once through both servers; so do
    they a new key of a user the standby already knows."""
    _partner_id, user_id, _login, key = world.new_partner("Fresh Key")
    known = cluster.query(
        "SELECT count(*) FROM res_users WHERE id = %s", [user_id], standby=True
    )
    for server in servers:
        response = api(server, "GET", "available_products", key)
        assert response.status_code == 200, response.text[:300]
        assert [p["ean"] for p in response.json()["products"]] == [world.ean]
    assert known == [(0,)], "the standby knew the user already: nothing was proved"

    cluster.wait_replayed()
    with world.registry.cursor() as cr:
        env = world.env(cr)
        user = env["res.users"].browse(user_id)
        second = (
            env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate("partner_order_api.readonly", "second", None)
        )
        cr.commit()
    keys_on_standby = cluster.query(
        "SELECT count(*) FROM res_users_apikeys WHERE user_id = %s",
        [user_id],
        standby=True,
    )
    for server in servers:
        response = api(server, "GET", "orders", second)
        assert response.status_code == 200, response.text[:300]
    assert keys_on_standby == [(1,)], "the standby had the new key already"


def test_a_revoked_key_is_refused_at_once_by_both_servers(cluster, servers, world):
    """Every worker of both servers verified (and remembers) the key; it is
    revoked on the primary: the next requests through both servers are
    refused, while the standby still holds the key, and stay refused
    (the key is never checked on the standby, so a lagging standby cannot
    put it back into a worker's cache)."""
    _partner_id, user_id, _login, key = world.new_partner("Revoked Key")
    cluster.wait_replayed()
    for server in servers:
        statuses = {
            r.status_code
            for r in live_tests._parallel(
                12, lambda _i, s=server: api(s, "GET", "orders", key)
            )
        }
        assert statuses == {200}
    with world.registry.cursor() as cr:
        world.env(cr)["res.users.apikeys"].search([("user_id", "=", user_id)]).unlink()
        cr.commit()
    sql = "SELECT count(*) FROM res_users_apikeys WHERE user_id = %s"
    still_there = cluster.query(sql, [user_id], standby=True)
    for _round in range(2):
        for server in servers:
            responses = live_tests._parallel(
                12, lambda _i, s=server: api(s, "GET", "orders", key)
            )
            assert {r.status_code for r in responses} == {401}
            assert responses[0].json()["error"]["code"] == "unauthorized"
    assert still_there == [(1,)], "the standby had replayed the revocation already"
    cluster.wait_replayed()
    for server in servers:
        assert api(server, "GET", "orders", key).status_code == 401


def test_one_order_per_external_id_and_idempotency_key_across_servers(servers, world):
    """50 simultaneous POST order with one external_order_id, spread over
    both servers, make one order; 20 with one Idempotency-Key make one."""
    _partner_id, _user_id, _login, key = world.new_partner("Race Across")
    external_id = f"RACE-{uuid.uuid4().hex[:8]}"
    responses = live_tests._parallel(
        50,
        lambda i: api(
            servers[i % 2],
            "POST",
            "order",
            key,
            json=order_body(world.ean, external_id),
        ),
    )
    codes = live_tests._codes(responses)
    assert codes.count((201, None)) == 1, codes
    assert codes.count((409, "duplicate_external_order_id")) == 49, codes

    idem = f"idem-{uuid.uuid4().hex}"
    body = order_body(world.ean, f"IDEM-{idem[-8:]}")
    responses = live_tests._parallel(
        20,
        lambda i: api(
            servers[i % 2],
            "POST",
            "order",
            key,
            json=body,
            headers={"Idempotency-Key": idem},
        ),
    )
    codes = live_tests._codes(responses)
    assert set(codes) <= {(201, None), (409, "idempotency_in_progress")}, codes
    created = {r.json()["biomes_order_id"] for r in responses if r.status_code == 201}
    assert len(created) == 1, codes
    with world.registry.cursor() as cr:
        orders = world.env(cr)["sale.order"].search(
            [("order_api_external_id", "in", [external_id, body["external_order_id"]])]
        )
        assert len(orders) == 2


def test_rate_limit_holds_across_both_servers(cluster, servers, world):
    """40 simultaneous GETs over both servers against a budget of 20: 20 pass
    (the bucket is on the primary, whatever cursor the GET runs on; a
    budget per server would let 40 pass)."""
    partner_id, _user_id, _login, key = world.new_partner("Rate Across")
    with world.registry.cursor() as cr:
        world.env(cr)["res.partner"].browse(
            partner_id
        ).order_api_rate_limit_per_minute = 20
        cr.commit()
    # the partner's limit is read with the partner, on the standby for a
    # GET: a changed limit holds there once replayed (see the README)
    cluster.wait_replayed()
    started = time.monotonic()
    responses = live_tests._parallel(
        40, lambda i: api(servers[i % 2], "GET", "orders", key, params={"page_size": 1})
    )
    elapsed = time.monotonic() - started
    statuses = sorted(r.status_code for r in responses)
    # 20 tokens, plus the refill of one every 3 s during the burst
    assert 20 <= statuses.count(200) <= 21 + int(elapsed / 3), (elapsed, statuses)
    assert statuses.count(429) == 40 - statuses.count(200), statuses


def test_get_routes_never_write_on_the_standby(cluster, servers, world):
    """Every GET route through both servers, for a partner whose writes the
    standby has replayed: all answered, served on the standby (no rerun on
    the primary), and no write reached it (PostgreSQL would log 'cannot
    execute ... in a read-only transaction'; Odoo 'retrying with a
    read/write cursor'). The rate limiter took its tokens on the primary."""
    partner_id, _user_id, _login, key = world.new_partner("Read Only")
    with world.registry.cursor() as cr:
        world.env(cr)["res.partner"].browse(
            partner_id
        ).order_api_rate_limit_per_minute = 60
        cr.commit()
    created = api(servers[0], "POST", "order", key, json=order_body(world.ean))
    assert created.status_code == 201
    name = created.json()["biomes_order_id"]
    cluster.wait_replayed()
    time.sleep(0.5)
    cluster.wait_replayed()
    standby_log = cluster.pg / "standby.log"
    log_size = standby_log.stat().st_size
    before = _reruns(servers)
    remaining = []
    for server in servers:
        for route, params in (
            ("available_products", None),
            ("orders", {"page_size": 5}),
            (
                "orders",
                {"sort": "updated_asc", "updated_since": "2020-01-01T00:00:00Z"},
            ),
            ("order_status", {"identifiedBy": "biomes", "order_id": name}),
            ("order_status", {"identifiedBy": "biomes", "order_id": "missing"}),
            ("webhook", None),
        ):
            response = api(server, "GET", route, key, params=params)
            assert response.status_code in (200, 404), (route, response.text[:200])
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert _reruns(servers) == before, "a GET was rerun on the primary"
    # 12 tokens taken (30 at first, one back a second)
    assert remaining[-1] <= remaining[0] - 5, remaining
    with standby_log.open(errors="replace") as log:
        log.seek(log_size)
        assert "read-only transaction" not in log.read()
    for server in servers:
        text = server.log.read_text(errors="replace")
        assert "retrying with a read/write cursor" not in text
        assert "ReadOnlySqlTransaction" not in text


def _poll(servers, key, stop, seen, errors):
    """The client: GET orders?updated_since=…&sort=updated_asc round-robin
    over ``servers``, following next_updated_since, each (order, updated_at,
    status) answered added to ``seen``, until one round after ``stop``."""
    since, index = "2020-01-01T00:00:00Z", 0
    while True:
        last_round = stop.is_set()
        response = api(
            servers[index % 2],
            "GET",
            "orders",
            key,
            params={
                "updated_since": since,
                "sort": "updated_asc",
                "page_size": 100,
            },
        )
        index += 1
        if response.status_code != 200:
            errors.append(response.text[:300])
            return
        body = response.json()
        for order in body["orders"]:
            seen.add((order["biomes_order_id"], order["updated_at"], order["status"]))
        assert not body["pagination"]["has_next"]
        since = body["pagination"]["next_updated_since"]
        if last_round:
            return
        time.sleep(0.2)


def _create_cancel_and_ship(servers, world, key, run):
    """Eight orders created through both servers, three cancelled through
    the other one, three shipped in the back office: their names."""
    names = []
    for index in range(8):
        created = api(
            servers[index % 2],
            "POST",
            "order",
            key,
            json=order_body(world.ean, f"SYNC-{index}-{run}"),
        )
        assert created.status_code == 201, created.text[:300]
        names.append(created.json()["biomes_order_id"])
    # cancelling or shipping while a server's cron reserves the same
    # stock makes Odoo log a serialization failure (see tests_live)
    live_tests._wait_for_reservations(world)
    for index, name in enumerate(names[:3]):
        cancelled = api(
            servers[(index + 1) % 2],
            "POST",
            "order/cancel",
            key,
            json={"identifiedBy": "biomes", "order_id": name},
        )
        assert cancelled.status_code == 200, cancelled.text[:300]
    live_tests._validate_delivery(world, *names[3:6])
    return names


def test_sync_polling_round_robin_sees_every_change(cluster, servers, world):
    """A client polls GET orders?updated_since=…&sort=updated_asc round-robin
    over both servers (following next_updated_since) while orders are
    created and cancelled through both servers and shipped in the back
    office; at the end every order's last change (updated_at and status, as
    the primary holds them) was seen at least once."""
    _partner_id, _user_id, _login, key = world.new_partner("Sync Across")
    run = uuid.uuid4().hex[:8]
    seen = set()
    stop = threading.Event()
    errors = []
    poller = threading.Thread(target=_poll, args=(servers, key, stop, seen, errors))
    poller.start()
    try:
        names = _create_cancel_and_ship(servers, world, key, run)
        # the standby's lag, then one more round through each server
        cluster.wait_replayed()
        time.sleep(1.5)
    finally:
        stop.set()
        poller.join(120)
    assert not errors, errors
    with world.registry.cursor() as cr:
        env = world.env(cr)
        orders = env["sale.order"].search([("name", "in", names)])
        final = {
            (o["biomes_order_id"], o["updated_at"], o["status"])
            for o in env["partner.order.api.order.reader"]._serialize(orders)
        }
    assert {status for _name, _at, status in final} >= {
        "cancelled",
        "shipped",
        "confirmed",
    }
    assert final <= seen, sorted(final - seen)


def _server_calling(servers, port):
    """The server one of whose processes holds a connection to ``port``."""
    pids = {
        conn.pid
        for conn in psutil.net_connections(kind="tcp")
        if conn.raddr and conn.raddr.port == port and conn.pid
    }
    for server in servers:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                if os.getpgid(pid) == server.process.pid:
                    return server
    return None


def _subscribe_and_order(servers, world, x_key, y_key, receivers):
    """X and Y subscribe to order.shipped (each through one server); two
    orders of X and one of Y, through both servers: their names."""
    for index, (key, receiver) in enumerate(
        zip((x_key, y_key), receivers, strict=True)
    ):
        put = api(
            servers[index],
            "PUT",
            "webhook",
            key,
            json={"url": receiver.url, "event_types": ["order.shipped"]},
        )
        assert put.status_code == 200, put.text
    return tuple(
        live_tests._created(
            api(
                servers[index % 2],
                "POST",
                "order",
                key,
                json=order_body(world.ean),
            )
        )
        for index, key in enumerate((x_key, x_key, y_key))
    )


def _kill_mid_delivery(world, killed, receivers, names, outbox):
    """While ``killed`` is inside the call to X's receiver, X's second and
    Y's event are committed; ``killed`` is killed: the events as it left
    them ({name: event})."""
    _x_receiver, y_receiver = receivers
    x1, x2, y1 = names
    live_tests._validate_delivery(world, x2, y1)
    time.sleep(2)  # the other server's cron is woken, and finds the job busy
    assert len(y_receiver.requests) == 0, "two sender runs at once"
    killed.stop(kill=True)
    at_kill = live_tests._events_of(world, [x1, x2, y1])
    assert at_kill[x1]["last_error"] == outbox.IN_FLIGHT
    return at_kill


def _assert_the_other_server_delivers(world, receivers, held):
    """The other server: X's second and Y's event at once (its cron takes
    the job the killed one held), X's first (``held``) at its retry time (a
    minute after its claim), then nothing more."""
    x_receiver, y_receiver = receivers
    retry_at = live_tests._timestamp(held["next_attempt_at"])
    live_tests._wait_waking(
        world,
        lambda: len(x_receiver.requests) >= 2 and y_receiver.requests,
        retry_at - time.time() - 5,
    )
    assert len(x_receiver.requests) == 2 and len(y_receiver.requests) == 1
    assert time.time() < retry_at, "the pending events waited for a retry"
    left = retry_at - time.time()
    live_tests._wait_waking(
        world,
        lambda: len(x_receiver.requests) >= 3 and y_receiver.requests,
        left + 60,
    )
    live_tests._wait_waking(world, lambda: False, 3)  # nothing more comes


def _assert_posted_once_per_attempt(world, receivers, names, at_kill):
    """Each event posted once per attempt (the same webhook-id), all done."""
    x_receiver, y_receiver = receivers
    x1, x2, y1 = names
    by_id = Counter(
        r["headers"]["webhook-id"] for r in x_receiver.requests + y_receiver.requests
    )
    assert by_id == {
        at_kill[x1]["webhook_id"]: 2,  # the held attempt and its retry
        at_kill[x2]["webhook_id"]: 1,
        at_kill[y1]["webhook_id"]: 1,
    }, by_id
    after = live_tests._events_of(world, [x1, x2, y1])
    assert {name: (e["state"], e["attempts"]) for name, e in after.items()} == {
        x1: ("done", 2),
        x2: ("done", 1),
        y1: ("done", 1),
    }


def test_webhooks_with_two_crons_and_a_server_killed_mid_delivery(servers, world):
    """Both servers run the sender cron. Partner X's receiver holds the
    first request open; while one server is inside that call, X's second
    event and partner Y's event are committed; that server is killed
    (SIGKILL, workers and cron included). The other server delivers them,
    and X's first event again at its retry time with the same webhook-id:
    every event is posted once per attempt, never twice by two crons."""
    from odoo.addons.partner_order_api.models import (  # noqa: PLC0415
        partner_order_api_webhook_event as outbox,
    )

    _x_id, _user, _login, x_key = world.new_partner("Hook X")
    _y_id, _user, _login, y_key = world.new_partner("Hook Y")
    killed = None
    with WebhookReceiver(hold_first=1) as x_receiver, WebhookReceiver() as y_receiver:
        receivers = (x_receiver, y_receiver)
        try:
            names = _subscribe_and_order(servers, world, x_key, y_key, receivers)
            live_tests._wait_for_reservations(world)
            live_tests._validate_delivery(world, names[0])
            assert len(x_receiver.wait_for(1, timeout=90)) == 1
            port = int(x_receiver.url.split(":")[2].split("/")[0])
            killed = _server_calling(servers, port)
            assert killed is not None, "no server holds the call"
            at_kill = _kill_mid_delivery(world, killed, receivers, names, outbox)
            _assert_the_other_server_delivers(world, receivers, at_kill[names[0]])
        finally:
            if killed is not None:
                killed.start()
    _assert_posted_once_per_attempt(world, receivers, names, at_kill)


def test_no_server_problem_logged(servers):
    """Nothing the two servers logged at WARNING or above (scripts/test.sh
    checks their logs too)."""
    problems = [
        line
        for server in servers
        for line in server.log_lines(" WARNING ", " ERROR ", " CRITICAL ", "Traceback")
    ]
    assert problems == []
