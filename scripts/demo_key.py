# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Give the demo portal user a fresh API key and print it.

Run by scripts/run.sh through ``odoo-bin shell`` (which provides ``env``):
earlier keys this script made for the user are removed, a new one scoped to
the Partner Order API and valid for a year is generated, and the key is printed
alone on the last line of stdout. It is never written to a file.
"""

import datetime

KEY_NAME = "Demo key (scripts/run.sh)"
SCOPE = "partner_order_api"

env = globals()["env"]  # provided by odoo-bin shell
user = env.ref("partner_order_api.demo_portal_user")
old_keys_domain = [("user_id", "=", user.id), ("name", "=", KEY_NAME)]
env["res.users.apikeys"].sudo().search(old_keys_domain)._remove()
expiration = datetime.datetime.now() + datetime.timedelta(days=365)
# sudo: a portal user's keys are otherwise capped at api_key_duration (1 day).
key = (
    env["res.users.apikeys"]
    .with_user(user)
    .sudo()
    ._generate(SCOPE, KEY_NAME, expiration)
)
env.cr.commit()  # pylint: disable=invalid-commit  (odoo-bin shell rolls back otherwise)
print(key)  # pylint: disable=print-used  (the key is this script's output)
