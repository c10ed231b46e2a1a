# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the wheel (scripts/build_wheel.py) takes: the addon, and nothing of
the repository's tooling. A new top-level file or folder must be declared
either part of the addon here or excluded in pyproject.toml."""

import tomllib

from conftest import REPO, _load

# what Odoo needs of the addon (tests/ included, as OCA's wheels do)
ADDON_PARTS = {
    "README.rst",
    "__init__.py",
    "__manifest__.py",
    "controllers",
    "data",
    "demo",
    "error_handlers.py",
    "hooks.py",
    "i18n",
    "lib",
    "migrations",
    "models",
    "readme",
    "report",
    "security",
    "static",
    "tests",
    "views",
    "wizard",
}


def _build():
    return _load("poa_build_wheel", REPO / "scripts" / "build_wheel.py")


def test_pyproject_builds_with_whool_from_the_manifest():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["build-system"] == {
        "requires": ["whool"],
        "build-backend": "whool.buildapi",
    }
    assert pyproject["tool"]["whool"]["post_version_strategy_override"] == "none"


def test_every_top_level_entry_is_addon_or_excluded():
    build = _build()
    patterns = build.excluded_patterns()
    packaged = {
        path.split("/")[0]
        for path in build.source_files()
        if not build.is_excluded(path, patterns)
    }
    assert packaged - ADDON_PARTS == set(), (
        "packaged into the wheel but not part of the addon: exclude it in "
        "pyproject.toml [tool.partner_order_api.wheel] or add it to ADDON_PARTS"
    )
    for tooling in ("scripts/run.sh", "tests_live/conftest.py", "bench/bench.py",
                    "tests_standalone/conftest.py", "tests_upgrade/test_upgrade.py",
                    "tests_mutants/README.md",
                    "examples/node_receiver/receiver.js", "docs/EXAMPLES.md",
                    ".ci/run", "pyproject.toml", "requirements.txt"):  # fmt: skip
        assert build.is_excluded(tooling, patterns), tooling


def test_the_manifest_names_only_files_that_exist():
    files = _build().manifest_files()
    assert "views/res_partner_views.xml" in files
    assert all((REPO / name).is_file() for name in files)
