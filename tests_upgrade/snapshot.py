# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What test_upgrade.py compares before and after the upgrade: the addon's
rows (``snapshot``: its own tables, its columns on Odoo's tables, its
system parameters), the tables the upgrade recounts (checked against what
they count: ``TALLY_MISMATCH``, ``OWNERLESS``), and the API's answers
(``same_for_old_keys``: the fields the old version answered). ``psql(sql)``
runs a query on the database and answers its text, as in
webhook_settings.py. Imports nothing of the addon or of Odoo."""

import json

from webhook_settings import WEBHOOK_COLUMNS

# The addon's own tables, and its columns on Odoo's tables (every column of
# these tables that exists before the upgrade is compared, row by row).
OWN_TABLES = (
    "partner_order_api_webhook_event",
    "partner_order_api_idempotency",
    "partner_order_api_rate_bucket",
    "partner_order_api_order_tally",
)
ODOO_TABLES = {
    "sale_order": "order_api_%",
    "res_partner": "order_api_%",
    "res_users_apikeys": "%",
    "stock_lot": "kit_barcode",
    "res_partner_order_api_product_rel": "%",
}
# {table: {column, ...}} that a migration script changes on purpose: the
# webhook settings (webhook_settings.py)
CHANGED_COLUMNS = {"res_partner": set(WEBHOOK_COLUMNS)}
# Tables recounted by the upgrade, checked against what they count instead
# of row by row: the order tally, counted by customer contact in 18.0.1.0.0,
# by owner (sale_order.order_api_owner_id) since.
RECOUNTED_TABLES = {"partner_order_api_order_tally"}
# the tally (summed per key) that differs from COUNT(*) of the orders by owner
TALLY_MISMATCH = """
    SELECT count(*) FROM (
        SELECT partner_id, company_id, state, SUM(delta) AS n
          FROM partner_order_api_order_tally GROUP BY 1, 2, 3 HAVING SUM(delta) <> 0
    ) tally FULL JOIN (
        SELECT order_api_owner_id AS partner_id, company_id, state, COUNT(*) AS n
          FROM sale_order WHERE order_api_owner_id IS NOT NULL GROUP BY 1, 2, 3
    ) orders USING (partner_id, company_id, state)
     WHERE tally.n IS DISTINCT FROM orders.n
"""
# orders without their owner after the upgrade: every order has one, an
# order placed through the API the partner that placed it
OWNERLESS = """
    SELECT count(*) FROM sale_order
     WHERE order_api_owner_id IS NULL
        OR order_api_owner_id <> COALESCE(order_api_partner_id, order_api_owner_id)
"""
# Columns that an upgrade rewrites without any change of data.
VOLATILE = {"write_date", "write_uid"}


def _columns(psql, table, like):
    rows = psql(
        "SELECT column_name FROM information_schema.columns "
        f"WHERE table_name = '{table}' AND column_name LIKE '{like}' "
        "ORDER BY column_name",
    )
    return [c for c in rows.splitlines() if c and c not in VOLATILE]


def _rows(psql, table, columns):
    """The rows of ``table`` (``columns`` and ``id`` when it has one), in a
    stable order."""
    has_id = psql(
        "SELECT count(*) FROM information_schema.columns WHERE column_name = 'id' "
        f"AND table_name = '{table.split()[0]}'",
    )
    names = (["id"] if has_id == "1" else []) + [c for c in columns if c != "id"]
    cols = ", ".join(f'"{c}"' for c in names)
    text = psql(
        "SELECT COALESCE(json_agg(t ORDER BY to_jsonb(t)::text), '[]') "
        f"FROM (SELECT {cols} FROM {table}) t",
    )
    return json.loads(text)


def snapshot(psql, layout=None):
    """{table: rows} for the addon's data; ``layout`` ({table: columns}) of
    the earlier snapshot selects the same columns."""
    if layout is None:
        layout = {}
        for table in OWN_TABLES:
            layout[table] = _columns(psql, table, "%")
        for table, like in ODOO_TABLES.items():
            layout[table] = _columns(psql, table, like)
    rows = {
        table: _rows(
            psql,
            table,
            [c for c in columns if c not in CHANGED_COLUMNS.get(table, ())],
        )
        for table, columns in layout.items()
    }
    rows["ir_config_parameter"] = _rows(
        psql,
        "ir_config_parameter WHERE key LIKE 'partner_order_api.%'",
        ["key", "value"],
    )
    return rows, layout


# Lists of an answer that a version lets grow, the old items kept: path ->
# why. A subscription made before event types existed chose nothing, which
# 18.0.1.1.0 reads as every event type (issue 15: "default: all").
GROWN_LISTS = {
    "webhook.event_types": "18.0.1.1.0: new event types, and no choice means all",
}


def same_for_old_keys(old, new, path="$"):
    """Differences between ``old`` and ``new`` for what ``old`` holds: dicts
    may have gained keys, lists are compared item by item (those of
    ``GROWN_LISTS`` may have gained items)."""
    if path in GROWN_LISTS and isinstance(old, list) and isinstance(new, list):
        lost = [item for item in old if item not in new]
        return [f"{path}: lost {lost!r}"] if lost else []
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [f"{path}: {old!r} became {new!r}"]
        diffs = []
        for key, value in old.items():
            if key not in new:
                diffs.append(f"{path}.{key}: gone")
            else:
                diffs += same_for_old_keys(value, new[key], f"{path}.{key}")
        return diffs
    if isinstance(old, list):
        if not isinstance(new, list) or len(old) != len(new):
            return [f"{path}: {old!r} became {new!r}"]
        return [
            diff
            for index, (a, b) in enumerate(zip(old, new, strict=True))
            for diff in same_for_old_keys(a, b, f"{path}[{index}]")
        ]
    return [] if old == new else [f"{path}: {old!r} became {new!r}"]
