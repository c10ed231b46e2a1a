#!/usr/bin/env bash
# Several Odoo servers on a PostgreSQL primary with a streaming hot standby,
# all on this machine, for tests_cluster/ and the replica benchmark.
#
#   ./scripts/cluster.sh start     # primary, standby, database, two Odoo servers
#   ./scripts/cluster.sh status    # what runs, on which port, the standby's lag
#   ./scripts/cluster.sh delay 1s  # the standby's recovery_min_apply_delay, now
#   ./scripts/cluster.sh stop      # stops the servers and both PostgreSQL instances
#   ./scripts/cluster.sh clean     # stop, then remove everything it made
#
# With the PostgreSQL binaries of the machine (/usr/lib/postgresql/<newest>/bin,
# or PG_BIN): initdb a primary of its own under $POA_STATE/cluster (TCP on
# 127.0.0.1 only, trust authentication, the current OS user as superuser,
# wal_level=replica), make a hot standby of it with pg_basebackup -R
# (streaming replication, its own data directory and port), create the
# database with the addon (no demo data) on the primary, and start two
# `odoo-bin --workers=2` on it with the standby as their replica
# (--db_replica_host/--db_replica_port: Odoo 18 serves readonly routes there).
# The system cluster (the one run.sh and test.sh use) is not touched. As root,
# PostgreSQL runs as the OS user postgres (it refuses root).
#
# Settings (environment variables, with defaults):
#   POA_CLUSTER_PRIMARY_PORT   5442        the primary
#   POA_CLUSTER_STANDBY_PORT   5443        the standby
#   POA_CLUSTER_HTTP_PORTS     "8275 8276" one Odoo server per port
#   POA_CLUSTER_GEVENT_PORTS   "8285 8286" their longpolling ports
#   POA_CLUSTER_WORKERS        2           --workers of each server
#   POA_CLUSTER_DB             poa_cluster the database
#   POA_STANDBY_DELAY          0           recovery_min_apply_delay (e.g. 1s)
#   POA_CLUSTER_ODOO           1           0: PostgreSQL and the database only
#                                          (tests_cluster/ starts its own servers)
#   POA_CLUSTER_SEED_DUMP      (none)      a pg_dump -Fc of a database with the
#                                          addon installed: restored instead of
#                                          installing (scripts/test.sh)
#   POA_CLUSTER_SEED_FILESTORE (none)      that database's filestore directory
# The state lives in $POA_STATE/cluster (POA_STATE_DIR, see scripts/lib.sh).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PRIMARY_PORT=${POA_CLUSTER_PRIMARY_PORT:-5442}
STANDBY_PORT=${POA_CLUSTER_STANDBY_PORT:-5443}
read -r -a HTTP_PORTS <<<"${POA_CLUSTER_HTTP_PORTS:-8275 8276}"
read -r -a GEVENT_PORTS <<<"${POA_CLUSTER_GEVENT_PORTS:-8285 8286}"
WORKERS=${POA_CLUSTER_WORKERS:-2}
DB=${POA_CLUSTER_DB:-poa_cluster}
DELAY=${POA_STANDBY_DELAY:-0}
WITH_ODOO=${POA_CLUSTER_ODOO:-1}
C="$POA_STATE/cluster"
CONF="$C/odoo.conf"
LOGS="$C/logs"

pg_bin() {
    if [ -n "${PG_BIN:-}" ]; then
        echo "$PG_BIN"
        return
    fi
    local v
    v=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -n | tail -1)
    [ -n "$v" ] && [ -x "/usr/lib/postgresql/$v/bin/postgres" ] ||
        die "No PostgreSQL binaries under /usr/lib/postgresql: install postgresql (or set PG_BIN) and re-run."
    echo "/usr/lib/postgresql/$v/bin"
}
PGB=$(pg_bin)

