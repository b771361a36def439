"""Fault injection: status codes, latency and dropped connections, per route, with a
probability and a seed.

One grammar serves the CLI ``--faults``, ``POST /_sandbox/faults`` and the
``X-Sandbox-Fault`` request header::

    spec   := rule ("," rule)*
    rule   := [route ":"] action ["@" probability]
    route  := "*" | [METHOD " "] path-glob        (path relative to /api/v2)
    action := item (";" item)*
    item   := NNN | status=NNN | retry_after=S | delay=S | drop | drop_after
            | p=PROBABILITY | times=N

``drop`` closes the TCP connection before the request is handled; ``drop_after``
handles it (the detect exists) and then closes the connection without answering.
``times=N`` fires a rule at most N times. Examples::

    POST /detect:500@0.1,GET /detect/*:429;retry_after=2@0.1,*:drop@0.02,*:delay=0.5@0.2
    X-Sandbox-Fault: status=503;p=0.3
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FaultAction", "FaultRule", "FaultSpecError", "Faults", "parse_action", "parse_spec"]


class FaultSpecError(ValueError):
    """A fault spec that cannot be parsed."""


@dataclass
class FaultAction:
    status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0
    drop: bool = False
    drop_after: bool = False

    @property
    def kind(self) -> str:
        if self.drop:
            return "drop"
        if self.drop_after:
            return "drop_after"
        if self.status is not None:
            return f"status={self.status}"
        return "delay"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.status is not None:
            out["status"] = self.status
        if self.retry_after is not None:
            out["retry_after"] = self.retry_after
        if self.delay:
            out["delay"] = self.delay
        if self.drop:
            out["drop"] = True
        if self.drop_after:
            out["drop_after"] = True
        return out


@dataclass
class FaultRule:
    method: str = "*"
    path: str = "*"
    action: FaultAction = field(default_factory=FaultAction)
    p: float = 1.0
    times: int | None = None
    fired: int = 0

    def matches(self, method: str, path: str, template: str | None) -> bool:
        if self.method not in ("*", method):
            return False
        if self.path == "*":
            return True
        return fnmatch.fnmatchcase(path, self.path) or (
            template is not None and fnmatch.fnmatchcase(template, self.path)
        )

    def to_dict(self) -> dict[str, Any]:
        route = "*" if self.method == "*" and self.path == "*" else f"{self.method} {self.path}"
        out: dict[str, Any] = {"route": route, "p": self.p, **self.action.to_dict()}
        if self.times is not None:
            out["times"] = self.times
        out["fired"] = self.fired
        return out


def _number(key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultSpecError(f"fault {key} must be a number, got {text!r}") from None
    if value < 0:
        raise FaultSpecError(f"fault {key} must be >= 0, got {text!r}")
    return value


def parse_action(text: str) -> tuple[FaultAction, float, int | None]:
    """Parse ``"429;retry_after=2;p=0.5"`` into an action, its probability and times.

    >>> parse_action("status=503;p=0.3")
    (FaultAction(status=503, retry_after=None, delay=0.0, drop=False, drop_after=False), 0.3, None)
    """
    action = FaultAction()
    p = 1.0
    times: int | None = None
    items = [t.strip() for t in text.split(";") if t.strip()]
    if not items:
        raise FaultSpecError("empty fault action")
    for item in items:
        key, eq, value = item.partition("=")
        key = key.strip().lower()
        value = value.strip()
        if not eq and key.isdigit():
            key, value = "status", key
        if key == "status":
            if not value.isdigit() or not 100 <= int(value) <= 599:
                raise FaultSpecError(f"fault status must be an HTTP code, got {value!r}")
            action.status = int(value)
        elif key == "retry_after":
            action.retry_after = _number(key, value)
        elif key == "delay":
            action.delay = _number(key, value)
        elif key == "drop" and not eq:
            action.drop = True
        elif key == "drop_after" and not eq:
            action.drop_after = True
        elif key == "p":
            p = _number(key, value)
            if p > 1:
                raise FaultSpecError(f"fault probability must be in [0, 1], got {value!r}")
        elif key == "times":
            if not value.isdigit():
                raise FaultSpecError(f"fault times must be a whole number, got {value!r}")
            times = int(value)
        else:
            raise FaultSpecError(
                f"unknown fault item {item!r}: use NNN, status=NNN, retry_after=S, delay=S, "
                "drop, drop_after, p=P or times=N"
            )
    return action, p, times


def _parse_route(route: str) -> tuple[str, str]:
    route = route.strip()
    if route in ("", "*"):
        return "*", "*"
    method, _, path = route.partition(" ")
    if not path:
        method, path = "*", method
    path = path.strip()
    if path.startswith("/api/v2"):
        path = path[len("/api/v2") :] or "/"
    if not path.startswith("/") and path != "*":
        raise FaultSpecError(f"fault route path must start with '/', got {route!r}")
    return method.strip().upper(), path


def _parse_rule(text: str) -> FaultRule:
    route, colon, action_text = text.rpartition(":")
    if not colon:
        route, action_text = "*", text
    p_override: float | None = None
    head, at, tail = action_text.rpartition("@")
    if at:
        action_text = head
        p_override = _number("probability", tail)
        if p_override > 1:
            raise FaultSpecError(f"fault probability must be in [0, 1], got {tail!r}")
    action, p, times = parse_action(action_text)
    method, path = _parse_route(route)
    return FaultRule(method, path, action, p if p_override is None else p_override, times)


def _rule_from_mapping(m: Mapping[str, Any]) -> FaultRule:
    method, path = _parse_route(str(m.get("route", "*")))
    if "action" in m:
        action, p, times = parse_action(str(m["action"]))
    else:
        items = [f"{k}={m[k]}" for k in ("status", "retry_after", "delay") if m.get(k) is not None]
        items += [k for k in ("drop", "drop_after") if m.get(k)]
        action, p, times = parse_action(";".join(items))
    if m.get("p") is not None:
        p = _number("p", str(m["p"]))
    if m.get("times") is not None:
        times = int(m["times"])
    return FaultRule(method, path, action, p, times)


def parse_spec(spec: str | Sequence[str | Mapping[str, Any]] | None) -> list[FaultRule]:
    """Rules from a compact spec string, or a list of strings/mappings.

    >>> [r.to_dict()["route"] for r in parse_spec("POST /detect:500@0.1,*:drop@0.02")]
    ['POST /detect', '*']
    """
    if spec is None:
        return []
    if isinstance(spec, str):
        return [_parse_rule(part) for part in spec.split(",") if part.strip()]
    rules: list[FaultRule] = []
    for entry in spec:
        if isinstance(entry, str):
            rules.extend(parse_spec(entry))
        elif isinstance(entry, Mapping):
            rules.append(_rule_from_mapping(entry))
        else:
            raise FaultSpecError(f"a fault rule must be a string or an object, got {entry!r}")
    return rules


class Faults:
    """The active rules and a seeded random source; reproducible for a given seed."""

    def __init__(self, seed: int = 0, rules: list[FaultRule] | None = None) -> None:
        self._lock = threading.Lock()
        self.seed = seed
        self.rules: list[FaultRule] = list(rules or [])
        self._rng = random.Random(seed)

    def set(self, rules: list[FaultRule], seed: int | None = None) -> None:
        with self._lock:
            if seed is not None:
                self.seed = seed
            self.rules = list(rules)
            self._rng = random.Random(self.seed)

    def _roll(self, p: float) -> bool:
        return p >= 1.0 or self._rng.random() < p

    def pick(self, method: str, path: str, template: str | None) -> FaultAction | None:
        """The first matching rule that fires for this request, if any."""
        with self._lock:
            for rule in self.rules:
                if not rule.matches(method, path, template):
                    continue
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                if self._roll(rule.p):
                    rule.fired += 1
                    return rule.action
        return None

    def from_header(self, value: str) -> FaultAction | None:
        """The action asked for by an ``X-Sandbox-Fault`` header (may raise)."""
        action, p, _ = parse_action(value)
        with self._lock:
            return action if self._roll(p) else None

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.to_dict() for r in self.rules]
