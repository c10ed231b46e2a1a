# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Odoo-free tests of the addon's pure-Python parts.

``lib/`` imports nothing from Odoo, but it sits in the addon package whose
``__init__`` does: its modules are loaded by file path, as the package
``poa_lib`` (so that ``from .errors import ...`` works), and
``tests/openapi_check.py`` as the module ``poa_openapi_check``.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LIB = REPO / "lib"


def _load(name, path, *, package=False):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=[str(path.parent)] if package else None
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_lib(submodule):
    """``lib/<submodule>.py`` as ``poa_lib.<submodule>``."""
    _load("poa_lib", LIB / "__init__.py", package=True)
    return importlib.import_module(f"poa_lib.{submodule}")


def load_openapi_check():
    return _load("poa_openapi_check", REPO / "tests" / "openapi_check.py")


@pytest.fixture(scope="session")
def errors():
    return load_lib("errors")


@pytest.fixture(scope="session")
def validation():
    return load_lib("validation")


@pytest.fixture(scope="session")
def openapi_check():
    return load_openapi_check()


@pytest.fixture(scope="session")
def document(openapi_check):
    return openapi_check.load_document(REPO / "static" / "openapi.json")
