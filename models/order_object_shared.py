# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Changes of what order objects show that Odoo makes without the ORM's
field triggers (``sale_order_freshness.py`` explains the rule):

- translations imported (Settings › Translations › Import, a module's
  terms loaded or updated) are written by raw SQL (``TranslationImporter``;
  ``update_field_translations`` triggers like a write). The translated
  fields the object reads (``SHOWN_TRANSLATED``; its coverage test fails on
  one missing) are compared before and after, and the records whose value
  changed trigger their orders as a write would;
- the quantities' precision: every order an API partner reads is a
  candidate (its object is compared before the change commits).
"""

from odoo import api, models
from odoo.tools import SQL

from .sale_order import ORDER_API_STATES

# the translated fields the order object reads (by raw SQL): {model: fields}
SHOWN_TRANSLATED = {"delivery.carrier": ("name",)}


def _translations(env):
    """{(model, field): {id: translations}} of ``SHOWN_TRANSLATED`` (carriers
    are few: read whole)."""
    result = {}
    for model_name, fnames in SHOWN_TRANSLATED.items():
        model = env[model_name]
        for fname in fnames:
            env.cr.execute(
                SQL(
                    "SELECT id, %s FROM %s",
                    SQL.identifier(model._fields[fname].name),
                    SQL.identifier(model._table),
                )
            )
            result[model_name, fname] = dict(env.cr.fetchall())
    return result


def _trigger_changed(env, before):
    """Trigger the orders of the records whose ``SHOWN_TRANSLATED`` value
    differs from ``before`` (``_translations``), as a write would."""
    for (model_name, fname), now in _translations(env).items():
        old = before[model_name, fname]
        changed = [rec_id for rec_id, value in now.items() if old.get(rec_id) != value]
        if changed:
            records = env[model_name].sudo().browse(changed)
            records.invalidate_recordset([fname])
            records.modified([fname])
    env.flush_all()


class BaseLanguageImport(models.TransientModel):
    _inherit = "base.language.import"

    def import_lang(self):
        if not self:
            return super().import_lang()
        before = _translations(self.env)
        res = super().import_lang()
        _trigger_changed(self.env, before)
        return res


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    @api.model
    def _load_module_terms(
        self, modules, langs, overwrite=False, imported_module=False
    ):
        before = _translations(self.env)
        res = super()._load_module_terms(
            modules, langs, overwrite=overwrite, imported_module=imported_module
        )
        _trigger_changed(self.env, before)
        return res


class DecimalPrecision(models.Model):
    _inherit = "decimal.precision"

    def write(self, vals):
        res = super().write(vals)
        if "digits" in vals and "Product Unit of Measure" in self.mapped("name"):
            # quantities are shown rounded to it: every order read may differ
            self.env["sale.order"].sudo().search(
                [("state", "in", ORDER_API_STATES)]
            )._order_api_mark_changed()
        return res
