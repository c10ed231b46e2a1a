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
    ("GET", f"{API}/available_products"): {"200", "401", "403", "405", "429", "500"},
    ("GET", f"{API}/orders"): {"200", "400", "401", "403", "405", "429", "500"},
    ("GET", f"{API}/order_status"): {
        "200",
        "400",
        "401",
        "403",
        "404",
        "405",
        "429",
        "500",
    },
    ("POST", f"{API}/order"): {"201", "400", "401", "403", "405", "409", "429", "500"},
    ("POST", f"{API}/order/cancel"): {
        "200",
        "400",
        "401",
        "403",
        "404",
        "405",
        "409",
        "429",
        "500",
    },
    ("GET", f"{API}/webhook"): {"200", "401", "403", "405", "429", "500"},
    ("PUT", f"{API}/webhook"): {"200", "400", "401", "403", "405", "429", "500"},
    ("DELETE", f"{API}/webhook"): {"200", "401", "403", "405", "429", "500"},
    ("POST", f"{API}/webhook/test"): {"200", "400", "401", "403", "405", "429", "500"},
    ("GET", f"{API}/openapi.json"): {"200", "405", "500"},
}

# The error codes each route may answer, status by status (the contract's
# tables): one code per status unless listed here.
ONE_CODE = {
    "400": "validation_error",
    "401": "unauthorized",
    "403": "forbidden",
    "404": "not_found",
    "405": "method_not_allowed",
    "429": "rate_limited",
    "500": "internal_error",
}
IDEMPOTENCY_CODES = {"idempotency_key_reused", "idempotency_in_progress"}
WRITE_FORBIDDEN = {"forbidden", "insufficient_scope"}
SEVERAL_CODES = {
    ("POST", f"{API}/order", "403"): WRITE_FORBIDDEN | {"product_not_allowed"},
    ("POST", f"{API}/order", "409"): IDEMPOTENCY_CODES
    | {"duplicate_external_order_id"},
    ("POST", f"{API}/order/cancel", "403"): WRITE_FORBIDDEN,
    ("POST", f"{API}/order/cancel", "409"): IDEMPOTENCY_CODES | {"not_cancellable"},
    ("PUT", f"{API}/webhook", "403"): WRITE_FORBIDDEN,
    ("DELETE", f"{API}/webhook", "403"): WRITE_FORBIDDEN,
    ("POST", f"{API}/webhook/test", "403"): WRITE_FORBIDDEN,
}


def expected_codes(method, path, status):
    return SEVERAL_CODES.get((method, path, status)) or {ONE_CODE[status]}


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
    """The dict literal in ``function`` that has the key ``marker``, and its
    keys."""
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


def _module_constant(path, name):
    """The literal value of the module-level ``name = <literal>`` of ``path``."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.Assign)
            and getattr(node.targets[0], "id", None) == name
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in {path}")


def _can_be_none(value):
    """Whether the serializer's expression ``value`` may give None: ``x or
    None``, ``a if c else None`` or ``utc_iso(...)`` (None for no date) of
    anything but ``create_date`` (which the ORM always sets), read as an
    attribute or a column."""
    if isinstance(value, ast.Constant) and value.value is None:
        return True
    if isinstance(value, ast.BoolOp):
        return _can_be_none(value.values[-1])
    if isinstance(value, ast.IfExp):
        return _can_be_none(value.body) or _can_be_none(value.orelse)
    if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "utc_iso":
        return _field_name(value.args[0]) != "create_date"
    return False


def _field_name(node):
    """``create_date`` for ``order.create_date`` and ``row["create_date"]``."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return node.slice.value
    return None


def _utc_iso_microseconds(value):
    """For a ``utc_iso(...)`` call: whether it has ``microseconds=True``."""
    return any(
        k.arg == "microseconds" and ast.literal_eval(k.value) for k in value.keywords
    )


def _accepts(validation, parse):
    """Whether ``parse()`` takes its input (raises no ValidationError)."""
    try:
        parse()
    except validation.ValidationError:
        return False
    return True


def _schema_types(schema):
    types = schema.get("type", [])
    return {types} if isinstance(types, str) else set(types)


def _check_schema_against_literal(schemas, name, node, keys):
    """The schema ``name`` requires exactly the keys of the dict literal
    ``node``; a value the code may leave None is nullable in the schema; a
    timestamp has the precision ``utc_iso`` gives it."""
    schema = schemas[name]
    assert set(schema["required"]) == set(keys), name
    assert set(schema["properties"]) >= set(keys), name
    for key, value in zip(keys, node.values, strict=True):
        prop = resolve({"components": {"schemas": schemas}}, schema["properties"][key])
        if _can_be_none(value):
            assert "null" in _schema_types(prop), f"{name}.{key} may be null"
        if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "utc_iso":
            assert prop["format"] == "date-time", f"{name}.{key}"
            micro = _utc_iso_microseconds(value)
            assert (r"\.[0-9]{6}Z$" in prop["pattern"]) is micro, f"{name}.{key}"


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


