# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the order object reads is what marks it changed (issue 24).

The object is read by a few SQL statements (``order_reader.py``: the
reader's, one home); what makes its orders candidates for a new
``updated_at`` is ``ORDER_API_OBJECT_DEPENDS`` (``sale_order_freshness.py``),
and, for translations Odoo writes without field triggers,
``order_object_shared.SHOWN_TRANSLATED``. This test reads the statements,
finds every column they read (``alias.column``, the aliases resolved to
tables, the tables to models and fields), and fails when one is covered by
none of them: a field added to the object without its trigger would be
served stale, silently. Columns that cannot change what a reader sees are
listed with their reason.
"""

import re

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..models import (
    order_reader,
    order_reader_despatch,
    order_reader_forecast,
    order_reader_invoices,
    order_reader_returns,
    sale_order_freshness,
)
from ..models.order_object_shared import SHOWN_TRANSLATED

# the statements the order object is made from
STATEMENTS = {
    "header": order_reader.ORDER_API_HEADER_COLUMNS.code
    + " FROM "
    + order_reader.ORDER_API_HEADER_FROM.code,
    "lines": order_reader._LINES,
    "deliveries": order_reader._DELIVERIES,
    "sent_lots": order_reader._SENT_LOTS,
    "invoices": order_reader_invoices._INVOICES,
    "line_moves": order_reader_forecast._LINE_MOVES,
    "returns": order_reader_returns._RETURNS,
    # as this registry reads it (with or without product_expiry): _statements
    "despatch": order_reader_despatch._DESPATCH,
}
# (model, field) read but covered otherwise, with why
COVERED_ELSEWHERE = {
    ("sale.order", "create_date"): "never changes",
    ("sale.order", "order_api_updated_at"): "the cache's key itself",
}
# relation tables of many2many fields: (table) -> the field whose path covers it
RELATIONS = {"sale_order_line_invoice_rel": ("sale.order.line", "invoice_lines")}
_KEYWORDS = {
    "on",
    "join",
    "left",
    "inner",
    "cross",
    "where",
    "group",
    "order",
    "lateral",
}
# (an alias is never a keyword: ``FROM picks JOIN stock_move_line sml``
# names two tables)
_FROM = re.compile(
    r"\b(?:FROM|JOIN)\s+([a-z_]+)(?:\s+(?:AS\s+)?(?!(?:%s)\b)([a-z_]+))?"
    % "|".join(sorted(_KEYWORDS)),
    re.I,
)
_COLUMN = re.compile(r"\b([a-z_]+)\.([a-z_]+)\b")


def read_columns(text, tables):
    """{(table, column)} that ``text`` reads from the tables of
    ``tables`` (a table named without alias is its own alias)."""
    aliases = {}
    for table, alias in _FROM.findall(text):
        if table in tables:
            aliases[table] = table
            if alias and alias.lower() not in _KEYWORDS:
                aliases[alias] = table
    return {
        (aliases[alias], column)
        for alias, column in _COLUMN.findall(text)
        if alias in aliases
    }


@tagged("post_install", "-at_install")
class TestOrderObjectCoverage(TransactionCase):
    def _covered(self):
        """{(model, field)} whose change marks the object changed: the
        paths of ORDER_API_OBJECT_DEPENDS (each step, and the inverse of a
        one2many step: a record moved to another parent)."""
        covered = set()
        for path in sale_order_freshness.order_api_object_depends(
            self.env["sale.order"]
        ):
            model = self.env["sale.order"]
            for name in path.split("."):
                field = model._fields[name]
                covered.add((model._name, name))
                if field.type == "one2many":
                    covered.add((field.comodel_name, field.inverse_name))
                if field.relational:
                    model = self.env[field.comodel_name]
        return covered

    def _is_covered(self, model, name, covered):
        if name == "id" or (model._name, name) in covered:
            return True
        field = model._fields[name]
        if field.related:  # a stored related field follows its source
            *steps, last = field.related.split(".")
            target = model
            for step in steps:
                target = self.env[target._fields[step].comodel_name]
            return self._is_covered(target, last, covered)
        return (model._name, name) in COVERED_ELSEWHERE

    def _read_fields(self):
        """[(statement, model, field name)] the statements read."""
        by_table = {
            model._table: model
            for model in self.env.registry.values()
            if not model._abstract and model._auto
        }
        tables = set(by_table) | set(RELATIONS)
        result = []
        statements = dict(
            STATEMENTS,
            despatch=order_reader_despatch.despatch_statement(
                order_reader_despatch.has_expiry(self.env)
            ),
        )
        for statement, text in statements.items():
            read = read_columns(text, tables)
            self.assertTrue(read, statement)
            for table, column in sorted(read):
                model = self.env[by_table[table]._name] if table in by_table else None
                if model is not None:
                    self.assertIn(
                        column, model._fields, f"{statement}: {table}.{column}"
                    )
                result.append((statement, table, model, column))
        return result

    def test_every_column_the_object_reads_marks_it_changed(self):
        covered = self._covered()
        uncovered = []
        for statement, table, model, column in self._read_fields():
            if table in RELATIONS:
                self.assertIn(RELATIONS[table], covered, table)
            elif not self._is_covered(model, column, covered):
                uncovered.append(f"{statement}: {model._name}.{column}")
        self.assertEqual(uncovered, [], "read by the object, marking nothing changed")

    def test_every_translated_column_it_reads_is_watched(self):
        """Translations imported are written by raw SQL, without field
        triggers: each translated field the object reads is compared around
        an import (``SHOWN_TRANSLATED``)."""
        translated = {
            (model._name, column)
            for _statement, _table, model, column in self._read_fields()
            if model is not None and model._fields[column].translate
        }
        self.assertTrue(translated, "the carriers' names are translated")
        watched = {
            (name, f) for name, fnames in SHOWN_TRANSLATED.items() for f in fnames
        }
        self.assertEqual(translated - watched, set())

    def test_the_reader_finds_what_a_statement_reads(self):
        """The statement reader itself, on a statement of known reads."""
        text = (
            "SELECT picking.name, lot.name, m.x FROM stock_picking picking "
            "JOIN stock_lot lot ON lot.id = picking.id LEFT JOIN (SELECT 1) m"
        )
        self.assertEqual(
            read_columns(text, {"stock_picking", "stock_lot"}),
            {
                ("stock_picking", "name"),
                ("stock_picking", "id"),
                ("stock_lot", "name"),
                ("stock_lot", "id"),
            },
        )
        self.assertIsInstance(order_reader.ORDER_API_HEADER_FROM, SQL)
