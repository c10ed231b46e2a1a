# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Helpers of the tests of static/openapi.json (``test_openapi_*.py``):
walking the document, validating against one of its schemas, and asking a
parser of lib/validation.py whether it takes an input."""

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

API = "/partner_order_api"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), path, operation


def resolve(document, node):
    """``node`` with its local ``$ref`` chain followed."""
    while "$ref" in node:
        target = document
        for segment in node["$ref"][2:].split("/"):
            target = target[segment.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def validator(document, pointer):
    """A validator (formats asserted) of the schema at ``pointer``."""
    registry = Registry().with_resource(
        "urn:doc", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"urn:doc#{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def accepts(validation, parse):
    """Whether ``parse()`` takes its input (raises no ValidationError)."""
    try:
        parse()
    except validation.ValidationError:
        return False
    return True
