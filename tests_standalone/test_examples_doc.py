# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""docs/EXAMPLES.md and docs/examples.json (scripts/gen_examples.py) cover
every endpoint of lib/openapi.OPERATIONS and every error code of
lib/errors.py: a new endpoint or code fails here, by name, until its example
and its row are recorded (scripts/test.sh re-records them with --check
against a real server)."""

import json

from conftest import REPO, _load, load_lib

DOCS = REPO / "docs"


def _gen():
    return _load("poa_gen_examples", REPO / "scripts" / "gen_examples.py")


def test_every_operation_has_a_recorded_example():
    openapi = load_lib("openapi")
    recorded = json.loads((DOCS / "examples.json").read_text())
    wanted = [op.operation_id for op in openapi.OPERATIONS]
    assert [op for op in wanted if op not in recorded] == [], "no recorded example"
    assert [op for op in recorded if op not in wanted] == [], "not an operation"
    for operation_id, examples in recorded.items():
        assert examples, operation_id
        for example in examples:
            assert example["request"]["path"].startswith("/partner_order_api/")
            assert isinstance(example["response"]["status"], int)


def test_every_error_code_is_in_the_table(errors):
    gen = _gen()
    # stops (SystemExit) naming a code of lib/errors.py without a row
    table = gen.error_table(errors)
    codes = gen.error_classes(errors)
    assert set(codes) == set(gen.ERROR_GUIDE)
    for code, (status, _cls) in codes.items():
        assert f"| {status} | `{code}` |" in table
    for path, text in (
        (DOCS / "EXAMPLES.md", table),
        (REPO / "readme" / "USAGE.md", table),
        (REPO / "README.rst", gen.error_table_rst(errors)),
    ):
        assert text in path.read_text(), (
            f"{path.name}'s error table is not the one lib/errors.py gives: "
            "run scripts/gen_examples.py"
        )


def test_the_error_examples_cover_the_client_statuses():
    recorded = json.loads((DOCS / "examples.json").read_text())
    statuses = {
        example["response"]["status"]
        for examples in recorded.values()
        for example in examples
    }
    assert {400, 401, 403, 404, 405, 409, 429} <= statuses
