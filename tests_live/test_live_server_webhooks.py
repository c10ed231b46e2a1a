# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook delivery against a real multi-process server: the latency after
a delivery is committed, and events that survive a SIGKILL of the whole
server, in flight and pending."""

import datetime
import socket
import sys
import time
from collections import Counter
from pathlib import Path

from conftest import api, order_body
from live_helpers import (
    EVENT,
    _created,
    _events_of,
    _timestamp,
    _validate_delivery,
    _wait_for_reservations,
    _wait_waking,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from webhook_receiver import WebhookReceiver  # noqa: E402

SENDER_CRON = "partner_order_api.ir_cron_webhook_send"


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


def _outbox():
    """The addon's outbox module (importable once the session set Odoo up)."""
    from odoo.addons.partner_order_api.models import (  # noqa: PLC0415
        partner_order_api_webhook_event as outbox,
    )

    return outbox


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
            x1, x2, z1 = _kill_orders(
                server, world, ((x_key, x_receiver.url), (z_key, z_url))
            )
            z_event = _z_first_attempt_refused(world, z1)
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
            at_kill = _assert_events_at_kill(world, (x1, x2, z1), z_event, held)

            server.start()
            x_seen, z_seen = _sent_after_the_restart(
                world, (x_receiver, z_socket, z_port), at_kill[x1], at_kill[x2], z_event
            )
        finally:
            z_socket.close()
            if nextcall is not None:
                _set_sender_nextcall(world, nextcall)
            if server.process.poll() is not None:
                server.start()

    _assert_each_delivered_once(
        world, (x1, x2, z1), (at_kill, held, z_event), (x_seen, z_seen)
    )


def _kill_orders(server, world, subscriptions):
    """Each ``(key, url)``'s webhook set to the shipment alone (one event
    per order), then two orders of X's key and one of Z's: their names
    (x1, x2, z1)."""
    for key, url in subscriptions:
        put = api(
            server,
            "PUT",
            "webhook",
            key,
            json={"url": url, "event_types": ["order.shipped"]},
        )
        assert put.status_code == 200, put.text
    (x_key, _x_url), (z_key, _z_url) = subscriptions
    x1, x2, z1 = (
        _created(api(server, "POST", "order", key, json=order_body(world.ean)))
        for key in (x_key, x_key, z_key)
    )
    return x1, x2, z1


def _z_first_attempt_refused(world, z1):
    """Z's receiver is down: the first attempt fails, the next is in a
    minute. Z's event after that attempt."""
    outbox = _outbox()
    _validate_delivery(world, z1)
    z_event = _wait_waking(
        world,
        lambda: next(
            (
                event
                for event in _events_of(world, [z1]).values()
                if event["attempts"] == 1 and event["last_error"] != outbox.IN_FLIGHT
            ),
            None,
        ),
        60,
    )
    assert z_event, "Z's first attempt did not happen"
    assert z_event["state"] == "pending", z_event
    assert "refused" in z_event["last_error"].lower(), z_event
    return z_event


def _assert_events_at_kill(world, names, z_event, held):
    """At the kill: X's first event claimed (in flight; its retry time, and
    the wake-up at that time, committed with the claim), X's second not yet
    tried, Z's as it was. The events at the kill, by order name."""
    outbox = _outbox()
    x1, x2, z1 = names
    at_kill = _events_of(world, [x1, x2, z1])
    assert at_kill[x1]["state"] == "pending"
    assert at_kill[x1]["attempts"] == 1
    assert at_kill[x1]["last_error"] == outbox.IN_FLIGHT, (
        "the attempt had ended before the kill",
        at_kill[x1],
    )
    x1_retry_at = at_kill[x1]["next_attempt_at"]
    assert x1_retry_at - at_kill[x1]["last_attempt_at"] == (outbox.RETRY_DELAYS[0])
    assert held["headers"]["webhook-id"] == at_kill[x1]["webhook_id"]
    assert (at_kill[x2]["state"], at_kill[x2]["attempts"]) == ("pending", 0)
    assert at_kill[z1] == z_event, "Z's event changed"
    assert _sender_triggers_at(world, x1_retry_at) >= 1, (
        "no wake-up at the retry time was committed with the claim"
    )
    return at_kill


def _sent_after_the_restart(world, receivers, x1_event, x2_event, z_event):
    """After the restart, X's second event (it was due) goes out on the
    first run; then, Z's receiver back, X's first event and Z's at their
    retry time, not before, and nothing more. ``receivers``: X's receiver,
    Z's socket (closed here) and its port. The requests X's and Z's
    receivers had."""
    x_receiver, z_socket, z_port = receivers
    x1_retry_at = x1_event["next_attempt_at"]
    seen = _wait_waking(
        world, lambda: len(x_receiver.requests) >= 2 and x_receiver.requests, 60
    )
    assert len(seen) == 2, "the pending event was not sent after the restart"
    assert seen[1]["headers"]["webhook-id"] == x2_event["webhook_id"]
    assert time.time() < _timestamp(x1_retry_at), "too slow to tell"

    # Z's receiver is back; X's first event and Z's are sent at their retry
    # time, not before
    z_socket.close()
    with WebhookReceiver(port=z_port) as z_receiver:
        left = _timestamp(max(x1_retry_at, z_event["next_attempt_at"])) - (time.time())
        _wait_waking(
            world,
            lambda: len(x_receiver.requests) >= 3 and z_receiver.requests,
            left + 60,
        )
        # more runs send nothing more
        _wait_waking(world, lambda: False, 4)
        return list(x_receiver.requests), list(z_receiver.requests)


def _assert_each_delivered_once(world, names, before, seen):
    """Each event delivered exactly once (X's first tried twice: the held
    attempt and its retry, with the same webhook-id and body; Z's refused
    attempt reached nobody), the retries not before their time, every event
    done, and no wake-up left behind by a delivered attempt. ``before``:
    the events at the kill, the held request, Z's event after its first
    attempt; ``seen``: the requests X's and Z's receivers had."""
    outbox = _outbox()
    x1, x2, z1 = names
    at_kill, held, z_event = before
    x_seen, z_seen = seen
    x1_retry_at = at_kill[x1]["next_attempt_at"]
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
