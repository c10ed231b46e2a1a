# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The README lists exactly the system parameters the code reads, and says
which of them the settings page shows (the ones the code maps with
``config_parameter``): read from the sources, so that a new parameter or a
moved one cannot leave the admin's documentation behind."""

import re

from conftest import REPO

PARAM = r"partner_order_api\.[a-z_]+"


def _read_by_the_code():
    found = set()
    for path in (REPO / "models").glob("*.py"):
        text = path.read_text()
        found |= set(re.findall(rf'(?:get_param|_int_param)\(\s*"({PARAM})"', text))
        found |= set(re.findall(rf'[A-Z_]+_PARAM\s*=\s*"({PARAM})"', text))
    return found


def _on_the_settings_page():
    text = (REPO / "models" / "res_config_settings.py").read_text()
    return re.findall(rf'config_parameter="({PARAM})"', text)


def _listed(text, quote):
    start = text.index("System parameters (")
    end = text.index("wkhtmltopdf for the PDFs", start)
    return re.findall(rf"^- {quote}({PARAM}){quote}:", text[start:end], flags=re.M)


def test_the_readme_lists_every_parameter_the_code_reads():
    code = _read_by_the_code()
    assert len(code) >= 6, code
    for path, quote in (("readme/CONFIGURE.md", "`"), ("README.rst", "``")):
        listed = _listed((REPO / path).read_text(), re.escape(quote))
        assert sorted(listed) == sorted(code), path


def test_the_readme_says_which_are_on_the_settings_page():
    settings = _on_the_settings_page()
    for path, quote in (("readme/CONFIGURE.md", "`"), ("README.rst", "``")):
        text = (REPO / path).read_text()
        listed = _listed(text, re.escape(quote))
        assert "the first two are also on *Settings" in text.replace("\n", " ")
        assert sorted(listed[:2]) == sorted(settings), path
