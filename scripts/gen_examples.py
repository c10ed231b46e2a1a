#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Record one real request and answer per endpoint, and the error table.

    python scripts/gen_examples.py --conf ODOO_CONF --db DB          # write
    python scripts/gen_examples.py --conf ODOO_CONF --db DB --check  # exit 1 on drift

Run with the Odoo venv's Python on a database where the addon is installed
with its demo data (scripts/run.sh's demo database, or scripts/test.sh's):
it makes a partner of its own (a company enabled for the API with the demo
products, a portal user and an API key, committed), starts ``odoo-bin`` on a
free port on that database, sends the requests of ``record()`` over HTTP,
and writes

- ``docs/examples.json``: ``{operationId: [{title, request, response}]}``;
- ``docs/EXAMPLES.md``: the same as text, then the table of every error code.

Every endpoint of ``lib/openapi.OPERATIONS`` must have an example in
``record()`` and every error class of ``lib/errors.py`` a row in
``ERROR_GUIDE``: a missing one stops the script, naming it. Volatile values
(order and delivery names, dates, keys, secrets, request and webhook ids,
the local receiver's URL) are replaced by stable placeholders, so that a
second run writes the same files: ``--check`` compares instead of writing
(scripts/test.sh runs it). The system parameters it changes for the 429 and
webhook examples are restored.

This script is the entry point: its command line, the server, writing or
checking the files. ``record()`` (the scenario) and the recorder are in
``scripts/gen_examples_record.py``; ``ERROR_GUIDE``, the error table and the
rendering of the files in ``scripts/gen_examples_docs.py``.
"""

import argparse
import difflib
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "tests"))
from gen_examples_docs import (  # noqa: E402
    ERROR_GUIDE,  # noqa: F401 (tests_standalone/test_examples_doc.py reads it here)
    README_MARKERS,
    README_RST,
    USAGE_MARKERS,
    USAGE_MD,
    error_classes,  # noqa: F401 (as ERROR_GUIDE)
    error_table,
    error_table_rst,  # noqa: F401 (as ERROR_GUIDE)
    render_md,
    render_readme_md,
    render_readme_rst,
    replace_between,
)
from gen_examples_record import (  # noqa: E402
    Masker,
    Recorder,
    make_partner,
    record,
    refill_budgets,
    set_params,
)
from gen_openapi import load_openapi  # noqa: E402
from odoo_server import OdooServer  # noqa: E402

OUT_JSON = REPO / "docs" / "examples.json"
OUT_MD = REPO / "docs" / "EXAMPLES.md"


def _load_lib():
    """lib/'s openapi and errors modules, loaded as scripts/gen_openapi.py
    loads lib/ (without the addon, which imports Odoo at its root)."""
    openapi = load_openapi()
    return openapi, importlib.import_module("poa_lib.errors")


def _parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--conf", required=True, help="odoo.conf naming the addons path"
    )
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-src", default=os.environ.get("ODOO_SRC"))
    parser.add_argument("--log", default="/tmp/poa-gen-examples.log")
    parser.add_argument("--check", action="store_true")
    return parser.parse_args()


def _record_on_a_server(args, odoo, registry):
    """A partner of its own, the system parameters the examples need, a
    server on the database: the examples recorded there (the parameters
    restored after). Returns the Recorder."""
    stamp = time.time_ns() // 1000
    partner, key, readonly, eans, not_allowed = make_partner(odoo, registry, stamp)
    old = set_params(
        odoo,
        registry,
        {
            "partner_order_api.webhook_allow_http": "True",
            "partner_order_api.webhook_allowed_hosts": "127.0.0.1",
            "partner_order_api.rate_limit_per_minute": "120",
        },
    )
    masker = Masker()
    masker.add(f"Example Lab {stamp}", "Example Lab")
    server = OdooServer(args.odoo_src, args.conf, args.db, args.log, workers=0,
                        args=("--max-cron-threads=0",))  # fmt: skip
    server.start(timeout=120)
    try:
        rec = Recorder(
            server,
            key,
            masker,
            refill=lambda: refill_budgets(registry),
            readonly=readonly,
        )
        record(rec, {"eans": eans, "stamp": stamp, "readonly": readonly, "not_allowed": not_allowed, "partner": partner,
                     "odoo": odoo, "registry": registry})  # fmt: skip
    finally:
        server.stop()
        set_params(odoo, registry, {k: v or "" for k, v in old.items()})
    return rec


def _outputs(examples, openapi, errors, table):
    """{path: text} of every file the examples go to, in the operations'
    order; stops when an operation has no example."""
    missing = [
        op.operation_id for op in openapi.OPERATIONS if op.operation_id not in examples
    ]
    if missing:
        raise SystemExit(
            f"scripts/gen_examples.py has no example for {missing}: add them to "
            "record() (scripts/gen_examples_record.py)"
        )
    ordered = {op.operation_id: examples[op.operation_id] for op in openapi.OPERATIONS}
    return {
        OUT_JSON: json.dumps(ordered, indent=2, ensure_ascii=False) + "\n",
        OUT_MD: render_md(ordered, openapi.OPERATIONS, table),
        README_RST: replace_between(
            README_RST.read_text(),
            README_MARKERS,
            render_readme_rst(ordered, openapi.OPERATIONS, errors),
            README_RST,
        ),
        USAGE_MD: replace_between(
            USAGE_MD.read_text(),
            USAGE_MARKERS,
            render_readme_md(ordered, openapi.OPERATIONS, errors),
            USAGE_MD,
        ),
    }


def _check(outputs):
    """Stop, showing the differences, when a file is not what it would be."""
    stale = [p.relative_to(REPO) for p, text in outputs.items()
             if not p.exists() or p.read_text() != text]  # fmt: skip
    if stale:
        for path, text in outputs.items():
            old_text = path.read_text() if path.exists() else ""
            diff = difflib.unified_diff(
                old_text.splitlines(),
                text.splitlines(),
                str(path),
                "now",
                lineterm="",
            )
            print("\n".join(list(diff)[:60]))
        raise SystemExit(
            f"{stale} differ from what the server answers now: run "
            "scripts/gen_examples.py and commit"
        )
    print(
        "docs/examples.json, docs/EXAMPLES.md and the README's examples are up to date"
    )


def main():
    args = _parse_args()
    openapi, errors = _load_lib()
    table = error_table(errors)
    sys.path.insert(0, args.odoo_src)
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.db])
    registry = Registry(args.db)
    rec = _record_on_a_server(args, odoo, registry)
    outputs = _outputs(rec.examples, openapi, errors, table)
    if args.check:
        _check(outputs)
        return
    OUT_JSON.parent.mkdir(exist_ok=True)
    for path, text in outputs.items():
        path.write_text(text)
    print("wrote " + ", ".join(str(p.relative_to(REPO)) for p in outputs))


if __name__ == "__main__":
    main()
