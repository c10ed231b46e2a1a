#!/usr/bin/env bash
# Run every check and test of partner_order_api.
#
#   ./scripts/test.sh
#
# (a) ruff check and ruff format --check;
# (b) pylint-odoo with OCA's mandatory checks (.pylintrc-mandatory) and OCA's
#     module checks (oca-checks-odoo-module) for the XML/CSV/PO checks that
#     pylint-odoo 10 no longer does;
# (c) the tests that need no Odoo (tests_standalone/, plain pytest), then the
#     OpenAPI document: generated, Redocly lint without a warning, TypeScript
#     types and a Python client generated from it, fully typed (needs npm and
#     PyPI; POA_ALLOW_NO_CLIENTS=1 lets the run pass without them, and the
#     summary says so);
# (d) with Odoo 18.0 (found as scripts/run.sh finds it): installs the addon with
#     demo data into a fresh database (installing Debian's chromium and
#     wkhtmltopdf first when run as root and missing), runs tests/ with pytest-odoo,
#     the mutant stage (scripts/mutants.sh: each tests_mutants/*.patch must
#     make the tests it names fail), then tests_live/ (real odoo-bin --workers servers) on it, drops the database;
#     then tests_cluster/ (scripts/cluster.sh: a PostgreSQL primary and a
#     streaming standby of their own, two servers reading the standby);
#     a WARNING, ERROR or CRITICAL line logged by Odoo (install, tests, every
#     server tests_live/ and tests_cluster/ started) fails the run. Then, on that database,
#     scripts/gen_examples.py --check records the integrator's examples again
#     (docs/ must hold what the server answers); the wheel stage (build with
#     whool, fresh venv with Odoo pip-installed from ODOO_SRC, the addon
#     installed from site-packages, three calls; scripts/lib.sh
#     poa_wheel_check); the upgrade test (tests_upgrade/: the release tagged
#     18.0.1.0.0 installed and filled, then -u to this code). HttpCase and
#     every server started take free ports: a demo on 8069 may keep running.
# A pytest stage that collects nothing, or skips a test, fails the run
# (POA_ALLOW_SKIPS=1 allows skips, and the summary says so).
# Without Odoo 18.0 it runs (a)-(c) and says that the Odoo suite did not run
# (exit status 0 if those passed); with POA_REQUIRE_ODOO=1 (.ci/run sets it:
# a run that cannot test the addon is not green) it stops at once, failing.
# The last line is "all: N passed, N failed" (Odoo ran) or pytest's summary of
# (c) (Odoo did not run). Exits non-zero on any failure.
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "${POA_REQUIRE_ODOO:-0}" = 1 ] && ! { poa_find_odoo || poa_get_odoo; }; then
    echo "FAILED: no Odoo 18.0 at $POA_ODOO_DEFAULT or ODOO_SRC${ODOO_SRC:+ (ODOO_SRC=$ODOO_SRC)}, and none could be downloaded: POA_REQUIRE_ODOO=1 needs the Odoo suite" >&2
    exit 1
fi

START=$(date +%s)
FAILED=()
fail() { FAILED+=("$1"); }
section() { printf '\n======== %s ========\n' "$*"; }