# PostgreSQL refuses to run as root: as root, its files and processes belong
# to the OS user postgres.
pg_owner() { if poa_is_root; then echo postgres; else id -un; fi; }
as_pg() { # as_pg CMD ARGS...
    if poa_is_root; then
        su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    else
        "$@"
    fi
}
# PostgreSQL's files: $C/pg, or (as root, when the OS user postgres cannot
# reach $C, e.g. under /root) /tmp/partner_order_api-cluster-<primary port>;
# written to $C/pg.path for the tests and the benchmark.
pg_dir() {
    if [ -n "${POA_CLUSTER_PG_DIR:-}" ]; then
        echo "$POA_CLUSTER_PG_DIR"
    elif poa_is_root && ! as_pg test -x "$C" 2>/dev/null; then
        echo "/tmp/partner_order_api-cluster-$PRIMARY_PORT"
    else
        echo "$C/pg"
    fi
}
mkdir -p "$C"
PG=$(cat "$C/pg.path" 2>/dev/null || pg_dir) # owned by the PostgreSQL OS user
PRIMARY="$PG/primary"
STANDBY="$PG/standby"
SOCKETS="$PG/run"

pg_running() { [ -f "$1/postmaster.pid" ] && as_pg "$PGB/pg_ctl" -D "$1" status >/dev/null 2>&1; }
sql() { # sql PORT SQL...
    local port=$1
    shift
    "$PGB/psql" -X -q -h 127.0.0.1 -p "$port" -U "$POA_ME" -d postgres -v ON_ERROR_STOP=1 -Atc "$*"
}

