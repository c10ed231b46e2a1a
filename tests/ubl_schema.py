# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""UBL 2.1 schema validation for the tests (no Odoo import: the Odoo-free
tests load it by path too). The OASIS schemas are in tests/data/ubl21/
(its README says which and why); lxml (Odoo's own dependency) validates.
A document that does not validate fails the test, with the schema's
messages: never a skip."""

import functools
from pathlib import Path

from lxml import etree

UBL21 = Path(__file__).resolve().parent / "data" / "ubl21"


@functools.cache
def schema(document):
    """The compiled XSD of UBL 2.1 ``document`` (e.g. ``DespatchAdvice``),
    compiled once per process (the common components are 2.4 MB)."""
    path = UBL21 / "maindoc" / f"UBL-{document}-2.1.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def assert_valid(document, content):
    """Fail unless ``content`` (bytes) is a valid UBL 2.1 ``document``;
    return its parsed root."""
    root = etree.fromstring(content)
    xsd = schema(document)
    if not xsd.validate(root):
        errors = "\n".join(str(error) for error in xsd.error_log)
        raise AssertionError(f"not a valid UBL 2.1 {document}:\n{errors}")
    return root
