# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``GET account``: the caller's terms and what it owes, from Odoo's
accounting: payment terms, credit limit, the receivable balance as the
partner ledger shows it, its overdue part and the open invoices. Confined
to the caller's commercial partner and the API company (README, "Several
companies"): the same company as its orders."""

from odoo import fields, models


class PartnerOrderApiAccount(models.AbstractModel):
    _name = "partner.order.api.account"
    _description = "Partner Order API: the partner's terms and balance"

    def _get_account(self):
        """The ``account`` object of ``GET account`` for the caller's
        commercial partner (403 for a partner not enabled). Amounts in the
        API company's currency; the balance (Odoo's ``credit``: posted
        receivable lines not reconciled) and its overdue part (due before
        today) in two grouped queries, the open invoices in one search."""
        partner_sudo = self.env["partner.order.api.caller"]._partner_sudo()
        company = self.env.company
        partner_sudo = partner_sudo.with_company(company)
        currency = company.currency_id
        receivable = self._receivable_domain(partner_sudo)
        Line = self.env["account.move.line"].sudo()
        [[balance]] = Line._read_group(receivable, [], ["amount_residual:sum"])
        today = fields.Date.context_today(self)
        [[overdue]] = Line._read_group(
            [*receivable, ("date_maturity", "<", today)], [], ["amount_residual:sum"]
        )
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", partner_sudo.id),
                    ("company_id", "child_of", company.id),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                ],
                order="invoice_date_due, name, id",
            )
        )
        term = partner_sudo.property_payment_term_id
        return {
            "payment_terms": term.name if term else None,
            "credit_limit": currency.round(partner_sudo.credit_limit)
            # (0: no limit, as Odoo's credit warnings read it)
            if company.account_use_credit_limit and partner_sudo.credit_limit
            else None,
            "open_balance": currency.round(balance or 0.0),
            "overdue_amount": currency.round(overdue or 0.0),
            "currency": currency.name,
            "open_invoices": [
                {
                    "number": move.name,
                    "due_date": (
                        move.invoice_date_due.isoformat()
                        if move.invoice_date_due
                        else None
                    ),
                    "amount_residual": currency.round(move.amount_residual_signed),
                }
                for move in invoices
                if not currency.is_zero(move.amount_residual_signed)
            ],
        }

    def _receivable_domain(self, partner_sudo):
        """The move lines of ``partner_sudo``'s receivable balance in the
        API company and its branches: those Odoo's ``res.partner.credit``
        sums (posted, on a receivable account, not reconciled)."""
        return [
            ("partner_id", "=", partner_sudo.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("company_id", "child_of", self.env.company.id),
        ]
