"""Who may do what: the lab's stand-in for RBAC.

The same table answers SelfSubjectAccessReviews (`kubectl auth can-i`) and guards the real requests
(a denied verb answers 403 Forbidden), so "can-i says no" and "the call fails" never disagree.
Default: everything allowed, like cluster-admin.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

ADMIN_REASON = 'RBAC: allowed by ClusterRoleBinding "lab-admin" of ClusterRole "cluster-admin"'


@dataclass(frozen=True)
class AccessRule:
    verb: str
    """A verb ("patch") or "*"."""
    resource: str
    """A resource ("configmaps"), a subresource ("pods/exec") or "*"."""
    group: str = "*"
    namespace: str | None = None
    """None: every namespace (and cluster scope)."""
    allowed: bool = False

    def matches(self, verb: str, resource: str, group: str, namespace: str | None) -> bool:
        return (
            self.verb in ("*", verb)
            and self.resource in ("*", resource)
            and self.group in ("*", group)
            and (self.namespace is None or self.namespace == namespace)
        )


class AccessRules:
    """Rules checked in order; the first that matches decides; no match: allowed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[AccessRule] = []
        self._throttled: dict[tuple[str, str], int] = {}

    def throttle(self, verb: str, resource: str, times: int = 1) -> None:
        """Answer the next `times` such requests 429, as API Priority and Fairness does under
        load (a fault for tests: clients must back off and retry, not give up)."""
        with self._lock:
            self._throttled[(verb, resource)] = times

    def throttled(self, verb: str, resource: str) -> bool:
        """Whether this request is one of those to throttle (and count it)."""
        with self._lock:
            left = self._throttled.get((verb, resource), 0)
            if left > 0:
                self._throttled[(verb, resource)] = left - 1
            return left > 0

    def deny(
        self, verb: str, resource: str, *, group: str = "", namespace: str | None = None
    ) -> None:
        with self._lock:
            self._rules.append(AccessRule(verb, resource, group, namespace, allowed=False))

    def allow(
        self, verb: str, resource: str, *, group: str = "", namespace: str | None = None
    ) -> None:
        with self._lock:
            self._rules.append(AccessRule(verb, resource, group, namespace, allowed=True))

    def reset(self) -> None:
        with self._lock:
            self._rules.clear()
            self._throttled.clear()

    def decide(
        self, verb: str, resource: str, group: str, namespace: str | None
    ) -> tuple[bool, str]:
        """(allowed, reason) as a SubjectAccessReviewStatus would put them."""
        with self._lock:
            rules = list(self._rules)
        for rule in rules:
            if rule.matches(verb, resource, group, namespace):
                if rule.allowed:
                    return True, ADMIN_REASON
                return False, ""  # RBAC gives no reason for a denial (kubectl prints "no")
        return True, ADMIN_REASON
