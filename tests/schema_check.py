"""Just enough of JSON Schema 2020-12 to check documents against schema-1.json.

jsonschema is not a dependency; this validator is itself tested in
test_render.py (broken documents must be rejected).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def validate(value: Any, schema: dict[str, Any]) -> None:
    """AssertionError naming the path of the first problem."""
    _validate(value, schema, schema)


def _validate(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> None:
    """Just enough of JSON Schema 2020-12 for schema-1.json (jsonschema is not a dependency)."""
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _validate(value, target, root, path)
    if "oneOf" in schema:
        matches = 0
        for option in schema["oneOf"]:
            try:
                _validate(value, option, root, path)
                matches += 1
            except AssertionError:
                pass
        assert matches == 1, f"{path}: {matches} oneOf branches match"
        return None
    _check_type(value, schema, path)
    assert "const" not in schema or value == schema["const"], f"{path}: not {schema['const']}"
    assert "enum" not in schema or value in schema["enum"], f"{path}: {value!r} not in enum"
    if isinstance(value, int) and "minimum" in schema:
        assert value >= schema["minimum"], f"{path}: below minimum"
    if schema.get("format") == "date-time":
        assert datetime.fromisoformat(value).utcoffset() is not None, f"{path}: no offset"
    if isinstance(value, dict):
        _validate_object(value, schema, root, path)
    if isinstance(value, list):
        assert len(value) >= schema.get("minItems", 0), f"{path}: too few items"
        for index, element in enumerate(value):
            _validate(element, schema.get("items", {}), root, f"{path}[{index}]")
    return None


_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
    "number": (int, float),
}


def _check_type(value: Any, schema: dict[str, Any], path: str) -> None:
    if "type" not in schema:
        return
    names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    ok = any(
        (isinstance(value, int) and not isinstance(value, bool))
        if name == "integer"
        else isinstance(value, _TYPES[name])
        for name in names
    )
    assert ok, f"{path}: {value!r} is not {names}"


def _validate_object(
    value: dict[str, Any], schema: dict[str, Any], root: dict[str, Any], path: str
) -> None:
    missing = set(schema.get("required", ())) - value.keys()
    assert not missing, f"{path}: missing {missing}"
    properties = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        extra = value.keys() - properties.keys()
        assert not extra, f"{path}: unexpected {extra}"
    for key, element in value.items():
        if key in properties:
            _validate(element, properties[key], root, f"{path}.{key}")
