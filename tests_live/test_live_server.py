# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Concurrency, idempotency and webhook delivery against a real multi-process server."""

import datetime
import re
import socket
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2.errors
import requests
from conftest import Server, _require_env, api, order_body

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from webhook_receiver import WebhookReceiver  # noqa: E402


def _parallel(count, func):
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(func, range(count)))


def _codes(responses):
    return sorted(
        (r.status_code, (r.json().get("error") or {}).get("code")) for r in responses
    )


def test_50_simultaneous_orders_with_one_external_id(server, world):
    _partner_id, _user_id, key = world.partners[0]
    external_id = f"RACE-{uuid.uuid4().hex[:8]}"
    name = f"Race Receiver {external_id}"
    responses = _parallel(
        50,
        lambda _i: api(
            server, "POST", "order", key, json=order_body(world.ean, external_id, name)
        ),
    )
    codes = _codes(responses)
    assert all(status < 500 for status, _code in codes), codes
    assert codes.count((201, None)) == 1, codes
    assert codes.count((409, "duplicate_external_order_id")) == 49, codes
    with world.registry.cursor() as cr:
        env = world.env(cr)
        orders = env["sale.order"].search([("order_api_external_id", "=", external_id)])
        assert len(orders) == 1
        contacts = (
            env["res.partner"]
            .with_context(active_test=False)
            .search([("name", "=", name)])
        )
        assert contacts == orders.partner_shipping_id, "no orphan delivery contact"


def test_50_simultaneous_orders_from_5_partners(server, world):
    run = uuid.uuid4().hex[:8]

    def post(index):
        _partner_id, _user_id, key = world.partners[index % 5]
        return api(
            server, "POST", "order", key, json=order_body(world.ean, f"P{index}-{run}")
        )

    responses = _parallel(50, post)
    assert [r.status_code for r in responses] == [201] * 50, _codes(responses)
    names = {r.json()["biomes_order_id"] for r in responses}
    assert len(names) == 50
    with world.registry.cursor() as cr:
        env = world.env(cr)
        assert (
            env["sale.order"].search_count(
                [("order_api_external_id", "like", f"-{run}")]
            )
            == 50
        )


def test_20_simultaneous_requests_with_one_idempotency_key(server, world):
    _partner_id, _user_id, key = world.partners[1]
    idem = f"idem-{uuid.uuid4().hex}"
    body = order_body(world.ean, f"IDEM-{idem[-8:]}")
    responses = _parallel(
        20,
        lambda _i: api(
            server, "POST", "order", key, json=body, headers={"Idempotency-Key": idem}
        ),
    )
    codes = _codes(responses)
    assert all(
        code in ((201, None), (409, "idempotency_in_progress")) for code in codes
    ), codes
    created = [r for r in responses if r.status_code == 201]
    assert created, codes
    assert len({r.json()["biomes_order_id"] for r in created}) == 1
    # whoever was refused while it ran gets the replay now
    replay = api(
        server, "POST", "order", key, json=body, headers={"Idempotency-Key": idem}
    )
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["biomes_order_id"] == created[0].json()["biomes_order_id"]
    with world.registry.cursor() as cr:
        env = world.env(cr)
        assert (
            env["sale.order"].search_count(
                [("order_api_external_id", "=", body["external_order_id"])]
            )
            == 1
        )


def _wait_for_reservations(world, order_names=None, timeout=240):
    """Until the reservation cron has reserved the deliveries of
    ``order_names`` (default: every order). Before a webhook latency is
    measured: the server's one cron worker runs the jobs one after the
    other, and the latency is the sender's, not that queue's."""
    domain = [("order_api_reservation_pending", "=", True)]
    if order_names:
        domain.append(("sale_id.name", "in", list(order_names)))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with world.registry.cursor() as cr:
            pending = world.env(cr)["stock.picking"].search_count(domain)
        if not pending:
            return
        time.sleep(1)
    raise AssertionError(f"{pending} deliveries still wait for their reservation")


