"""Errors as the real API server reports them: a `metav1.Status` body with the matching HTTP code.

Handlers raise `ApiError`; the server's middleware turns it into the JSON answer. The messages copy
the real server's wording, because clients (kubectl above all) print them verbatim.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


class ApiError(Exception):
    """An API request that fails the way the real server fails it."""

    def __init__(self, code: int, reason: str, message: str, details: JSON | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> JSON:
        return status_body(self.code, self.reason, self.message, self.details)


def status_body(code: int, reason: str, message: str, details: JSON | None = None) -> JSON:
    """A failed `metav1.Status`, exactly the fields the real server fills in."""
    body: JSON = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


def _details(plural: str, name: str, group: str = "") -> JSON:
    details: JSON = {"name": name, "kind": plural}
    if group:
        details["group"] = group
    return details


def _qualified(plural: str, group: str) -> str:
    return f"{plural}.{group}" if group else plural


def not_found(plural: str, name: str, group: str = "") -> ApiError:
    return ApiError(
        404,
        "NotFound",
        f'{_qualified(plural, group)} "{name}" not found',
        _details(plural, name, group),
    )


def conflict(plural: str, name: str, group: str = "") -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {_qualified(plural, group)} "{name}": the object has '
        "been modified; please apply your changes to the latest version and try again",
        _details(plural, name, group),
    )


def forbidden(
    user: str,
    verb: str,
    plural: str,
    *,
    group: str,
    namespace: str | None,
    name: str | None,
) -> ApiError:
    # Like the apiserver: the object is named by its resource ("pods"), the rule by the
    # resource and subresource ("pods/exec").
    resource = plural.partition("/")[0]
    target = f'{_qualified(resource, group)} "{name}"' if name else _qualified(resource, group)
    scope = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    return ApiError(
        403,
        "Forbidden",
        f'{target} is forbidden: User "{user}" cannot {verb} resource "{plural}" in API group '
        f'"{group}"{scope}',
        _details(resource, name or "", group),
    )


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def invalid(message: str) -> ApiError:
    """422: the request is understood but cannot be applied (or is not emulated by the lab)."""
    return ApiError(422, "Invalid", message)


def unsupported_media_type(content_type: str) -> ApiError:
    return ApiError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format - "
        f"accepted media types include: application/json-patch+json, "
        f"application/merge-patch+json, application/strategic-merge-patch+json "
        f"(got {content_type or 'none'})",
    )


def method_not_allowed(method: str) -> ApiError:
    return ApiError(
        405,
        "MethodNotAllowed",
        f"the server does not allow this method on the requested "
        f"resource ({method} is not emulated by the lab)",
    )


def too_many_requests() -> ApiError:
    """API Priority and Fairness rejecting a request under load."""
    message = "Too many requests, please try again later."
    return ApiError(429, "TooManyRequests", message, {"retryAfterSeconds": 1})


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "Unauthorized")


def gone(message: str) -> ApiError:
    """410 Expired: a watch asked for a resourceVersion older than the history window."""
    return ApiError(410, "Expired", message)
