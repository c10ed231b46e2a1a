# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The answers of what a partner may order and on what terms: the products
of ``GET available_products`` (prices, price breaks, quantity rules) and
the account of ``GET account`` (payment terms, credit, balance, open
invoices). Pure Python, for the document only, like
``lib/schema_responses.py`` (whose base model they share);
``lib/schemas.py`` re-exports every name."""

import datetime
from typing import Literal

from pydantic import Field

from .schema_responses import _Response


class PriceBreak(_Response):
    min_quantity: float = Field(
        description="From this quantity (in the product's unit) on, this price."
    )
    price: float = Field(
        description="The unit price from `min_quantity` on, taxes excluded, as "
        "an order line of that quantity gets it (`lines[].unit_price`)."
    )


class Product(_Response):
    ean: str = Field(description="The product's barcode: use it to order.")
    name: str = Field(
        description="The product's own name (with its variant's attribute "
        "values); its internal reference is `default_code`, never in the name."
    )
    default_code: str | None = Field(description="Internal reference; null if none.")
    price: float = Field(description="Unit price for quantity 1, taxes excluded.")
    currency: str = Field(description="ISO 4217 code.")
    available_quantity: float | None = Field(
        description="Free to promise now, in the product's unit: Odoo's free "
        "quantity (on hand less what is reserved for other orders) in the "
        "warehouses of the seller's company; goods still to come do not count. "
        "Null for a product that is not kept in stock (always available)."
    )
    sale_delay: int = Field(
        description="The product's customer lead time, in days (0: none)."
    )
    restock_date: datetime.date | None = Field(
        description="When a product with no free quantity is expected back: "
        "the scheduled date of the earliest incoming receipt not done in the "
        "seller's warehouses (a late receipt keeps its past date). Null when "
        "`available_quantity` is above 0, for a product not kept in stock, "
        "or when nothing incoming is known."
    )
    price_breaks: list[PriceBreak] = Field(
        description="The quantity tiers of the partner's pricelist for this "
        "product, sorted by `min_quantity`, the first at quantity 1 (`price`): "
        "an order line of a quantity gets the price of the last tier it "
        "reaches. Empty when the price does not depend on the quantity."
    )
    min_quantity: float | None = Field(
        description="The least quantity an order line may hold (`POST order`, "
        "`order/quote`, `orders/batch`, `order/change` refuse less with 400 "
        "`validation_error` naming the line); null for none."
    )
    order_multiple: float | None = Field(
        description="Order lines must hold a multiple of it (400 "
        "`validation_error` otherwise): the seller's rule for this partner, "
        "else the product's smallest sales packaging; null for none."
    )


class ProductList(_Response):
    success: Literal[True]
    products: list[Product]


class OpenInvoice(_Response):
    number: str = Field(description="The invoice's (or credit note's) number.")
    due_date: datetime.date | None = Field(description="When it is due.")
    amount_residual: float = Field(
        description="What is still to pay, in the account's `currency` "
        "(negative for a credit note not yet used)."
    )


class Account(_Response):
    payment_terms: str | None = Field(
        description="The partner's payment terms (their name in Odoo); null "
        "when none are set (payment due on the invoice date)."
    )
    credit_limit: float | None = Field(
        description="The partner's credit limit when the seller uses credit "
        "limits and set one; null otherwise (no limit)."
    )
    open_balance: float = Field(
        description="What the partner owes now: its receivable balance as the "
        "seller's partner ledger shows it (posted entries not reconciled, "
        "payments not yet matched included)."
    )
    overdue_amount: float = Field(
        description="The part of `open_balance` past its due date."
    )
    currency: str = Field(description="ISO 4217 code of the amounts.")
    open_invoices: list[OpenInvoice] = Field(
        description="Posted invoices and credit notes not fully paid, by due date."
    )


class AccountResponse(_Response):
    success: Literal[True]
    account: Account