def _validate_delivery(world, *order_names):
    """The warehouse validates the deliveries of the orders, in this order
    (in this process), and commits them in one transaction, once the
    server's reservation cron has reserved them: validating while the cron
    reserves the same stock makes one of them fail on a serialization
    failure, which Odoo logs as an ERROR ("bad query") in the server's log.
    Like an Odoo request, it is retried on a serialization failure."""
    _wait_for_reservations(world, order_names)
    for attempt in range(5):
        try:
            with world.registry.cursor() as cr:
                env = world.env(cr)
                for name in order_names:
                    order = env["sale.order"].search([("name", "=", name)])
                    picking = order.picking_ids.filtered(
                        lambda p: p.state not in ("done", "cancel")
                    )
                    for move in picking.move_ids:
                        move.quantity = move.product_uom_qty
                        move.picked = True
                    picking.button_validate()
                    assert picking.state == "done"
                cr.commit()
            return time.monotonic()
        except psycopg2.errors.SerializationFailure:
            if attempt == 4:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def test_webhook_reaches_the_partner_within_seconds(server, world):
    _partner_id, _user_id, key = world.partners[2]
    _wait_for_reservations(world)
    with WebhookReceiver() as receiver:
        # the delivery events alone: one request per validated delivery
        put = api(
            server,
            "PUT",
            "webhook",
            key,
            json={
                "url": receiver.url,
                "event_types": ["order.partially_shipped", "order.shipped"],
            },
        )
        assert put.status_code == 200, put.text
        latencies = []
        for _attempt in range(3):
            created = api(server, "POST", "order", key, json=order_body(world.ean))
            assert created.status_code == 201
            expected = len(receiver.requests) + 1
            committed_at = _validate_delivery(world, created.json()["biomes_order_id"])
            requests_seen = receiver.wait_for(expected, timeout=30)
            assert len(requests_seen) == expected, "the webhook did not arrive"
            assert requests_seen[-1]["headers"]["x-webhook-event"] == "order.shipped"
            latencies.append(requests_seen[-1]["received_at"] - committed_at)
    print(
        f"\nwebhook latency after commit (s): {', '.join(f'{x:.2f}' for x in latencies)}"
    )
    assert sorted(latencies)[1] < 10


EVENT = "partner.order.api.webhook.event"
SENDER_CRON = "partner_order_api.ir_cron_webhook_send"


def _wake_cron_workers(world):
    """What every committed ``ir.cron._trigger()`` for "now" does: wake the
    sleeping cron workers (Odoo's NOTIFY on the ``postgres`` database), so
    that the test need not wait for their 60-70 s poll. A wake-up runs only
    the jobs that are due, by their ``nextcall`` or a due trigger row: it
    gives the sender no reason to run that it did not have."""
    from odoo.sql_db import db_connect  # noqa: PLC0415

    with db_connect("postgres").cursor() as cr:
        cr.execute("SELECT pg_notify('cron_trigger', %s)", [world.registry.db_name])


def _wait_waking(world, condition, seconds):
    """Wake the cron workers every second until ``condition()`` holds or
    ``seconds`` have passed; ``condition()``'s last value."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return result
        _wake_cron_workers(world)
        time.sleep(1)


def _events_of(world, order_names):
    """``{order name: {field: value}}`` of the orders' webhook events."""
    with world.registry.cursor() as cr:
        events = world.env(cr)[EVENT].search([("order_id.name", "in", order_names)])
        assert len(events) == len(order_names), events.mapped("order_id.name")
        return {
            event.order_id.name: {
                "webhook_id": event.message_id,
                "state": event.state,
                "attempts": event.attempt_count,
                "last_attempt_at": event.last_attempt_at,
                "next_attempt_at": event.next_attempt_at,
                "last_error": event.last_error,
                "payload": event.payload,
            }
            for event in events
        }


def _sender_triggers_at(world, moment):
    with world.registry.cursor() as cr:
        cron = world.env(cr).ref(SENDER_CRON)
        cr.execute(
            "SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s AND call_at = %s",
            [cron.id, moment],
        )
        return cr.fetchone()[0]


def _pending_at(world, moment):
    with world.registry.cursor() as cr:
        return world.env(cr)[EVENT].search_count(
            [("state", "=", "pending"), ("next_attempt_at", "=", moment)]
        )


