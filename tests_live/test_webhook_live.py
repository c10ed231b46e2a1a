# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook delivery by the cron worker of a real multi-process server: the
claim is committed before the call, a trickling receiver of one partner
does not hold back another partner's webhook, and the cron stays active."""

import datetime
import sys
import time
from pathlib import Path

from conftest import api, order_body
from live_helpers import _validate_delivery, _wait_for_reservations

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from webhook_receiver import RawReceiver, WebhookReceiver  # noqa: E402

EVENT = "partner.order.api.webhook.event"
# what a loaded 2-core machine may add to one deadline (cron wake-up, commits)
MARGIN = 8


def _order(server, key, ean):
    created = api(server, "POST", "order", key, json=order_body(ean))
    assert created.status_code == 201, created.text
    return created.json()["biomes_order_id"]


def _events(env, order_names):
    return env[EVENT].search([("order_id.name", "in", order_names)], order="id")


def _subscribe_to_deliveries(server, key, url):
    """``url`` gets the delivery events alone: one per validated delivery."""
    put = api(
        server,
        "PUT",
        "webhook",
        key,
        json={
            "url": url,
            "event_types": ["order.partially_shipped", "order.shipped"],
        },
    )
    assert put.status_code == 200, put.text


def _assert_claimed_before_the_call(world, slow, slow_orders, outbox):
    """The sender is inside the first slow call: its claim is already
    visible to every other transaction."""
    deadline = time.monotonic() + 60
    while not slow.connections and time.monotonic() < deadline:
        time.sleep(0.1)
    assert slow.connections, "the sender did not call the slow receiver"
    time.sleep(0.5)
    with world.registry.cursor() as cr:
        claimed = _events(world.env(cr), slow_orders).filtered(
            lambda e: e.last_error == outbox.IN_FLIGHT
        )
        assert len(claimed) == 1
        assert claimed.attempt_count == 1
        assert claimed.next_attempt_at > datetime.datetime.utcnow() + (
            datetime.timedelta(seconds=30)
        )


def _assert_not_held_back(world, receivers, ok_order, outbox):
    """The other partner's event, committed now, waits for one deadline at
    most, and arrives before the slow receiver's second call."""
    slow, healthy = receivers
    committed_at = _validate_delivery(world, ok_order)
    received = healthy.wait_for(1, timeout=outbox.TIMEOUT + 30)
    assert len(received) == 1, "the healthy partner's webhook did not arrive"
    latency = received[0]["received_at"] - committed_at
    print(f"\nhealthy partner's webhook {latency:.2f} s after its commit")
    assert latency < outbox.TIMEOUT + MARGIN
    connections = slow.wait_closed(2, timeout=2 * outbox.TIMEOUT + 30)
    assert len(connections) == 2
    assert received[0]["received_at"] < connections[1]["accepted_at"]


def _assert_outcome(server, world, slow_orders, ok_order, outbox):
    """The slow partner's events pending after their timeout, the other's
    done, the sender cron active and unharmed, nothing logged."""
    with world.registry.cursor() as cr:
        env = world.env(cr)
        now = datetime.datetime.utcnow()
        for event in _events(env, slow_orders):
            assert (event.state, event.attempt_count) == ("pending", 1)
            assert event.last_error == (
                f"timeout: no complete answer within {outbox.TIMEOUT} s "
                "(still reading the body at the deadline)"
            )
            assert event.next_attempt_at > now
        assert _events(env, [ok_order]).state == "done"
        cron = env.ref("partner_order_api.ir_cron_webhook_send")
        assert cron.active
        assert cron.failure_count == 0
    problems = [
        line
        for line in server.log_problems()
        if "webhook" in line.lower() or "ir_cron" in line
    ]
    assert problems == []


def test_a_trickling_receiver_does_not_hold_back_another_partner(server, world):
    from odoo.addons.partner_order_api.models import (  # noqa: PLC0415
        partner_order_api_webhook_event as outbox,
    )

    _slow_id, _user, slow_key = world.partners[3]
    _ok_id, _user, ok_key = world.partners[4]
    # headers, then one byte every 2 s: two minutes for the whole answer
    with (
        RawReceiver("trickle", interval=2, length=60) as slow,
        WebhookReceiver() as healthy,
    ):
        for key, url in ((slow_key, slow.url), (ok_key, healthy.url)):
            _subscribe_to_deliveries(server, key, url)
        slow_orders = [_order(server, slow_key, world.ean) for _index in range(2)]
        ok_order = _order(server, ok_key, world.ean)
        # all three reserved first: the server's cron worker that reserves
        # them is the one that will be inside the slow call, and the healthy
        # partner's delivery must be validated during that call
        _wait_for_reservations(world, [*slow_orders, ok_order])
        for name in slow_orders:
            _validate_delivery(world, name)
        _assert_claimed_before_the_call(world, slow, slow_orders, outbox)
        _assert_not_held_back(world, (slow, healthy), ok_order, outbox)
    _assert_outcome(server, world, slow_orders, ok_order, outbox)


def test_one_webhook_test_in_flight_per_partner(server, world):
    """Two ``POST webhook/test`` of one partner at once, on a multi-worker
    server, to a receiver that trickles its answer: the first holds its
    worker until the deadline, the second is answered 429 at once (not a
    second worker held), and another partner's requests are not slowed."""
    import threading  # noqa: PLC0415

    _partner_id, _user, key = world.partners[3]
    _other_id, _user, other_key = world.partners[4]
    with RawReceiver("trickle", interval=2, length=60) as slow:
        put = api(server, "PUT", "webhook", key, json={"url": slow.url})
        assert put.status_code == 200, put.text
        first = {}

        def send_first():
            started = time.monotonic()
            first["response"] = api(server, "POST", "webhook/test", key)
            first["took"] = time.monotonic() - started

        thread = threading.Thread(target=send_first)
        thread.start()
        deadline = time.monotonic() + 10
        while not slow.connections and time.monotonic() < deadline:
            time.sleep(0.05)
        assert slow.connections, "the first test never reached the receiver"
        started = time.monotonic()
        second = api(server, "POST", "webhook/test", key)
        took = time.monotonic() - started
        other = api(server, "GET", "orders", other_key)
        other_took = time.monotonic() - started - took
        thread.join(30)
        try:
            assert second.status_code == 429, second.text
            assert second.json()["error"]["code"] == "concurrency_limited"
            assert second.headers["Retry-After"] == "10"
            assert took < 2, took
            assert other.status_code == 200, other.text
            assert other_took < 2, other_took
            assert first["response"].status_code == 200, first["response"].text
            answer = first["response"].json()
            assert (answer["delivered"], answer["status_code"]) == (False, 200)
            assert "response_time_ms" not in answer
            assert first["took"] >= 10
            # one connection only: the refused test sent nothing
            assert len(slow.connections) == 1
            # over: the next one goes
            again = api(server, "POST", "webhook/test", key)
            assert again.status_code == 200, again.text
        finally:
            api(server, "DELETE", "webhook", key)
