#!/usr/bin/env bash
# Run some tests of this checkout against a database of its own, for the
# edit-test loop (the whole suite is scripts/test.sh).
#
#   scripts/dev_test.sh DB tests/test_rate_limit.py [more pytest args]
#   scripts/dev_test.sh DB tests_live/test_noisy_neighbour.py
#
# DB is created with demo data on the first run and upgraded (-u) on the
# next ones; paths under tests/ run with pytest-odoo (HttpCase included),
# paths under tests_live/ against real odoo-bin --workers servers. Each
# checkout (a git worktree included) gets its own addons dir under
# $POA_STATE/dev/<DB>, so several checkouts may run at once with other DBs.
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -ge 2 ] || die "usage: scripts/dev_test.sh DB TEST_PATH... [pytest args]"
DB=$1
shift
poa_find_or_get_odoo
poa_ensure_odoo_venv
poa_ensure_postgres
poa_ensure_wkhtmltopdf
DEV="$POA_STATE/dev/$DB"
ADDONS="$DEV/addons"
poa_addons_dir "$ADDONS"
POA_PORT=$(poa_free_port)
CONF="$DEV/odoo.conf"
poa_write_conf "$CONF" "$ADDONS" "$DEV/data" "$DB" "max_cron_threads = 0"
if [ "$(poa_module_state "$DB")" = installed ]; then
    step="-u"
else
    poa_dropdb "$DB"
    step="-i"
fi
echo "odoo $step $POA_ADDON on $DB (log: $DEV/install.log)"
# the test-only modules (lib.sh): installed with the addon, or added to a
# database made before they were listed
modules=$POA_ADDON
extra=()
if [ "$step" = -i ]; then
    modules=$POA_ADDON${POA_TEST_EXTRA_MODULES:+,$POA_TEST_EXTRA_MODULES}
elif [ -n "$POA_TEST_EXTRA_MODULES" ]; then
    extra=(-i "$POA_TEST_EXTRA_MODULES")
fi
poa_odoo -c "$CONF" -d "$DB" "$step" "$modules" "${extra[@]}" --stop-after-init --no-http \
    --log-level=warn --logfile="$DEV/install.log" || die "install failed: see $DEV/install.log"
if [ "${1#tests_live}" != "$1" ]; then
    cd "$ADDONS/$POA_ADDON" && POA_LIVE_CONF="$CONF" POA_LIVE_DB="$DB" ODOO_SRC="$ODOO_SRC" \
        POA_LIVE_LOG_DIR="$DEV/live-logs" exec "$ODOO_VENV/bin/python" -m pytest \
        -p no:odoo -p no:cacheprovider -rfEs "$@"
fi
args=()
for a in "$@"; do
    case $a in
    tests/*) args+=("$POA_ADDON/$a") ;;
    *) args+=("$a") ;;
    esac
done
cd "$ADDONS" && PYTHONPATH="$ODOO_SRC" exec "$ODOO_VENV/bin/python" -m pytest \
    --odoo-config="$CONF" --odoo-database="$DB" --odoo-http \
    --odoo-log-level=warn --odoo-extra="logfile=$DEV/tests.log" -p no:cacheprovider -rfEs "${args[@]}"