def _set_sender_nextcall(world, nextcall):
    """Set the sender cron's interval run; the previous value."""
    with world.registry.cursor() as cr:
        cron = world.env(cr).ref(SENDER_CRON)
        previous = cron.nextcall
        cron.nextcall = nextcall
        cr.commit()
        return previous


def _created(response):
    assert response.status_code == 201, response.text
    return response.json()["biomes_order_id"]


def _timestamp(naive_utc):
    return naive_utc.replace(tzinfo=datetime.UTC).timestamp()


def test_webhooks_survive_a_server_kill_in_flight_and_pending(server, world):
    """SIGKILL of the whole server (main process and workers) while the
    sender is inside a call (partner X's receiver holds the request open,
    unanswered) with a second event of X waiting behind it, and an event of
    partner Z waiting for its retry (Z's receiver was down). After a
    restart, each event is delivered exactly once, the in-flight attempt
    counting as one attempt: X's second event at once, X's first and Z's at
    their retry time (a minute after their claim: the trigger of that time
    was committed with the claim) with the webhook-id of the first attempt.
    The sender's interval run is pushed out of the way meanwhile: only its
    trigger rows can make it run."""
    from odoo.addons.partner_order_api.models import (  # noqa: PLC0415
        partner_order_api_webhook_event as outbox,
    )

    _wait_for_reservations(world)
    _x_id, _user, _login, x_key = world.new_partner("Kill X")
    _z_id, _user, _login, z_key = world.new_partner("Kill Z")
    z_socket = socket.socket()
    z_socket.bind(("127.0.0.1", 0))  # bound, not listening: connections refused
    z_port = z_socket.getsockname()[1]
    z_url = f"http://127.0.0.1:{z_port}/hook"
    nextcall = None
    with WebhookReceiver(hold_first=1) as x_receiver:
        try:
            for key, url in ((x_key, x_receiver.url), (z_key, z_url)):
                # one event per order: its shipment
                put = api(
                    server,
                    "PUT",
                    "webhook",
                    key,
                    json={"url": url, "event_types": ["order.shipped"]},
                )
                assert put.status_code == 200, put.text
            x1, x2, z1 = (
                _created(api(server, "POST", "order", key, json=order_body(world.ean)))
                for key in (x_key, x_key, z_key)
            )

            # Z's receiver is down: the first attempt fails, the next is in a
            # minute
            _validate_delivery(world, z1)
            z_event = _wait_waking(
                world,
                lambda: next(
                    (
                        event
                        for event in _events_of(world, [z1]).values()
                        if event["attempts"] == 1
                        and event["last_error"] != outbox.IN_FLIGHT
                    ),
                    None,
                ),
                60,
            )
            assert z_event, "Z's first attempt did not happen"
            assert z_event["state"] == "pending", z_event
            assert "refused" in z_event["last_error"].lower(), z_event
            # X's first claim comes 8 s after Z's: a sender run for Z's retry
            # is over before X's first event is due again
            time.sleep(8)

            # X's two events are committed together: the sender takes the
            # older and is held inside its call, the other waits
            _validate_delivery(world, x1, x2)
            assert len(x_receiver.wait_for(1, timeout=60)) == 1
            server.stop(kill=True)
            held = x_receiver.wait_released(0, timeout=10)
            assert held["released_at"] is not None, "the kill did not end the call"
            assert held["status"] is None
            nextcall = _set_sender_nextcall(
                world, datetime.datetime.utcnow() + datetime.timedelta(days=1)
            )

            at_kill = _events_of(world, [x1, x2, z1])
            assert at_kill[x1]["state"] == "pending"
            assert at_kill[x1]["attempts"] == 1
            assert at_kill[x1]["last_error"] == outbox.IN_FLIGHT, (
                "the attempt had ended before the kill",
                at_kill[x1],
            )
            x1_retry_at = at_kill[x1]["next_attempt_at"]
            assert (
                x1_retry_at - at_kill[x1]["last_attempt_at"] == (outbox.RETRY_DELAYS[0])
            )
            assert held["headers"]["webhook-id"] == at_kill[x1]["webhook_id"]
            assert (at_kill[x2]["state"], at_kill[x2]["attempts"]) == ("pending", 0)
            assert at_kill[z1] == z_event, "Z's event changed"
            assert _sender_triggers_at(world, x1_retry_at) >= 1, (
                "no wake-up at the retry time was committed with the claim"
            )

            server.start()
            # X's second event was due: it goes out on the first run
            seen = _wait_waking(
                world, lambda: len(x_receiver.requests) >= 2 and x_receiver.requests, 60
            )
            assert len(seen) == 2, "the pending event was not sent after the restart"
            assert seen[1]["headers"]["webhook-id"] == at_kill[x2]["webhook_id"]
            assert time.time() < _timestamp(x1_retry_at), "too slow to tell"

            # Z's receiver is back; X's first event and Z's are sent at
            # their retry time, not before
            z_socket.close()
            with WebhookReceiver(port=z_port) as z_receiver:
                left = _timestamp(max(x1_retry_at, z_event["next_attempt_at"])) - (
                    time.time()
                )
                _wait_waking(
                    world,
                    lambda: len(x_receiver.requests) >= 3 and z_receiver.requests,
                    left + 60,
                )
                # more runs send nothing more
                _wait_waking(world, lambda: False, 4)
                x_seen = list(x_receiver.requests)
                z_seen = list(z_receiver.requests)
        finally:
            z_socket.close()
            if nextcall is not None:
                _set_sender_nextcall(world, nextcall)
            if server.process.poll() is not None:
                server.start()

    after = _events_of(world, [x1, x2, z1])
    by_id = Counter(r["headers"]["webhook-id"] for r in x_seen + z_seen)
    assert by_id == {
        at_kill[x1]["webhook_id"]: 2,  # the held attempt and the retry
        at_kill[x2]["webhook_id"]: 1,
        at_kill[z1]["webhook_id"]: 1,  # the refused attempt reached nobody
    }, (by_id, at_kill)
    delivered = Counter(
        r["headers"]["webhook-id"] for r in x_seen + z_seen if r["status"] == 200
    )
    assert set(delivered.values()) == {1} and len(delivered) == 3, delivered
    retry = x_seen[2]
    assert retry["headers"]["webhook-id"] == held["headers"]["webhook-id"]
    assert retry["body"] == held["body"] == at_kill[x1]["payload"].encode()
    assert int(retry["headers"]["webhook-timestamp"]) >= _timestamp(x1_retry_at)
    assert int(z_seen[0]["headers"]["webhook-timestamp"]) >= _timestamp(
        z_event["next_attempt_at"]
    )
    assert {name: (e["state"], e["attempts"]) for name, e in after.items()} == {
        x1: ("done", 2),
        x2: ("done", 1),
        z1: ("done", 2),
    }
    # a delivered attempt leaves no wake-up behind (no idle sender run): at
    # the retry time its claim set, there are only the wake-ups of the
    # events still waiting for that time (another test's, at most)
    for event in after.values():
        retry_at = event["last_attempt_at"] + outbox.RETRY_DELAYS[event["attempts"] - 1]
        assert _sender_triggers_at(world, retry_at) == _pending_at(world, retry_at), (
            event
        )


