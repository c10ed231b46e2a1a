# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The operations of the partner's terms (``GET account``), declared as
``lib/openapi_operations.py`` declares the others (``Operation`` from
``lib/openapi_operation.py``); that module gathers ``TERMS_OPERATIONS``
into ``OPERATIONS``, the one list of routes."""

from . import schemas
from .openapi_operation import Operation, _errors, md

ACCOUNT_DESCRIPTION = md(
    """
    The authenticated partner's terms and what it owes the seller, from the
    seller's accounting in the company the partner's orders belong to:
    `payment_terms` (their name, null for none), `credit_limit` (null when
    the seller does not use credit limits or set none), `open_balance` (the receivable
    balance the seller's partner ledger shows: posted entries not yet
    reconciled), `overdue_amount` (the part of it due before today) and
    `open_invoices` (posted invoices and credit notes not fully paid, by due
    date; a credit note's `amount_residual` is negative). Amounts are in
    `currency`, the seller company's currency. Only this partner's figures
    (its company and all its contacts together); read-only keys may call it.
    """
)

TERMS_OPERATIONS = (
    Operation(
        "getAccount",
        "GET",
        "account",
        "Account",
        "The partner's payment terms, credit and open invoices",
        schemas.AccountResponse,
        "The partner's account.",
        _errors(),
        description=ACCOUNT_DESCRIPTION,
        response_examples=("Account",),
    ),
)