def _controller_endpoints():
    """``[(method, path, readonly, handler)]`` from the ``@api_endpoint(...)``
    decorators of controllers/main.py."""
    prefix = _module_constant(REPO / "controllers" / "errors.py", "PREFIX")
    assert prefix == API
    endpoints = []
    tree = ast.parse((REPO / "controllers" / "main.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and getattr(decorator.func, "id", None) == "api_endpoint"
            ):
                path = ast.literal_eval(decorator.args[0])
                methods = ast.literal_eval(decorator.args[1])
                readonly = any(
                    k.arg == "readonly" and ast.literal_eval(k.value)
                    for k in decorator.keywords
                )
                for method in methods:
                    endpoints.append((method, f"{prefix}/{path}", readonly, node))
    assert endpoints, "no @api_endpoint found in controllers/main.py"
    return endpoints


def _controller_routes():
    """``{path: {methods}}`` of the controllers."""
    routes = {}
    for method, path, _readonly, _handler in _controller_endpoints():
        routes.setdefault(path, set()).add(method)
    return routes


def _calls(function, name):
    return any(
        isinstance(node, ast.Call) and getattr(node.func, "id", None) == name
        for node in ast.walk(function)
    )


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


def test_read_only_keys_are_documented(document):
    """Keys scoped ``partner_order_api.readonly`` open the GET routes only."""
    service = REPO / "models" / "partner_order_api_service.py"
    scope = _module_constant(service, "API_KEY_SCOPE_READONLY")
    assert scope == "partner_order_api.readonly"
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    for text in (document["info"]["description"], scheme["description"]):
        assert f"`{scope}`" in text
        assert "GET routes" in text and "`insufficient_scope`" in text


def test_write_routes_refuse_read_only_keys(document, openapi_check):
    """Every route that is not ``readonly`` (so refuses read-only keys, see
    controllers/errors.py ``run(writes=...)``) documents 403
    ``insufficient_scope``; no read-only route does."""
    writes = set()
    for method, path, readonly, _handler in _controller_endpoints():
        if path == f"{API}/openapi.json":
            continue
        codes = openapi_check.documented_error_codes(method, path, 403, document)
        assert ("insufficient_scope" in codes) is not readonly, f"{method} {path}"
        assert readonly is (method == "GET"), f"{method} {path}"
        if not readonly:
            writes.add((method, path))
    assert writes == {
        ("POST", f"{API}/order"),
        ("POST", f"{API}/order/cancel"),
        ("PUT", f"{API}/webhook"),
        ("DELETE", f"{API}/webhook"),
        ("POST", f"{API}/webhook/test"),
    }


def _error_classes(errors):
    return [
        cls
        for _name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.OrderApiError)
    ]


def test_every_error_code_of_lib_is_in_the_enum(document, errors):
    code_schema = document["components"]["schemas"]["ErrorCode"]
    enum = set(code_schema["enum"])
    classes = _error_classes(errors)
    assert len(classes) >= 12
    lib_codes = {cls.code for cls in classes}
    assert not lib_codes - enum
    # and nothing else but what is still to come (429: not implemented yet)
    assert enum - lib_codes <= {"rate_limited"}
    for cls in classes:
        assert f"{cls.code} {cls.status}" in code_schema["description"], cls


def test_every_error_response_uses_the_error_schema(document, errors):
    status_of_code = {cls.code: cls.status for cls in _error_classes(errors)}
    status_of_code.setdefault("rate_limited", 429)
    error_ref = {"$ref": "#/components/schemas/Error"}
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                continue
            where = f"{method} {path} {status}"
            # one definition per error answer, shared by the routes
            assert set(response) == {"$ref"}, where
            assert response["$ref"].startswith("#/components/responses/"), where
            response = resolve(document, response)
            schema = response["content"]["application/json"]["schema"]
            assert schema == error_ref or schema.get("allOf", [None])[0] == error_ref, (
                where
            )
            # Each code an error response allows is the code of that status.
            for code in _codes_of(document, response):
                assert str(status_of_code[code]) == status, f"{where} {code}"


def _codes_of(document, response):
    """The codes an error response allows, from its ``allOf`` refinement."""
    schema = response["content"]["application/json"]["schema"]
    code = schema["allOf"][1]["properties"]["error"]["properties"]["code"]
    return [code["const"]] if "const" in code else code["enum"]


def test_each_route_and_status_documents_its_error_codes(document, openapi_check):
    """Where one status carries several codes (403, 409), the route lists
    every code it may send with it, and no other."""
    checked = set()
    for method, path, operation in _operations(document):
        for status in operation["responses"]:
            if status.startswith("2"):
                continue
            codes = openapi_check.documented_error_codes(method, path, status, document)
            assert set(codes) == expected_codes(method, path, status), (
                f"{method} {path} {status}"
            )
            checked.add((method, path, status))
    assert set(SEVERAL_CODES) <= checked


def test_every_error_code_has_an_example(document):
    """Each error response shows one example per code it allows."""
    for name, response in document["components"]["responses"].items():
        media = response["content"]["application/json"]
        shown = {
            resolve(document, example)["value"]["error"]["code"]
            for example in media["examples"].values()
        }
        assert shown == set(_codes_of(document, response)), name


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
            codes = set()
            if not status.startswith("2"):
                codes = set(_codes_of(document, resolve(document, response)))
            if "idempotency_in_progress" in codes:
                retry = resolve(document, headers["Retry-After"])
                assert not retry["required"], where  # not with the other codes
                assert retry["x-required-for-error-codes"] == [
                    "idempotency_in_progress",
                    "rate_limited",
                ], where


