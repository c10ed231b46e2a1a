#!/usr/bin/env bash
# Benchmark of the Partner Order API against a real multi-process Odoo 18.0.
#
#   ./bench/run.sh [--quick] [--sizes 1000,100000] [--rounds 200] [--warmup 20]
#                  [--webhooks 20] [--rebuild-template] [--reuse-dbs]
#                  [--port-base PORT] [--storm-seconds 30]
#   ./bench/run.sh --storm-only DB   # the noisy-neighbour row alone, on DB
#
# --quick: a trial run (N = 1,000 and 5,000, 20 requests a series); its table
# says so. The exit status is 1 when a target is not met or a server logged a
# WARNING, ERROR or CRITICAL during the run.
#
# Finds Odoo (ODOO_SRC, default $HOME/odoo-18.0), its virtualenv (ODOO_VENV,
# default $HOME/.venvs/odoo-18.0) and PostgreSQL through scripts/lib.sh, copies
# the addon and writes an odoo.conf under BENCH_STATE (default
# /tmp/partner_order_api_bench), then runs bench/bench.py: databases
# ${BENCH_DB_PREFIX:-poa_bench}_tpl, _1k and _100k, servers on 127.0.0.1 (free
# ports, or BENCH_PORT_BASE .. +5).
# Prints the table and writes it to bench/results/latest.md (raw figures in
# latest.json). About 20-30 minutes on 2 cores the first time (template:
# install + seed ~6 min, reused while the addon's files are unchanged).
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=scripts/lib.sh
. "$BENCH/../scripts/lib.sh"

poa_find_odoo || die "No Odoo 18.0 at ${ODOO_SRC:-$POA_ODOO_DEFAULT}: set ODOO_SRC to an Odoo 18.0 source tree (or run ./scripts/run.sh once) and re-run."
[ -x "$ODOO_VENV/bin/python" ] && "$ODOO_VENV/bin/python" -c 'import psycopg2, werkzeug, requests, psutil' 2>/dev/null ||
    die "The virtualenv $ODOO_VENV lacks Odoo's requirements (or requests/psutil): run ./scripts/run.sh once, or set ODOO_VENV, and re-run."
poa_ensure_postgres

export BENCH_STATE=${BENCH_STATE:-/tmp/partner_order_api_bench}
export ODOO_SRC ODOO_VENV
mkdir -p "$BENCH_STATE/logs" "$BENCH_STATE/data"
poa_addons_dir "$BENCH_STATE/addons" copy
cat >"$BENCH_STATE/odoo.conf" <<EOF
; Written by bench/run.sh; regenerated on every run.
[options]
addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$BENCH_STATE/addons
data_dir = $BENCH_STATE/data
db_host = False
db_port = False
db_user = False
db_password = False
list_db = False
max_cron_threads = 1
EOF
cd "$BENCH"
exec "$ODOO_VENV/bin/python" "$BENCH/bench.py" "$@"
