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
WORK=$(mktemp -d "${TMPDIR:-/tmp}/poa-mutants.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
killed=0
survived=()
broken=()
for patch in "${patches[@]}"; do
    name=$(basename "$patch" .patch)
    caught=$(sed -n 's/^Caught by: //p' "$patch")
    addons="$WORK/$name/addons"
    poa_addons_dir "$addons" copy
    if ! (cd "$addons/$POA_ADDON" && patch -p1 --quiet --forward <"$patch" >/dev/null); then
        broken+=("$name (does not apply)")
        echo "BROKEN    $name: the patch does not apply"
        continue
    fi
    POA_PORT=$(poa_free_port)
    poa_write_conf "$WORK/$name/odoo.conf" "$addons" "$WORK/$name/data" "$DB" "max_cron_threads = 0"
    nodes=()
    standalone=()
    live=()
    for node in $caught; do
        case $node in
        tests_standalone/*) standalone+=("$node") ;;
        tests_live/*) live+=("$node") ;;
        *) nodes+=("$POA_ADDON/$node") ;;
        esac
    done
    if [ ${#live[@]} -gt 0 ]; then
        (cd "$addons/$POA_ADDON" && POA_LIVE_CONF="$WORK/$name/odoo.conf" POA_LIVE_DB="$DB" \
            ODOO_SRC="$ODOO_SRC" POA_LIVE_LOG_DIR="$WORK/$name" "$ODOO_VENV/bin/python" -m pytest \
            -p no:odoo -p no:cacheprovider -q -x "${live[@]}") >"$WORK/$name/pytest.out" 2>&1
    elif [ ${#standalone[@]} -gt 0 ]; then
        # Odoo-free tests (lib/): the tools' venv, in the copy
        (cd "$addons/$POA_ADDON" && "$POA_TOOLS_VENV/bin/python" -m pytest \
            -p no:odoo -p no:cacheprovider -q -x "${standalone[@]}") >"$WORK/$name/pytest.out" 2>&1
    else
        (cd "$addons" && PYTHONPATH="$ODOO_SRC" "$ODOO_VENV/bin/python" -m pytest \
            --odoo-config="$WORK/$name/odoo.conf" --odoo-database="$DB" --odoo-http \
            --odoo-log-level=critical --odoo-extra="logfile=$WORK/$name/odoo.log" \
            -p no:cacheprovider -q -x "${nodes[@]}") >"$WORK/$name/pytest.out" 2>&1
    fi
    rc=$?
    summary=$(grep -E '(passed|failed|error).* in [0-9.]+s' "$WORK/$name/pytest.out" | tail -n 1)
    case $rc in
    1) killed=$((killed + 1)) && echo "killed    $name: $summary" ;;
    0) survived+=("$name") && echo "SURVIVED  $name: $summary ($(sed -n 's/^Breaks: //p' "$patch"))" ;;
    *)
        broken+=("$name (pytest exit $rc)")
        echo "BROKEN    $name: pytest exit $rc"
        tail -n 15 "$WORK/$name/pytest.out"
        ;;
    esac
    rm -rf "$WORK/$name"
done
echo "mutants: ${#patches[@]}, killed $killed, survived ${#survived[@]}, broken ${#broken[@]}"
[ ${#survived[@]} = 0 ] && [ ${#broken[@]} = 0 ]