def test_idempotency_key_on_the_idempotent_routes(document):
    """The routes whose handler goes through ``_idempotent`` take the
    ``Idempotency-Key`` header, and their success may be a replay."""
    idempotent = set()
    for method, path, _readonly, handler in _controller_endpoints():
        operation = document["paths"][path][method.lower()]
        names = {resolve(document, p)["name"] for p in operation.get("parameters", [])}
        if _calls(handler, "_idempotent"):
            idempotent.add((method, path))
            assert "Idempotency-Key" in names, f"{method} {path}"
            (success,) = [s for s in operation["responses"] if s.startswith("2")]
            headers = resolve(document, operation["responses"][success])["headers"]
            assert headers["Idempotent-Replayed"] == {
                "$ref": "#/components/headers/Idempotent-Replayed"
            }
        else:
            assert "Idempotency-Key" not in names, f"{method} {path}"
    assert idempotent == {("POST", f"{API}/order"), ("POST", f"{API}/order/cancel")}
    parameter = document["components"]["parameters"]["Idempotency-Key"]
    assert (parameter["in"], parameter["required"]) == ("header", False)
    assert (parameter["schema"]["minLength"], parameter["schema"]["maxLength"]) == (
        1,
        255,
    )
    replayed = document["components"]["headers"]["Idempotent-Replayed"]
    assert replayed["schema"]["enum"] == ["true"]


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("8e0f4bb2-3c5d-4e1a-9f27-6b1d0c9a7e54", True),
        ("a", True),
        ("x" * 255, True),
        ("order 42 / try #1 ~!", True),
        ("", False),
        ("x" * 256, False),
        ("clé", False),
        ("a\tb", False),
        ("a\x7fb", False),
        ("a\nb", False),
    ],
)
def test_idempotency_key_schema_agrees_with_the_parser(
    document, validation, key, valid
):
    pointer = "/components/parameters/Idempotency-Key/schema"
    assert _schema_validator(document, pointer).is_valid(key) is valid
    assert _accepts(validation, lambda: validation.parse_idempotency_key(key)) is valid
    if valid:
        assert validation.parse_idempotency_key(key) == key


# ----------------------------------------------------------------------
# Schemas of what the code answers
# ----------------------------------------------------------------------


def test_order_schema_is_what_the_serializer_returns(document, validation):
    schemas = document["components"]["schemas"]
    serializer = _function(REPO / "models" / "sale_order.py", "_order_api_serialize")
    order_dict, order_keys = _literal_dict_keys(serializer, "biomes_order_id")
    line_dict, line_keys = _literal_dict_keys(serializer, "product_name")
    tracking_dict, tracking_keys = _literal_dict_keys(serializer, "tracking_ref")
    address = order_dict.values[order_keys.index("delivery_address")]
    address_keys = [k.value for k in address.keys]
    _check_schema_against_literal(schemas, "Order", order_dict, order_keys)
    assert set(schemas["Order"]["properties"]) == set(order_keys)
    _check_schema_against_literal(schemas, "OrderLine", line_dict, line_keys)
    _check_schema_against_literal(schemas, "Address", address, address_keys)
    _check_schema_against_literal(schemas, "Tracking", tracking_dict, tracking_keys)
    # tracking: a list of those dicts
    tracking = order_dict.values[order_keys.index("tracking")]
    assert isinstance(tracking, ast.ListComp) and tracking.elt is tracking_dict
    assert schemas["Order"]["properties"]["tracking"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Tracking"},
        "description": schemas["Order"]["properties"]["tracking"]["description"],
    }
    # fields may be added: the order object stays open
    assert schemas["Order"].get("additionalProperties", True) is not False
    assert schemas["Order"]["properties"]["status"]["enum"] == list(validation.STATUSES)
    assert set(validation.STATUSES) == {
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
        _function(service, "_get_available_products"), "default_code"
    )
    list_orders = _function(service, "_list_orders")
    pagination_dict, pagination_keys = _literal_dict_keys(list_orders, "has_next")
    assert set(schemas["Product"]["required"]) == set(product_keys)
    _check_schema_against_literal(
        schemas, "Pagination", pagination_dict, pagination_keys
    )
    # keys set later, under a condition, are optional
    later = {}
    for node in ast.walk(list_orders):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0]
            if getattr(target.value, "id", None) == "pagination":
                later[ast.literal_eval(target.slice)] = node.value
    assert set(later) == {"next_updated_since"}
    assert set(schemas["Pagination"]["properties"]) == set(pagination_keys) | set(later)
    value = later["next_updated_since"]
    assert getattr(value.func, "id", None) == "utc_iso"
    assert _utc_iso_microseconds(value)
    prop = schemas["Pagination"]["properties"]["next_updated_since"]
    assert prop["pattern"] == schemas["Order"]["properties"]["updated_at"]["pattern"]
    assert "null" not in _schema_types(prop)


