# shellcheck shell=bash
# Shared discovery for scripts/run.sh and scripts/test.sh: source it, don't run it.
#
# Finds an Odoo 18.0 source tree, makes a virtualenv for it, makes PostgreSQL
# usable for the current OS user and writes Odoo configuration files, all
# outside the repository.  Settings (environment variables, with defaults):
#
#   ODOO_SRC        Odoo 18.0 source tree           $HOME/odoo-18.0
#   ODOO_VENV       virtualenv for Odoo and tests   $HOME/.venvs/odoo-18.0
#   ODOO_PYTHON     interpreter for a new venv      python3.11, 3.12 or 3.10
#   POA_HOST        HTTP interface                  127.0.0.1
#   POA_PORT        HTTP port                       8069
#   POA_STATE_DIR   config, data, logs, addons dir  $HOME/.local/share/partner_order_api
#
# Every failure ends with one sentence that says what to do next.

POA_ADDON=partner_order_api
# Modules the TEST databases (scripts/test.sh, scripts/dev_test.sh) install
# beside the addon, never dependencies of it: purchase_edi_ubl_bis3 is the
# buyer's side of a UBL order (issue 28: tests/test_api_ubl_order.py posts
# the XML Odoo's own purchase module makes); product_expiry gives lots
# their expiry date (deliveries[].lines[].lots[].expiry_date, the
# DespatchAdvice's ExpiryDate; tests/test_api_despatch.py). Comma-separated.
POA_TEST_EXTRA_MODULES=${POA_TEST_EXTRA_MODULES-purchase_edi_ubl_bis3,product_expiry}
POA_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
POA_ODOO_DEFAULT="$HOME/odoo-18.0"
POA_ODOO_GIT=https://github.com/odoo/odoo
POA_HOST=${POA_HOST:-127.0.0.1}
POA_PORT=${POA_PORT:-8069}
POA_STATE=${POA_STATE_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/partner_order_api}
ODOO_VENV=${ODOO_VENV:-$HOME/.venvs/odoo-18.0}
POA_ME=$(id -un)

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}
poa_is_root() { [ "$(id -u)" = 0 ]; }

# Run a command as the postgres OS user (root: su; others: passwordless sudo).
poa_as_postgres() {
    if poa_is_root; then
        su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo -n -u postgres "$@"
    else
        return 1
    fi
}

poa_apt_install() { # poa_apt_install PKG... (root only; updates the lists once if needed)
    poa_is_root && command -v apt-get >/dev/null || return 1
    local log="$POA_STATE/logs/apt.log"
    mkdir -p "$POA_STATE/logs"
    say "apt-get install -y $* (log: $log)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$log" 2>&1 && return 0
    DEBIAN_FRONTEND=noninteractive apt-get update >>"$log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$log" 2>&1
}

poa_dpkg_missing() { # prints the Debian packages among $@ that are not installed
    command -v dpkg-query >/dev/null || return 0
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || echo "$p"
    done
}

# ---------------------------------------------------------------------------
# 1. Odoo 18.0 source tree
# ---------------------------------------------------------------------------
poa_is_odoo18() { # poa_is_odoo18 DIR
    [ -f "$1/odoo-bin" ] && [ -f "$1/odoo/release.py" ] &&
        grep -Eq '^version_info = \(18, 0,' "$1/odoo/release.py"
}

# Sets ODOO_SRC or returns 1 (no Odoo 18 found); never downloads.
poa_find_odoo() {
    local src=${ODOO_SRC:-$POA_ODOO_DEFAULT}
    if poa_is_odoo18 "$src"; then
        ODOO_SRC=$(cd "$src" && pwd -P)
        export ODOO_SRC
        return 0
    fi
    [ ! -f "$src/odoo/release.py" ] || warn "$src holds an Odoo that is not 18.0."
    return 1
}