def test_no_server_error_logged(server):
    """Runs last (conftest.py): nothing the shared server logged at ERROR or
    CRITICAL, and no traceback. (scripts/test.sh also fails on any WARNING
    of every server log.)"""
    problems = [
        line for line in server.log_lines(" ERROR ", " CRITICAL ", "Traceback") if line
    ]
    assert problems == []


def test_rate_limit_holds_across_worker_processes(server, world):
    """40 simultaneous requests on 3 workers, from two keys of one partner,
    against a budget of 20: exactly 20 pass (the bucket is the partner's,
    in PostgreSQL, not in one process nor per key). The access log names
    the worker that answered each request: at least two workers answered
    two or more each, so budgets kept per process would have let at least
    22 pass."""
    partner_id, user_id, _key = world.partners[0]
    with world.registry.cursor() as cr:
        env = world.env(cr)
        env["res.partner"].browse(partner_id).order_api_rate_limit_per_minute = 20
        user = env["res.users"].browse(user_id)
        keys = [
            env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate("partner_order_api", f"rate {index}", None)
            for index in range(2)
        ]
        cr.commit()
    probe = f"rate-{uuid.uuid4().hex}"
    try:
        responses = _parallel(
            40,
            lambda i: api(
                server,
                "GET",
                "orders",
                keys[i % 2],
                params={"page_size": 1, "probe": f"{probe}-{i}"},
            ),
        )
    finally:
        with world.registry.cursor() as cr:
            world.env(cr)["res.partner"].browse(
                partner_id
            ).order_api_rate_limit_per_minute = 0
            cr.commit()
    statuses = sorted(r.status_code for r in responses)
    # 20 tokens, plus the refill of 20 a minute during the burst (a second or so)
    assert 20 <= statuses.count(200) <= 21, statuses
    assert statuses.count(429) == 40 - statuses.count(200), statuses
    limited = next(r for r in responses if r.status_code == 429)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-RateLimit-Limit"] == "20"
    workers = _worker_of_each(server, probe, 40)
    assert sorted(workers) == list(range(40)), "requests missing from the access log"
    assert [workers[i][1] for i in range(40)] == [r.status_code for r in responses], (
        "the access log disagrees with the answers"
    )
    answered = Counter(pid for pid, _status in workers.values())
    print(f"\nanswers per worker pid: {dict(answered)}")
    assert sum(1 for count in answered.values() if count >= 2) >= 2, (
        f"the requests did not spread over two workers: {dict(answered)}"
    )


