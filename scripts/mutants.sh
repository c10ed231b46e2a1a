#!/usr/bin/env bash
# The mutant stage: every guard is shown to catch a real bug.
#
#   scripts/mutants.sh DB [tests_mutants/NAME.patch ...]
#
# Each tests_mutants/*.patch is a small bug, a plain patch against the
# addon (its header says what it breaks, "Breaks:", and which tests must
# catch it, "Caught by:" followed by pytest node ids relative to the addon:
# Odoo tests under tests/, or Odoo-free ones under tests_standalone/, or
# live ones under tests_live/ (a real odoo-bin --workers server on DB,
# running the copy's code: for races only real concurrency shows; they
# commit their own data to DB, as scripts/test.sh's live stage does), never
# two kinds).
# For each one, a throw-away copy of the addon gets the patch, and only the
# named tests run against DB (with demo data and the addon installed, as the
# Odoo suite leaves it) with pytest-odoo, loading the mutated code: the
# mutant is killed when pytest reports failing tests (exit status 1); it
# survives when they pass; any other outcome (the patch does not apply,
# pytest cannot collect) fails the stage too. The tests roll back what they
# do, so DB is left as it was. Python-level bugs need no -u: the registry
# loads the copy's code. Exits 0 only when every mutant is killed.
# The mutants run in POA_MUTANT_JOBS lanes at once (default 2, one per core
# of the CI machine): lane 1 on DB, each other lane on a copy of DB made at
# the start (createdb -T) and dropped at the end, so no two mutants share a
# database; each lane's lines are printed when it ends.
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -ge 1 ] || die "usage: scripts/mutants.sh DB [tests_mutants/NAME.patch ...]"
DB=$1
shift
poa_find_or_get_odoo
poa_ensure_odoo_venv
poa_ensure_postgres
patches=("$@")
[ ${#patches[@]} -gt 0 ] || mapfile -t patches < <(ls "$POA_REPO"/tests_mutants/*.patch)
JOBS=${POA_MUTANT_JOBS:-2}
[ "$JOBS" -ge 1 ] 2>/dev/null || die "POA_MUTANT_JOBS must be a positive number"
[ "$JOBS" -le ${#patches[@]} ] || JOBS=${#patches[@]}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/poa-mutants.XXXXXX")
LANE_DBS=()
cleanup() {
    for lane_db in "${LANE_DBS[@]}"; do poa_dropdb "$lane_db"; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# run_mutant PATCH LANE_DB: prints one line, "killed", "SURVIVED" or "BROKEN"
# first (and pytest's tail when broken).
run_mutant() {
    local patch=$1 db=$2 name caught addons dir node rc summary
    name=$(basename "$patch" .patch)
    caught=$(sed -n 's/^Caught by: //p' "$patch")
    dir="$WORK/$name"
    addons="$dir/addons"
    poa_addons_dir "$addons" copy
    if ! (cd "$addons/$POA_ADDON" && patch -p1 --quiet --forward <"$patch" >/dev/null); then
        echo "BROKEN    $name: the patch does not apply"
        rm -rf "$dir"
        return
    fi
    poa_write_conf "$dir/odoo.conf" "$addons" "$dir/data" "$db" "max_cron_threads = 0"
    local nodes=() standalone=() live=()
    for node in $caught; do
        case $node in
        tests_standalone/*) standalone+=("$node") ;;
        tests_live/*) live+=("$node") ;;
        *) nodes+=("$POA_ADDON/$node") ;;
        esac
    done
    if [ ${#live[@]} -gt 0 ]; then
        (cd "$addons/$POA_ADDON" && POA_LIVE_CONF="$dir/odoo.conf" POA_LIVE_DB="$db" \
            ODOO_SRC="$ODOO_SRC" POA_LIVE_LOG_DIR="$dir" "$ODOO_VENV/bin/python" -m pytest \
            -p no:odoo -p no:cacheprovider -q -x "${live[@]}") >"$dir/pytest.out" 2>&1
    elif [ ${#standalone[@]} -gt 0 ]; then
        # Odoo-free tests (lib/): the tools' venv, in the copy
        (cd "$addons/$POA_ADDON" && "$POA_TOOLS_VENV/bin/python" -m pytest \
            -p no:odoo -p no:cacheprovider -q -x "${standalone[@]}") >"$dir/pytest.out" 2>&1
    else
        (cd "$addons" && PYTHONPATH="$ODOO_SRC" "$ODOO_VENV/bin/python" -m pytest \
            --odoo-config="$dir/odoo.conf" --odoo-database="$db" --odoo-http \
            --odoo-log-level=critical --odoo-extra="logfile=$dir/odoo.log" \
            -p no:cacheprovider -q -x "${nodes[@]}") >"$dir/pytest.out" 2>&1
    fi
    rc=$?
    summary=$(grep -E '(passed|failed|error).* in [0-9.]+s' "$dir/pytest.out" | tail -n 1)
    case $rc in
    1) echo "killed    $name: $summary" ;;
    0) echo "SURVIVED  $name: $summary ($(sed -n 's/^Breaks: //p' "$patch"))" ;;
    *)
        echo "BROKEN    $name: pytest exit $rc"
        tail -n 15 "$dir/pytest.out"
        ;;
    esac
    rm -rf "$dir"
}

# Lane k (0-based) takes the patches k, k+JOBS, k+2*JOBS, ...
lane_dbs=("$DB")
for ((k = 1; k < JOBS; k++)); do
    lane_db="${DB}_mutants_$k"
    poa_dropdb "$lane_db"
    if ! { createdb -T "$DB" "$lane_db" 2>/dev/null ||
        poa_psql -c "CREATE DATABASE \"$lane_db\" TEMPLATE \"$DB\"" >/dev/null 2>&1; }; then
        # a copy needs DB to itself (a server of a dev loop on it): fewer lanes
        echo "(could not copy $DB: another session uses it; $k lane(s))" >&2
        JOBS=$k
        break
    fi
    LANE_DBS+=("$lane_db")
    lane_dbs+=("$lane_db")
done
pids=()
for ((k = 0; k < JOBS; k++)); do
    (
        for ((i = k; i < ${#patches[@]}; i += JOBS)); do
            run_mutant "${patches[$i]}" "${lane_dbs[$k]}"
        done
    ) >"$WORK/lane-$k.out" 2>&1 &
    pids+=($!)
done
for ((k = 0; k < JOBS; k++)); do
    wait "${pids[$k]}"
    cat "$WORK/lane-$k.out"
done
killed=$(cat "$WORK"/lane-*.out | grep -c '^killed ')
survived=$(cat "$WORK"/lane-*.out | grep -c '^SURVIVED ')
broken=$(cat "$WORK"/lane-*.out | grep -c '^BROKEN ')
missing=$((${#patches[@]} - killed - survived - broken))
echo "mutants: ${#patches[@]}, killed $killed, survived $survived, broken $((broken + missing))"
[ "$survived" = 0 ] && [ "$broken" = 0 ] && [ "$missing" = 0 ]
