"""Answers held against the app's own OpenAPI document and the API's error contract.

`Contract(app)` reads `app.spec` (what `/api/v1/openapi.json` serves) once; `problems(rule,
method, response)` lists what is wrong with one answer: a server error, a media type the
document does not give for the status, a JSON body its schema refuses, or an error body
outside `{"error": {"code", "message", "details"}}` (API.md). An empty list: the answer keeps
the contract.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import jsonschema_rs

#: API routes that are not operations of the document, and why
UNDOCUMENTED = {"openapi.spec": "the OpenAPI document itself"}

_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """`/api/v1/sales/<int:sale_id>` as the document writes it: `/api/v1/sales/{sale_id}`."""
    return _CONVERTER.sub(r"{\1}", rule)


def error_contract_problems(body: Any) -> list[str]:
    """What keeps `body` from being `{"error": {"code", "message", "details"}}`."""
    if not isinstance(body, dict) or set(body) != {"error"}:
        return [f"not an error body: {_short(body)}"]
    error = body["error"]
    if not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return [f"error without exactly code, message, details: {_short(body)}"]
    out = []
    if not isinstance(error["code"], str) or not re.fullmatch(r"[a-z][a-z0-9_]*", error["code"]):
        out.append(f"error code not a snake_case string: {error['code']!r}")
    if not isinstance(error["message"], str) or not error["message"]:
        out.append(f"error message empty or not text: {error['message']!r}")
    if not isinstance(error["details"], dict):
        out.append(f"error details not an object: {error['details']!r}")
    return out


def _short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def media_type(response: Any) -> str:
    """The answer's media type without parameters (`text/csv; charset=utf-8` → `text/csv`)."""
    return str(response.mimetype or "")


def _encoded_refs(node: Any) -> Any:
    """The document with `$ref`s as URI references: pydantic's component names have `[` and
    `]` (`RootModel[list[UserOut]]`), which a URI must percent-encode."""
    if isinstance(node, dict):
        return {k: quote(v, safe="#/") if k == "$ref" and isinstance(v, str)
                else _encoded_refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_encoded_refs(v) for v in node]
    return node


class Contract:
    """The OpenAPI document of one app, with its response schemas compiled on first use."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.spec: dict[str, Any] = _encoded_refs(json.loads(json.dumps(app.spec)))
        self._validators: dict[tuple[str, str, str, str], Any] = {}

    def operation(self, rule: str, method: str) -> dict[str, Any] | None:
        """The document's operation for a Flask rule and method, or None."""
        item = self.spec["paths"].get(openapi_path(rule))
        return None if item is None else item.get(method.lower())

    def _validator(self, key: tuple[str, str, str, str], schema: dict[str, Any]) -> Any:
        if key not in self._validators:
            root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                    "components": self.spec.get("components", {}), **schema}
            self._validators[key] = jsonschema_rs.validator_for(root)
        return self._validators[key]

    def problems(self, rule: Any, method: str, response: Any) -> list[str]:
        """What is wrong with `response` to `method rule` (a werkzeug Rule); [] if nothing."""
        status = response.status_code
        if status >= 500:
            return [f"server error {status}: {response.get_data(as_text=True)[:300]}"]
        if not rule.rule.startswith("/api/"):
            if media_type(response) == "application/json" and status >= 400:
                return error_contract_problems(response.get_json(silent=True))
            return []
        op = self.operation(rule.rule, method)
        if op is None:
            if status >= 400:
                return self._error_body(response)
            if rule.endpoint in UNDOCUMENTED:
                return []
            return [f"{method} {rule.rule} answers {status} but is not in the OpenAPI document"]
        documented = op.get("responses", {})
        answer = documented.get(str(status)) or documented.get("default")
        if answer is None:
            if status >= 400:  # 401, 403, 404... from the access check or a named error
                return self._error_body(response)
            return [f"status {status} is not documented for {method} {rule.rule} "
                    f"(documented: {sorted(documented)})"]
        content = answer.get("content", {})
        got = media_type(response)
        if not content:
            if response.get_data():
                return [f"status {status} documents no body, but one came ({got})"]
            return []
        if got not in content:
            return [f"media type {got!r} is not documented for {status} "
                    f"(documented: {sorted(content)})"]
        out = self._error_body(response) if status >= 400 else []
        schema = content[got].get("schema")
        if got == "application/json" and schema:
            body = response.get_json(silent=True)
            if body is None and response.get_data():
                return [*out, "body is not JSON"]
            validator = self._validator((rule.rule, method, str(status), got), schema)
            errors = [f"{'/'.join(map(str, e.instance_path)) or '(body)'}: {e.message}"
                      for e in validator.iter_errors(body)]
            out += [f"body against the {status} schema: {e}" for e in errors[:5]]
        return out

    def check(self, method: str, url: str, response: Any) -> list[str]:
        """`problems` for an answer to `method url` (the rule found from the URL)."""
        adapter = self.app.url_map.bind("localhost")
        rule, _ = adapter.match(url.split("?")[0], method=method, return_rule=True)
        return self.problems(rule, method, response)

    @staticmethod
    def _error_body(response: Any) -> list[str]:
        if media_type(response) != "application/json":
            return [f"error {response.status_code} answered as {media_type(response)!r}, "
                    "not JSON"]
        return error_contract_problems(response.get_json(silent=True))