def _portal_user_with_key(world, name):
    """A committed portal user (with a password) of a new enabled partner,
    and its API key."""
    password = f"pw-{uuid.uuid4().hex}"
    _partner_id, _user_id, login, key = world.new_partner(name, password=password)
    return login, password, key


def _served_by(server, probe):
    """Process ids of the workers that logged a request holding ``probe``."""
    return {
        line.split()[2]
        for line in server.log.read_text(errors="replace").splitlines()
        if probe in line and " werkzeug: " in line
    }


def _worker_of_each(server, probe, count, timeout=10):
    """``{i: (pid, status)}`` for the requests sent with the query parameter
    ``probe={probe}-{i}``, from the server's access log (werkzeug logs one
    line per answer, in the worker that answered it, its pid in the third
    column)."""
    pattern = re.compile(
        rf"^\S+ \S+ (\d+) INFO \S+ werkzeug: .*[?&]probe={re.escape(probe)}-(\d+)"
        r'[& ][^"]*" (\d{3}) '
    )
    deadline = time.monotonic() + timeout
    while True:
        found = {}
        for line in server.log.read_text(errors="replace").splitlines():
            match = pattern.match(line)
            if match:
                found[int(match[2])] = (match[1], int(match[3]))
        if len(found) >= count or time.monotonic() > deadline:  # log flushed
            return found
        time.sleep(0.2)


def _statuses_and_workers(server, key, count=24):
    """``count`` simultaneous GET orders with ``key``: their statuses and the
    workers that answered them (the access log names each worker's pid)."""
    probe = f"probe-{uuid.uuid4().hex}"
    responses = _parallel(
        count,
        lambda i: api(server, "GET", "orders", key, params={"probe": f"{probe}-{i}"}),
    )
    deadline = time.monotonic() + 10
    workers = _served_by(server, probe)
    while len(workers) < 2 and time.monotonic() < deadline:  # log not flushed yet
        time.sleep(0.2)
        workers = _served_by(server, probe)
    return sorted({r.status_code for r in responses}), workers


def _json_rpc(session, server, path, params):
    payload = {"jsonrpc": "2.0", "method": "call", "params": params}
    response = session.post(f"{server.url}{path}", json=payload, timeout=60)
    response.raise_for_status()
    body = response.json()
    assert "error" not in body, body
    return body["result"]


def _call_kw(session, server, model, method, args):
    return _json_rpc(
        session,
        server,
        "/web/dataset/call_kw",
        {"model": model, "method": method, "args": args, "kwargs": {}},
    )


