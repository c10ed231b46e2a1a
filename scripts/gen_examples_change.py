# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The recorded examples of ``POST order/change`` and its dry run
(issue 27): called by ``scripts/gen_examples_record.py``'s ``record``,
with its ``Recorder`` and context; imports nothing of Odoo."""


def record_change(rec, ctx):
    """A dry run (``order/change/quote``), the change itself, and a
    ``not_changeable`` refusal (the order cancelled since)."""
    # (imported here: gen_examples_record imports this module)
    from gen_examples_record import ADDRESS  # pylint: disable=import-outside-toplevel

    eans, stamp = ctx["eans"], ctx["stamp"]
    created = rec.call("createOrder", "an order to change", "POST", "order",
                       body={"lines": [{"ean": eans[0], "amount": 2}, {"ean": eans[1], "amount": 1}],
                             "delivery_address": ADDRESS}, keep=False)  # fmt: skip
    name = created.json()["biomes_order_id"]
    change = {
        "identifiedBy": "biomes",
        "order_id": name,
        "lines": [{"ean": eans[0], "amount": 5}, {"ean": eans[1], "amount": 0}],
    }
    rec.call("quoteOrderChange", "What the order would become (nothing changed)",
             "POST", "order/change/quote", body=change)  # fmt: skip
    rec.masker.add(f"change-{stamp}", "3c9d2e71-8b4f-4a06-9d15-7e2f0b6c4a18")
    rec.call("changeOrder", "One quantity raised, one line removed", "POST",
             "order/change", body=change, headers={"Idempotency-Key": f"change-{stamp}"})  # fmt: skip
    rec.call("cancelOrder", "cancelled", "POST", "order/cancel",
             body={"identifiedBy": "biomes", "order_id": name}, keep=False)  # fmt: skip
    rec.call("changeOrder", "409: the order is cancelled", "POST", "order/change",
             body={**change, "lines": [{"ean": eans[0], "amount": 1}]})  # fmt: skip
