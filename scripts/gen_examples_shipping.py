# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The recorded examples of carriers and addresses (issue 27): ``GET
carriers``, an order to a US address with a state and a carrier, ``GET
addresses``, a quote to that saved address (``delivery_address_id``) and
the refusals. Called by ``record()`` in ``scripts/gen_examples_record.py``
(the ``Recorder`` and context there); imports nothing of the addon.
"""

# a saved address's id changes with the database: shown as this one
ADDRESS_ID = 57
US_ADDRESS = {
    "name": "Receiving Dock",
    "company_name": "Acme Labs Inc.",
    "street": "500 Terry Francine St",
    "zip": "94158",
    "city": "San Francisco",
    "state_code": "CA",
    "country_code": "US",
    "phone": "+1 415 555 0100",
    "email": "dock@acme-labs.example",
}


def _allow_demo_carrier(ctx):
    """The example partner may choose the demo carrier (code ``express``)."""
    with ctx["registry"].cursor() as cr:
        env = ctx["odoo"].api.Environment(cr, ctx["odoo"].SUPERUSER_ID, {})
        carrier = env.ref("partner_order_api.demo_carrier_express")
        env["res.partner"].browse(ctx["partner"]).order_api_carrier_ids = [
            (6, 0, carrier.ids)
        ]
        cr.commit()


def _mask_address_ids(rec, operation_id, ids):
    """The saved addresses' ids in the last example of ``operation_id`` (its
    request and its answer) as ``ADDRESS_ID``, ``ADDRESS_ID + 1``... in the
    order of ``ids``."""
    shown = {address_id: ADDRESS_ID + n for n, address_id in enumerate(ids)}

    def mask(value):
        if isinstance(value, dict):
            return {
                k: shown.get(v, v)
                if k in ("id", "delivery_address_id") and isinstance(v, int)
                else mask(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [mask(v) for v in value]
        return value

    example = rec.examples[operation_id][-1]
    example["request"] = mask(example["request"])
    example["response"] = mask(example["response"])


def record_shipping(rec, ctx):
    """Carriers and addresses, in a fixed order."""
    _allow_demo_carrier(ctx)
    ean = ctx["eans"][0]
    rec.call("listCarriers", "The carriers the partner may choose", "GET", "carriers")
    rec.call(
        "createOrder",
        "A US address (state_code required) and a carrier",
        "POST",
        "order",
        body={"ean": ean, "amount": 1, "delivery_address": US_ADDRESS,
              "carrier_code": "express"},
    )  # fmt: skip
    rec.call(
        "createOrder",
        "400: a US address without state_code",
        "POST",
        "order",
        body={"ean": ean, "amount": 1,
              "delivery_address": {**US_ADDRESS, "state_code": None}},
    )  # fmt: skip
    answer = rec.call(
        "listAddresses", "The partner's saved addresses", "GET", "addresses"
    )
    ids = [address["id"] for address in answer.json()["addresses"]]
    address_id = ids[0]
    _mask_address_ids(rec, "listAddresses", ids)
    rec.call(
        "quoteOrder",
        "To a saved address, with a carrier",
        "POST",
        "order/quote",
        body={"lines": [{"ean": ean, "amount": 2}], "delivery_address_id": address_id,
              "carrier_code": "express"},
    )  # fmt: skip
    _mask_address_ids(rec, "quoteOrder", ids)
    rec.call(
        "quoteOrder",
        "400: a carrier that is unknown or not allowed",
        "POST",
        "order/quote",
        body={"ean": ean, "amount": 1, "delivery_address_id": address_id,
              "carrier_code": "other"},
    )  # fmt: skip
    _mask_address_ids(rec, "quoteOrder", ids)
