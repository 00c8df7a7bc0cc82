"""The OpenAPI schema's additions: the token scheme, and the problem responses every operation may give."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Messages per field, for 400",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "current_version": {"type": "integer", "description": "The version saved now, for a stale version (409)"},
        "current": {"type": "object", "description": "The values saved now, for a stale version (409)"},
    },
}
DESCRIPTIONS = {
    "400": "Bad input: field errors in `errors`",
    "401": "Not signed in, or the token is not valid",
    "403": "The caller may not take this step",
    "404": "No such object among those the caller may see",
    "409": "Refused in the object's present state, or a stale version",
    "415": "Send JSON",
    "429": "Too many requests for this token",
}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer ta_…"}


def _problem_codes(path: str, method: str, operation: dict) -> list[str]:
    codes = ["401", "403", "429"]
    if "{" in path:
        codes.append("404")
    if operation.get("parameters") or "requestBody" in operation:
        codes.append("400")
    if method in ("post", "put", "patch"):
        codes += ["409", "415"]
    return codes


def add_problem_responses(result: dict, generator, request, public) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    reference = {"$ref": "#/components/schemas/Problem"}
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            for code in _problem_codes(path, method, operation):
                responses.setdefault(
                    code,
                    {"description": DESCRIPTIONS[code], "content": {"application/problem+json": {"schema": reference}}},
                )
    return result
