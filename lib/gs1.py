# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""GS1 identifiers the API recognises, checked without Odoo.

A package's ``sscc`` in the order object (``deliveries[].packages``) and
the SSCC a DespatchAdvice gives its transport handling unit are the
package's name when that name is a Serial Shipping Container Code: GS1's
application identifier (00), as Odoo's ``barcodes_gs1_nomenclature``
defines it (18 digits, the last a GS1 check digit). That module is not a
dependency: the check digit is computed here, as GS1 specifies it (the
same mod-10 as EAN-13 and GTIN-14).
"""

SSCC_LENGTH = 18


def gs1_check_digit(digits):
    """The GS1 check digit of ``digits`` (a string of digits, the check
    digit left out): weights 3 and 1 alternating from the right."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        total += int(digit) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def sscc(name):
    """``name`` when it is an SSCC (18 ASCII digits whose last is their GS1
    check digit), else None. An SSCC scanned with its application
    identifier ``(00)`` in front is not one: the package's name is the
    code itself."""
    if (
        not isinstance(name, str)
        or len(name) != SSCC_LENGTH
        or not name.isascii()
        or not name.isdigit()
    ):
        return None
    if gs1_check_digit(name[:-1]) != int(name[-1]):
        return None
    return name


def gtin(code):
    """``code`` when it is a GTIN (8, 12, 13 or 14 ASCII digits with their
    GS1 check digit: an EAN-8, UPC-A, EAN-13 or GTIN-14), else None: only
    a GTIN may be named with GS1's scheme in a UBL document."""
    if (
        not isinstance(code, str)
        or len(code) not in (8, 12, 13, 14)
        or not code.isascii()
        or not code.isdigit()
    ):
        return None
    return code if gs1_check_digit(code[:-1]) == int(code[-1]) else None
