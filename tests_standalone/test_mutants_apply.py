# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The mutant stage's patches (``tests_mutants/``, run by
``scripts/mutants.sh`` after the Odoo suite) still fit the code: each
applies to the tree as it is, changes one file, and names the tests that
must catch it, as test functions that exist. A patch the code moved away
from is seen here, in seconds, rather than as a broken mutant at the end of
the run."""

import ast
import re
import shutil
import subprocess

import pytest
from conftest import REPO

PATCHES = sorted((REPO / "tests_mutants").glob("*.patch"))
# an Odoo test (a method of a test class), an Odoo-free or a live one (a
# function)
_NODE = re.compile(
    r"^(tests/test_\w+\.py::\w+|tests_(?:standalone|live)/test_\w+\.py)::(\w+)$"
)


def _header(patch, name):
    lines = [
        line[len(name) + 2 :]
        for line in patch.read_text().splitlines()
        if line.startswith(f"{name}: ")
    ]
    assert len(lines) == 1, f"{patch.name}: one '{name}:' line"
    return lines[0]


def _test_functions(path):
    """{class name: {test method names}} of a test module; its test
    functions under None."""
    found = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            found.setdefault(None, set()).add(node.name)
        if isinstance(node, ast.ClassDef):
            found[node.name] = {
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test_")
            }
    return found


def test_there_are_mutants():
    assert len(PATCHES) >= 10


@pytest.mark.skipif(not shutil.which("patch"), reason="needs patch(1)")
@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.stem)
def test_each_patch_applies_and_names_existing_tests(patch):
    assert _header(patch, "Breaks").strip()
    files = re.findall(r"^\+\+\+ b/(\S+)", patch.read_text(), re.M)
    assert len(files) == 1, f"{patch.name} must change one file: {files}"
    result = subprocess.run(
        ["patch", "-p1", "--dry-run", "--forward", "--silent", "-i", str(patch)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, f"{patch.name} no longer applies: {result.stdout}"
    nodes = _header(patch, "Caught by").split()
    assert nodes
    assert len({node.split("/")[0] for node in nodes}) == 1, "one kind of tests"
    for node in nodes:
        match = _NODE.match(node)
        assert match, (
            f"{patch.name}: {node} is not a test of tests/, tests_standalone/ or tests_live/"
        )
        module, _sep, cls = match.group(1).partition("::")
        functions = _test_functions(REPO / module).get(cls or None, set())
        assert match.group(2) in functions, f"{patch.name}: no {node}"
