# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The bench's databases: the template (the addon and ``fill.seed``),
one copy per N filled by ``replicate.replicate``, their upgrade when the
addon changed (``--reuse-dbs``) and the rate limits of the run.

Imports ``common``, ``fill`` and ``replicate`` of bench/ (no HTTP: the
servers come after, in ``bench.py``).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import time

import fill
import replicate
from common import CONF, LOGS, ODOO_SRC, STATE, env, log, odoo, registry

PREFIX = os.environ.get("BENCH_DB_PREFIX", "poa_bench")
TEMPLATE = f"{PREFIX}_tpl"
ADDON_DIR = STATE / "addons" / "partner_order_api"
# Rate limits during the run: every request takes a token from its partner's
# budget as in production, a budget the bench never spends; failed
# authentications keep Odoo's default limit (no request of the bench fails
# its authentication, but every one looks at its address's budget).
RATE_LIMITS = {
    "partner_order_api.rate_limit_per_minute": 1_000_000,
    "partner_order_api.auth_failure_limit_per_minute": 30,
}


def label(n):
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def psql(db, sql):
    return subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-Atc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def db_exists(db):
    return (
        psql("postgres", f"SELECT count(*) FROM pg_database WHERE datname = '{db}'")
        == "1"
    )


def drop_db(db):
    close_db(db)
    psql("postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    shutil.rmtree(STATE / "data" / "filestore" / db, ignore_errors=True)


def close_db(db):
    o = odoo()
    from odoo.modules.registry import Registry  # noqa: PLC0415

    Registry.delete(db)
    o.sql_db.close_db(db)


def addon_digest():
    digest = hashlib.sha256()
    for path in sorted(ADDON_DIR.rglob("*")):
        top = path.relative_to(ADDON_DIR).parts[0]
        if top in {
            "bench",
            "tests",
            "tests_live",
            "tests_standalone",
            "scripts",
            "readme",
        }:
            continue
        if path.is_file() and path.suffix in {
            ".py",
            ".xml",
            ".csv",
            ".json",
            ".po",
            ".pot",
        }:
            digest.update(str(path.relative_to(ADDON_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def odoo_bin_step(db, option, name):
    """``odoo-bin -c CONF -d db <option> partner_order_api --stop-after-init``,
    logged to ``<name>-<db>.log``."""
    subprocess.run(
        [
            sys.executable,
            str(ODOO_SRC / "odoo-bin"),
            "-c",
            str(CONF),
            "-d",
            db,
            option,
            "partner_order_api",
            "--stop-after-init",
            "--no-http",
            f"--logfile={LOGS / f'{name}-{db}.log'}",
            "--log-level=info",
        ],
        check=True,
    )


def ensure_template(force):
    digest = addon_digest()
    if db_exists(TEMPLATE) and not force:
        try:
            stamp = psql(
                TEMPLATE,
                "SELECT value FROM ir_config_parameter WHERE key = 'bench.template_digest'",
            )
        except subprocess.CalledProcessError:
            stamp = ""
        if stamp == digest:
            log(f"template {TEMPLATE}: reused (addon unchanged)")
            return {"reused": True}
    drop_db(TEMPLATE)
    log(f"template {TEMPLATE}: installing partner_order_api with demo data (~2 min)")
    t0 = time.monotonic()
    odoo_bin_step(TEMPLATE, "-i", "install")
    install_seconds = time.monotonic() - t0
    seeded = fill.seed(TEMPLATE)
    with registry(TEMPLATE).cursor() as cr:
        env(cr)["ir.config_parameter"].set_param("bench.template_digest", digest)
    close_db(TEMPLATE)
    return {"reused": False, "install_seconds": install_seconds, **seeded}


def upgrade_if_changed(db):
    """Upgrade the addon in the reused database ``db`` when its files changed
    since ``db`` was made (``odoo-bin -u``, as a deployment would): the
    seconds it took, or None when it was up to date."""
    digest = addon_digest()
    stamp = psql(
        db, "SELECT value FROM ir_config_parameter WHERE key = 'bench.template_digest'"
    )
    if stamp == digest:
        return None
    log(f"{db}: upgrading partner_order_api (the addon changed since it was made)")
    t0 = time.monotonic()
    odoo_bin_step(db, "-u", "upgrade")
    with registry(db).cursor() as cr:
        env(cr)["ir.config_parameter"].set_param("bench.template_digest", digest)
    close_db(db)
    return time.monotonic() - t0


def make_db(n):
    db = f"{PREFIX}_{label(n)}"
    t0 = time.monotonic()
    drop_db(db)
    close_db(TEMPLATE)
    psql("postgres", f'CREATE DATABASE "{db}" TEMPLATE "{TEMPLATE}"')
    filestore = STATE / "data" / "filestore"
    shutil.rmtree(filestore / db, ignore_errors=True)
    # attachments (assets) live outside the database
    if (filestore / TEMPLATE).is_dir():
        shutil.copytree(filestore / TEMPLATE, filestore / db)
    created = time.monotonic() - t0
    result = replicate.replicate(db, n)
    t1 = time.monotonic()
    psql(
        db,
        "VACUUM ANALYZE sale_order, sale_order_line, procurement_group, stock_picking, stock_move, "
        "stock_move_line, stock_lot, stock_quant, stock_valuation_layer, mail_followers, "
        "mail_followers_mail_message_subtype_rel, account_tax_sale_order_line_rel, "
        "partner_order_api_order_tally",
    )
    # and statistics for every other table (res_partner above all): a template
    # made minutes ago has none yet, and the planner then misjudges the
    # partner's contacts (a run without them sorted all 100,000 orders)
    psql(db, "SET client_min_messages = error; ANALYZE")
    vacuum = time.monotonic() - t1
    close_db(db)
    total = time.monotonic() - t0
    log(
        f"{db}: {n} orders; copy {created:.0f} s + replicate {result['fill_seconds']:.0f} s + vacuum {vacuum:.0f} s"
    )
    return db, {
        "db": db,
        "fill_total_seconds": total,
        "createdb_seconds": created,
        "vacuum_seconds": vacuum,
        **result,
    }


def prepare_dbs(sizes, reuse, r):
    """{N: database}, filled (or reused), with the bench's rate limits;
    their facts."""
    dbs = {}
    for n in sizes:
        db = f"{PREFIX}_{label(n)}"
        if reuse and db_exists(db):
            dbs[n] = db
            upgraded = upgrade_if_changed(db)
            # the deliveries an earlier run's last series (the batches) left
            # for the reservation cron when its server stopped: not this
            # run's work (the webhook series waits for the cron to be idle)
            psql(
                db,
                "UPDATE stock_picking SET order_api_reservation_pending = false"
                " WHERE order_api_reservation_pending",
            )
            r["fill"][n] = {
                "reused": True,
                "upgraded_seconds": upgraded,
                "fill_total_seconds": 0,
                "createdb_seconds": 0,
                "vacuum_seconds": 0,
                "fill_seconds": 0,
                "copies": n // fill.SEED_ORDERS - 1,
            }
            continue
        dbs[n], r["fill"][n] = make_db(n)
    facts = {n: fill.facts(db) for n, db in dbs.items()}
    for db in dbs.values():
        with registry(db).cursor() as cr:
            params = env(cr)["ir.config_parameter"]
            for name, value in RATE_LIMITS.items():
                params.set_param(name, str(value))
        close_db(db)
    return dbs, facts
