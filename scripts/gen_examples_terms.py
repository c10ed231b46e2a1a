# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The examples of issue 28's prices and terms (``record_terms``): the
partner's account (``GET account``), a quote at a price tier of the demo
pricelist, and an order line refused for breaking its sales packaging (the
demo swabs come by the box of 10). Called by ``record()`` in
``scripts/gen_examples_record.py``; imports nothing of the addon
(``Recorder`` is passed in)."""

SWAB_EAN = "4260582941054"  # demo_product_swab_set: a sales packaging of 10
NUTRIENT_EAN = "4260582941023"  # demo_product_nutrient_pack: tiers from 10 and 50


def record_terms(rec, ctx):
    """Record the examples (see the module's docstring)."""
    # (imported here: gen_examples_record imports this module)
    from gen_examples_record import ADDRESS  # pylint: disable=import-outside-toplevel

    used = _set_terms(ctx, True)
    rec.call(
        "getAccount",
        "The partner's payment terms, balance and open invoices",
        "GET",
        "account",
    )
    _set_terms(ctx, used)
    rec.call(
        "quoteOrder",
        "Quantity tiers: 10 nutrient packs at the tier price of 10",
        "POST",
        "order/quote",
        body={
            "lines": [{"ean": NUTRIENT_EAN, "amount": 10}],
            "delivery_address": ADDRESS,
        },
    )
    rec.call(
        "createOrder",
        "400: a quantity that is not a multiple of the sales packaging",
        "POST",
        "order",
        body={
            "lines": [{"ean": SWAB_EAN, "amount": 15}],
            "delivery_address": ADDRESS,
        },
    )


def _set_terms(ctx, use_credit_limit):
    """Give the example partner the demo's payment terms and a credit limit,
    with credit limits used by its company as ``use_credit_limit`` says;
    returns what the company used before (to put it back)."""
    with ctx["registry"].cursor() as cr:
        env = ctx["odoo"].api.Environment(cr, ctx["odoo"].SUPERUSER_ID, {})
        partner = env["res.partner"].browse(ctx["partner"])
        partner.property_payment_term_id = env.ref(
            "account.account_payment_term_30days"
        )
        partner.credit_limit = 5000.0
        used = env.company.account_use_credit_limit
        env.company.account_use_credit_limit = use_credit_limit
        return used
