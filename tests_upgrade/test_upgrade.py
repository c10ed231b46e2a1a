# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Upgrading from the previous release loses nothing.

The addon as tagged ``18.0.1.0.0`` (``git archive`` of the tag, or of its
commit when a fresh clone has no tags) is installed with demo data into a new
database; a server running that old code is filled through the API: orders
(one with an ``Idempotency-Key``), the webhook URL, webhook events delivered
to a real local receiver and one left pending after a failed attempt, rate
buckets; keys and settings through ``odoo-bin shell``. Then the current code
runs ``-u partner_order_api`` (which must log no warning) and:

- every row of the addon's tables and of its columns on Odoo's tables is
  still there with the same values (the columns that existed before: new
  columns may be added), the system parameters too; the order tally,
  recounted by owner, agrees with the orders, and every order has its owner;
- a server on the current code answers GET orders, order_status (by both
  identifiers), GET webhook and available_products with the same JSON for
  the fields the old version answered (new fields may be added), the old
  keys still open the API, and a replay of the old ``Idempotency-Key``
  answers the old order.

The rows and answers compared are ``snapshot.py``'s. 18.0.1.2.0 made the
webhook settings per company (jsonb columns): they are in its
``CHANGED_COLUMNS`` and checked by ``check_webhook_per_company``; the
columns 18.0.1.1.0 added are added as it made them before the upgrade
(``COLUMNS_OF_1_1``), so that its databases' conversion is tested too;
18.0.1.4.0 moved the event types into rows of their own: all three in
``webhook_settings.py``; ``GET webhook`` answers the types chosen before.
Its lines as ordered (issue 24) are checked by ``lines_as_ordered.py``.

A future schema change (a renamed column, a moved value) ships with its
``migrations/<version>/`` script and adds its case here: the column in
``snapshot.CHANGED_COLUMNS`` (left out of the "same values" check) and a
check of its migrated value in ``_assert_data_kept``, after the ``-u``.

