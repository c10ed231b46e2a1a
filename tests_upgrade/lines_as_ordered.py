# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.2.0 stores on each order line what was ordered (issue 24): after
the upgrade every line with a product holds its product's values of the
day, as the ORM of the new code names them (in the customer's language,
without the internal reference, a variant with its attribute values),
checked line by line through ``odoo-bin shell``. 18.0.1.3.0 takes the
digest of every order's object (without moving ``updated_at``: the
upgrade's own check compares it) and stores on each move its product's
EAN of the day: checked the same way."""

import json

# odoo-bin shell (new code): prints, as JSON on the last line, the number
# of lines with a product, of those with a variant, and the lines whose
# stored values differ from their product's
SHELL = """
import json
env = globals()["env"]
lines = env["sale.order.line"].search([("product_id", "!=", False)])
bad = []
for line in lines:
    lang = line.order_id.partner_id.lang or "en_US"
    product = line.product_id.with_context(lang=lang, display_default_code=False)
    want = [product.display_name, product.barcode or False, product.default_code or False]
    got = [line.order_api_product_name, line.order_api_ean, line.order_api_default_code]
    if got != want:
        bad.append([line.id, got, want])
variants = lines.filtered(lambda line: line.product_id.combination_indices)
orders = env["sale.order"].search([])
digests = orders._order_api_digests()
env.cr.execute("SELECT id, order_api_digest FROM sale_order")
stored = {order_id: bytes(value or b"") for order_id, value in env.cr.fetchall()}
bad_digests = [i for i in orders.ids if stored[i] != digests[i]]
moves = env["stock.move"].search([])
bad_moves = [m.id for m in moves if m.order_api_ean != (m.product_id.barcode or False)]
print(json.dumps({"lines": len(lines), "variants": len(variants), "bad": bad,
                  "orders": len(orders), "bad_digests": bad_digests,
                  "moves": len(moves), "bad_moves": bad_moves}))
"""


def check_lines(odoo_shell):
    """Fail unless every line (some of variants) holds its product's values;
    ``odoo_shell(stdin=...)`` runs ``odoo-bin shell`` and returns its output."""
    output = odoo_shell(stdin=SHELL)
    result = json.loads(output.strip().splitlines()[-1])
    assert result["lines"] > result["variants"] > 0, result
    assert result["bad"] == [], result["bad"][:10]
    assert result["orders"] > 0 and result["bad_digests"] == [], result
    assert result["moves"] > 0 and result["bad_moves"] == [], result