mkdir -p "$POA_STATE/tmp" "$POA_STATE/logs"
RUN_DIR=$(mktemp -d "$POA_STATE/tmp/test-run.XXXXXX")
TEST_DB=""
cleanup() {
    if [ -n "$TEST_DB" ]; then
        poa_dropdb "$TEST_DB" && echo "Dropped the test database $TEST_DB." >&2
    fi
    rm -rf "$RUN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A snapshot of the repository under the addon's own name: Odoo, pytest-odoo
# and OCA's checks all need the directory to be called partner_order_api (the
# clone's name may differ), and edits made while the suite runs don't mix in.
ADDONS="$RUN_DIR/addons"
ADDON_DIR="$ADDONS/$POA_ADDON"
poa_addons_dir "$ADDONS" copy

poa_ensure_tools_venv
T="$POA_TOOLS_VENV/bin"

# (a) ruff ---------------------------------------------------------------------
section "ruff check"
(cd "$POA_REPO" && "$T/ruff" check --no-fix --no-cache .) || fail "ruff check"
section "ruff format --check"
(cd "$POA_REPO" && "$T/ruff" format --check --no-cache .) || fail "ruff format --check"

# (b) pylint-odoo and OCA's module checks -----------------------------------------
section "pylint-odoo (.pylintrc-mandatory)"
if (cd "$ADDONS" && "$T/pylint" --rcfile="$POA_REPO/.pylintrc-mandatory" \
    --output-format=text "$POA_ADDON"); then echo "No findings."; else fail "pylint-odoo"; fi

# The checks of OCA's mandatory list that moved from pylint-odoo to
# oca-odoo-pre-commit-hooks (style checks such as xml-header-wrong stay off).
OCA_MODULE_CHECKS=csv-duplicate-record-id,csv-syntax-error,manifest-syntax-error,\
xml-syntax-error,xml-duplicate-record-id,xml-duplicate-fields,xml-duplicate-template-id,\
xml-redundant-module-name,xml-deprecated-data-node,xml-deprecated-openerp-node,\
xml-deprecated-tree-attribute,xml-deprecated-qweb-directive,xml-deprecated-qweb-directive-15,\
xml-create-user-wo-reset-password,xml-view-dangerous-replace-low-priority,\
xml-dangerous-qweb-replace-low-priority,xml-not-valid-char-link,xml-xpath-translatable-item,\
file-not-used
OCA_PO_CHECKS=po-syntax-error,po-duplicate-message-definition,po-duplicate-model-definition,\
po-python-parse-printf,po-python-parse-format,po-requires-module
section "oca-checks-odoo-module"
if (
    cd "$ADDONS" || exit 1
    "$T/oca-checks-odoo-module" --enable="$OCA_MODULE_CHECKS" "$POA_ADDON/__manifest__.py" || exit 1
    mapfile -t po_files < <(find "$POA_ADDON/i18n" -name '*.po' -o -name '*.pot' 2>/dev/null)
    [ "${#po_files[@]}" = 0 ] || "$T/oca-checks-po" --enable="$OCA_PO_CHECKS" "${po_files[@]}"
); then echo "No findings."; else fail "oca-checks-odoo-module"; fi

# pytest_counts OUTPUT... -> "passed failed skipped", summed over the summary
# lines of pytest outputs (errors count as failed; subtests are not counted).
pytest_counts() {
    local f line passed=0 failed=0 skipped=0 n word
    for f in "$@"; do
        line=$(pytest_summary "$f")
        for word in passed failed error errors skipped; do
            n=$(echo "$line" | grep -oE "(^|[ =,])[0-9]+ $word([ ,]|$)" | grep -oE '[0-9]+' | head -n 1)
            case $word in
            passed) passed=$((passed + ${n:-0})) ;;
            skipped) skipped=$((skipped + ${n:-0})) ;;
            *) failed=$((failed + ${n:-0})) ;;
            esac
        done
    done
    echo "$passed $failed $skipped"
}

pytest_summary() { # the "==== N passed in 1.2s ====" line of a pytest output
    grep -E '^=+ .*(passed|failed|skipped|error|no tests ran).* in [0-9.]+s( \([0-9:]+\))? =+$' "$1" 2>/dev/null |
        tail -n 1
}

# check_stage NAME RC OUTPUT: a pytest stage passes only when pytest exited 0,
# collected something (exit status 5: nothing collected, is a failure) and
# skipped nothing (a skipped test did not pass: a browser test skips itself
# when Chrome is missing or does not connect), unless POA_ALLOW_SKIPS=1.
ALLOW_SKIPS=${POA_ALLOW_SKIPS:-0}
check_stage() {
    local name=$1 rc=$2 out=$3 skipped
    case $rc in
    0) ;;
    5) fail "$name collected no tests (pytest exit status 5)" ;;
    *) fail "$name (pytest exit status $rc)" ;;
    esac
    skipped=$(pytest_counts "$out" | cut -d' ' -f3)
    if [ "${skipped:-0}" != 0 ] && [ "$ALLOW_SKIPS" != 1 ]; then
        fail "$name: $skipped test(s) skipped (a skip is a failure; POA_ALLOW_SKIPS=1 allows it)"
    fi
}

# (c) tests that need no Odoo ------------------------------------------------------
section "tests_standalone (pytest)"
STANDALONE_OUT="$RUN_DIR/standalone.out"
: >"$STANDALONE_OUT"
if [ -d "$POA_REPO/tests_standalone" ]; then
    # -p no:odoo: pytest-odoo imports odoo when loaded; these tests need none.
    (cd "$POA_REPO" && "$T/python" -m pytest -p no:odoo -p no:cacheprovider -rfEs \
        tests_standalone) 2>&1 | tee "$STANDALONE_OUT"
    check_stage tests_standalone "${PIPESTATUS[0]}" "$STANDALONE_OUT"
else
    fail "No tests_standalone/ directory"
fi