def test_order_fields_of_the_contract(document):
    """API-CONTRACT.md: updated_at (ISO 8601 UTC), note (string or null),
    tracking ([{delivery_order_name, carrier, tracking_ref, date_done}])."""
    props = document["components"]["schemas"]["Order"]["properties"]
    validator = Draft202012Validator(props["updated_at"])
    assert validator.is_valid("2026-11-23T10:00:00.123456Z")
    assert validator.is_valid(None)
    for bad in ("2026-11-23T10:00:00Z", "2026-11-23T10:00:00.123456+00:00", ""):
        assert not validator.is_valid(bad), bad
    assert _schema_types(props["note"]) == {"string", "null"}
    tracking = document["components"]["schemas"]["Tracking"]
    assert tracking["required"] == [
        "delivery_order_name",
        "carrier",
        "tracking_ref",
        "date_done",
    ]
    assert _schema_types(tracking["properties"]["delivery_order_name"]) == {"string"}
    for key in ("carrier", "tracking_ref", "date_done"):
        assert _schema_types(tracking["properties"][key]) == {"string", "null"}


def _webhook_event_types():
    """The ``event_type`` selection of the webhook event model."""
    model = REPO / "models" / "partner_order_api_webhook_event.py"
    for node in ast.walk(ast.parse(model.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Assign)
            and getattr(node.targets[0], "id", None) == "event_type"
        ):
            return [key for key, _label in ast.literal_eval(node.value.args[0])]
    raise AssertionError("no event_type field")


def test_webhook_schemas_are_what_the_service_returns(document):
    schemas = document["components"]["schemas"]
    service = REPO / "models" / "partner_order_api_service.py"
    _node, info_keys = _literal_dict_keys(_function(service, "_webhook_info"), "url")
    _node, test_keys = _literal_dict_keys(
        _function(service, "_test_webhook"), "delivered"
    )
    assert set(schemas["WebhookInfo"]["allOf"][1]["required"]) == set(info_keys)
    assert set(schemas["WebhookTestResult"]["allOf"][1]["required"]) == set(test_keys)
    model = REPO / "models" / "partner_order_api_webhook_event.py"
    _node, ping_keys = _literal_dict_keys(_function(model, "_send_ping"), "sent_at")
    assert set(schemas["WebhookPing"]["required"]) == set(ping_keys)


def test_webhooks_are_the_event_types(document):
    """One webhook per event type of the model, each naming itself in the
    ``X-Webhook-Event`` header, signed the Standard Webhooks way."""
    event_types = _webhook_event_types()
    assert event_types == ["order.updated", "order.cancelled", "ping"]
    model = REPO / "models" / "partner_order_api_webhook_event.py"
    header = _module_constant(model, "EVENT_HEADER")
    assert header == "X-Webhook-Event"
    schemas = document["components"]["schemas"]
    assert schemas["WebhookEventType"]["enum"] == event_types
    assert set(document["webhooks"]) == set(event_types)
    order_body = {"$ref": "#/components/schemas/OrderResponse"}
    for event, item in document["webhooks"].items():
        operation = item["post"]
        parameters = {
            p["name"]: p
            for p in (resolve(document, p) for p in operation["parameters"])
        }
        assert set(parameters) == {
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
            header,
        }, event
        assert all(p["in"] == "header" and p["required"] for p in parameters.values())
        assert parameters[header]["schema"] == {"const": event}
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        expected = {"$ref": "#/components/schemas/WebhookPing"}
        assert body == (expected if event == "ping" else order_body), event
        assert operation["security"] == []
    assert "X-Webhook-Event" in document["info"]["description"]
    for event in event_types:
        assert f"`{event}`" in document["info"]["description"]


def test_webhook_info_event_types_are_documented(document):
    service = REPO / "models" / "partner_order_api_service.py"
    node, keys = _literal_dict_keys(_function(service, "_webhook_info"), "url")
    listed = ast.literal_eval(node.values[keys.index("event_types")])
    assert set(listed) <= set(_webhook_event_types())
    items = document["components"]["schemas"]["WebhookInfo"]["allOf"][1]["properties"][
        "event_types"
    ]["items"]
    assert items == {"$ref": "#/components/schemas/WebhookEventType"}


def test_webhook_info_lists_every_event_type():
    service = REPO / "models" / "partner_order_api_service.py"
    node, keys = _literal_dict_keys(_function(service, "_webhook_info"), "url")
    listed = ast.literal_eval(node.values[keys.index("event_types")])
    assert listed == _webhook_event_types()


# ----------------------------------------------------------------------
# GET orders: parameters and the sync rule
# ----------------------------------------------------------------------


def _orders_parameters(document):
    return {
        p["name"]: p
        for p in (
            resolve(document, p)
            for p in document["paths"][f"{API}/orders"]["get"]["parameters"]
        )
    }


def test_query_parameters(document, validation):
    orders = _orders_parameters(document)
    assert set(orders) == {
        "page",
        "page_size",
        "status",
        "created_from",
        "created_to",
        "updated_since",
        "sort",
    }
    assert not any(p["required"] for p in orders.values())
    assert orders["page"]["schema"]["minimum"] == 1
    assert orders["page"]["schema"]["maximum"] == validation.PAGE_MAX
    assert orders["page_size"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": validation.PAGE_SIZE_MAX,
        "default": validation.PAGE_SIZE_DEFAULT,
    }
    status = orders["status"]
    assert (status["style"], status["explode"]) == ("form", False)  # a,b,c
    assert status["schema"]["type"] == "array"
    assert status["schema"]["items"]["enum"] == list(validation.STATUSES)
    assert orders["sort"]["schema"]["enum"] == list(validation.SORTS)
    assert orders["sort"]["schema"]["default"] == "created_desc"
    assert "whole day" in orders["created_to"]["description"]
    assert "refused" in orders["updated_since"]["description"]
    lookup = {
        p["name"]: p
        for p in document["paths"][f"{API}/order_status"]["get"]["parameters"]
    }
    assert lookup["identifiedBy"]["required"] and lookup["order_id"]["required"]
    assert lookup["identifiedBy"]["schema"]["enum"] == list(validation.IDENTIFIED_BY)


