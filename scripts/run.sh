#!/usr/bin/env bash
# Set up and run partner_order_api on a local Odoo 18.0 with demo data.
#
#   ./scripts/run.sh
#
# 1. finds Odoo 18.0 (ODOO_SRC, default $HOME/odoo-18.0; clones Odoo's official
#    18.0 branch there when none is found and the machine is online);
# 2. creates or reuses the virtualenv ODOO_VENV (default $HOME/.venvs/odoo-18.0);
# 3. makes PostgreSQL usable for the current user (starts the cluster, creates
#    the role, installs Debian's postgresql when root and none is installed),
#    and installs Debian's wkhtmltopdf (the PDFs of order/document) when root
#    and missing (otherwise it says so);
# 4. creates or reuses the database POA_DB (default partner_order_api_demo) with
#    the addon and its demo data, updating the addon when its files changed;
# 5. prints a curl command with a fresh demo API key, then runs Odoo on
#    POA_HOST:POA_PORT (default 127.0.0.1:8069) in the foreground.
# Config, filestore and logs live in $HOME/.local/share/partner_order_api.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POA_DB=${POA_DB:-partner_order_api_demo}
case $POA_DB in *[!A-Za-z0-9_.-]* | "") die "POA_DB=$POA_DB is not a valid database name: use letters, digits, _ . - only." ;; esac

poa_find_or_get_odoo
say "Odoo 18.0: $ODOO_SRC"
poa_ensure_odoo_venv
poa_ensure_postgres
poa_ensure_wkhtmltopdf

ADDONS="$POA_STATE/addons"
CONF="$POA_STATE/odoo.conf"
LOGS="$POA_STATE/logs"
mkdir -p "$LOGS"
poa_addons_dir "$ADDONS"
poa_write_conf "$CONF" "$ADDONS" "$POA_STATE/data" "$POA_DB"

# 4. the database
stamp_file="$POA_STATE/$POA_DB.addon-digest"
digest=$(poa_addon_digest)
log="$LOGS/install-$POA_DB.log"
if ! poa_db_exists "$POA_DB"; then
    say "Creating database $POA_DB with $POA_ADDON and demo data (a few minutes, once; log: $log)"
    if ! poa_odoo -c "$CONF" -d "$POA_DB" -i "$POA_ADDON" --stop-after-init \
        --no-http --logfile="$log" --log-level=info; then
        grep -E ' (ERROR|CRITICAL) ' "$log" | tail -n 20 >&2 || tail -n 20 "$log" >&2
        poa_dropdb "$POA_DB"
        die "Installing $POA_ADDON into a new database failed (log: $log): fix the error above and re-run."
    fi
    echo "$digest" >"$stamp_file"
else
    state=$(poa_module_state "$POA_DB")
    if [ "$state" != installed ]; then
        say "Database $POA_DB exists without $POA_ADDON installed: installing it (log: $log)"
        poa_odoo -c "$CONF" -d "$POA_DB" -i "$POA_ADDON" --stop-after-init \
            --no-http --logfile="$log" --log-level=info ||
            die "Installing $POA_ADDON into $POA_DB failed (log: $log): fix the error, or drop the database (dropdb $POA_DB), and re-run."
        echo "$digest" >"$stamp_file"
    elif [ "$(cat "$stamp_file" 2>/dev/null)" != "$digest" ]; then
        say "The addon's files changed since the last run: updating $POA_ADDON in $POA_DB (log: $log)"
        poa_odoo -c "$CONF" -d "$POA_DB" -u "$POA_ADDON" --stop-after-init \
            --no-http --logfile="$log" --log-level=info ||
            die "Updating $POA_ADDON in $POA_DB failed (log: $log): fix the error, or drop the database (dropdb $POA_DB), and re-run."
        echo "$digest" >"$stamp_file"
    else
        say "Reusing database $POA_DB ($POA_ADDON installed and up to date)"
    fi
fi
has_demo=$(psql -X -q -d "$POA_DB" -Atc "select count(*) from ir_model_data
    where module = '$POA_ADDON' and name = 'demo_portal_user'")
[ "$has_demo" = 1 ] ||
    die "Database $POA_DB has no demo data of $POA_ADDON: drop it (dropdb $POA_DB) or set POA_DB to a new name, and re-run."

# 5. a fresh demo API key (printed, never stored), then Odoo in the foreground
key_log="$LOGS/demo-key.log"
key=$(poa_odoo shell -c "$CONF" -d "$POA_DB" --no-http --log-level=warn \
    <"$POA_REPO/scripts/demo_key.py" 2>"$key_log" | tail -n 1) || true
[[ $key =~ ^[0-9a-f]{40}$ ]] ||
    die "Generating the demo API key failed (log: $key_log): fix the error shown there and re-run."

url_host=$POA_HOST
case $url_host in 0.0.0.0 | "") url_host=127.0.0.1 ;; esac
base="http://$url_host:$POA_PORT"
cat <<EOF

Partner Order API is ready. Database: $POA_DB. Odoo: $ODOO_SRC. Config: $CONF

Try the API (a fresh demo key, valid 365 days, made on every run):

  curl -H "Authorization: Bearer $key" $base/partner_order_api/available_products

Demo portal login (My Account -> Connection & Security): integrator@demo-lab-partner.example / integrator
Administrator login: admin / admin
OpenAPI document: $base/partner_order_api/openapi.json

Starting Odoo on $base (Ctrl+C stops it) ...

EOF
exec "$ODOO_VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$POA_DB"