# When ODOO_SRC is not set and nothing is at the default location, clone
# Odoo's official 18.0 branch there if the machine is online.  Returns 1 when
# that is not possible (offline, or ODOO_SRC set but without Odoo).
poa_get_odoo() {
    [ -z "${ODOO_SRC:-}" ] || return 1
    local src=$POA_ODOO_DEFAULT
    [ ! -e "$src" ] || [ -z "$(ls -A "$src" 2>/dev/null)" ] || return 1
    command -v git >/dev/null || return 1
    timeout 20 git ls-remote --exit-code --heads "$POA_ODOO_GIT" 18.0 >/dev/null 2>&1 || return 1
    say "No Odoo 18.0 at $src: downloading Odoo's official source ($POA_ODOO_GIT, branch 18.0) there; this takes a few minutes."
    mkdir -p "$(dirname "$src")"
    git clone --quiet --depth 1 -b 18.0 "$POA_ODOO_GIT" "$src" ||
        die "Downloading Odoo 18.0 into $src failed: check the network (or set ODOO_SRC to an Odoo 18.0 source tree) and re-run."
    poa_find_odoo
}

# Finds Odoo 18.0 or downloads it; stops with one sentence when neither works.
poa_find_or_get_odoo() {
    poa_find_odoo && return 0
    poa_get_odoo && return 0
    if [ -n "${ODOO_SRC:-}" ]; then
        die "ODOO_SRC=$ODOO_SRC holds no Odoo 18.0 source tree: point ODOO_SRC at one (or unset it to use $POA_ODOO_DEFAULT) and re-run."
    elif [ -e "$POA_ODOO_DEFAULT" ] && [ -n "$(ls -A "$POA_ODOO_DEFAULT" 2>/dev/null)" ]; then
        die "$POA_ODOO_DEFAULT holds no Odoo 18.0 source tree: set ODOO_SRC to an Odoo 18.0 source tree and re-run."
    fi
    die "No Odoo 18.0 source found at $POA_ODOO_DEFAULT and no network to download it: set ODOO_SRC to an Odoo 18.0 source tree and re-run."
}

# ---------------------------------------------------------------------------
# 2. Virtualenvs
# ---------------------------------------------------------------------------
poa_pick_python() { # prints an interpreter usable for a new venv
    local name cand v
    for name in ${ODOO_PYTHON:-} python3.11 python3.12 python3.10 python3; do
        # every match on PATH: a pyenv shim first in PATH may not work
        for cand in $(type -ap "$name" 2>/dev/null) "$name"; do
            v=$("$cand" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
            case $v in 3.10 | 3.11 | 3.12) echo "$cand"; return 0 ;; esac
        done
    done
    return 1
}

