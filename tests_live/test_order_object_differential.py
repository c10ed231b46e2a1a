# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The differential test of the order object (issue 24): an order object
served by a server kept warm is never stale, and ``updated_at`` moves
exactly when the object changes.

One server is kept warm for the whole module (``--workers=2``; each worker
keeps its own cache of order objects): every request is answered by both
workers before and after each change. After each change, a reference server
is started on the same database (an empty cache), read once and stopped.
Two API users read: one English, one French. The API names carriers and
products in the request's language (``Accept-Language``; the lines in the
customer's, stored when ordered) and an order has one ``updated_at`` for
all languages: each user reads in its language and in the other one. For
each kind of change (``KINDS``, made as Odoo users and Odoo itself make
them: buttons, wizards, the translation import, the scheduler's
reservation, crons), for both users:

1. every answer of the warm server (every page of ``GET orders``, ``GET
   order_status`` of one order, ``GET available_products``) equals the
   reference server's;
2. an order's ``updated_at`` moved iff its object (every field but
   ``updated_at``, as the reference server shows it, in either language)
   differs from the one the reference server showed before the change;
3. the lines show their products as ordered: a line's ``product_name``,
   ``ean`` and ``default_code`` never change;
4. the orders whose object changed, and the users whose
   ``available_products`` changed, are those the kind is expected to change
   (``KINDS``' third and fourth columns; orders by their tags in
   ``order_object_world``), so that a change that did nothing, or not what
   it was meant to, cannot pass unnoticed.