# (c2) the OpenAPI document is generated and usable -----------------------------------
# static/openapi.json is what scripts/gen_openapi.py writes (tests_standalone
# checks that too); Redocly lints it without a warning; openapi-typescript and
# openapi-python-client generate typed clients from it (tests_live drives the
# real server with the Python one). Without PyPI or npm the stage fails,
# unless POA_ALLOW_NO_CLIENTS=1.
ALLOW_NO_CLIENTS=${POA_ALLOW_NO_CLIENTS:-0}
CLIENTS_DIR="$RUN_DIR/clients"
section "OpenAPI document: generated, Redocly lint, generated clients"
(cd "$POA_REPO" && "$T/python" scripts/gen_openapi.py --check) || fail "static/openapi.json is not generated"
CLIENTS_RAN=0
if poa_ensure_client_tools; then
    CLIENTS_RAN=1
    poa_check_clients "$POA_REPO/static/openapi.json" "$CLIENTS_DIR" || fail "OpenAPI clients and lint"
elif [ "$ALLOW_NO_CLIENTS" = 1 ]; then
    echo "POA_ALLOW_NO_CLIENTS=1: the client generators could not be installed; stage skipped."
else
    fail "OpenAPI clients: the generators could not be installed (POA_ALLOW_NO_CLIENTS=1 allows it)"
fi

