# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Concurrency, idempotency, the rate limit and revoked keys against a real
multi-process server, and GET routes on a read-only replica (webhook
delivery: ``test_live_server_webhooks.py``; shared helpers:
``live_helpers.py``)."""

import random
import re
import time
import uuid
from collections import Counter

import requests
from conftest import Server, _require_env, api, order_body
from live_helpers import _codes, _parallel


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
    probe = _new_probe()
    try:
        responses = _parallel(
            40,
            lambda i: api(
                server,
                "GET",
                "orders",
                keys[i % 2],
                params={"page_size": 1, **_probe_params(probe, i)},
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


# A probe marks requests so that the access log names the worker that
# answered each: an undeclared query parameter is refused (400), so it rides
# in a declared one that filters nothing, ``created_to`` far in the future:
# a random time of a day in 2999 (one probe), its microseconds the request's
# index (werkzeug logs the query as sent, the colons as %3A).
def _new_probe():
    day, hour, minute, second = (random.randrange(n) for n in (28, 24, 60, 60))
    return f"2999-12-{day + 1:02d}T{hour:02d}:{minute:02d}:{second:02d}"


def _probe_params(probe, index):
    return {"created_to": f"{probe}.{index:06d}Z"}


def _probe_text(probe):
    return "created_to=" + probe.replace(":", "%3A") + "."


def _served_by(server, probe):
    """Process ids of the workers that logged a request holding ``probe``."""
    return {
        line.split()[2]
        for line in server.log.read_text(errors="replace").splitlines()
        if _probe_text(probe) in line and " werkzeug: " in line
    }


def _worker_of_each(server, probe, count, timeout=10):
    """``{i: (pid, status)}`` for the requests sent with the query parameter
    ``_probe_params(probe, i)``, from the server's access log (werkzeug logs one
    line per answer, in the worker that answered it, its pid in the third
    column)."""
    pattern = re.compile(
        rf"^\S+ \S+ (\d+) INFO \S+ werkzeug: .*[?&]{re.escape(_probe_text(probe))}(\d{{6}})Z"
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
    probe = _new_probe()
    responses = _parallel(
        count,
        lambda i: api(server, "GET", "orders", key, params=_probe_params(probe, i)),
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
