# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""static/openapi.json: a valid OpenAPI 3.1 document of the API as the code
implements it, and tests/openapi_check.py, which holds answers against it."""

import ast
import copy
import inspect

import pytest
from conftest import REPO
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

API = "/partner_order_api"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# The contract's statuses, route by route.
EXPECTED_STATUSES = {
    ("GET", f"{API}/available_products"): {"200", "401", "403", "405", "500"},
    ("GET", f"{API}/orders"): {"200", "400", "401", "403", "405", "500"},
    ("GET", f"{API}/order_status"): {"200", "400", "401", "403", "404", "405", "500"},
    ("POST", f"{API}/order"): {"201", "400", "401", "403", "405", "409", "500"},
    ("GET", f"{API}/webhook"): {"200", "401", "403", "405", "500"},
    ("PUT", f"{API}/webhook"): {"200", "400", "401", "403", "405", "500"},
    ("DELETE", f"{API}/webhook"): {"200", "401", "403", "405", "500"},
    ("POST", f"{API}/webhook/test"): {"200", "400", "401", "403", "405", "500"},
    ("GET", f"{API}/openapi.json"): {"200", "405", "500"},
}


def _operations(document):
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


def _schema_validator(document, pointer):
    registry = Registry().with_resource(
        "urn:doc", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": f"urn:doc#{pointer}"}, registry=registry)


def _literal_dict_keys(function, marker):
    """Keys of the dict literals in ``function`` that have the key ``marker``."""
    for node in ast.walk(function):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            if marker in keys:
                return node, keys
    raise AssertionError(f"no dict literal with key {marker!r}")


def _function(path, name):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise AssertionError(f"{name} not found in {path}")


# ----------------------------------------------------------------------
# The document itself
# ----------------------------------------------------------------------


def test_document_is_valid_openapi_3_1(document):
    validate_openapi(copy.deepcopy(document))
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] == "Partner Order API"
    assert document["info"]["version"] == "18.0.1.0.0"
    assert document["servers"] == [{"url": "/"}]


def test_version_is_the_manifests(document):
    manifest = ast.literal_eval((REPO / "__manifest__.py").read_text(encoding="utf-8"))
    assert document["info"]["version"] == manifest["version"]


def _controller_routes():
    """``{path: {methods}}`` from the ``@api_endpoint(...)`` decorators."""
    prefix = None
    for node in ast.parse((REPO / "controllers" / "errors.py").read_text()).body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "PREFIX":
            prefix = node.value.value
    assert prefix == API
    routes = {}
    tree = ast.parse((REPO / "controllers" / "main.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and getattr(decorator.func, "id", None) == "api_endpoint"
                ):
                    path = ast.literal_eval(decorator.args[0])
                    methods = ast.literal_eval(decorator.args[1])
                    routes.setdefault(f"{prefix}/{path}", set()).update(methods)
    assert routes, "no @api_endpoint found in controllers/main.py"
    return routes


def test_paths_and_methods_are_the_controllers(document):
    documented = {}
    for method, path, _operation in _operations(document):
        documented.setdefault(path, set()).add(method)
    assert documented == _controller_routes()


def test_each_route_documents_the_contracts_statuses(document):
    documented = {
        (method, path): set(operation["responses"])
        for method, path, operation in _operations(document)
    }
    assert documented == EXPECTED_STATUSES


def test_security_bearer_everywhere_but_the_document(document):
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for method, path, operation in _operations(document):
        security = operation.get("security", document.get("security"))
        if path == f"{API}/openapi.json":
            assert security == [], path
            assert "401" not in operation["responses"]
        else:
            assert security == [{"bearerAuth": []}], f"{method} {path}"
            assert "401" in operation["responses"], f"{method} {path}"


def test_every_error_code_of_lib_is_in_the_enum(document, errors):
    enum = set(document["components"]["schemas"]["ErrorCode"]["enum"])
    classes = [
        cls
        for _name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.OrderApiError)
    ]
    assert len(classes) >= 8
    missing = {cls.code for cls in classes} - enum
    assert not missing


def _error_codes_of(document, response):
    """The codes an error response allows, from its ``allOf`` refinement."""
    schema = response["content"]["application/json"]["schema"]
    code = schema["allOf"][1]["properties"]["error"]["properties"]["code"]
    return [code["const"]] if "const" in code else code["enum"]


def test_every_error_response_uses_the_error_schema(document, errors):
    status_of_code = {
        cls.code: cls.status
        for _name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.OrderApiError)
    }
    error_ref = {"$ref": "#/components/schemas/Error"}
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                continue
            response = resolve(document, response)
            schema = response["content"]["application/json"]["schema"]
            assert schema == error_ref or schema.get("allOf", [None])[0] == error_ref, (
                f"{method} {path} {status}"
            )
            # Each code an error response allows is the code of that status.
            for code in _error_codes_of(document, response):
                assert str(status_of_code[code]) == status, (
                    f"{method} {path} {status} {code}"
                )


def test_post_order_403_allows_both_codes(document):
    response = resolve(
        document, document["paths"][f"{API}/order"]["post"]["responses"]["403"]
    )
    assert set(_error_codes_of(document, response)) == {
        "forbidden",
        "product_not_allowed",
    }


def test_headers(document):
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            headers = resolve(document, response).get("headers", {})
            where = f"{method} {path} {status}"
            assert headers.get("X-Request-Id") == {
                "$ref": "#/components/headers/X-Request-Id"
            }, where
            if status == "401":
                assert resolve(document, headers["WWW-Authenticate"])["required"], where
            if status == "405":
                assert resolve(document, headers["Allow"])["required"], where


def test_order_schema_is_what_the_serializer_returns(document):
    schemas = document["components"]["schemas"]
    serializer = _function(REPO / "models" / "sale_order.py", "_order_api_serialize")
    order_dict, order_keys = _literal_dict_keys(serializer, "biomes_order_id")
    _line_dict, line_keys = _literal_dict_keys(serializer, "product_name")
    address = order_dict.values[order_keys.index("delivery_address")]
    address_keys = [k.value for k in address.keys]
    assert set(schemas["Order"]["required"]) == set(order_keys)
    assert set(schemas["Order"]["properties"]) == set(order_keys)
    assert set(schemas["OrderLine"]["required"]) == set(line_keys)
    assert set(schemas["Address"]["required"]) == set(address_keys)
    assert set(schemas["Order"]["properties"]["status"]["enum"]) == {
        "pending",
        "confirmed",
        "partially_shipped",
        "shipped",
        "cancelled",
    }


def test_product_and_pagination_schemas_are_what_the_service_returns(document):
    schemas = document["components"]["schemas"]
    service = REPO / "models" / "partner_order_api_service.py"
    _node, product_keys = _literal_dict_keys(
        _function(service, "get_available_products"), "default_code"
    )
    _node, pagination_keys = _literal_dict_keys(
        _function(service, "list_orders"), "has_next"
    )
    assert set(schemas["Product"]["required"]) == set(product_keys)
    assert set(schemas["Pagination"]["required"]) == set(pagination_keys)


def test_webhook_schemas_are_what_the_service_returns(document):
    schemas = document["components"]["schemas"]
    service = REPO / "models" / "partner_order_api_service.py"
    _node, info_keys = _literal_dict_keys(_function(service, "_webhook_info"), "url")
    _node, test_keys = _literal_dict_keys(
        _function(service, "test_webhook"), "delivered"
    )
    assert set(schemas["WebhookInfo"]["allOf"][1]["required"]) == set(info_keys)
    assert set(schemas["WebhookTestResult"]["allOf"][1]["required"]) == set(test_keys)
    assert document["webhooks"]["order.updated"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"] == {"$ref": "#/components/schemas/OrderResponse"}


def test_query_parameters(document):
    orders = {
        p["name"]: p for p in document["paths"][f"{API}/orders"]["get"]["parameters"]
    }
    assert orders["page"]["schema"]["minimum"] == 1
    assert orders["page_size"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 20,
    }
    lookup = {
        p["name"]: p
        for p in document["paths"][f"{API}/order_status"]["get"]["parameters"]
    }
    assert lookup["identifiedBy"]["required"] and lookup["order_id"]["required"]
    assert lookup["identifiedBy"]["schema"]["enum"] == ["biomes", "external"]


# ----------------------------------------------------------------------
# The request body schema agrees with lib/validation.py
# ----------------------------------------------------------------------


ORIGINAL_BODY = {
    "ean": "4260582941016",
    "amount": 1,
    "external_order_id": "EXT-1001",
    "delivery_address": {
        "name": "John Doe",
        "street": "Main Street 1",
        "street2": "",
        "zip": "10115",
        "city": "Berlin",
        "country_code": "DE",
    },
}


def _body(**changes):
    body = copy.deepcopy(ORIGINAL_BODY)
    for key, value in changes.items():
        target = body["delivery_address"] if key.startswith("addr_") else body
        key = key.removeprefix("addr_")
        if value is KeyError:
            del target[key]
        else:
            target[key] = value
    return body


@pytest.mark.parametrize(
    "body",
    [
        ORIGINAL_BODY,
        _body(amount=2.0),
        _body(amount=1_000_000),
        _body(external_order_id=None),
        _body(external_order_id=KeyError),
        _body(addr_street2=None),
        _body(addr_street2=KeyError),
        _body(addr_country_code="de"),
        _body(extra_field="ignored"),
        _body(amount=0),
        _body(amount=-1),
        _body(amount=1.5),
        _body(amount="2"),
        _body(amount=True),
        _body(amount=10**7),
        _body(ean=4260582941016),
        _body(ean=KeyError),
        _body(amount=KeyError),
        _body(delivery_address=KeyError),
        _body(delivery_address="Berlin"),
        _body(addr_city=KeyError),
        _body(addr_city=""),
        _body(addr_country_code="DEU"),
        _body(addr_country_code="1A"),
        _body(addr_name="x" * 300),
        _body(external_order_id="x" * 256),
    ],
)
def test_request_schema_agrees_with_parse_order_payload(document, validation, body):
    pointer = "/components/schemas/OrderCreateRequest"
    schema_ok = _schema_validator(document, pointer).is_valid(body)
    try:
        validation.parse_order_payload(body)
        parser_ok = True
    except validation.ValidationError:
        parser_ok = False
    assert schema_ok == parser_ok


def test_post_order_request_body(document):
    operation = document["paths"][f"{API}/order"]["post"]
    body = operation["requestBody"]
    assert body["required"]
    media = body["content"]["application/json"]
    assert media["schema"] == {"$ref": "#/components/schemas/OrderCreateRequest"}
    request_schema = document["components"]["schemas"]["OrderCreateRequest"]
    assert set(request_schema["required"]) == {"ean", "amount", "delivery_address"}
    assert request_schema.get("additionalProperties", True) is not False


# ----------------------------------------------------------------------
# Examples
# ----------------------------------------------------------------------


def test_every_response_example_matches_its_schema(document, openapi_check):
    checked = 0
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            media = (
                resolve(document, response)
                .get("content", {})
                .get("application/json", {})
            )
            for example in media.get("examples", {}).values():
                value = resolve(document, example)["value"]
                openapi_check.validate_response(
                    method, path, status, value, document=document
                )
                checked += 1
    assert checked >= 20


def test_request_example_is_the_original_documents(document):
    example = document["components"]["examples"]["OrderCreateRequest"]["value"]
    assert example == ORIGINAL_BODY


def test_every_request_example_matches_its_schema(document):
    checked = 0
    for method, path, operation in _operations(document):
        if "requestBody" not in operation:
            continue
        pointer = f"/paths/{path.replace('/', '~1')}/{method.lower()}/requestBody"
        pointer += "/content/application~1json/schema"
        validator = _schema_validator(document, pointer)
        media = operation["requestBody"]["content"]["application/json"]
        for example in media["examples"].values():
            value = resolve(document, example)["value"]
            assert validator.is_valid(value), f"{method} {path}: {value}"
            checked += 1
    assert checked >= 2


# ----------------------------------------------------------------------
# tests/openapi_check.py
# ----------------------------------------------------------------------


def _order(**changes):
    order = {
        "biomes_order_id": "S00007",
        "external_order_id": None,
        "status": "confirmed",
        "delivery_order_name": None,
        "total_cost": 100.0,
        "currency": "EUR",
        "sent_lots": [],
        "created_at": "2026-01-02T03:04:05Z",
        "delivery_address": {
            "name": "ACME",
            "street": "Road 1",
            "street2": None,
            "zip": "1000",
            "city": "Town",
            "country_code": "DE",
        },
        "lines": [
            {
                "ean": None,
                "product_name": "Sensor",
                "quantity": 1.0,
                "delivered_quantity": 0.0,
                "unit_price": 100.0,
                "subtotal": 100.0,
            }
        ],
        "added_later": "allowed",
    }
    for key, value in changes.items():
        if value is KeyError:
            del order[key]
        else:
            order[key] = value
    return order


def _orders_body(*orders):
    return {
        "success": True,
        "orders": list(orders),
        "pagination": {
            "page": 1,
            "page_size": 20,
            "total_count": len(orders),
            "total_pages": 1,
            "has_next": False,
            "has_previous": False,
        },
    }


HEADERS = {"x-request-id": "abc"}


def test_check_accepts_a_well_formed_orders_body(openapi_check, document):
    openapi_check.validate_response(
        "GET", f"{API}/orders", 200, _orders_body(_order(), _order()), HEADERS, document
    )
    openapi_check.validate_response(
        "get", f"{API}/orders", "200", _orders_body(), HEADERS
    )


def test_check_loads_the_served_document_by_default(openapi_check, document):
    assert openapi_check.load_document() == document
    assert openapi_check.load_document() is openapi_check.load_document()


def test_check_accepts_order_status_and_created_order(openapi_check):
    body = dict({"success": True}, **_order())
    openapi_check.validate_response("GET", f"{API}/order_status", 200, body, HEADERS)
    openapi_check.validate_response("POST", f"{API}/order", 201, body, HEADERS)


@pytest.mark.parametrize(
    ("method", "path", "status", "body", "headers", "reason"),
    [
        (
            "GET",
            f"{API}/orders",
            201,
            _orders_body(),
            HEADERS,
            "status 201 is not documented",
        ),
        (
            "POST",
            f"{API}/order",
            200,
            {"success": True, **_order()},
            HEADERS,
            "not documented",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(sent_lots=KeyError)),
            HEADERS,
            "sent_lots",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(total_cost="100.0")),
            HEADERS,
            "number",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(status="draft")),
            HEADERS,
            "draft",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(created_at="2026-01-02T04:04:05+01:00")),
            HEADERS,
            "created_at",
        ),
        (
            "GET",
            f"{API}/order_status",
            200,
            {"success": False, **_order()},
            HEADERS,
            "True was expected",
        ),
        ("GET", f"{API}/nope", 200, {"success": True}, HEADERS, "not documented"),
        (
            "GET",
            "/partner_order_api",
            404,
            {"success": True},
            HEADERS,
            "not documented",
        ),
        ("DELETE", f"{API}/orders", 200, _orders_body(), HEADERS, "DELETE"),
        ("GET", f"{API}/orders", 200, _orders_body(), {}, "X-Request-Id"),
    ],
)
def test_check_rejects(openapi_check, method, path, status, body, headers, reason):
    with pytest.raises(AssertionError, match=reason):
        openapi_check.validate_response(method, path, status, body, headers)


def _error(code, message="Nope."):
    return {"success": False, "error": {"code": code, "message": message}}


def test_check_error_bodies(openapi_check):
    check = openapi_check.validate_response
    unauthorized = {"X-Request-Id": "1", "WWW-Authenticate": "Bearer"}
    check("GET", f"{API}/orders", 401, _error("unauthorized"), unauthorized)
    with pytest.raises(AssertionError, match="WWW-Authenticate"):
        check("GET", f"{API}/orders", 401, _error("unauthorized"), HEADERS)
    with pytest.raises(AssertionError, match="'unauthorized' was expected"):
        check("GET", f"{API}/orders", 401, _error("forbidden"), unauthorized)
    check("POST", f"{API}/order", 403, _error("product_not_allowed"), HEADERS)
    with pytest.raises(AssertionError, match="error"):
        check(
            "GET",
            f"{API}/available_products",
            403,
            _error("product_not_allowed"),
            HEADERS,
        )
    details = dict(_error("validation_error"))
    details["error"] = dict(details["error"], details=[{"field": "page"}])
    with pytest.raises(AssertionError, match="'message' is a required property"):
        check("GET", f"{API}/orders", 400, details, HEADERS)
    with pytest.raises(AssertionError, match="status 404 is not documented"):
        check("GET", f"{API}/orders", 404, _error("not_found"), HEADERS)


def test_check_405_for_an_undocumented_method(openapi_check):
    """A route answers 405 for every method it does not take: checked
    against the path's documented 405."""
    check = openapi_check.validate_response
    allow = {"X-Request-Id": "1", "Allow": "GET"}
    check("PUT", f"{API}/orders", 405, _error("method_not_allowed"), allow)
    with pytest.raises(AssertionError, match="Allow"):
        check("PUT", f"{API}/orders", 405, _error("method_not_allowed"), HEADERS)
    with pytest.raises(AssertionError, match="'method_not_allowed' was expected"):
        check("PUT", f"{API}/orders", 405, _error("not_found"), allow)