port_free() { ! (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_conf() {
    mkdir -p "$C/addons" "$C/data" "$LOGS"
    poa_addons_dir "$C/addons"
    umask 077
    cat >"$CONF" <<EOF
; Written by scripts/cluster.sh; regenerated on every start.
[options]
addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$C/addons
data_dir = $C/data
db_name = $DB
db_host = 127.0.0.1
db_port = $PRIMARY_PORT
db_user = $POA_ME
db_password = False
db_replica_host = 127.0.0.1
db_replica_port = $STANDBY_PORT
db_maxconn = 32
list_db = False
admin_passwd = $(head -c 18 /dev/urandom | base64 | tr -d '/+=')
http_interface = 127.0.0.1
max_cron_threads = 1
EOF
    umask 022
}

start_primary() {
    local owner
    owner=$(pg_owner)
    mkdir -p "$PG"
    chown "$owner" "$PG"
    echo "$PG" >"$C/pg.path"
    as_pg mkdir -p "$SOCKETS"
    if [ ! -f "$PRIMARY/PG_VERSION" ]; then
        say "initdb the primary ($PRIMARY, port $PRIMARY_PORT)"
        as_pg "$PGB/initdb" -D "$PRIMARY" -U "$POA_ME" --auth=trust -E UTF8 \
            --locale=C.UTF-8 >"$LOGS/initdb.log" 2>&1 ||
            die "initdb failed (log: $LOGS/initdb.log): fix the cause shown there and re-run."
        as_pg sh -c "cat >>'$PRIMARY/postgresql.conf'" <<EOF
# scripts/cluster.sh
listen_addresses = '127.0.0.1'
port = $PRIMARY_PORT
unix_socket_directories = '$SOCKETS'
max_connections = 300
wal_level = replica
max_wal_senders = 5
wal_keep_size = 256MB
hot_standby = on
hot_standby_feedback = on
log_line_prefix = '%m [%p] '
EOF
    fi
    if ! pg_running "$PRIMARY"; then
        port_free "$PRIMARY_PORT" || die "Port $PRIMARY_PORT is taken: set POA_CLUSTER_PRIMARY_PORT and re-run."
        as_pg "$PGB/pg_ctl" -D "$PRIMARY" -l "$PG/primary.log" -w -t 60 start >/dev/null ||
            die "The primary did not start (log: $PG/primary.log)."
    fi
}

# The standby is made afresh from the primary on every start (seconds for a
# test database), so that it never drifts from it.
start_standby() {
    if pg_running "$STANDBY"; then
        set_delay "$DELAY"
        return
    fi
    as_pg rm -rf "$STANDBY"
    port_free "$STANDBY_PORT" || die "Port $STANDBY_PORT is taken: set POA_CLUSTER_STANDBY_PORT and re-run."
    say "pg_basebackup the standby ($STANDBY, port $STANDBY_PORT, delay $DELAY)"
    as_pg "$PGB/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$POA_ME" -D "$STANDBY" \
        -R -X stream -c fast >"$LOGS/basebackup.log" 2>&1 ||
        die "pg_basebackup failed (log: $LOGS/basebackup.log)."
    as_pg sh -c "cat >>'$STANDBY/postgresql.auto.conf'" <<EOF
port = $STANDBY_PORT
hot_standby = on
hot_standby_feedback = on
recovery_min_apply_delay = '$DELAY'
EOF
    as_pg "$PGB/pg_ctl" -D "$STANDBY" -l "$PG/standby.log" -w -t 60 start >/dev/null ||
        die "The standby did not start (log: $PG/standby.log)."
    local i
    for i in $(seq 1 60); do
        [ "$(sql "$PRIMARY_PORT" "select count(*) from pg_stat_replication where state = 'streaming'" 2>/dev/null)" = 1 ] && return 0
        sleep 0.5
    done
    die "The standby does not stream from the primary (logs: $PG/standby.log, $PG/primary.log)."
}

set_delay() { # set_delay VALUE: recovery_min_apply_delay of the running standby
    sql "$STANDBY_PORT" "ALTER SYSTEM SET recovery_min_apply_delay = '$1'" &&
        sql "$STANDBY_PORT" "SELECT pg_reload_conf()" >/dev/null
}

ensure_db() {
    local log="$LOGS/install-$DB.log" stamp="$C/$DB.addon-digest" digest state
    digest=$(poa_addon_digest)
    state=$("$PGB/psql" -X -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$POA_ME" -d "$DB" -Atc \
        "select state from ir_module_module where name = '$POA_ADDON'" 2>/dev/null || true)
    if [ "$state" != installed ] && [ -n "${POA_CLUSTER_SEED_DUMP:-}" ]; then
        # scripts/test.sh: a dump of its freshly installed database (seconds,
        # where an install takes minutes)
        say "Restoring $POA_CLUSTER_SEED_DUMP into $DB on the primary"
        "$PGB/createdb" -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$POA_ME" "$DB" &&
            "$PGB/pg_restore" -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$POA_ME" --no-owner \
                -d "$DB" "$POA_CLUSTER_SEED_DUMP" >"$log" 2>&1 ||
            die "Restoring $POA_CLUSTER_SEED_DUMP failed (log: $log)."
        if [ -n "${POA_CLUSTER_SEED_FILESTORE:-}" ] && [ -d "$POA_CLUSTER_SEED_FILESTORE" ]; then
            mkdir -p "$C/data/filestore"
            rm -rf "$C/data/filestore/$DB"
            cp -a "$POA_CLUSTER_SEED_FILESTORE" "$C/data/filestore/$DB"
        fi
        echo "$digest" >"$stamp"
    elif [ "$state" != installed ]; then
        say "Installing $POA_ADDON (no demo data) into $DB on the primary (log: $log)"
        poa_odoo -c "$CONF" -d "$DB" -i "$POA_ADDON" --without-demo=all --stop-after-init \
            --no-http --log-level=info --logfile="$log" ||
            die "Installing $POA_ADDON into $DB failed (log: $log)."
        echo "$digest" >"$stamp"
    elif [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
        say "The addon changed: updating $POA_ADDON in $DB (log: $log)"
        poa_odoo -c "$CONF" -d "$DB" -u "$POA_ADDON" --stop-after-init \
            --no-http --log-level=info --logfile="$log" ||
            die "Updating $POA_ADDON in $DB failed (log: $log)."
        echo "$digest" >"$stamp"
    fi
}

start_odoo() {
    local i port gport pidf
    for i in "${!HTTP_PORTS[@]}"; do
        port=${HTTP_PORTS[$i]}
        gport=${GEVENT_PORTS[$i]:-$((port + 10))}
        pidf="$C/odoo-$port.pid"
        if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
            continue
        fi
        port_free "$port" || die "Port $port is taken: set POA_CLUSTER_HTTP_PORTS and re-run."
        # its own process group (setsid), so that stop takes its workers too
        ODOO_HTTP_SOCKET_TIMEOUT=15 setsid "$ODOO_VENV/bin/python" "$ODOO_SRC/odoo-bin" \
            -c "$CONF" -d "$DB" --db-filter="^$DB\$" --http-port="$port" \
            --gevent-port="$gport" --workers="$WORKERS" --max-cron-threads=1 \
            --log-level=info --logfile="$LOGS/odoo-$port.log" </dev/null >/dev/null 2>&1 &
        echo $! >"$pidf"
    done
    for port in "${HTTP_PORTS[@]}"; do
        for i in $(seq 1 240); do
            curl -fsS -o /dev/null "http://127.0.0.1:$port/web/health" 2>/dev/null && break
            kill -0 "$(cat "$C/odoo-$port.pid")" 2>/dev/null ||
                die "odoo-bin on port $port exited (log: $LOGS/odoo-$port.log)."
            sleep 0.5
        done
        curl -fsS -o /dev/null "http://127.0.0.1:$port/web/health" ||
            die "odoo-bin on port $port does not answer /web/health (log: $LOGS/odoo-$port.log)."
    done
}

stop_odoo() {
    local pidf pid i
    for pidf in "$C"/odoo-*.pid; do
        [ -f "$pidf" ] || continue
        pid=$(cat "$pidf")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM -- "-$pid" 2>/dev/null || true
            for i in $(seq 1 60); do
                kill -0 -- "-$pid" 2>/dev/null || break
                sleep 0.5
            done
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
        rm -f "$pidf"
    done
}

stop_pg() {
    local dir
    for dir in "$STANDBY" "$PRIMARY"; do
        if pg_running "$dir"; then
            as_pg "$PGB/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null || true
        fi
    done
}

print_status() {
    local port state lag
    echo "state:    $C (PostgreSQL: $PG)"
    if pg_running "$PRIMARY"; then state=running; else state=stopped; fi
    echo "primary:  127.0.0.1:$PRIMARY_PORT ($state; data $PRIMARY)"
    if pg_running "$STANDBY"; then
        lag=$(sql "$STANDBY_PORT" "select coalesce(round(extract(epoch from now() - pg_last_xact_replay_timestamp())::numeric, 3)::text, '-') || ' s since the last replayed commit, delay ' || current_setting('recovery_min_apply_delay')" 2>/dev/null || echo '?')
        echo "standby:  127.0.0.1:$STANDBY_PORT (running; $lag)"
    else
        echo "standby:  127.0.0.1:$STANDBY_PORT (stopped)"
    fi
    echo "database: $DB (odoo.conf: $CONF)"
    for port in "${HTTP_PORTS[@]}"; do
        if [ -f "$C/odoo-$port.pid" ] && kill -0 "$(cat "$C/odoo-$port.pid")" 2>/dev/null; then
            state="running, --workers=$WORKERS, log $LOGS/odoo-$port.log"
        else
            state=stopped
        fi
        echo "odoo:     http://127.0.0.1:$port ($state)"
    done
}

case ${1:-} in
start)
    poa_find_odoo || die "No Odoo 18.0 at ${ODOO_SRC:-$POA_ODOO_DEFAULT}: set ODOO_SRC and re-run."
    [ -x "$ODOO_VENV/bin/python" ] || die "No virtualenv at $ODOO_VENV: run ./scripts/run.sh once, or set ODOO_VENV, and re-run."
    mkdir -p "$C" "$LOGS"
    chmod 755 "$C"
    write_conf
    start_primary
    ensure_db
    start_standby
    [ "$WITH_ODOO" = 0 ] || start_odoo
    print_status
    ;;
delay)
    [ -n "${2:-}" ] || die "Usage: $0 delay VALUE (e.g. 1s, 0)"
    set_delay "$2"
    print_status
    ;;
status) print_status ;;
stop)
    stop_odoo
    stop_pg
    print_status
    ;;
clean)
    stop_odoo
    stop_pg
    rm -rf "$PG" # root, or the owner
    rm -rf "$C"
    say "Removed $C"
    ;;
*)
    sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