Run by scripts/test.sh with ODOO_SRC, POA_UPGRADE_DB (a database name that
does not exist yet; dropped at the end) and POA_UPGRADE_GIT (the checkout
holding the tag, when this copy has no .git), in the Odoo venv. Takes 5-8
minutes (two installs' worth of Odoo on a 2-core machine).
"""

import ast
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
# where git finds the tag (scripts/test.sh runs a copy without .git)
GIT_REPO = Path(os.environ.get("POA_UPGRADE_GIT") or REPO)
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "tests"))
from lines_as_ordered import check_lines  # noqa: E402
from odoo_server import OdooServer  # noqa: E402
from snapshot import (  # noqa: E402
    OWNERLESS,
    RECOUNTED_TABLES,
    TALLY_MISMATCH,
    same_for_old_keys,
    snapshot,
)
from webhook_receiver import WebhookReceiver, closed_port_url  # noqa: E402
from webhook_settings import (  # noqa: E402
    COLUMNS_OF_1_1,
    check_webhook_per_company,
    webhook_before,
)

ADDON = "partner_order_api"
FROM_TAG = "18.0.1.0.0"
FROM_COMMIT = "257c039"  # the tag's commit, for clones without tags


def _env():
    src = os.environ.get("ODOO_SRC")
    db = os.environ.get("POA_UPGRADE_DB")
    if not src or not db:
        pytest.fail("needs ODOO_SRC and POA_UPGRADE_DB (scripts/test.sh sets them)")
    return src, db


def _psql(db, sql):
    out = subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip()


def _old_tree(dest):
    """The addon at FROM_TAG (or FROM_COMMIT) under dest/partner_order_api."""
    ref = None
    for candidate in (f"refs/tags/{FROM_TAG}^{{commit}}", f"{FROM_COMMIT}^{{commit}}"):
        probe = subprocess.run(
            ["git", "rev-parse", "-q", "--verify", candidate],
            cwd=GIT_REPO,
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0:
            ref = probe.stdout.strip()
            break
    if not ref:
        pytest.fail(
            f"neither the tag {FROM_TAG} nor the commit {FROM_COMMIT} is in this "
            "clone: fetch them (git fetch --tags; a shallow clone needs --unshallow)"
        )
    target = dest / ADDON
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref],
        cwd=GIT_REPO,
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-xf", "-", "-C", str(target)], input=archive, check=True)
    return ref


def _conf(path, src, addons, data):
    path.write_text(
        "[options]\n"
        f"addons_path = {src}/addons,{src}/odoo/addons,{addons}\n"
        f"data_dir = {data}\n"
        "list_db = False\n"
        "http_interface = 127.0.0.1\n"
        "max_cron_threads = 0\n"
    )
    return path


def _odoo(src, conf, db, *args, stdin=None, log=None):
    cmd = [sys.executable, f"{src}/odoo-bin", *args, "-c", str(conf), "-d", db]
    if log:
        cmd += ["--log-level=info", f"--logfile={log}"]
    return subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, check=True, timeout=1800
    ).stdout


def _problems(log):
    return [
        line
        for line in Path(log).read_text(errors="replace").splitlines()
        if any(level in line for level in (" WARNING ", " ERROR ", " CRITICAL "))
    ]


# odoo-bin shell (old code): settings, a read-only key and a full key for
# the demo portal user; prints the two keys as JSON on the last line.
FILL_SHELL = """
import datetime, json
env = globals()["env"]
params = env["ir.config_parameter"].sudo()
params.set_param("partner_order_api.webhook_allow_http", "True")
params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
params.set_param("partner_order_api.rate_limit_per_minute", "500")
user = env.ref("partner_order_api.demo_portal_user")
later = datetime.datetime.now() + datetime.timedelta(days=30)
keys = env["res.users.apikeys"].with_user(user).sudo()
full = keys._generate("partner_order_api", "upgrade full", later)
readonly = keys._generate("partner_order_api.readonly", "upgrade read-only", later)
env.cr.commit()
print(json.dumps({"full": full, "readonly": readonly}))
"""


def _api(server, method, route, key, **kwargs):
    headers = {"Authorization": f"Bearer {key}", **kwargs.pop("headers", {})}
    url = f"{server.url}/{ADDON}/{route}"
    return requests.request(method, url, timeout=120, headers=headers, **kwargs)


def _order_body(ean, **extra):
    return {
        "ean": ean,
        "amount": 2,
        "delivery_address": {
            "name": "Upgrade Test",
            "street": "Release Street 1",
            "zip": "10115",
            "city": "Berlin",
            "country_code": "DE",
        },
        **extra,
    }


def _api_view(server, key, names, externals):
    """What the API answers for the data: {call: JSON body}."""
    view = {}
    for route in ("orders?page_size=100", "webhook", "available_products"):
        answer = _api(server, "GET", route, key)
        assert answer.status_code == 200, (route, answer.text)
        view[route] = answer.json()
    for name in names:
        route = f"order_status?identifiedBy=biomes&order_id={name}"
        view[route] = _api(server, "GET", route, key).json()
    for external in externals:
        route = f"order_status?identifiedBy=external&order_id={external}"
        view[route] = _api(server, "GET", route, key).json()
    return view


def _wait(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@pytest.fixture
def workdir():
    path = Path(tempfile.mkdtemp(prefix="poa-upgrade-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _prepare(workdir, src):
    """The old addon (FROM_TAG) and this checkout side by side, an odoo.conf
    for each; checks the versions. Answers (ref, conf_old, conf_new,
    new_version)."""
    old_addons, new_addons = workdir / "old", workdir / "new"
    ref = _old_tree(old_addons)
    new_addons.mkdir()
    (new_addons / ADDON).symlink_to(REPO)
    conf_old = _conf(workdir / "old.conf", src, old_addons, workdir / "data")
    conf_new = _conf(workdir / "new.conf", src, new_addons, workdir / "data")
    old_version = ast.literal_eval(
        (old_addons / ADDON / "__manifest__.py").read_text()
    )["version"]
    new_version = ast.literal_eval((REPO / "__manifest__.py").read_text())["version"]
    assert old_version == FROM_TAG and new_version != FROM_TAG, (
        old_version,
        new_version,
    )
    return ref, conf_old, conf_new, new_version


def _install_old(src, conf_old, db, workdir):
    """The old code installed with demo data, filled by FILL_SHELL: its
    keys ({"full": ..., "readonly": ...})."""
    _odoo(src, conf_old, db, "-i", ADDON, "--stop-after-init", "--no-http",
          log=workdir / "install-old.log")  # fmt: skip
    return json.loads(
        _odoo(
            src,
            conf_old,
            db,
            "shell",
            "--no-http",
            "--log-level=warn",
            stdin=FILL_SHELL,
        )
        .strip()
        .splitlines()[-1]  # fmt: skip
    )


def _server(src, conf, db, log):
    """A running server (two workers) on ``conf``'s code, logging to ``log``."""
    server = OdooServer(src, conf, db, log, workers=2, args=("--log-level=info",))
    server.start(timeout=120)
    return server


def _create_orders(server, key):
    """Four orders through the old code (one by external id, one with an
    Idempotency-Key, one of two lines, one plain): (ean, their names)."""
    products = _api(server, "GET", "available_products", key).json()
    ean = products["products"][0]["ean"]
    lines_body = _order_body(ean, external_order_id="UPG-3")
    del lines_body["ean"], lines_body["amount"]
    lines_body["lines"] = [{"ean": ean, "amount": 1}, {"ean": ean, "amount": 3}]
    created = [
        _api(server, "POST", "order", key,
             json=_order_body(ean, external_order_id="UPG-1")),
        _api(server, "POST", "order", key,
             json=_order_body(ean, note="before the upgrade"),
             headers={"Idempotency-Key": "upgrade-key-1"}),
        _api(server, "POST", "order", key, json=lines_body),
        _api(server, "POST", "order", key, json=_order_body(ean)),
    ]  # fmt: skip
    assert [a.status_code for a in created] == [201] * 4, [a.text for a in created]
    return ean, [answer.json()["biomes_order_id"] for answer in created]


def _cancel(server, key, name):
    answer = _api(server, "POST", "order/cancel", key,
                  json={"identifiedBy": "biomes", "order_id": name})  # fmt: skip
    assert answer.status_code == 200, answer.text


def _fill_webhooks(server, db, key, names):
    """Webhook events through the old code: a ping and an order event
    delivered to a real receiver, then (the receiver gone) an order event
    that fails once and stays pending."""
    events = "SELECT state FROM partner_order_api_webhook_event WHERE event_type = 'order.cancelled'"
    with WebhookReceiver() as receiver:
        put = _api(server, "PUT", "webhook", key, json={"url": f"{receiver.url}/hook"})
        assert put.status_code == 200, put.text
        # a ping (sent at once) and an order event (the sender cron)
        ping = _api(server, "POST", "webhook/test", key)
        assert ping.status_code == 200 and ping.json()["delivered"], ping.text
        _cancel(server, key, names[2])
        assert _wait(lambda: _psql(db, events) == "done"), "not delivered"
        assert len(receiver.wait_for(2, timeout=30)) == 2
    # the receiver is gone: an order event fails once and stays pending
    put = _api(server, "PUT", "webhook", key, json={"url": closed_port_url()})
    assert put.status_code == 200, put.text
    _cancel(server, key, names[3])
    failed_once = (
        "SELECT count(*) FROM partner_order_api_webhook_event "
        "WHERE state = 'pending' AND attempt_count >= 1"
    )
    assert _wait(lambda: _psql(db, failed_once) == "1"), "no pending event"


def _fill_through_old_server(src, conf_old, db, workdir, key):
    """Orders and webhook events through a server on the old code, and what
    it answers for them: (ean, order names, {call: JSON body})."""
    old_server = _server(src, conf_old, db, workdir / "server-old.log")
    try:
        ean, names = _create_orders(old_server, key)
        _fill_webhooks(old_server, db, key, names)
        old_view = _api_view(old_server, key, names, ["UPG-1", "UPG-3"])
    finally:
        old_server.stop()
    return ean, names, old_view


def _before_upgrade(db):
    """The 18.0.1.1.0 columns added, then what the upgrade must keep: the
    webhook settings (and the previous secret's expiry), the snapshot and
    its layout, the rows per table."""
    psql = functools.partial(_psql, db)
    psql(COLUMNS_OF_1_1)
    webhooks = webhook_before(psql)
    expiry = webhooks[0]["values"]["order_api_webhook_previous_secret_expiry"]
    before, layout = snapshot(psql)
    counts = {table: len(rows) for table, rows in before.items()}
    for table in ("partner_order_api_webhook_event", "partner_order_api_idempotency",
                  "partner_order_api_rate_bucket", "res_users_apikeys"):  # fmt: skip
        assert counts[table] >= 1, f"the fill left {table} empty: {counts}"
    assert (
        psql("SELECT count(*) FROM sale_order WHERE order_api_partner_id IS NOT NULL")
        == "4"
    )
    states = psql(
        "SELECT string_agg(DISTINCT state, ',' ORDER BY state) FROM partner_order_api_webhook_event",
    )
    assert states == "done,pending", states
    return webhooks, expiry, before, layout, counts


def _upgrade(src, conf_new, db, workdir, new_version):
    """``-u`` to the current code, without a warning: its duration (s)."""
    upgrade_started = time.monotonic()
    _odoo(src, conf_new, db, "-u", ADDON, "--stop-after-init", "--no-http",
          log=workdir / "upgrade.log")  # fmt: skip
    upgrade_seconds = time.monotonic() - upgrade_started
    assert _problems(workdir / "upgrade.log") == []
    assert (
        _psql(db, f"SELECT latest_version FROM ir_module_module WHERE name = '{ADDON}'")
        == new_version
    )
    return upgrade_seconds


def _assert_data_kept(src, conf_new, db, before, layout, webhooks):
    """After the upgrade: the same rows (but the recounted tables and the
    migrated columns), the migrated values (a migration's own check goes
    here), every order with its owner and the tally right."""
    psql = functools.partial(_psql, db)
    after, _layout = snapshot(psql, layout)
    for table, rows in before.items():
        if table not in RECOUNTED_TABLES:
            assert after[table] == rows, f"{table} changed in the upgrade"
    check_webhook_per_company(psql, webhooks)
    check_lines(lambda **kw: _odoo(src, conf_new, db, "shell", "--no-http", **kw))
    assert psql(OWNERLESS) == "0"
    assert psql(TALLY_MISMATCH) == "0"
    # test keys (post-migrate_test_orders.py): every order is a real one,
    # and external ids are unique per partner, company and mode
    assert (
        psql("SELECT COUNT(*) FROM sale_order WHERE order_api_test IS NOT FALSE") == "0"
    )
    assert "order_api_test" in psql(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conname = 'sale_order_order_api_external_id_uniq'"
    )


def _assert_same_answers(new_view, old_view, expiry):
    """The current code answers what the old one did, for the fields it
    answered; the migrated webhook settings read back."""
    diffs = [
        diff
        for call, body in old_view.items()
        for diff in same_for_old_keys(body, new_view[call], call)
    ]
    assert diffs == []
    # the migrated datetime reads back (Odoo's jsonb format)
    assert new_view["webhook"]["previous_secret_expires_at"] == (
        expiry.replace(" ", "T") + "Z"
    ), new_view["webhook"]
    # the event types chosen before (COLUMNS_OF_1_1), ping always
    assert new_view["webhook"]["event_types"] == [
        "order.updated",
        "order.cancelled",
        "ping",
    ], new_view["webhook"]


def _assert_old_keys_work(server, keys, ean, names):
    """The old keys open the API (the read-only one for reads only), the old
    Idempotency-Key replays its order, a new order is created."""
    key = keys["full"]
    readonly = _api(server, "GET", "orders", keys["readonly"])
    assert readonly.status_code == 200, readonly.text
    assert _api(server, "POST", "order", keys["readonly"],
                json=_order_body(ean)).status_code == 403  # fmt: skip
    replay = _api(server, "POST", "order", key,
                  json=_order_body(ean, note="before the upgrade"),
                  headers={"Idempotency-Key": "upgrade-key-1"})  # fmt: skip
    assert replay.status_code == 201, replay.text
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["biomes_order_id"] == names[1]
    fresh = _api(server, "POST", "order", key, json=_order_body(ean))
    assert fresh.status_code == 201, fresh.text


def test_upgrade_keeps_everything(workdir):
    src, db = _env()
    started = time.monotonic()
    ref, conf_old, conf_new, new_version = _prepare(workdir, src)
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    try:
        keys = _install_old(src, conf_old, db, workdir)
        key = keys["full"]
        # --- fill through the API, old code --------------------------------
        ean, names, old_view = _fill_through_old_server(src, conf_old, db, workdir, key)
        webhooks, expiry, before, layout, counts = _before_upgrade(db)
        # --- upgrade to the current code -----------------------------------
        upgrade_seconds = _upgrade(src, conf_new, db, workdir, new_version)
        _assert_data_kept(src, conf_new, db, before, layout, webhooks)
        # --- the current code answers the same -----------------------------
        new_server = _server(src, conf_new, db, workdir / "server-new.log")
        try:
            new_view = _api_view(new_server, key, names, ["UPG-1", "UPG-3"])
            _assert_same_answers(new_view, old_view, expiry)
            _assert_old_keys_work(new_server, keys, ean, names)
        finally:
            new_server.stop()
        assert _problems(workdir / "server-new.log") == []
        print(
            f"\nupgrade from {FROM_TAG} ({ref[:7]}) to {new_version}: "
            f"-u took {upgrade_seconds:.0f} s, the whole test {time.monotonic() - started:.0f} s; "
            f"rows compared: {counts}"
        )
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", db], check=False)