def test_a_key_revoked_in_the_portal_is_refused_by_every_worker(server, world):
    """The integrator revokes its key in the portal (Odoo's remove(), behind
    the identity check), served by one worker: the requests that follow are
    refused by every worker, though each had the key verified and cached."""
    login, password, key = _portal_user_with_key(world, "Revoker")
    statuses, workers = _statuses_and_workers(server, key)
    assert statuses == [200]
    assert len(workers) >= 2, f"the warm-up reached only the workers {workers}"

    session = requests.Session()
    _json_rpc(
        session,
        server,
        "/web/session/authenticate",
        {"db": server.db, "login": login, "password": password},
    )
    key_ids = _call_kw(session, server, "res.users.apikeys", "search", [[]])
    assert len(key_ids) == 1
    action = _call_kw(session, server, "res.users.apikeys", "remove", [key_ids])
    assert action["res_model"] == "res.users.identitycheck"
    check = [[action["res_id"]]]
    _call_kw(
        session,
        server,
        "res.users.identitycheck",
        "write",
        [*check, {"password": password}],
    )
    _call_kw(session, server, "res.users.identitycheck", "run_check", check)
    with world.registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM res_users_apikeys WHERE id = %s", key_ids)
        assert cr.fetchone()[0] == 0, "the key was not revoked"

    statuses, workers = _statuses_and_workers(server, key)
    assert statuses == [401]
    assert len(workers) >= 2, f"only the workers {workers} were asked"


def test_a_key_revoked_by_a_script_is_refused_by_every_worker(server, world):
    """A script (odoo shell, a cron of another server) deletes the key and
    commits, without Odoo's request runner to signal the cache invalidation
    after it: the post-commit hook signals it, so every worker refuses the
    key on its next request, not a minute later."""
    login, _password, key = _portal_user_with_key(world, "Scripted")
    statuses, workers = _statuses_and_workers(server, key)
    assert statuses == [200]
    assert len(workers) >= 2, f"the warm-up reached only the workers {workers}"
    with world.registry.cursor() as cr:
        env = world.env(cr)
        revoked = env["res.users.apikeys"].search([("user_id.login", "=", login)])
        assert len(revoked) == 1
        revoked.unlink()
        cr.commit()
    statuses, workers = _statuses_and_workers(server, key)
    assert statuses == [401]
    assert len(workers) >= 2, f"only the workers {workers} were asked"


def test_get_routes_run_on_a_read_only_replica(world):
    """Every GET route is readonly=True: with a replica configured (here the
    same database through the default socket, which is enough to route), Odoo
    runs them on read-only connections, and none of them writes (a write
    would log 'retrying with a read/write cursor')."""
    conf, db, src = _require_env()
    _partner_id, _user_id, key = world.partners[3]
    replica = Server(
        conf, db, src, extra=("--db_replica_host=", "--log-handler=odoo.sql_db:DEBUG")
    ).start()
    try:
        created = api(replica, "POST", "order", key, json=order_body(world.ean))
        assert created.status_code == 201
        name = created.json()["biomes_order_id"]
        for route, params in (
            ("available_products", None),
            ("orders", {"page_size": 5}),
            (
                "orders",
                {
                    "sort": "updated_asc",
                    "updated_since": "2020-01-01T00:00:00Z",
                    "status": "confirmed",
                },
            ),
            ("order_status", {"identifiedBy": "biomes", "order_id": name}),
            ("order_status", {"identifiedBy": "biomes", "order_id": "missing"}),
            ("webhook", None),
            ("openapi.json", None),
        ):
            response = api(replica, "GET", route, key, params=params)
            assert response.status_code in (200, 404), (route, response.text[:200])
            assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    finally:
        replica.stop()
    log = replica.log.read_text(errors="replace")
    assert "retrying with a read/write cursor" not in log
    assert "ReadOnlySqlTransaction" not in log
    # odoo.sql_db at DEBUG names the pool each connection is borrowed from
    assert "ConnectionPool(read-only" in log, "no request used the read-only pool"