# (d) the Odoo suite ---------------------------------------------------------------------
ODOO_RAN=0
INSTALL_FAILED=0
# script stages (the wheel, the examples) count as one test each in the last line
STAGES_PASSED=0
STAGES_FAILED=0
if poa_find_odoo || poa_get_odoo; then
    ODOO_RAN=1
    section "Odoo suite (Odoo 18.0 at $ODOO_SRC)"
    poa_ensure_odoo_venv
    poa_ensure_postgres
    poa_ensure_chrome
    poa_ensure_wkhtmltopdf
    TEST_DB_BASE="poa_test_$(date +%Y%m%d_%H%M%S)_$$"
    TEST_DB=$TEST_DB_BASE
    CONF="$RUN_DIR/odoo.conf"
    # Kept after the run (overwritten by the next one).
    INSTALL_LOG="$POA_STATE/logs/test-install.log"
    TESTS_LOG="$POA_STATE/logs/test-odoo.log"
    : >"$INSTALL_LOG"
    : >"$TESTS_LOG"
    # pytest-odoo's HttpCase serves on the config's http_port: a free one, so
    # that the suite runs beside a demo (scripts/run.sh) on 8069.
    POA_PORT=$(poa_free_port)
    poa_write_conf "$CONF" "$ADDONS" "$RUN_DIR/data" "$TEST_DB" "max_cron_threads = 0"
    echo "Installing $POA_ADDON (and ${POA_TEST_EXTRA_MODULES:-no test-only module}) with demo data into the new database $TEST_DB (log: $INSTALL_LOG)"
    if poa_odoo -c "$CONF" -d "$TEST_DB" \
        -i "$POA_ADDON${POA_TEST_EXTRA_MODULES:+,$POA_TEST_EXTRA_MODULES}" --stop-after-init --no-http \
        --log-level=info --logfile="$INSTALL_LOG" &&
        [ "$(poa_module_state "$TEST_DB")" = installed ]; then
        # tests_cluster/ starts from a copy of the fresh database
        CLUSTER_SEED="$RUN_DIR/cluster-seed.dump"
        pg_dump -Fc --no-owner -f "$CLUSTER_SEED" "$TEST_DB" || CLUSTER_SEED=""
        [ ! -d "$RUN_DIR/data/filestore/$TEST_DB" ] ||
            cp -a "$RUN_DIR/data/filestore/$TEST_DB" "$RUN_DIR/cluster-seed-filestore"
        echo "Running tests/ with pytest-odoo (Odoo log: $TESTS_LOG)"
        (cd "$ADDONS" && PYTHONPATH="$ODOO_SRC" "$ODOO_VENV/bin/python" -m pytest \
            --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http \
            --odoo-log-level=info --odoo-extra="logfile=$TESTS_LOG" -p no:cacheprovider -rfEs \
            "$POA_ADDON/tests") 2>&1 | tee "$RUN_DIR/odoo.out"
        check_stage "Odoo suite" "${PIPESTATUS[0]}" "$RUN_DIR/odoo.out"
        if [ -d "$ADDON_DIR/tests_mutants" ]; then
            # Before tests_live writes to the database: the named tests of
            # each mutant run against it as the suite left it.
            section "mutants (tests_mutants/: each caught by the tests it names)"
            bash "$ADDON_DIR/scripts/mutants.sh" "$TEST_DB" 2>&1 | tee "$RUN_DIR/mutants.out"
            if [ "${PIPESTATUS[0]}" = 0 ]; then
                STAGES_PASSED=$((STAGES_PASSED + 1))
            else
                STAGES_FAILED=$((STAGES_FAILED + 1))
                fail "mutant stage (scripts/mutants.sh): $(tail -n 1 "$RUN_DIR/mutants.out")"
            fi
        fi
        if [ -d "$ADDON_DIR/tests_live" ]; then
            # Against real multi-process servers on the same database.
            section "tests_live (odoo-bin --workers on $TEST_DB)"
            mkdir -p "$RUN_DIR/live-logs"
            (cd "$ADDON_DIR" && POA_LIVE_CONF="$CONF" POA_LIVE_DB="$TEST_DB" ODOO_SRC="$ODOO_SRC" \
                POA_PY_CLIENT="$([ "$CLIENTS_RAN" = 1 ] && echo "$CLIENTS_DIR/partner_order_api_client")" \
                POA_LIVE_LOG_DIR="$RUN_DIR/live-logs" "$ODOO_VENV/bin/python" -m pytest \
                -p no:odoo -p no:cacheprovider -rfEs tests_live) 2>&1 | tee "$RUN_DIR/live.out"
            check_stage tests_live "${PIPESTATUS[0]}" "$RUN_DIR/live.out"
        fi
        # The integrator's examples, recorded again against a real server on
        # this database: they must be what docs/ holds.
        section "docs/EXAMPLES.md, docs/examples.json: recorded again (gen_examples.py --check)"
        mkdir -p "$RUN_DIR/live-logs"
        if (cd "$ADDON_DIR" && "$ODOO_VENV/bin/python" scripts/gen_examples.py --conf "$CONF" \
            --db "$TEST_DB" --odoo-src "$ODOO_SRC" --log "$RUN_DIR/live-logs/gen-examples.log" --check); then
            STAGES_PASSED=$((STAGES_PASSED + 1))
        else
            STAGES_FAILED=$((STAGES_FAILED + 1))
            fail "docs/ examples differ from the server's answers (scripts/gen_examples.py)"
        fi
        if [ -d "$ADDON_DIR/tests_cluster" ]; then
            # A PostgreSQL primary and streaming standby of their own
            # (scripts/cluster.sh, removed at the end), two servers.
            section "tests_cluster (primary + streaming standby 1 s behind, two odoo-bin --workers=2)"
            mkdir -p "$RUN_DIR/cluster-logs"
            (cd "$ADDON_DIR" && ODOO_SRC="$ODOO_SRC" ODOO_VENV="$ODOO_VENV" \
                POA_CLUSTER_SEED_DUMP="$CLUSTER_SEED" \
                POA_CLUSTER_SEED_FILESTORE="$RUN_DIR/cluster-seed-filestore" \
                POA_CLUSTER_LOG_DIR="$RUN_DIR/cluster-logs" "$ODOO_VENV/bin/python" -m pytest \
                -p no:odoo -p no:cacheprovider -rfEs tests_cluster) 2>&1 | tee "$RUN_DIR/cluster.out"
            check_stage tests_cluster "${PIPESTATUS[0]}" "$RUN_DIR/cluster.out"
        fi
        echo "(Paths under $ADDON_DIR are the repository's files, copied for this run.)"
    else
        INSTALL_FAILED=1
        fail "Odoo install of $POA_ADDON"
        echo "Installing $POA_ADDON failed; last lines of $INSTALL_LOG:"
        tail -n 30 "$INSTALL_LOG"
    fi
    poa_dropdb "$TEST_DB" && echo "Dropped the test database $TEST_DB."
    TEST_DB=""

    # The wheel, as an Odoo admin installs it: built with whool, pip-installed
    # into a fresh virtualenv next to Odoo 18.0 (pip install of ODOO_SRC), the
    # addon installed from site-packages into a new database, one API call.
    section "wheel: whool build, fresh venv with Odoo, install, API call"
    WHEEL_DB="${TEST_DB_BASE}_wheel"
    (poa_wheel_check "$RUN_DIR/wheel" "$WHEEL_DB") 2>&1 | grep -v "^Running as user 'root'"
    if [ "${PIPESTATUS[0]}" = 0 ]; then
        STAGES_PASSED=$((STAGES_PASSED + 1))
    else
        STAGES_FAILED=$((STAGES_FAILED + 1))
        fail "wheel stage (scripts/lib.sh poa_wheel_check)"
    fi
    poa_dropdb "$WHEEL_DB"

    # Upgrade from the previous release (tag 18.0.1.0.0): nothing lost.
    section "upgrade from the previous release (tests_upgrade)"
    (cd "$ADDON_DIR/tests_upgrade" && ODOO_SRC="$ODOO_SRC" POA_UPGRADE_DB="${TEST_DB_BASE}_upgrade" \
        POA_UPGRADE_GIT="$POA_REPO" "$ODOO_VENV/bin/python" -m pytest -rfEs -s test_upgrade.py) 2>&1 |
        tee "$RUN_DIR/upgrade.out"
    check_stage tests_upgrade "${PIPESTATUS[0]}" "$RUN_DIR/upgrade.out"
    poa_dropdb "${TEST_DB_BASE}_upgrade"

    # As OCA's CI: any WARNING, ERROR or CRITICAL logged by Odoo fails the run:
    # the install, pytest-odoo's Odoo, and every server tests_live/ started
    # (restarted ones and the replica's included). One line is pytest-odoo's
    # own doing, not the addon's: it imports the test modules (hence
    # odoo.tests) before it turns Odoo's test mode on.
    level_re='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) '
    pytest_odoo_re=' ERROR \? odoo\.tests\.common: Importing test framework, avoid importing'
    live_logs=()
    [ -d "$RUN_DIR/live-logs" ] && mapfile -t live_logs < <(find "$RUN_DIR/live-logs" -name '*.log' | sort)
    cluster_logs=()
    [ -d "$RUN_DIR/cluster-logs" ] && mapfile -t cluster_logs < <(find "$RUN_DIR/cluster-logs" -name '*.log' | sort)
    live_count=${#live_logs[@]}
    live_logs+=("${cluster_logs[@]}")
    [ -d "$RUN_DIR/wheel/logs" ] && mapfile -t -O "${#live_logs[@]}" live_logs < <(find "$RUN_DIR/wheel/logs" -name '*.log' ! -name 'pip.log' | sort)
    echo "Odoo logs checked: install, pytest-odoo, $live_count of tests_live servers (and gen_examples), ${#cluster_logs[@]} of tests_cluster, $((${#live_logs[@]} - live_count - ${#cluster_logs[@]})) of the wheel stage."
    bad_log=$(
        grep -HE "$level_re" "$INSTALL_LOG"
        grep -HE "$level_re" "$TESTS_LOG" | grep -vE "$pytest_odoo_re"
        [ "${#live_logs[@]}" = 0 ] || grep -HE "$level_re" "${live_logs[@]}"
    )
    if [ -n "$bad_log" ]; then
        section "Odoo logged warnings or errors"
        echo "$bad_log" | cut -c1-500 | head -n 60
        fail "Odoo log: $(echo "$bad_log" | wc -l) WARNING/ERROR/CRITICAL line(s)"
    fi
fi

# Summary ----------------------------------------------------------------------------------
section "summary ($(($(date +%s) - START)) s)"
if [ "$ALLOW_SKIPS" = 1 ]; then
    echo "POA_ALLOW_SKIPS=1: skipped tests were allowed in this run."
fi
if [ "${#FAILED[@]}" -gt 0 ]; then
    printf 'FAILED: %s\n' "${FAILED[@]}"
fi
[ "$CLIENTS_RAN" = 1 ] || echo "POA_ALLOW_NO_CLIENTS=1: the generated clients and Redocly lint did not run."
if [ "$ODOO_RAN" = 1 ]; then
    read -r passed failed skipped < <(pytest_counts "$STANDALONE_OUT" "$RUN_DIR/odoo.out" "$RUN_DIR/live.out" "$RUN_DIR/upgrade.out" "$RUN_DIR/cluster.out")
    passed=$((passed + STAGES_PASSED))
    failed=$((failed + INSTALL_FAILED + STAGES_FAILED))
    total="all: $passed passed, $failed failed"
    [ "$skipped" = 0 ] || total="$total, $skipped skipped"
    echo "$total"
else
    [ "${POA_REQUIRE_ODOO:-0}" = 1 ] && FAILED+=("no Odoo 18.0 (POA_REQUIRE_ODOO=1)")
    echo "ODOO SUITE DID NOT RUN: no Odoo 18.0 found at $POA_ODOO_DEFAULT or ODOO_SRC${ODOO_SRC:+ (ODOO_SRC=$ODOO_SRC)}"
    summary=$(pytest_summary "$STANDALONE_OUT")
    if [ -n "$summary" ]; then
        echo "$summary"
    else
        echo "=============== no tests ran (no tests_standalone/) ==============="
    fi
fi
[ "${#FAILED[@]}" = 0 ]
