# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The kinds of change of the despatch data (issue 28) that the
differential test of the order object makes (test_order_object_differential.py,
``KINDS``): E1's done delivery packed on a pallet afterwards, the pallet
type's weight, the package's shipping weight, and a product's weight (no
order changes: weights are as shipped, the moves')."""

from order_object_world import done_picking


def done_delivery_packed(env, w):
    """The warehouse puts E1's shipped goods on a pallet afterwards (a done
    delivery's detailed operations edited): ``deliveries[].packages`` and
    ``weight`` (issue 28)."""
    pallet = env["stock.package.type"].create(
        {"name": f"Diff pallet {w.stamp}", "base_weight": 20.0}
    )
    package = env["stock.quant.package"].create(
        {"name": f"DIFF-PACK-{w.stamp}", "package_type_id": pallet.id}
    )
    done_picking(w.order_ref(env, "E1")).move_line_ids.result_package_id = package


def package_type_weight_changed(env, w):
    lines = done_picking(w.order_ref(env, "E1")).move_line_ids
    lines.result_package_id.package_type_id.base_weight = 22.5


def package_shipping_weight_set(env, w):
    lines = done_picking(w.order_ref(env, "E1")).move_line_ids
    lines.result_package_id.shipping_weight = 30.0


def product_weight_changed(env, w):
    """Weights are as shipped (the moves'): no order changes."""
    env["product.product"].browse(w.products["widget"]).weight = 3.0