def test_sync_rule_is_documented(document):
    """GET orders tells how to sync with ``next_updated_since``, with the
    service's own safety window."""
    service = REPO / "models" / "partner_order_api_service.py"
    window = _module_constant(service, "SYNC_SAFETY_WINDOW")
    assert window == 120
    description = document["paths"][f"{API}/orders"]["get"]["description"]
    for words in (
        "sort=updated_asc&updated_since=",
        "`pagination.next_updated_since`",
        "page=1",
        "at least once",
        f"{window} seconds",
        "inclusive",
    ):
        assert words in description, words
    example = document["components"]["examples"]["OrderListSync"]["value"]
    next_since = example["pagination"]["next_updated_since"]
    assert next_since == example["orders"][-1]["updated_at"]
    updated = [order["updated_at"] for order in example["orders"]]
    assert updated == sorted(updated)
    assert f"updated_since={next_since}" in description


# ISO 8601 samples: accepted by both, refused by both, or well-formed but
# not a real date or time (the pattern cannot tell, the parser refuses).
DATE_SAMPLES_OK = [
    "2026-11-23",
    "2026-11-23T10:00:00Z",
    "2026-11-23T10:00:00z",
    "2026-11-23t10:00:00Z",
    "2026-11-23 10:00:00",
    "2026-11-23T10:00",
    "2026-11-23T10:00Z",
    "2026-11-23T10:00:00.1Z",
    "2026-11-23T10:00:00.123456Z",
    "2026-11-23T10:00:00+01:00",
    "2026-11-23T10:00:00-05:30",
    "2026-11-23T10:00:00+0100",
    "2026-11-23T10:00:00.123456+05:30",
]
DATE_SAMPLES_BAD = [
    "garbage",
    "2026-11",
    "20261123",
    "23.11.2026",
    "2026/11/23",
    "2026-11-23T10",
    "2026-11-23T10:00:00.1234567Z",
    "2026-11-23T10:00:00 Z",
    "2026-11-23T10:00:00+1",
    "2026-11-23TT10:00:00Z",
    "1763892000",
]
DATE_SAMPLES_NOT_REAL = [
    "2026-13-01",
    "2026-02-30",
    "2026-11-23T25:00:00Z",
    "2026-11-23T10:60:00Z",
    "2026-13-01T00:00:00Z",
    "2026-11-23T10:00:00+25:00",
]


@pytest.mark.parametrize("name", ["created_from", "created_to", "updated_since"])
@pytest.mark.parametrize(
    "raw", DATE_SAMPLES_OK + DATE_SAMPLES_BAD + DATE_SAMPLES_NOT_REAL
)
def test_date_parameters_agree_with_the_parser(document, validation, name, raw):
    schema = _orders_parameters(document)[name]["schema"]
    schema_ok = Draft202012Validator(schema).is_valid(raw)
    parser_ok = _accepts(
        validation, lambda: validation.parse_order_filters({name: raw})
    )
    is_date = len(raw) == 10
    if raw in DATE_SAMPLES_NOT_REAL and not (is_date and name == "updated_since"):
        assert (schema_ok, parser_ok) == (True, False)
    else:
        assert schema_ok == parser_ok
    if is_date and raw in DATE_SAMPLES_OK:
        # a date is a whole day for created_*, refused for updated_since
        assert parser_ok is (name != "updated_since")


@pytest.mark.parametrize(
    ("raw", "valid"),
    [
        ("pending", True),
        ("confirmed,partially_shipped", True),
        ("pending,confirmed,partially_shipped,shipped,cancelled", True),
        ("shipped,shipped", True),
        ("draft", False),
        ("Pending", False),
        ("pending,sale", False),
    ],
)
def test_status_parameter_agrees_with_the_parser(document, validation, raw, valid):
    schema = _orders_parameters(document)["status"]["schema"]
    # style form, explode false: the client sends the items comma-separated
    assert Draft202012Validator(schema).is_valid(raw.split(",")) is valid
    parse = lambda: validation.parse_order_filters({"status": raw})  # noqa: E731
    assert _accepts(validation, parse) is valid


@pytest.mark.parametrize(
    ("raw", "valid"),
    [
        ("created_desc", True),
        ("created_asc", True),
        ("updated_asc", True),
        ("updated_desc", False),
        ("CREATED_DESC", False),
        ("-created", False),
    ],
)
def test_sort_parameter_agrees_with_the_parser(document, validation, raw, valid):
    schema = _orders_parameters(document)["sort"]["schema"]
    assert Draft202012Validator(schema).is_valid(raw) is valid
    parse = lambda: validation.parse_order_filters({"sort": raw})  # noqa: E731
    assert _accepts(validation, parse) is valid


# ----------------------------------------------------------------------
# The request body schemas agree with lib/validation.py
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