Starting servers dominates the runtime (one per kind), so one test runs all
the kinds in a fixed order on shared data, collects the failures of every
kind and fails once, with a line per kind: the kind, the user, the order and
the first differing field, and what each kind changed. About 2.5 minutes
on an idle 2-core machine, the data's setup included, and up to 5 when
other work loads it (a server start per kind: about 3.5 minutes of CPU).
"""

import base64
import datetime
import time
from concurrent.futures import ThreadPoolExecutor

import order_object_despatch as desadv
import order_object_invoices as invoices
import pytest
from conftest import Server, _require_env
from order_object_reads import check_kind, read_user
from order_object_world import (
    OrderObjectWorld,
    commit,
    done_picking,
    free_country_code,
    open_picking,
    validate,
)

# crons would change the data between two readings
NO_CRON = ("--max-cron-threads=0",)
LANGS = ("en_US", "fr_FR")


@pytest.fixture(scope="module")
def diff_world(world):
    data = OrderObjectWorld(world)
    yield data
    data.restore()


@pytest.fixture(scope="module")
def warm_server(diff_world):
    conf, db, src = _require_env()
    server = Server(conf, db, src, workers=2, extra=NO_CRON).start()
    yield server
    server.stop()


# -- the kinds of change: each gets the environment of a transaction that
# commits after it, or (``OWN_TRANSACTIONS``) the test data ---------------------


def attribute_value_added(env, w):
    line = env["product.template"].browse(w.desk_template_id).attribute_line_ids
    legs = line.filtered(lambda ptal: ptal.attribute_id.id == w.legs_attribute_id)
    legs.value_ids = [(4, w.steel_value_id)]


def attribute_lines_reordered(env, w):
    lines = env["product.template"].browse(w.desk_template_id).attribute_line_ids
    for line in lines:
        line.sequence = 10 if line.attribute_id.id == w.legs_attribute_id else 5


def translation_import(env, w):
    """Settings > Translations > Import Translation of a .po file naming
    the carrier and a product in French (``TranslationImporter`` writes
    them by SQL)."""
    carrier = env["delivery.carrier"].browse(w.carrier_id)
    template = env["product.product"].browse(w.products["widget"]).product_tmpl_id
    po = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f"#. module: __export__\n#: model:delivery.carrier,name:{w.carrier_xmlid}\n"
        f'msgid "{carrier.name}"\nmsgstr "Transporteur Diff {w.stamp}"\n\n'
        f"#. module: __export__\n#: model:product.template,name:{w.widget_xmlid}\n"
        f'msgid "{template.name}"\nmsgstr "Bidule Diff {w.stamp}"\n'
    )
    wizard = env["base.language.import"].create(
        {
            "name": "French / Français",
            "code": "fr_FR",
            "filename": "diff_fr.po",
            "data": base64.b64encode(po.encode()),
            "overwrite": True,
        }
    )
    wizard.import_lang()
    assert carrier.with_context(lang="fr_FR").name == f"Transporteur Diff {w.stamp}"


def _out_of_id_order(w, first, second):
    """``first(env)`` and ``second(env)`` in two transactions, ``first``
    writing first and committing last; the hourly order tally cron (which
    prunes the catalog's changes) runs and commits between the two
    commits."""
    registry = w.world.registry.check_signaling()
    with registry.manage_changes(), registry.cursor() as cr_first:
        env_first = w.world.env(cr_first)
        first(env_first)
        env_first.flush_all()
        with registry.cursor() as cr_second:
            env_second = w.world.env(cr_second)
            second(env_second)
            env_second.flush_all()
            cr_second.commit()
        with registry.cursor() as cr_cron:
            env_cron = w.world.env(cr_cron)
            env_cron["partner.order.api.order.tally"]._cron_compact()
            env_cron.flush_all()
            cr_cron.commit()
        cr_first.commit()


def product_renames_out_of_id_order(w):
    def rename(key, name):
        def change(env):
            env["product.product"].browse(w.products[key]).name = name

        return change

    _out_of_id_order(
        w, rename("scarce", "Diff Scarce 2"), rename("gauze", "Diff Gauze 2")
    )


def carrier_and_barcode_out_of_id_order(w):
    """As above, with changes that the order objects show: the carrier
    renamed, the kit re-barcoded."""

    def rename(env):
        env["delivery.carrier"].browse(w.carrier_id).name = f"Diff Post {w.stamp}"

    def rebarcode(env):
        product = env["product.product"].browse(w.products["kit"])
        product.barcode = f"94{w.stamp % 10**9:09d}88"

    _out_of_id_order(w, rename, rebarcode)


def delivery_validated(env, w):
    validate(open_picking(w.order_ref(env, "E3")))


def partial_delivery_with_backorder(env, w):
    picking = open_picking(w.order_ref(env, "E2"))
    validate(picking, {w.products["widget"]: 2})
    assert picking.backorder_ids, "no backorder"


def delivery_returned(env, w):
    picking = done_picking(w.order_ref(env, "E1"))
    wizard = env["stock.return.picking"].create({"picking_id": picking.id})
    for line in wizard.product_return_moves:
        line.quantity = 1 if line.product_id.id == w.products["widget"] else 0
    action = wizard.action_create_returns()
    validate(env["stock.picking"].browse(action["res_id"]))


def return_reason_edited(env, w):
    """The reason of E1's return (``returns[].reason``) edited in the back
    office (issue 27)."""
    order = w.order_ref(env, "E1")
    order.picking_ids.filtered("return_id")[:1].order_api_return_reason = "Diff: dented"


def open_delivery_cancelled(env, w):
    open_picking(w.order_ref(env, "E5")).action_cancel()


def address_edited(env, w):
    env["res.partner"].browse(w.partners["en_US"]["ship_id"]).street = "EN Quay 2"


def address_details_set(env, w):
    """What an address shows beyond the original document (issue 27)."""
    env["res.partner"].browse(w.partners["en_US"]["ship_id"]).write(
        {
            "state_id": env.ref("base.state_de_be").id,
            "phone": "+49 30 1234567",
            "email": f"dock-{w.stamp}@example.com",
            "company_name": "EN Dock GmbH",
        }
    )


def carrier_code_set(env, w):
    env["delivery.carrier"].browse(w.carrier_id).order_api_code = f"diff-{w.stamp}"


def contacts_merged(env, w):
    """The French shipping contact merged into its duplicate (same name and
    address): Contacts > Action > Merge."""
    fr = w.partners["fr_FR"]
    env["base.partner.merge.automatic.wizard"].create(
        {
            "partner_ids": [(6, 0, [fr["ship_id"], fr["dup_id"]])],
            "dst_partner_id": fr["dup_id"],
        }
    ).action_merge()
    assert not env["res.partner"].browse(fr["ship_id"]).exists()


def lot_renamed_and_kit_barcode_set(env, w):
    env["stock.lot"].browse(w.lot_ids[1]).write(
        {"name": f"DIFF-LOT-2B-{w.stamp}", "kit_barcode": f"KIT-2-{w.stamp}"}
    )


def carrier_renamed(env, w):
    env["delivery.carrier"].browse(w.carrier_id).name = f"Diff Express {w.stamp}"


def tracking_reference_set(env, w):
    done_picking(w.order_ref(env, "E3")).carrier_tracking_ref = f"TR-E3-{w.stamp}"


def tracking_url_template_changed(env, w):
    env["delivery.carrier"].browse(
        w.carrier_id
    ).tracking_url = "https://parcels.example/track?n=<shipmenttrackingnumber>"


def product_archived(env, w):
    env["product.product"].browse(w.products["old"]).action_archive()


def product_renamed(env, w):
    env["product.product"].browse(w.products["widget"]).name = "Diff Widget Mk2"


def product_rebarcoded(env, w):
    env["product.product"].browse(
        w.products["kit"]
    ).barcode = f"95{w.stamp % 10**9:09d}77"


def currency_rounding_changed(env, w):
    """The currency of F2 and F3 (no journal entry) rounded to 0.1: their
    amounts show one decimal (Odoo refuses a coarser rounding once a
    currency has journal entries, and a finer one shows nothing: amounts
    are stored rounded)."""
    env["res.currency"].browse(w.quote_currency_id).rounding = 0.1


def uom_rounding_changed(env, w):
    env["uom.uom"].browse(w.uom_id).rounding = 0.001


def company_renamed(env, w):
    company = env["res.company"].browse(w.company_id)
    company.name = f"{company.name} (renamed)"


def scheduler_reservation(env, w):
    """Stock counted in (an inventory adjustment), then the scheduler's
    reservation of the waiting delivery of E4 (partly reserved: its state
    stays "assigned")."""
    product = env["product.product"].browse(w.products["scarce"])
    location = (
        env["stock.warehouse"]
        .search([("company_id", "=", w.company_id)], limit=1)
        .lot_stock_id
    )
    quant = (
        env["stock.quant"]
        .with_context(inventory_mode=True)
        .create(
            {
                "product_id": product.id,
                "location_id": location.id,
                "inventory_quantity": 24,
            }
        )
    )
    quant.action_apply_inventory()
    moves = open_picking(w.order_ref(env, "E4")).move_ids
    moves._action_assign()
    scarce = moves.filtered(lambda move: move.product_id == product)
    assert scarce.quantity == 10, scarce.quantity


def receipt_confirmed(env, w):
    """A receipt of the scarce product, scheduled a week ahead, confirmed
    (issue 27): E4, waiting for 6 of it, now expects it then, and the
    scarce product (none free) shows its restock date."""
    product = env["product.product"].browse(w.products["scarce"])
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", w.company_id)], limit=1
    )
    supplier = env.ref("stock.stock_location_suppliers")
    when = datetime.datetime.now(datetime.UTC).replace(
        tzinfo=None, hour=12, minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=7)
    receipt = env["stock.picking"].create(
        {
            "picking_type_id": warehouse.in_type_id.id,
            "location_id": supplier.id,
            "location_dest_id": warehouse.lot_stock_id.id,
            "scheduled_date": when,
            "move_ids": [
                (
                    0,
                    0,
                    {
                        "name": product.name,
                        "product_id": product.id,
                        "product_uom_qty": 10,
                        "product_uom": product.uom_id.id,
                        "location_id": supplier.id,
                        "location_dest_id": warehouse.lot_stock_id.id,
                        "date": when,
                    },
                )
            ],
        }
    )
    receipt.action_confirm()


def product_type_changed(env, w):
    env["product.product"].browse(w.products["bolt"]).type = "service"


def country_code_changed(env, w):
    country = env["res.country"].browse(w.country_id)
    country.code = free_country_code(env)


def line_quantity_changed(env, w):
    """A salesperson raises a line of a confirmed order."""
    line = w.order_ref(env, "E2").order_line.filtered(
        lambda line: line.product_id.id == w.products["widget"]
    )
    line.product_uom_qty += 1


EN_ALL = {"E1", "E2", "E3", "E4", "E5", "E6"}
# the orders that show the carrier's name: every order of the world has it
# as its carrier (``shipping``, issue 27), those with deliveries on them too
CARRIED = EN_ALL | {"F1", "F2", "F3"}
BOTH = {"en_US", "fr_FR"}
# (name, change, the orders whose object (in any language) it changes, or
# alternatives of them where the contract leaves the choice, the users
# whose available_products in their language it changes)
KINDS = [
    ("attribute value added", attribute_value_added, set(), BOTH),
    ("attribute lines reordered", attribute_lines_reordered, set(), BOTH),
    (
        "translation import (carrier, product in French)",
        translation_import,
        CARRIED,
        {"fr_FR"},
    ),
    (
        "two product renames out of id order, tally cron between",
        product_renames_out_of_id_order,
        set(),
        BOTH,
    ),
    ("delivery validated", delivery_validated, {"E3"}, set()),
    (
        "partial delivery validated with a backorder",
        partial_delivery_with_backorder,
        {"E2"},
        set(),
    ),
    ("delivery returned", delivery_returned, {"E1"}, BOTH),
    ("return reason edited", return_reason_edited, {"E1"}, set()),
    ("open delivery cancelled", open_delivery_cancelled, {"E5"}, BOTH),
    ("invoice posted", invoices.invoice_posted, {"E3"}, set()),
    ("invoice reset to draft", invoices.invoice_reset_to_draft, {"E3"}, set()),
    ("draft invoice cancelled", invoices.draft_invoice_cancelled, set(), set()),
    ("invoice reversed (credit note posted)", invoices.invoice_reversed, {"E2"}, set()),
    ("invoice paid (payment registered)", invoices.invoice_paid, {"E1"}, set()),
    ("payment unreconciled", invoices.payment_unreconciled, {"E1"}, set()),
    ("delivery address edited", address_edited, EN_ALL, set()),
    ("shipping contact merged into its duplicate", contacts_merged, set(), set()),
    (
        "lot renamed and kit barcode set",
        lot_renamed_and_kit_barcode_set,
        {"E1", "F1"},
        set(),
    ),
    ("carrier renamed", carrier_renamed, CARRIED, set()),
    ("delivery address's state, phone, email set", address_details_set, EN_ALL, set()),
    ("carrier's Order API code set", carrier_code_set, CARRIED, set()),
    ("tracking reference set", tracking_reference_set, {"E3"}, set()),
    (
        "carrier tracking URL template changed",
        tracking_url_template_changed,
        {"E1", "E3", "F1"},
        set(),
    ),
    ("product archived", product_archived, set(), BOTH),
    # French clients read the widget's French name (the translation import)
    ("product renamed", product_renamed, set(), {"en_US"}),
    # deliveries show the EANs as shipped (stored on their moves): no order
    ("product re-barcoded", product_rebarcoded, set(), BOTH),
    (
        "carrier renamed and product re-barcoded out of id order, tally cron between",
        carrier_and_barcode_out_of_id_order,
        CARRIED,
        BOTH,
    ),
    ("currency rounding changed", currency_rounding_changed, {"F2", "F3"}, set()),
    ("unit of measure rounding changed", uom_rounding_changed, set(), set()),
    ("company renamed", company_renamed, set(), set()),
    ("receipt confirmed for a waiting product", receipt_confirmed, {"E4"}, BOTH),
    # E4's scarce line becomes reserved: available_now (issue 27)
    ("scheduler reserves a waiting delivery", scheduler_reservation, {"E4"}, BOTH),
    (
        "product type changed (consumable to service)",
        product_type_changed,
        set(),
        set(),
    ),
    ("country code changed", country_code_changed, EN_ALL | {"F1", "F2", "F3"}, set()),
    ("line quantity changed on a confirmed order", line_quantity_changed, {"E2"}, BOTH),
    (
        "buyer's eInvoice format set",
        invoices.einvoice_format_chosen,
        {"E1", "E2"},
        set(),
    ),
    # despatch data (issue 28: order_reader_despatch.py)
    ("done delivery packed", desadv.done_delivery_packed, {"E1"}, set()),
    ("package type's weight", desadv.package_type_weight_changed, {"E1"}, set()),
    ("package's own weight", desadv.package_shipping_weight_set, {"E1"}, set()),
    ("product weight changed", desadv.product_weight_changed, set(), set()),
]


def _change(w, change):
    if change in OWN_TRANSACTIONS:
        change(w)
    else:
        commit(w.world, lambda env: change(env, w))


# changes that commit transactions of their own
OWN_TRANSACTIONS = (
    product_renames_out_of_id_order,
    carrier_and_barcode_out_of_id_order,
)


def _fresh_reading(readers):
    conf, db, src = _require_env()
    server = Server(conf, db, src, workers=0, extra=NO_CRON).start()
    try:
        return {
            label: read_user(server, reader, warm=False)
            for label, reader in readers.items()
        }
    finally:
        server.stop()


def _run(w, readers, warm_server, tags, harness):
    """``[(kind, seconds, problems, what it changed)]``: the baseline,
    then every kind."""

    def read_warm():
        return {
            label: read_user(warm_server, reader, True, harness)
            for label, reader in readers.items()
        }

    warm = read_warm()
    before = _fresh_reading(readers)
    nothing = (set(), set())
    results = [
        (
            "baseline (no change)",
            0.0,
            *check_kind("baseline", nothing, readers, warm, before, before, tags),
        )
    ]
    for kind, change, *expected in KINDS:
        started = time.monotonic()
        try:
            _change(w, change)
        except Exception as exc:  # reported with the other kinds' failures
            results.append((kind, 0.0, [f"{kind}: the change failed: {exc!r}"], ""))
            continue
        # the reference server starts while the warm one answers
        with ThreadPoolExecutor(max_workers=1) as pool:
            reference = pool.submit(_fresh_reading, readers)
            warm = read_warm()
            fresh = reference.result()
        problems, seen = check_kind(kind, expected, readers, warm, before, fresh, tags)
        before = fresh
        results.append((kind, time.monotonic() - started, problems, seen))
    return results


def _readers(w):
    """Each user reads in its language (labelled by it) and in the other
    one (``en_US in fr_FR``): the API answers in the request's language,
    and an order has one ``updated_at`` for all."""
    readers = {}
    for (owner, partner), tag in zip(w.partners.items(), ("E1", "F1"), strict=True):
        for lang in LANGS:
            label = owner if lang == owner else f"{owner} in {lang}"
            readers[label] = {
                "key": partner["key"],
                "lang": lang,
                "owner": owner,
                "status_order": partner["names"][tag],
            }
    return readers


def test_warm_objects_are_fresh_and_updated_at_moves_iff_they_change(
    diff_world, warm_server
):
    w = diff_world
    tags = {name: tag for p in w.partners.values() for tag, name in p["names"].items()}
    started = time.monotonic()
    harness = []
    results = _run(w, _readers(w), warm_server, tags, harness)
    report = [
        f"{'FAIL' if problems else 'pass'} {kind} ({seconds:.1f} s): {seen}"
        + "".join(f"\n    {problem}" for problem in problems)
        for kind, seconds, problems, seen in results
    ]
    report.append(f"{time.monotonic() - started:.0f} s for {len(KINDS)} kinds")
    report += [f"harness: {line}" for line in harness]
    print("\n" + "\n".join(report))
    failed = [kind for kind, _seconds, problems, _seen in results if problems]
    assert not failed and not harness, (
        f"{len(failed)} of {len(results)} kinds failed:\n" + "\n".join(report)
    )
