# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Copies of the seed (``fill.seed``) until the bench partner has N orders,
and their check over HTTP.

1. ``replicate()`` (in each copy of the template): copy k = 1..K of every
   row the seed's flows wrote, by ``INSERT ... SELECT ... CROSS JOIN
   generate_series`` per table: sale_order, sale_order_line (+ its tax
   relation), procurement_group, stock_picking, stock_move,
   stock_move_line, stock_lot (renamed), the lots' stock_quant at the
   customer location, stock_valuation_layer, mail_followers (+ subtypes;
   the portal record rule reads them). Every foreign key to a copied table
   is found in pg_constraint and mapped (id -> id of copy k); names come
   from the real sequences (S....., WH/OUT/.....), which are advanced;
   external ids stay unique per partner; every date of copy k is moved k
   days back, so order_api_updated_at stays distinct. Chatter messages are
   not copied (no endpoint reads them). ``Replicator`` does it on one
   cursor; ``large_orders.py`` copies its large order with it too.
2. ``verify()`` over HTTP: total_count = N; order_status of a copied order
   equals its original's but for ids, names and dates.

Imports ``common`` and ``fill`` (the seed's facts and external ids).
"""

import re
import time

from common import API, env, log, registry
from fill import ext_id, facts
from psycopg2.extras import execute_values

COPY_PERIOD = "1 day"  # copy k is k periods older than the seed

# table -> SQL selecting the ids of the seed's rows (may use earlier seed sets)
SEEDS = {
    "sale_order": "SELECT id FROM sale_order WHERE order_api_partner_id = %(partner)s",
    "sale_order_line": """
        SELECT id FROM sale_order_line WHERE order_id IN (SELECT id FROM bench_seed_sale_order)""",
    "procurement_group": """
        SELECT id FROM procurement_group WHERE sale_id IN (SELECT id FROM bench_seed_sale_order)
         UNION SELECT procurement_group_id AS id FROM sale_order
                WHERE id IN (SELECT id FROM bench_seed_sale_order) AND procurement_group_id IS NOT NULL""",
    "stock_picking": """
        SELECT id FROM stock_picking
         WHERE sale_id IN (SELECT id FROM bench_seed_sale_order)
            OR group_id IN (SELECT id FROM bench_seed_procurement_group)""",
    "stock_move": """
        SELECT id FROM stock_move
         WHERE picking_id IN (SELECT id FROM bench_seed_stock_picking)
            OR sale_line_id IN (SELECT id FROM bench_seed_sale_order_line)""",
    "stock_move_line": """
        SELECT id FROM stock_move_line WHERE move_id IN (SELECT id FROM bench_seed_stock_move)""",
    "stock_lot": """
        SELECT DISTINCT lot_id AS id FROM stock_move_line
         WHERE id IN (SELECT id FROM bench_seed_stock_move_line) AND lot_id IS NOT NULL""",
    # the shipped lots' quants at the customer location (only these orders put
    # them there); stock left in the warehouse is not copied
    "stock_quant": """
        SELECT q.id FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
         WHERE q.lot_id IN (SELECT id FROM bench_seed_stock_lot) AND l.usage = 'customer'""",
    "stock_valuation_layer": """
        SELECT id FROM stock_valuation_layer
         WHERE stock_move_id IN (SELECT id FROM bench_seed_stock_move)""",
    "mail_followers": """
        SELECT id FROM mail_followers
         WHERE (res_model = 'sale.order' AND res_id IN (SELECT id FROM bench_seed_sale_order))
            OR (res_model = 'stock.picking' AND res_id IN (SELECT id FROM bench_seed_stock_picking))""",
}
# insertion order (FKs first); procurement_group.sale_id is set afterwards
ORDER = [
    "procurement_group",
    "sale_order",
    "sale_order_line",
    "stock_lot",
    "stock_picking",
    "stock_move",
    "stock_move_line",
    "stock_quant",
    "stock_valuation_layer",
    "mail_followers",
]
# relation tables (no id): copied for rows pointing at a seed row
RELATIONS = [
    "account_tax_sale_order_line_rel",
    "mail_followers_mail_message_subtype_rel",
    "stock_move_move_rel",
    "stock_route_move",
]
SUFFIX = "'-C' || lpad(k.k::text, 4, '0')"  # lot names, kit barcodes, tracking refs


def _seq_name(number, prefix, padding):
    return f"{prefix}{number:0{padding}d}"


class Replicator:
    """Copies 1..``copies`` of the seed's rows, in SQL, on one cursor."""

    def __init__(self, cr, env_, info, copies):
        self.cr = cr
        self.env = env_
        self.info = info
        self.copies = copies
        self.ranges = {}
        self.done = {}

    # -- helpers ---------------------------------------------------------
    def columns(self, table):
        self.cr.execute(
            """SELECT column_name, data_type FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position""",
            [table],
        )
        return self.cr.fetchall()

    def fks(self, table):
        """{column: referenced table} for the single-column FKs of ``table``."""
        self.cr.execute(
            """SELECT a.attname, c.confrelid::regclass::text
                 FROM pg_constraint c
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                WHERE c.contype = 'f' AND c.conrelid = %s::regclass
                  AND array_length(c.conkey, 1) = 1""",
            [table],
        )
        return dict(self.cr.fetchall())

    def new_id(self, table, expr="s.id"):
        """Copy k of seed row ``expr``: base + (k-1)*span + (old - lo) + 1."""
        r = self.ranges[table]
        return f"({r['base']} + (k.k - 1) * {r['span']} + {expr} - {r['lo']} + 1)"

    def mapped(self, table, expr):
        """``expr`` mapped to copy k when it points at a seed row of ``table``."""
        seed = f"SELECT id FROM bench_seed_{table}"
        return f"(CASE WHEN {expr} IN ({seed}) THEN {self.new_id(table, expr)} ELSE {expr} END)"

    # -- steps -----------------------------------------------------------
    def seed_sets(self):
        cr = self.cr
        for table, select in SEEDS.items():
            cr.execute(f"DROP TABLE IF EXISTS bench_seed_{table}")
            cr.execute(
                f"CREATE TEMP TABLE bench_seed_{table} AS "
                f"SELECT id, (row_number() OVER (ORDER BY id))::int AS rn FROM ({select}) s",
                {"partner": self.info["partner_id"]},
            )
            cr.execute(f"ALTER TABLE bench_seed_{table} ADD PRIMARY KEY (id)")
            cr.execute(f"SELECT min(id), max(id), count(*) FROM bench_seed_{table}")
            lo, hi, count = cr.fetchone()
            if not count:
                continue
            cr.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
            seq = cr.fetchone()[0]
            cr.execute(
                f"SELECT GREATEST((SELECT COALESCE(max(id), 0) FROM {table}), (SELECT last_value FROM {seq}))"
            )
            base = cr.fetchone()[0]
            self.ranges[table] = {
                "lo": lo,
                "span": hi - lo + 1,
                "base": base,
                "seq": seq,
                "count": count,
            }

    def names(self):
        """bench_names_so / bench_names_pick: the names of each copy, from the
        real sequences, which then move past them."""
        cr, e, copies = self.cr, self.env, self.copies
        seed_count = self.ranges["sale_order"]["count"]
        so_seq = e["ir.sequence"].search([("code", "=", "sale.order")], limit=1)
        cr.execute(
            "SELECT DISTINCT picking_type_id FROM stock_picking WHERE id IN (SELECT id FROM bench_seed_stock_picking)"
        )
        type_ids = [row[0] for row in cr.fetchall()]
        assert len(type_ids) == 1, f"seed pickings of several types: {type_ids}"
        pick_seq = e["stock.picking.type"].browse(type_ids[0]).sequence_id
        so_next, pick_next = so_seq.number_next_actual, pick_seq.number_next_actual
        pick_count = self.ranges["stock_picking"]["count"]
        cr.execute(
            """CREATE TEMP TABLE bench_names_so (k int, old_id int, old_name varchar, new_name varchar,
                                                  ext varchar, PRIMARY KEY (k, old_id));
               CREATE TEMP TABLE bench_names_pick (k int, old_id int, old_name varchar, new_name varchar,
                                                    PRIMARY KEY (k, old_id))"""
        )
        cr.execute(
            "SELECT s.id, s.rn, so.name FROM bench_seed_sale_order s JOIN sale_order so ON so.id = s.id"
        )
        seed_so = cr.fetchall()
        cr.execute(
            "SELECT s.id, s.rn, p.name FROM bench_seed_stock_picking s JOIN stock_picking p ON p.id = s.id"
        )
        seed_pick = cr.fetchall()
        so_rows, pick_rows = [], []
        for k in range(1, copies + 1):
            for old_id, rn, old_name in seed_so:
                name = _seq_name(
                    so_next + (k - 1) * seed_count + rn - 1,
                    so_seq.prefix or "",
                    so_seq.padding,
                )
                so_rows.append((k, old_id, old_name, name, ext_id(k * seed_count + rn)))
            for old_id, rn, old_name in seed_pick:
                name = _seq_name(
                    pick_next + (k - 1) * pick_count + rn - 1,
                    pick_seq.prefix or "",
                    pick_seq.padding,
                )
                pick_rows.append((k, old_id, old_name, name))
        execute_values(
            cr._obj, "INSERT INTO bench_names_so VALUES %s", so_rows, page_size=5000
        )
        execute_values(
            cr._obj, "INSERT INTO bench_names_pick VALUES %s", pick_rows, page_size=5000
        )
        cr.execute("ANALYZE bench_names_so; ANALYZE bench_names_pick")
        so_seq.write({"number_next": so_next + copies * seed_count})
        pick_seq.write({"number_next": pick_next + copies * pick_count})

    def overrides(self, table):
        """(extra joins, {column: SQL expression}) for ``table``."""
        replace_so = "COALESCE(replace(s.{col}, n.old_name, n.new_name), s.{col})"
        return {
            "sale_order": (
                "JOIN bench_names_so n ON n.k = k.k AND n.old_id = s.id",
                {
                    "name": "n.new_name",
                    "order_api_external_id": "n.ext",
                    "client_order_ref": "n.ext",
                    "access_token": "CASE WHEN s.access_token IS NULL THEN NULL ELSE gen_random_uuid()::text END",
                },
            ),
            "procurement_group": (
                "LEFT JOIN bench_names_so n ON n.k = k.k AND n.old_id = s.sale_id",
                {"name": replace_so.format(col="name")},
            ),
            "stock_picking": (
                "JOIN bench_names_pick np ON np.k = k.k AND np.old_id = s.id "
                "LEFT JOIN bench_names_so n ON n.k = k.k AND n.old_id = s.sale_id",
                {
                    "name": "np.new_name",
                    "origin": replace_so.format(col="origin"),
                    "carrier_tracking_ref": f"s.carrier_tracking_ref || {SUFFIX}",
                    "order_api_reservation_pending": "NULL",
                },
            ),
            "stock_move": (
                "LEFT JOIN bench_names_pick np ON np.k = k.k AND np.old_id = s.picking_id "
                "LEFT JOIN stock_picking sp ON sp.id = s.picking_id "
                "LEFT JOIN bench_names_so n ON n.k = k.k AND n.old_id = sp.sale_id",
                {
                    "reference": "COALESCE(np.new_name, s.reference)",
                    "origin": replace_so.format(col="origin"),
                },
            ),
            "stock_move_line": (
                "LEFT JOIN bench_names_pick np ON np.k = k.k AND np.old_id = s.picking_id",
                {"reference": "COALESCE(np.new_name, s.reference)"},
            ),
            "stock_lot": (
                "",
                {
                    "name": f"s.name || {SUFFIX}",
                    "kit_barcode": f"s.kit_barcode || {SUFFIX}",
                },
            ),
            "stock_valuation_layer": (
                "LEFT JOIN stock_move sm ON sm.id = s.stock_move_id "
                "LEFT JOIN bench_names_pick np ON np.k = k.k AND np.old_id = sm.picking_id",
                {
                    "description": "COALESCE(replace(s.description, np.old_name, np.new_name), s.description)"
                },
            ),
            "mail_followers": (
                "",
                {
                    "res_id": f"CASE s.res_model WHEN 'sale.order' THEN {self.mapped('sale_order', 's.res_id')} "
                    f"WHEN 'stock.picking' THEN {self.mapped('stock_picking', 's.res_id')} END"
                },
            ),
        }.get(table, ("", {}))

    def column_exprs(self, table, own_id):
        """Column names and the SQL giving copy k's value of each: mapped id
        and FKs, overrides, dates moved k periods back, the rest as is."""
        fks = self.fks(table)
        joins, special = self.overrides(table)
        names, exprs = [], []
        for column, data_type in self.columns(table):
            names.append(f'"{column}"')
            if column == "id" and own_id:
                expr = self.new_id(table)
            elif column in special:
                expr = special[column]
            elif fks.get(column) in self.ranges:
                expr = self.mapped(fks[column], f's."{column}"')
            elif data_type.startswith("timestamp"):
                expr = f"s.\"{column}\" - k.k * INTERVAL '{COPY_PERIOD}'"
            elif data_type == "date":
                expr = f"(s.\"{column}\" - k.k * INTERVAL '{COPY_PERIOD}')::date"
            else:
                expr = f's."{column}"'
            exprs.append(expr)
        return names, exprs, joins

    def copy_table(self, table):
        t1 = time.monotonic()
        names, exprs, joins = self.column_exprs(table, own_id=True)
        sale_id = None
        if table == "procurement_group":
            # sale_order and procurement_group point at each other (no
            # deferrable FKs in Odoo): groups first without sale_id
            index = names.index('"sale_id"')
            sale_id, exprs[index] = exprs[index], "NULL"
        self.cr.execute(
            f"""INSERT INTO {table} ({", ".join(names)})
                SELECT {", ".join(exprs)}
                  FROM {table} s
                  JOIN bench_seed_{table} seed ON seed.id = s.id
            CROSS JOIN generate_series(1, {self.copies}) AS k(k)
                  {joins}"""
        )
        self.done[table] = (self.cr.rowcount, time.monotonic() - t1)
        r = self.ranges[table]
        self.cr.execute(
            f"SELECT setval('{r['seq']}', {r['base'] + self.copies * r['span']})"
        )
        return sale_id

    def set_group_sale_ids(self, sale_id_expr):
        self.cr.execute(
            f"""UPDATE procurement_group g SET sale_id = sub.sale_id
                  FROM (SELECT {self.new_id("procurement_group")} AS id, {sale_id_expr} AS sale_id
                          FROM procurement_group s
                          JOIN bench_seed_procurement_group seed ON seed.id = s.id
                    CROSS JOIN generate_series(1, {self.copies}) AS k(k)) sub
                 WHERE g.id = sub.id"""
        )

    def copy_relation(self, table):
        if not self.columns(table):
            return
        fks = {c: t for c, t in self.fks(table).items() if t in self.ranges}
        if not fks:
            return
        t1 = time.monotonic()
        names, exprs, _joins = self.column_exprs(table, own_id=False)
        where = " OR ".join(
            f's."{c}" IN (SELECT id FROM bench_seed_{t})' for c, t in fks.items()
        )
        self.cr.execute(
            f"""INSERT INTO {table} ({", ".join(names)})
                SELECT {", ".join(exprs)} FROM {table} s
            CROSS JOIN generate_series(1, {self.copies}) AS k(k)
                 WHERE {where}"""
        )
        self.done[table] = (self.cr.rowcount, time.monotonic() - t1)

    def uncopied(self):
        """Rows of other tables pointing at a seed row (they were not copied)."""
        cr = self.cr
        cr.execute(
            """SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text
                 FROM pg_constraint c
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                WHERE c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s)""",
            [list(SEEDS)],
        )
        found = []
        for table, column, target in cr.fetchall():
            if table in SEEDS or table in RELATIONS or target not in self.ranges:
                continue
            cr.execute(
                f'SELECT count(*) FROM {table} WHERE "{column}" IN (SELECT id FROM bench_seed_{target})'
            )
            rows = cr.fetchone()[0]
            if rows:
                found.append(f"{table}.{column}->{target}: {rows}")
        return found

    def check(self, n_orders):
        self.cr.execute(
            "SELECT count(*), count(DISTINCT order_api_updated_at), count(DISTINCT name), "
            "count(DISTINCT order_api_external_id) FROM sale_order WHERE order_api_partner_id = %s",
            [self.info["partner_id"]],
        )
        counts = self.cr.fetchone()
        assert counts == (n_orders,) * 4, (
            f"orders, distinct updated_at, names, external ids: {counts}"
        )
        self.cr.execute(
            "SELECT count(*) - count(DISTINCT (name, company_id)) FROM stock_picking"
        )
        assert self.cr.fetchone()[0] == 0, "duplicate picking names"


def replicate(db, n_orders):
    """Copy the seed's rows until the bench partner has ``n_orders`` orders."""
    info = facts(db)
    seed_count = info["seed_orders"]
    if n_orders % seed_count:
        raise ValueError(
            f"N={n_orders} must be a multiple of the seed's {seed_count} orders"
        )
    copies = n_orders // seed_count - 1
    t0 = time.monotonic()
    with registry(db).cursor() as cr:
        cr.execute("SET LOCAL work_mem = '256MB'")
        rep = Replicator(cr, env(cr), info, copies)
        rep.seed_sets()
        assert rep.ranges["sale_order"]["count"] == seed_count, (
            "the template holds more orders than its seed"
        )
        if not copies:
            return {"fill_seconds": 0.0, "copies": 0, "uncopied": [], "rows": {}}
        rep.names()
        sale_id_expr = None
        for table in ORDER:
            if table in rep.ranges:
                sale_id_expr = rep.copy_table(table) or sale_id_expr
        if sale_id_expr:
            rep.set_group_sale_ids(sale_id_expr)
        for table in RELATIONS:
            rep.copy_relation(table)
        uncopied = rep.uncopied()
        rep.check(n_orders)
        # the sale_order trigger counted every copied order (one row each):
        # fold them as the hourly cron would
        env(cr)["partner.order.api.order.tally"]._cron_compact()
        cr.commit()
    seconds = time.monotonic() - t0
    for table, (rows, secs) in rep.done.items():
        log(f"replicate: {table}: {rows} rows in {secs:.1f} s")
    if uncopied:
        log(
            f"replicate: rows pointing at seed rows that were not copied: {', '.join(uncopied)}"
        )
    log(f"replicate: {copies} copies -> {n_orders} orders in {seconds:.0f} s")
    return {
        "fill_seconds": seconds,
        "copies": copies,
        "uncopied": uncopied,
        "rows": rep.done,
    }


# ----------------------------------------------------------------------------
# Verification over HTTP
# ----------------------------------------------------------------------------
_COPY_SUFFIX = re.compile(r"-C\d{4}$")
_VARYING = {
    "biomes_order_id",
    "external_order_id",
    "delivery_order_name",
    "created_at",
    "updated_at",
}


def normalized(body):
    """An order object without what differs between an order and its copy:
    ids, names, numbers, dates, and the copy suffix of lot labels and
    tracking refs (in ``tracking`` and ``deliveries``)."""
    body = {k: v for k, v in body.items() if k not in _VARYING and k != "request_id"}
    body["sent_lots"] = [
        _COPY_SUFFIX.sub("", label) for label in body.get("sent_lots", [])
    ]
    body["tracking"] = [
        {
            "carrier": t.get("carrier"),
            "tracking_ref": _COPY_SUFFIX.sub("", t["tracking_ref"])
            if t.get("tracking_ref")
            else None,
        }
        for t in body.get("tracking", [])
    ]
    body["deliveries"] = [
        {
            **{k: d.get(k) for k in ("state", "carrier", "tracking_url", "lines")},
            "tracking_ref": _COPY_SUFFIX.sub("", d["tracking_ref"])
            if d.get("tracking_ref")
            else None,
            "lots": [_COPY_SUFFIX.sub("", label) for label in d.get("lots", [])],
        }
        for d in body.get("deliveries", [])
    ]
    body["invoices"] = [
        {k: v for k, v in i.items() if k not in ("number", "invoice_date", "due_date")}
        for i in body.get("invoices", [])
    ]
    return body


def verify(session, base_url, key, n_orders, seed_count):
    """total_count = N, and copies answer order_status like their original."""
    headers = {"Authorization": f"Bearer {key}"}
    url = f"{base_url}{API}/orders"
    listing = session.get(url, params={"page_size": 1}, headers=headers, timeout=60)
    listing.raise_for_status()
    total = listing.json()["pagination"]["total_count"]
    assert total == n_orders, f"GET orders total_count {total} != {n_orders}"
    checked = 0
    copies = n_orders // seed_count - 1
    for rank in (
        1,
        2,
        9,
        10,
        17,
        50,
    ):  # full, partial, reserved, with notes and tracking
        original = ext_id(rank)
        copy = ext_id(min(copies, 3) * seed_count + rank) if copies else original
        bodies = []
        for ext in (original, copy):
            url = f"{base_url}{API}/order_status"
            params = {"identifiedBy": "external", "order_id": ext}
            resp = session.get(url, params=params, headers=headers, timeout=60)
            assert resp.status_code == 200, (ext, resp.status_code, resp.text[:300])
            bodies.append(resp.json())
        assert normalized(bodies[0]) == normalized(bodies[1]), (
            f"copy {copy} of {original} differs:\n{normalized(bodies[0])}\n{normalized(bodies[1])}"
        )
        assert bodies[1]["external_order_id"] == copy
        checked += 1
    return {"total_count": total, "copies_checked": checked, "example": bodies}
