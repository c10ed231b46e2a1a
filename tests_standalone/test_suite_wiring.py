# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Odoo's own runner (``--test-enable``) runs only the test modules that
``tests/__init__.py`` imports: every ``tests/test_*.py`` must be there."""

import ast

from conftest import REPO


def test_every_test_module_is_imported_by_the_tests_package():
    tests = REPO / "tests"
    modules = {path.stem for path in tests.glob("test_*.py")}
    imported = set()
    for node in ast.walk(ast.parse((tests / "__init__.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module:
            imported.update(alias.name for alias in node.names)
    assert modules, "no test module found"
    assert modules - imported == set(), "not imported by tests/__init__.py"
    assert imported - modules == set(), "imported but missing"


def test_models_never_import_controllers():
    """Models hold the rules; controllers parse and answer: a model module
    importing a controller module would turn that around."""
    offenders = []
    for path in sorted((REPO / "models").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and "controllers" in (
                node.module or ""
            ):
                offenders.append(f"{path.name}: from {node.module}")
    assert offenders == []
