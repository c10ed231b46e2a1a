# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Helpers of the live tests that several files share (tests_cluster/ too):
requests sent at once, the warehouse validating deliveries in this
process once the reservation cron is done, and the webhook events and
sender cron as the database holds them.

Imports no ``conftest`` (tests_cluster/ has its own): what they need comes
as arguments (the ``world`` of conftest.py, responses).
"""

import datetime
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg2.errors

EVENT = "partner.order.api.webhook.event"


def _parallel(count, func):
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(func, range(count)))


def _codes(responses):
    return sorted(
        (r.status_code, (r.json().get("error") or {}).get("code")) for r in responses
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


def _created(response):
    assert response.status_code == 201, response.text
    return response.json()["biomes_order_id"]


def _timestamp(naive_utc):
    return naive_utc.replace(tzinfo=datetime.UTC).timestamp()
