#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Write static/openapi.json from the models (lib/schemas.py, lib/openapi.py).

    python scripts/gen_openapi.py          # write it
    python scripts/gen_openapi.py --check  # exit 1 if the committed file differs

Needs pydantic 2 only (no Odoo): lib/ is loaded by file path.
"""

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "static" / "openapi.json"


def load_openapi():
    """``lib/openapi.py`` as ``poa_lib.openapi`` (lib/ without the addon's
    package, which imports Odoo)."""
    if "poa_lib" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "poa_lib",
            REPO / "lib" / "__init__.py",
            submodule_search_locations=[str(REPO / "lib")],
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["poa_lib"] = module
        spec.loader.exec_module(module)
    return importlib.import_module("poa_lib.openapi")


def render():
    """The document as the committed file holds it."""
    return load_openapi().dumps(load_openapi().document())


def main(argv):
    text = render()
    if "--check" in argv:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is not what scripts/gen_openapi.py writes: run it.")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"Wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