def _line(index=0, amount=1):
    return {"ean": f"42605829410{index:02d}", "amount": amount}


def _lines_body(lines, **changes):
    """A multi-line body: ``lines`` in place of ``ean`` and ``amount``."""
    return _body(ean=KeyError, amount=KeyError, lines=lines, **changes)


BODY_SAMPLES = [
    # the original document's single product
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
    _body(ean=None),
    _body(amount=None),
    _body(delivery_address=KeyError),
    _body(delivery_address="Berlin"),
    _body(addr_city=KeyError),
    _body(addr_city=""),
    _body(addr_country_code="DEU"),
    _body(addr_country_code="1A"),
    _body(addr_name="x" * 300),
    _body(external_order_id="x" * 256),
    # lines
    _lines_body([_line()]),
    _lines_body([_line(0, 2), _line(1, 1), _line(2, 5)]),
    _lines_body([_line(i) for i in range(100)]),
    _lines_body([_line(i) for i in range(101)]),
    _lines_body([]),
    _lines_body(None),
    _lines_body("4260582941016"),
    _lines_body({"ean": "4260582941016", "amount": 1}),
    _lines_body(["4260582941016"]),
    _lines_body([{"ean": "4260582941016"}]),
    _lines_body([{"amount": 1}]),
    _lines_body([{"ean": "4260582941016", "amount": 0}]),
    _lines_body([{"ean": "4260582941016", "amount": 1.5}]),
    _lines_body([{"ean": 4260582941016, "amount": 1}]),
    _lines_body([{"ean": "4" * 65, "amount": 1}]),
    _lines_body([dict(_line(), comment="ignored")]),
    _lines_body([_line(), {"ean": "4260582941023", "amount": -2}]),
    # the same EAN twice: one line of the summed amount
    _lines_body([_line(0, 2), _line(0, 3)]),
    _lines_body([_line(0, 500_000), _line(0, 500_000)]),
    # both or neither
    _body(lines=[_line()]),
    _body(amount=KeyError, lines=[_line()]),
    _body(ean=KeyError, lines=[_line()]),
    _body(ean=KeyError, amount=None, lines=[_line()]),
    _body(ean=KeyError, amount=KeyError),
    _lines_body([_line()], delivery_address=KeyError),
    # note
    _body(note="Please call before delivery."),
    _body(note="Line 1\nLine 2\r\n\tindented"),
    _body(note=""),
    _body(note=None),
    _body(note="x" * 2000),
    _body(note="x" * 2001),
    _body(note="ü" * 2000),
    _body(note=42),
    _body(note=["a"]),
    _body(note="nul \x00 char"),
    _body(note="escape \x1b[31m"),
    _body(note="bell \x07"),
    _body(note="vertical \x0b tab"),
    _body(note="form \x0c feed"),
    _body(note="delete \x7f"),
    _lines_body([_line(0, 2), _line(1, 1)], note="Ring twice.\nThanks!"),
    _lines_body([_line()], note="x" * 2001),
]


@pytest.mark.parametrize("body", BODY_SAMPLES)
def test_request_schema_agrees_with_parse_order_payload(document, validation, body):
    pointer = "/components/schemas/OrderCreateRequest"
    schema_ok = _schema_validator(document, pointer).is_valid(body)
    assert schema_ok == _accepts(
        validation, lambda: validation.parse_order_payload(body)
    )


def test_summed_amount_is_a_parser_only_rule(document, validation):
    """The same EAN twice is one line whose summed amount is at most
    1,000,000: a JSON schema cannot add, the description says it."""
    body = _lines_body([_line(0, 600_000), _line(0, 600_000)])
    pointer = "/components/schemas/OrderCreateRequest"
    assert _schema_validator(document, pointer).is_valid(body)
    with pytest.raises(validation.ValidationError):
        validation.parse_order_payload(body)
    schema = document["components"]["schemas"]["OrderCreateRequest"]
    assert "summed amount (at most 1,000,000)" in schema["description"]


@pytest.mark.parametrize(
    "body",
    [
        {"identifiedBy": "biomes", "order_id": "S00042"},
        {"identifiedBy": "external", "order_id": "EXT-1001"},
        {"identifiedBy": "external", "order_id": "x" * 255},
        {"identifiedBy": "biomes", "order_id": "S00042", "reason": "ignored"},
        {"identifiedBy": "external", "order_id": "x" * 256},
        {"identifiedBy": "Biomes", "order_id": "S00042"},
        {"identifiedBy": "name", "order_id": "S00042"},
        {"identifiedBy": None, "order_id": "S00042"},
        {"identifiedBy": 1, "order_id": "S00042"},
        {"identifiedBy": "biomes", "order_id": 42},
        {"identifiedBy": "biomes", "order_id": ""},
        {"identifiedBy": "biomes", "order_id": None},
        {"identifiedBy": "biomes"},
        {"order_id": "S00042"},
        {},
    ],
)
def test_cancel_schema_agrees_with_parse_order_lookup(document, validation, body):
    pointer = "/components/schemas/OrderCancelRequest"
    schema_ok = _schema_validator(document, pointer).is_valid(body)
    assert schema_ok == _accepts(
        validation, lambda: validation.parse_order_lookup(body)
    )


