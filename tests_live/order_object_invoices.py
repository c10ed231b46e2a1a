# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The kinds of change of invoices and payments that the differential test
of the order object makes (test_order_object_differential.py, ``KINDS``):
posted, reset to draft, cancelled, reversed, paid and unreconciled, and the
buyer's e-invoice format (issue 28: ``invoices[].formats``)."""

from order_object_world import invoice_of


def invoice_posted(env, w):
    invoice_of(w.order_ref(env, "E3"), "draft").action_post()


def invoice_reset_to_draft(env, w):
    invoice_of(w.order_ref(env, "E3"), "posted").button_draft()


def draft_invoice_cancelled(env, w):
    invoice_of(w.order_ref(env, "E5"), "draft").button_cancel()


def invoice_reversed(env, w):
    invoice = invoice_of(w.order_ref(env, "E2"), "posted")
    wizard = (
        env["account.move.reversal"]
        .with_context(active_model="account.move", active_ids=invoice.ids)
        .create({"reason": "Diff return", "journal_id": invoice.journal_id.id})
    )
    action = wizard.refund_moves()
    env["account.move"].browse(action["res_id"]).action_post()


def invoice_paid(env, w):
    invoice = invoice_of(w.order_ref(env, "E1"), "posted")
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=invoice.ids
    ).create({}).action_create_payments()
    assert invoice.payment_state in ("paid", "in_payment"), invoice.payment_state


def payment_unreconciled(env, w):
    invoice = invoice_of(w.order_ref(env, "E1"), "posted")
    receivable = invoice.line_ids.filtered(
        lambda line: line.account_id.account_type == "asset_receivable"
    )
    assert receivable.matched_credit_ids, "the payment is not reconciled"
    receivable.remove_move_reconcile()


def einvoice_format_chosen(env, w):
    """The buyer chooses XRechnung: its posted invoices' ``formats``."""
    company = env["res.partner"].browse(w.partners["en_US"]["company_id"])
    company.invoice_edi_format = "xrechnung"
