# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How the suite is wired: Odoo's own runner (``--test-enable``) runs only
the test modules that ``tests/__init__.py`` imports (every
``tests/test_*.py`` must be there), models never import controllers, and
CI never passes without the Odoo suite."""

import ast
import os
import signal
import subprocess

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


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


def test_lib_is_pure_python():
    """``lib/`` needs no Odoo (it is tested without it): no module of it
    imports ``odoo`` or anything of the addon outside ``lib/``."""
    offenders = []
    for path in sorted((REPO / "lib").rglob("*.py")):
        depth = len(path.relative_to(REPO / "lib").parts)  # 1: lib/x.py
        for name in _imports(path):
            dots = len(name) - len(name.lstrip("."))
            if name.split(".")[0] == "odoo" or dots > depth:
                offenders.append(f"{path.relative_to(REPO)}: {name}")
    assert offenders == []


def test_nothing_is_set_up_at_import_time():
    """Infrastructure is set up explicitly (a model's ``_register_hook``),
    never as a side effect of importing a module: no module-level call to
    ``addFilter``, ``addHandler`` or ``configure``."""
    offenders = []
    for path in sorted(REPO.glob("*/**/*.py")) + sorted(REPO.glob("*.py")):
        if path.relative_to(REPO).parts[0] not in ("models", "lib", "controllers"):
            if path.parent != REPO:
                continue
        for node in ast.parse(path.read_text()).body:
            call = node.value if isinstance(node, ast.Expr) else None
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
                if call.func.attr in ("addFilter", "addHandler", "configure"):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def test_every_top_level_folder_says_what_lives_there():
    """Each top-level folder opens with a README, or a package (or pytest
    ``conftest``) docstring, saying what lives there and what it may
    import."""
    silent = []
    for folder in sorted(REPO.iterdir()):
        if not folder.is_dir() or folder.name.startswith((".", "_")):
            continue
        readme = [f for f in folder.iterdir() if f.name.lower().startswith("readme")]
        opening = [
            ast.get_docstring(ast.parse(module.read_text()))
            for module in (folder / "__init__.py", folder / "conftest.py")
            if module.exists()
        ]
        if readme or any(opening):
            continue
        silent.append(folder.name)
    assert silent == []


def test_ci_fails_at_once_without_odoo(tmp_path):
    """Issue 25: ``.ci/run`` with no Odoo 18.0 to find or download fails,
    at once, saying why; it never passes on lint and Odoo-free tests alone."""
    env = {
        "HOME": str(tmp_path),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "ODOO_SRC": str(tmp_path / "no-odoo-here"),
    }
    run = subprocess.Popen(
        ["bash", str(REPO / ".ci" / "run")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a run that goes on is stopped whole
    )
    try:
        stdout, stderr = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert run.returncode == 1, stdout + stderr
    assert "no Odoo 18.0" in stderr
    assert "POA_REQUIRE_ODOO=1" in stderr