def test_request_bodies(document, validation):
    order = document["paths"][f"{API}/order"]["post"]["requestBody"]
    assert order["required"]
    assert order["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OrderCreateRequest"
    }
    schemas = document["components"]["schemas"]
    request_schema = schemas["OrderCreateRequest"]
    assert request_schema["required"] == ["delivery_address"]
    assert request_schema.get("additionalProperties", True) is not False
    one, several = request_schema["oneOf"]
    assert one["required"] == ["ean", "amount"]
    assert several["required"] == ["lines"]
    lines = request_schema["properties"]["lines"]
    assert (lines["minItems"], lines["maxItems"]) == (1, validation.LINES_MAX)
    note = request_schema["properties"]["note"]
    assert note["maxLength"] == validation.NOTE_MAX
    assert schemas["Amount"]["maximum"] == validation.AMOUNT_MAX
    cancel = document["paths"][f"{API}/order/cancel"]["post"]["requestBody"]
    assert cancel["required"]
    assert cancel["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OrderCancelRequest"
    }
    assert schemas["OrderCancelRequest"]["properties"]["identifiedBy"]["enum"] == list(
        validation.IDENTIFIED_BY
    )


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
    assert checked >= 40


def test_request_example_is_the_original_documents(document):
    example = document["components"]["examples"]["OrderCreateRequest"]["value"]
    assert example == ORIGINAL_BODY


# the parser of each request body
PARSERS = {
    ("POST", f"{API}/order"): "parse_order_payload",
    ("POST", f"{API}/order/cancel"): "parse_order_lookup",
    ("PUT", f"{API}/webhook"): None,
}


def test_every_request_example_matches_its_schema(document, validation):
    checked = 0
    for method, path, operation in _operations(document):
        if "requestBody" not in operation:
            continue
        pointer = f"/paths/{path.replace('/', '~1')}/{method.lower()}/requestBody"
        pointer += "/content/application~1json/schema"
        validator = _schema_validator(document, pointer)
        media = operation["requestBody"]["content"]["application/json"]
        parser = PARSERS[(method, path)]
        for example in media["examples"].values():
            value = resolve(document, example)["value"]
            assert validator.is_valid(value), f"{method} {path}: {value}"
            if parser:
                getattr(validation, parser)(value)  # accepted as it is
            checked += 1
    assert checked >= 4


def test_three_line_order_example(document, validation):
    examples = document["components"]["examples"]
    request = examples["OrderCreateRequestLines"]
    parsed = validation.parse_order_payload(request["value"])
    assert len(parsed["lines"]) == 3
    assert "\n" in parsed["note"]
    key = document["components"]["parameters"]["Idempotency-Key"]["example"]
    assert validation.parse_idempotency_key(key) == key
    assert f"Idempotency-Key: {key}" in request["description"]
    created = examples["OrderCreatedLines"]["value"]
    assert created["note"] == parsed["note"]
    assert [line["ean"] for line in created["lines"]] == [
        line["ean"] for line in parsed["lines"]
    ]
    assert [line["quantity"] for line in created["lines"]] == [
        line["amount"] for line in parsed["lines"]
    ]
    assert created["external_order_id"] == parsed["external_order_id"]
    cancelled = examples["OrderCancelled"]["value"]
    assert cancelled["status"] == "cancelled"
    cancel = validation.parse_order_lookup(examples["OrderCancelRequest"]["value"])
    assert cancel == ("external", cancelled["external_order_id"])


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
        "updated_at": "2026-01-02T03:04:05.678901Z",
        "note": None,
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
        "tracking": [],
        "added_later": "allowed",
    }
    for key, value in changes.items():
        if value is KeyError:
            del order[key]
        else:
            order[key] = value
    return order


TRACKING = {
    "delivery_order_name": "WH/OUT/00001",
    "carrier": None,
    "tracking_ref": None,
    "date_done": "2026-01-03T03:04:05Z",
}


def _without(mapping, key):
    return {k: v for k, v in mapping.items() if k != key}


def _orders_body(*orders, **pagination):
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
            **pagination,
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
    tracked = _order(
        status="shipped", note="Ring twice.\nThanks", tracking=[TRACKING, TRACKING]
    )
    sync = _orders_body(tracked, next_updated_since="2026-01-02T03:04:05.678901Z")
    openapi_check.validate_response("GET", f"{API}/orders", 200, sync, HEADERS)
    openapi_check.validate_response(
        "GET", f"{API}/orders", 200, _orders_body(_order(updated_at=None)), HEADERS
    )


def test_check_loads_the_served_document_by_default(openapi_check, document):
    assert openapi_check.load_document() == document
    assert openapi_check.load_document() is openapi_check.load_document()


