# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order object's despatch data (issue 28), declared for the document:
a delivery's ``weight`` and ``packages``, its lines' ``lots`` with their
expiry date. ``lib/schema_responses.py`` adds these fields to ``Delivery``
and ``DeliveryLine`` (made by ``models/order_reader_despatch.py``);
``lib/schemas.py`` re-exports the names. Pure Python: pydantic only.
"""

from typing import Annotated

from pydantic import BaseModel, Field

UtcTimestamp = Annotated[
    str,
    Field(
        json_schema_extra={
            "format": "date-time",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
        }
    ),
]
WEIGHT_UNIT = (
    "in the seller's weight unit: kilograms (kg), Odoo's default; pounds "
    "only when the seller's Odoo is set to imperial weights"
)


class DeliveryLot(BaseModel):
    """A lot or serial number shipped on a delivery line."""

    name: str = Field(
        description="The lot or serial number (its own name, also for a test "
        "kit: the kit barcode stays in `lots` and `sent_lots`)."
    )
    expiry_date: UtcTimestamp | None = Field(
        description="The lot's expiration date (UTC) when the seller tracks "
        "expiry (Odoo's `product_expiry`); null otherwise."
    )


class DeliveryPackage(BaseModel):
    """A package (pallet, box...) the delivery's goods were put in."""

    name: str = Field(description="The package's name, e.g. `PACK0000012`.")
    sscc: str | None = Field(
        description="The package's SSCC (GS1 application identifier 00): its "
        "name when that is 18 digits with a valid GS1 check digit; null "
        "otherwise.",
        json_schema_extra={"pattern": "^[0-9]{18}$"},
    )
    package_type: str | None = Field(
        description="The package type's name (e.g. `EUR pallet`); null if none."
    )
    weight: float = Field(
        description="The package's shipping weight when set, else its type's "
        f"weight plus its goods', {WEIGHT_UNIT}."
    )


LINE_LOTS = Field(
    description="The lots shipped on this line, with their expiry date (done "
    "deliveries only; empty otherwise)."
)
DELIVERY_WEIGHT = Field(
    description="The delivery's shipping weight: its packages' weights plus "
    "the goods not in a package (its estimated weight while nothing is "
    f"reserved), {WEIGHT_UNIT}."
)
DELIVERY_PACKAGES = Field(
    description="The packages the delivery's goods are put in (a done "
    "delivery: those that left), in the order they were filled; empty when "
    "the goods are not packed."
)