poa_make_venv() { # poa_make_venv DIR
    local venv=$1 py
    [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import sys' 2>/dev/null && return 0
    py=$(poa_pick_python) ||
        die "No Python 3.10-3.12 found: install python3.11 (apt-get install python3 python3-venv) or set ODOO_PYTHON and re-run."
    say "Creating virtualenv $venv with $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    mkdir -p "$(dirname "$venv")"
    if ! "$py" -m venv "$venv" 2>/dev/null; then
        rm -rf "$venv"
        local pkg
        pkg=python$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv
        { poa_apt_install "$pkg" python3-venv && "$py" -m venv "$venv"; } ||
            die "Could not create a virtualenv with $py: install $pkg (apt-get install $pkg) or set ODOO_PYTHON to another Python and re-run."
    fi
}

poa_hash() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

# pip install into a venv, logging to a file; on failure print the log's tail
# and one sentence on what to do next.
poa_pip() { # poa_pip VENV LOG ARGS...
    local venv=$1 log=$2
    shift 2
    echo "+ pip install $*" >>"$log"
    "$venv/bin/python" -m pip install --disable-pip-version-check "$@" >>"$log" 2>&1 && return 0
    tail -n 25 "$log" >&2
    local hint="fix the cause shown above and re-run"
    if grep -q "pg_config executable not found" "$log"; then
        hint="install libpq-dev and a C compiler (apt-get install libpq-dev build-essential) and re-run"
    elif grep -Eq "lber.h|ldap.h|sasl/sasl.h" "$log"; then
        hint="install libldap2-dev libsasl2-dev (apt-get install libldap2-dev libsasl2-dev) and re-run"
    elif grep -q "Python.h" "$log"; then
        hint="install the Python headers (apt-get install python3-dev) and re-run"
    elif grep -Eqi "Could not find a version|No matching distribution|connection|timed out" "$log"; then
        hint="check that PyPI is reachable (or that pip's index settings point to a mirror) and re-run"
    fi
    die "pip could not install into $venv (full log: $log): $hint."
}

# The Odoo venv: Odoo's requirements plus this repo's requirements files.
# A stamp (hash of all requirement files and the interpreter) skips pip when
# nothing changed, so a second run takes no time here.
poa_ensure_odoo_venv() {
    mkdir -p "$POA_STATE/logs"
    local stamp_file="$ODOO_VENV/.partner_order_api-stamp" stamp
    poa_make_venv "$ODOO_VENV"
    stamp=$( (
        cat "$ODOO_SRC/requirements.txt" "$POA_REPO/requirements.txt" "$POA_REPO/requirements-test.txt"
        "$ODOO_VENV/bin/python" -c 'import sys; print(sys.version)'
        echo "recipe 1"
    ) | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then
        return 0
    fi
    local log="$POA_STATE/logs/pip-odoo-venv.log" req="$POA_STATE/odoo-requirements.txt"
    : >"$log"
    say "Installing Odoo's requirements into $ODOO_VENV (first time: several minutes; log: $log)"

    # Debian build dependencies of the sdists in Odoo's requirements
    # (psycopg2, python-ldap).  Installed when root; otherwise only reported.
    local py_dev=""
    case $(readlink -f "$ODOO_VENV/bin/python") in
    /usr/bin/*) py_dev=python$("$ODOO_VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-dev ;;
    esac
    local missing
    # shellcheck disable=SC2086
    missing=$(poa_dpkg_missing gcc libpq-dev libldap2-dev libsasl2-dev $py_dev | tr '\n' ' ')
    if [ -n "${missing// /}" ]; then
        # shellcheck disable=SC2086
        poa_apt_install $missing || warn "Debian packages missing and not installable here: $missing"
    fi

    poa_pip_odoo_requirements "$ODOO_VENV" "$log" "$req" \
        -r "$POA_REPO/requirements.txt" -r "$POA_REPO/requirements-test.txt"
    echo "$stamp" >"$stamp_file"
    say "Virtualenv ready: $ODOO_VENV"
}

# Odoo's requirements.txt into VENV, plus extra pip arguments.
poa_pip_odoo_requirements() { # poa_pip_odoo_requirements VENV LOG REQ_COPY [pip args]
    local venv=$1 log=$2 req=$3
    shift 3
    # python-ldap only serves the auth_ldap addon: without its headers, drop it.
    grep -v '^[[:space:]]*cbor2' "$ODOO_SRC/requirements.txt" >"$req"
    if [ -n "$(poa_dpkg_missing libldap2-dev libsasl2-dev)" ]; then
        warn "libldap2-dev/libsasl2-dev are not installed: leaving python-ldap out (only Odoo's auth_ldap addon needs it)."
        grep -v '^[[:space:]]*python-ldap' "$req" >"$req.tmp" && mv "$req.tmp" "$req"
    fi

    # cbor2==5.4.2 is an old sdist whose setup.py needs pkg_resources, which
    # pip's isolated build environment no longer has: build it against an old
    # setuptools installed in the venv itself.
    poa_pip "$venv" "$log" "setuptools<70" "setuptools_scm<8" wheel
    grep '^[[:space:]]*cbor2' "$ODOO_SRC/requirements.txt" >"$req.cbor2" || true
    if [ -s "$req.cbor2" ]; then
        poa_pip "$venv" "$log" --no-build-isolation -r "$req.cbor2"
    fi
    poa_pip "$venv" "$log" -r "$req" "$@"
}

# The small venv for everything that needs no Odoo: ruff, pylint-odoo, OCA's
# module checks and the Odoo-free tests (requirements-lint.txt).
POA_TOOLS_VENV=${POA_TOOLS_VENV:-$HOME/.venvs/partner_order_api-tools}
poa_ensure_tools_venv() {
    mkdir -p "$POA_STATE/logs"
    local stamp_file="$POA_TOOLS_VENV/.partner_order_api-stamp" stamp
    poa_make_venv "$POA_TOOLS_VENV"
    stamp=$( (
        cat "$POA_REPO/requirements.txt" "$POA_REPO/requirements-test.txt" "$POA_REPO/requirements-lint.txt"
        "$POA_TOOLS_VENV/bin/python" -c 'import sys; print(sys.version)'
    ) | sha256sum | cut -d' ' -f1)
    [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ] && return 0
    local log="$POA_STATE/logs/pip-tools-venv.log"
    : >"$log"
    say "Installing the test tools into $POA_TOOLS_VENV (log: $log)"
    poa_pip "$POA_TOOLS_VENV" "$log" -r "$POA_REPO/requirements-lint.txt"
    echo "$stamp" >"$stamp_file"
}

# ---------------------------------------------------------------------------
# 3. PostgreSQL: a running server and a role for the current OS user
# ---------------------------------------------------------------------------
poa_psql() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

poa_ensure_postgres() {
    [ "$POA_ME" != postgres ] ||
        die "Odoo must not use the postgres role: run this script as another user."
    if ! command -v psql >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        if poa_is_root && command -v apt-get >/dev/null; then
            say "PostgreSQL is not installed: installing Debian's postgresql package."
            poa_apt_install postgresql ||
                die "apt-get install postgresql failed (see $POA_STATE/logs/apt.log): install PostgreSQL yourself and re-run."
        elif ! command -v psql >/dev/null; then
            die "PostgreSQL is not installed: install it (sudo apt-get install postgresql) and re-run."
        fi
    fi
    local err
    err=$(poa_psql -Atc 'select 1' 2>&1 >/dev/null) && return 0
    if echo "$err" | grep -Eq "No such file or directory|Connection refused|could not connect|is the server running"; then
        if command -v pg_lsclusters >/dev/null; then
            local ver name _port status _rest
            while read -r ver name _port status _rest; do
                case $status in online*) continue ;; esac
                say "Starting PostgreSQL cluster $ver/$name"
                if poa_is_root; then
                    pg_ctlcluster "$ver" "$name" start
                else
                    pg_ctlcluster "$ver" "$name" start 2>/dev/null || sudo -n pg_ctlcluster "$ver" "$name" start
                fi || die "Could not start PostgreSQL cluster $ver/$name: start it (sudo pg_ctlcluster $ver $name start) and re-run."
            done < <(pg_lsclusters -h 2>/dev/null)
            if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
                local v
                v=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -1)
                poa_is_root ||
                    die "PostgreSQL has no cluster: create one (sudo pg_createcluster --start $v main) and re-run."
                say "Creating PostgreSQL cluster $v/main"
                pg_createcluster --start "$v" main >/dev/null ||
                    die "pg_createcluster $v main failed: create a PostgreSQL cluster yourself and re-run."
            fi
        fi
        local _i
        for _i in 1 2 3 4 5 6 7 8 9 10; do
            err=$(poa_psql -Atc 'select 1' 2>&1 >/dev/null) && break
            sleep 1
        done
    fi
    if echo "$err" | grep -q "role \"$POA_ME\" does not exist"; then
        say "Creating PostgreSQL role $POA_ME (LOGIN CREATEDB)"
        poa_as_postgres createuser --login --createdb "$POA_ME" ||
            die "PostgreSQL has no role $POA_ME: create it (sudo -u postgres createuser --createdb $POA_ME) and re-run."
        err=$(poa_psql -Atc 'select 1' 2>&1 >/dev/null) || true
    fi
    poa_psql -Atc 'select 1' >/dev/null 2>&1 ||
        die "PostgreSQL is not usable as $POA_ME over the local socket ($err): fix that and re-run."
    if [ "$(poa_psql -Atc 'select rolcreatedb or rolsuper from pg_roles where rolname = current_user')" != t ]; then
        poa_as_postgres psql -X -q -c "ALTER ROLE \"$POA_ME\" CREATEDB" ||
            die "PostgreSQL role $POA_ME may not create databases: grant it (sudo -u postgres psql -c 'ALTER ROLE \"$POA_ME\" CREATEDB') and re-run."
    fi
}

poa_db_exists() { [ "$(poa_psql -Atc "select 1 from pg_database where datname = '$1'")" = 1 ]; }
poa_module_state() { psql -X -q -d "$1" -Atc "select state from ir_module_module where name = '$POA_ADDON'" 2>/dev/null; }
poa_dropdb() { dropdb --if-exists "$1" 2>/dev/null || poa_psql -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null 2>&1; }

# ---------------------------------------------------------------------------
# 4. Addons dir and Odoo configuration (outside the repository)
# ---------------------------------------------------------------------------
# The repository's directory need not be named partner_order_api (CI clones it
# under another name), so Odoo gets an addons dir of its own that holds it
# under the right name: a symlink, or a copy (POA_ADDON_COPY=1).
poa_addons_dir() { # poa_addons_dir DIR [copy]
    local dir=$1 link="$1/$POA_ADDON"
    mkdir -p "$dir"
    if [ "${2:-}" = copy ]; then
        rm -rf "$link"
        mkdir -p "$link"
        (cd "$POA_REPO" && tar --exclude=./.git --exclude='__pycache__' --exclude='*.pyc' \
            --exclude=./.pytest_cache --exclude=./.ruff_cache -cf - .) | tar -xf - -C "$link"
    else
        if [ -e "$link" ] && [ ! -L "$link" ]; then
            die "$link is not a symlink: remove it and re-run."
        fi
        ln -sfn "$POA_REPO" "$link"
    fi
}

poa_write_conf() { # poa_write_conf FILE ADDONS_DIR DATA_DIR DB [extra lines]
    local file=$1 addons=$2 data=$3 db=$4
    mkdir -p "$(dirname "$file")" "$data"
    umask 077
    cat >"$file" <<EOF
; Written by scripts/lib.sh of $POA_REPO; regenerated on every run.
[options]
addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$addons
data_dir = $data
db_name = $db
db_host = False
db_port = False
db_user = False
db_password = False
list_db = False
admin_passwd = $(head -c 18 /dev/urandom | base64 | tr -d '/+=')
http_interface = $POA_HOST
http_port = $POA_PORT
${5:-}
EOF
    umask 022
}

# Odoo's HttpCase.browser_js needs Chrome or Chromium and skips its tests when
# there is none: as root, install Debian's chromium; otherwise say so.
poa_ensure_chrome() {
    local b
    for b in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$b" >/dev/null && return 0
    done
    poa_apt_install chromium ||
        warn "No Chrome/Chromium (apt-get install chromium): the browser tests (browser_js) will be skipped."
}

# GET order/document renders PDFs with wkhtmltopdf (Odoo looks for it on PATH
# when it starts): as root, install Debian's wkhtmltopdf; otherwise say so.
# Debian's build (unpatched Qt) leaves out the reports' repeated header and
# footer; wkhtmltox 0.12.6.1 with patched Qt (wkhtmltopdf.org) renders them.
poa_ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null && return 0
    poa_apt_install wkhtmltopdf ||
        warn "No wkhtmltopdf (apt-get install wkhtmltopdf, as root): GET order/document answers 503 document_unavailable, and its tests fail."
}

poa_odoo() { "$ODOO_VENV/bin/python" "$ODOO_SRC/odoo-bin" "$@"; }

# Hash of the addon's installable files, for "-u only when something changed".
poa_addon_digest() {
    (cd "$POA_REPO" && find . -path ./.git -prune -o -path ./tests -prune -o \
        -path ./tests_standalone -prune -o -path ./scripts -prune -o -type f \
        \( -name '*.py' -o -name '*.xml' -o -name '*.csv' -o -name '*.po' -o -name '*.pot' \
        -o -name '*.js' -o -name '*.scss' -o -name '*.css' -o -name '*.json' \) -print |
        LC_ALL=C sort | xargs -r sha256sum; echo "$POA_REPO") | sha256sum | cut -d' ' -f1
}

# ---------------------------------------------------------------------------
# 5. Client generators and the OpenAPI linter (outside the repository)
# ---------------------------------------------------------------------------
# Pinned: the document must stay usable by these exact versions.
POA_OPC_VERSION=${POA_OPC_VERSION:-0.29.1}
POA_NPM_PACKAGES=${POA_NPM_PACKAGES:-openapi-typescript@7.13.0 typescript@5.9.3 @redocly/cli@2.77.0}
POA_NODE_DIR="$POA_STATE/node"
POA_OPC_VENV="$POA_STATE/venvs/openapi-python-client"

# Installs openapi-python-client (own venv: it pins its own ruff and pydantic)
# and the npm tools (node_modules under the state dir); returns 1 with a
# message when PyPI or npm cannot be reached.
poa_ensure_client_tools() {
    mkdir -p "$POA_STATE/logs" "$POA_NODE_DIR"
    local log="$POA_STATE/logs/client-tools.log" stamp
    stamp="opc $POA_OPC_VERSION npm $POA_NPM_PACKAGES $(node --version 2>/dev/null)"
    if [ "$(cat "$POA_STATE/client-tools.stamp" 2>/dev/null)" = "$stamp" ] &&
        [ -x "$POA_OPC_VENV/bin/openapi-python-client" ] &&
        [ -x "$POA_NODE_DIR/node_modules/.bin/redocly" ]; then
        return 0
    fi
    : >"$log"
    if ! command -v npm >/dev/null; then
        warn "npm is not installed (apt-get install nodejs npm): cannot run openapi-typescript and Redocly."
        return 1
    fi
    say "Installing openapi-python-client $POA_OPC_VERSION and $POA_NPM_PACKAGES (log: $log)"
    poa_make_venv "$POA_OPC_VENV"
    if ! "$POA_OPC_VENV/bin/python" -m pip install --disable-pip-version-check \
        "openapi-python-client==$POA_OPC_VERSION" >>"$log" 2>&1; then
        tail -n 5 "$log" >&2
        warn "pip could not install openapi-python-client (is PyPI reachable?)."
        return 1
    fi
    [ -f "$POA_NODE_DIR/package.json" ] || echo '{"private": true}' >"$POA_NODE_DIR/package.json"
    # shellcheck disable=SC2086
    if ! (cd "$POA_NODE_DIR" && npm install --no-audit --no-fund --save-exact \
        --loglevel=error $POA_NPM_PACKAGES) >>"$log" 2>&1; then
        tail -n 5 "$log" >&2
        warn "npm could not install $POA_NPM_PACKAGES (is the npm registry reachable?)."
        return 1
    fi
    echo "$stamp" >"$POA_STATE/client-tools.stamp"
}

# poa_check_clients DOCUMENT OUTDIR: Redocly lint without a warning; the
# TypeScript types and the Python client generated from DOCUMENT, with no
# untyped body (unknown / Any) and one error class shared by every route.
# The Python client is left in OUTDIR/partner_order_api_client.
poa_check_clients() {
    local doc=$1 out=$2 bad rc=0 bin="$POA_NODE_DIR/node_modules/.bin"
    mkdir -p "$out"
    echo "-- Redocly lint (recommended rules)"
    (cd "$out" && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
        "$bin/redocly" lint --format=json "$doc" >"$out/redocly.json" 2>"$out/redocly.err")
    if ! "$POA_TOOLS_VENV/bin/python" - "$out/redocly.json" <<'PY'; then
import json, sys
report = json.load(open(sys.argv[1]))
totals = report["totals"]
for problem in report.get("problems", []):
    print(f"  {problem['severity']}: {problem['ruleId']}: {problem['message']}")
print(f"  errors {totals['errors']}, warnings {totals['warnings']}")
sys.exit(1 if totals["errors"] or totals["warnings"] else 0)
PY
        rc=1
    fi
    echo "-- openapi-typescript"
    if "$bin/openapi-typescript" "$doc" -o "$out/api.d.ts" >"$out/openapi-typescript.log" 2>&1; then
        # `unknown` outside comments and the header maps
        # ("[name: string]: unknown") is an untyped body or member
        bad=$(grep -n 'unknown' "$out/api.d.ts" | grep -vE '^[0-9]+: *(\*|/\*\*)' |
            grep -vE '\[name: string\]: unknown;' || true)
        if [ -n "$bad" ]; then
            echo "  untyped (unknown) in the TypeScript types:"
            echo "$bad" | head -n 20
            rc=1
        else
            echo "  $(grep -c . "$out/api.d.ts") lines, no unknown body"
        fi
    else
        cat "$out/openapi-typescript.log"
        rc=1
    fi
    echo "-- openapi-python-client $POA_OPC_VERSION"
    local pkg="$out/partner_order_api_client"
    rm -rf "$pkg"
    # the configuration shipped to integrators (examples/): the PDF and XML
    # documents are read as bytes (File), not dropped
    if "$POA_OPC_VENV/bin/openapi-python-client" generate --path "$doc" --meta none \
        --config "$POA_REPO/examples/openapi-python-client.yaml" --output-path "$pkg" \
        >"$out/opc.log" 2>&1 &&
        ! grep -qi "warning" "$out/opc.log"; then
        # an untyped request or response body, or one error class per route
        bad=$(
            grep -rnE 'body: Any|Response\[Any\]|-> Any \| None' "$pkg/api"
            find "$pkg/models" -name '*.py' | grep -E '_response_[0-9]{3}|_[0-9]{3}\.py$|error_[a-z_]+_error'
        )
        if [ -n "$bad" ]; then
            echo "  untyped bodies or per-route classes in the Python client:"
            echo "$bad" | head -n 20
            rc=1
        else
            echo "  $(find "$pkg/models" -name '*.py' | wc -l) model modules, every body typed, one Error class"
        fi
    else
        cat "$out/opc.log"
        rc=1
    fi
    return $rc
}

# ---------------------------------------------------------------------------
# 6. Free ports, and the wheel installed as an Odoo admin would (test.sh)
# ---------------------------------------------------------------------------
poa_free_port() { # a TCP port free on 127.0.0.1 right now
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# poa_wait_http URL SECONDS PID: 0 once URL answers 200; 1 on timeout or when
# process PID has exited.
poa_wait_http() {
    local url=$1 deadline=$(($(date +%s) + $2)) pid=$3
    while [ "$(date +%s)" -lt "$deadline" ]; do
        kill -0 "$pid" 2>/dev/null || return 1
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url")" = 200 ] && return 0
        sleep 0.5
    done
    return 1
}

# poa_wheel_check WORKDIR DB: the packaging test. Builds the wheel
# (scripts/build_wheel.py, whool), makes a fresh virtualenv WORKDIR/venv with
# Odoo 18.0 installed from ODOO_SRC by pip (its requirements.txt, then its
# setup.py: `pip install` of a copy of the source made of hard links, so
# that the build writes nothing into ODOO_SRC), pip-installs the wheel there,
# installs the addon with demo data into the new database DB with an addons
# path that holds only Odoo's addons (the addon comes from site-packages),
# starts that venv's `odoo` on a free port and calls the API with a demo key:
# available_products, the OpenAPI document (the same as static/openapi.json)
# and the docs page. A file missing from the wheel fails the install or a
# call. Drops DB. Odoo's logs go to WORKDIR/logs (test.sh checks them for
# warnings). Prints each step's duration. Run it in a subshell: it dies.
poa_wheel_check() {
    local work=$1 db=$2 t0 t rc=0
    local venv="$work/venv" logs="$work/logs" log="$work/logs/pip.log"
    rm -rf "$logs"
    mkdir -p "$logs" "$work/dist"
    : >"$log"
    t0=$(date +%s)
    t=$t0
    step() { # step NAME: prints the time since the previous step
        local now
        now=$(date +%s)
        echo "  $1: $((now - t)) s"
        t=$now
    }
    local wheel
    wheel=$("$POA_TOOLS_VENV/bin/python" "$POA_REPO/scripts/build_wheel.py" --out "$work/dist" |
        tee "$work/build.out" | tail -n 1)
    [ -f "$wheel" ] || die "scripts/build_wheel.py did not build a wheel (see above)."
    head -n 1 "$work/build.out"
    step "wheel built ($(basename "$wheel"))"

    local py
    py=$(poa_pick_python) || die "No Python 3.10-3.12 for the wheel's virtualenv."
    rm -rf "$venv"
    "$py" -m venv "$venv" || die "Could not create the virtualenv $venv."
    poa_pip_odoo_requirements "$venv" "$log" "$work/odoo-requirements.txt"
    step "fresh virtualenv with Odoo's requirements.txt"
    # Odoo's setup.py from a copy of the source (hard links where possible):
    # its build writes build/ and odoo.egg-info/ next to setup.py.
    local osrc="$work/odoo-src"
    rm -rf "$osrc"
    mkdir -p "$osrc"
    cp -al "$ODOO_SRC/odoo" "$osrc/odoo" 2>/dev/null || cp -a "$ODOO_SRC/odoo" "$osrc/odoo"
    find "$osrc/odoo" -name __pycache__ -prune -exec rm -rf {} +
    cp "$ODOO_SRC/setup.py" "$ODOO_SRC/setup.cfg" "$ODOO_SRC/requirements.txt" "$osrc/"
    for f in MANIFEST.in README.md LICENSE; do
        [ ! -f "$ODOO_SRC/$f" ] || cp "$ODOO_SRC/$f" "$osrc/"
    done
    # Odoo's git tree has a MANIFEST.in that puts every data file of odoo/
    # into the package (base.sql, XML, CSV...); a source tree copied without
    # it gets its effect.
    [ -f "$osrc/MANIFEST.in" ] || printf '%s\n' 'include requirements.txt' \
        'recursive-include odoo *' 'global-exclude *.py[co] __pycache__' >"$osrc/MANIFEST.in"
    mkdir -p "$osrc/setup"
    # setup.py installs setup/odoo as the `odoo` command; a source tree copied
    # without it (only odoo-bin) gets odoo-bin, the same script.
    cp "$ODOO_SRC/setup/odoo" "$osrc/setup/odoo" 2>/dev/null || cp "$ODOO_SRC/odoo-bin" "$osrc/setup/odoo"
    poa_pip "$venv" "$log" "$osrc"
    step "pip install of Odoo 18.0 (setup.py)"
    poa_pip "$venv" "$log" "$wheel"
    step "pip install of the wheel"
    local addon_path
    addon_path=$(cd "$work" && "$venv/bin/python" -c "import importlib.util as u, os
print(os.path.dirname(u.find_spec('odoo.addons.$POA_ADDON').origin))" 2>/dev/null)
    case $addon_path in
    "$venv"/*/site-packages/odoo/addons/"$POA_ADDON") echo "  the addon is at $addon_path" ;;
    *) die "The wheel did not put $POA_ADDON under the venv's site-packages/odoo/addons (found: ${addon_path:-nothing})." ;;
    esac

    # Odoo's own addons only: the repository is on no path.
    local conf="$work/odoo.conf" port
    port=$(poa_free_port)
    mkdir -p "$work/data"
    cat >"$conf" <<CONF
[options]
addons_path = $ODOO_SRC/addons
data_dir = $work/data
db_name = $db
list_db = False
http_interface = 127.0.0.1
http_port = $port
max_cron_threads = 0
CONF
    poa_dropdb "$db"
    if ! "$venv/bin/odoo" -c "$conf" -d "$db" -i "$POA_ADDON" --stop-after-init --no-http \
        --log-level=info --logfile="$logs/install.log" ||
        [ "$(poa_module_state "$db")" != installed ]; then
        grep -E ' (ERROR|CRITICAL) ' "$logs/install.log" | tail -n 20
        poa_dropdb "$db"
        die "Installing $POA_ADDON from the wheel failed (log: $logs/install.log)."
    fi
    step "odoo -i $POA_ADDON (with demo data) from the wheel"

    local key
    key=$("$venv/bin/odoo" shell -c "$conf" -d "$db" --no-http --log-level=warn \
        <"$POA_REPO/scripts/demo_key.py" 2>"$logs/shell.err" | tail -n 1)
    if ! [[ $key =~ ^[0-9a-f]{40}$ ]]; then
        cat "$logs/shell.err"
        poa_dropdb "$db"
        die "No demo API key from odoo shell (see above)."
    fi
    "$venv/bin/odoo" -c "$conf" -d "$db" --db-filter="^$db\$" --logfile="$logs/server.log" &
    local pid=$! base="http://127.0.0.1:$port" code
    if poa_wait_http "$base/web/health" 120 "$pid"; then
        code=$(curl -sS -o "$work/products.json" -w '%{http_code}' --max-time 30 \
            -H "Authorization: Bearer $key" "$base/$POA_ADDON/available_products")
        if [ "$code" = 200 ] && "$venv/bin/python" -c '
import json, sys
body = json.load(open(sys.argv[1]))
assert body["success"] is True and body["products"], body
print("  GET available_products: 200, %d products" % len(body["products"]))
' "$work/products.json"; then :; else
            echo "  GET available_products: HTTP $code: $(head -c 300 "$work/products.json")"
            rc=1
        fi
        code=$(curl -sS -o "$work/openapi.json" -w '%{http_code}' --max-time 30 "$base/$POA_ADDON/openapi.json")
        if [ "$code" = 200 ] && "$venv/bin/python" -c '
import json, sys
assert json.load(open(sys.argv[1])) == json.load(open(sys.argv[2]))
' "$work/openapi.json" "$POA_REPO/static/openapi.json"; then
            echo "  GET openapi.json: 200, the same document as static/openapi.json"
        else
            echo "  GET openapi.json: HTTP $code, or not static/openapi.json"
            rc=1
        fi
        code=$(curl -sS -o "$work/docs.html" -w '%{http_code}' --max-time 30 "$base/$POA_ADDON/docs")
        if [ "$code" = 200 ] && grep -q "redoc" "$work/docs.html"; then
            echo "  GET docs: 200"
        else
            echo "  GET docs: HTTP $code"
            rc=1
        fi
    else
        echo "  the wheel's odoo did not answer on $base (log: $logs/server.log)"
        rc=1
    fi
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    step "server started, three calls"
    poa_dropdb "$db"
    echo "  total: $(($(date +%s) - t0)) s"
    return $rc
}