def test_check_accepts_order_status_created_and_cancelled_order(openapi_check):
    body = dict({"success": True}, **_order())
    openapi_check.validate_response("GET", f"{API}/order_status", 200, body, HEADERS)
    openapi_check.validate_response("POST", f"{API}/order", 201, body, HEADERS)
    replayed = dict(HEADERS, **{"Idempotent-Replayed": "true"})
    openapi_check.validate_response("POST", f"{API}/order", 201, body, replayed)
    cancelled = dict(body, status="cancelled")
    openapi_check.validate_response(
        "POST", f"{API}/order/cancel", 200, cancelled, replayed
    )
    with pytest.raises(AssertionError, match="Idempotent-Replayed: 'false'"):
        openapi_check.validate_response(
            "POST",
            f"{API}/order",
            201,
            body,
            dict(HEADERS, **{"Idempotent-Replayed": "false"}),
        )


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
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(updated_at="2026-01-02T03:04:05Z")),
            HEADERS,
            "updated_at",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(note=KeyError)),
            HEADERS,
            "'note' is a required property",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(tracking=[_without(TRACKING, "carrier")])),
            HEADERS,
            "'carrier' is a required property",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(_order(tracking=None)),
            HEADERS,
            "tracking",
        ),
        (
            "GET",
            f"{API}/orders",
            200,
            _orders_body(next_updated_since="2026-01-02T03:04:05Z"),
            HEADERS,
            "next_updated_since",
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
    with pytest.raises(AssertionError, match="'forbidden' is not documented"):
        check("GET", f"{API}/orders", 401, _error("forbidden"), unauthorized)
    check("POST", f"{API}/order", 403, _error("product_not_allowed"), HEADERS)
    with pytest.raises(AssertionError, match="documented: forbidden"):
        check(
            "GET",
            f"{API}/available_products",
            403,
            _error("product_not_allowed"),
            HEADERS,
        )
    with pytest.raises(AssertionError, match="'nonsense' is not documented"):
        check("GET", f"{API}/orders", 400, _error("nonsense"), HEADERS)
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
    with pytest.raises(AssertionError, match="'not_found' is not documented"):
        check("PUT", f"{API}/orders", 405, _error("not_found"), allow)


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "documented"),
    [
        ("POST", f"{API}/order", 403, "forbidden", True),
        ("POST", f"{API}/order", 403, "product_not_allowed", True),
        ("POST", f"{API}/order", 403, "insufficient_scope", True),
        ("POST", f"{API}/order", 409, "duplicate_external_order_id", True),
        ("POST", f"{API}/order", 409, "idempotency_key_reused", True),
        ("POST", f"{API}/order", 409, "not_cancellable", False),
        ("POST", f"{API}/order/cancel", 403, "insufficient_scope", True),
        ("POST", f"{API}/order/cancel", 403, "product_not_allowed", False),
        ("POST", f"{API}/order/cancel", 409, "not_cancellable", True),
        ("POST", f"{API}/order/cancel", 409, "idempotency_key_reused", True),
        ("POST", f"{API}/order/cancel", 409, "duplicate_external_order_id", False),
        ("POST", f"{API}/order/cancel", 404, "not_found", True),
        ("PUT", f"{API}/webhook", 403, "insufficient_scope", True),
        ("DELETE", f"{API}/webhook", 403, "insufficient_scope", True),
        ("POST", f"{API}/webhook/test", 403, "insufficient_scope", True),
        ("GET", f"{API}/webhook", 403, "insufficient_scope", False),
        ("GET", f"{API}/orders", 403, "insufficient_scope", False),
        ("GET", f"{API}/order_status", 403, "insufficient_scope", False),
        ("GET", f"{API}/available_products", 403, "insufficient_scope", False),
    ],
)
def test_check_error_codes_per_route_and_status(
    openapi_check, method, path, status, code, documented
):
    """A status with several codes accepts each code listed for that route
    and status, and no other."""
    check = openapi_check.validate_response
    if documented:
        check(method, path, status, _error(code), HEADERS)
    else:
        with pytest.raises(AssertionError, match=f"'{code}' is not documented"):
            check(method, path, status, _error(code), HEADERS)


def test_check_retry_after_with_idempotency_in_progress(openapi_check):
    """Retry-After is required with ``idempotency_in_progress`` and
    ``rate_limited`` only, and a whole number of seconds."""
    check = openapi_check.validate_response
    in_progress = _error("idempotency_in_progress")
    retry = dict(HEADERS, **{"Retry-After": "1"})
    for path in (f"{API}/order", f"{API}/order/cancel"):
        check("POST", path, 409, in_progress, retry)
        with pytest.raises(AssertionError, match="header Retry-After is missing"):
            check("POST", path, 409, in_progress, HEADERS)
        with pytest.raises(AssertionError, match="Retry-After: 'soon'"):
            check("POST", path, 409, in_progress, {**HEADERS, "retry-after": "soon"})
        check("POST", path, 409, _error("idempotency_key_reused"), HEADERS)
    check("POST", f"{API}/order/cancel", 409, _error("not_cancellable"), HEADERS)
    check("POST", f"{API}/order", 409, _error("duplicate_external_order_id"), HEADERS)
    check("GET", f"{API}/orders", 429, _error("rate_limited"), retry)
    with pytest.raises(AssertionError, match="header Retry-After is missing"):
        check("GET", f"{API}/orders", 429, _error("rate_limited"), HEADERS)


def test_documented_error_codes(openapi_check, document):
    codes = openapi_check.documented_error_codes
    assert codes("POST", f"{API}/order/cancel", 409) == [
        "not_cancellable",
        "idempotency_key_reused",
        "idempotency_in_progress",
    ]
    assert codes("GET", f"{API}/orders", "401", document) == ["unauthorized"]
    assert codes("POST", f"{API}/order", 201) is None
    with pytest.raises(AssertionError, match="status 409 is not documented"):
        codes("GET", f"{API}/orders", 409)
