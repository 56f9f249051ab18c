"""Fault injection for the fake AWS endpoint.

A fault spec is a comma-separated list of rules:

    KIND[=RATE][:PARAM][/MAX][@FILTER[+FILTER...]]

KIND    throttle | 5xx | 500 | 503 | drop | slow | truncate | short | nonjson | deep | bloat | endless |
        drip | ctlerror | ctlarn | sigecho | lost
RATE    probability in [0, 1] that a matching request gets the fault (default 1)
PARAM   slow: delay in ms (default 1000); 5xx: status 500 or 503 (default 500);
        truncate/short: fraction of the body kept (default 0.5);
        nonjson: HTTP status of the non-JSON answer (default 200);
        deep: levels of the nested value added to a JSON answer (default 997);
        bloat: bytes a JSON answer is grown to (default 33554432, 32 MiB);
        drip: ms between the bytes of the answer (default 1000);
        ctlerror: 0 = the control characters in the error document (default),
        1 = in the x-amzn-ErrorType and x-amzn-RequestId headers (JSON services);
        lost: how the answer is lost: 500 (default) or 503, that error; 0, the connection closed
MAX     inject at most this many times (default: no limit)
FILTER  an operation (DescribeImages), a service (workspaces, appstream,
        organizations, sts), an account id (12 digits) or a region (eu-west-1).
        Filters of the same category are alternatives; categories must all match.

The faults that answer with an error or nothing (throttle, 5xx, drop, ctlerror, sigecho) answer before the
call is carried out: a faulted write changes nothing. The others shape the answer of a call carried out, so a
write they hit has made its change; `lost` is the one meant for that: the call is carried out (a write makes
its change, as the request log's "effect" tells), then the answer is replaced by a 5xx or the connection is
closed, as when a service fails after acting or the network loses its answer.

Whether a request gets a fault is decided by a hash of the seed, the rule, the request
(caller account, region, operation, parameters) and how many times that same request
was seen before. So the decisions do not depend on how concurrent requests interleave,
and a retry of a faulted request gets a fresh draw: with the same --seed, a client that
makes the same requests sees the same faults.
"""

import hashlib
import json
import re
import threading

KINDS = (
    "throttle", "5xx", "drop", "slow", "truncate", "short", "nonjson", "deep", "bloat", "endless", "drip",
    "ctlerror", "ctlarn", "sigecho", "lost",
)
SERVICES = ("workspaces", "appstream", "organizations", "sts")
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_OP_RE = re.compile(r"^[A-Z][A-Za-z0-9]+$")


class FaultSpecError(ValueError):
    """A fault spec or rule is malformed; the message says which rule and why."""


def _number(text, rule, what):
    try:
        return float(text)
    except ValueError:
        raise FaultSpecError(f"fault rule {rule!r}: {what} {text!r} is not a number") from None


def _normalize(rule, label):
    """Check a rule given as a dict and fill its defaults."""
    if not isinstance(rule, dict):
        raise FaultSpecError(f"{label}: a rule is a JSON object")
    known = {"kind", "rate", "param", "max", "operations", "services", "accounts", "regions", "delay_ms", "status"}
    extra = set(rule) - known
    if extra:
        raise FaultSpecError(f"{label}: unknown field(s) {', '.join(sorted(extra))}")
    kind = rule.get("kind")
    if kind in ("500", "503", 500, 503):
        rule = dict(rule, kind="5xx", param=int(kind))
        kind = "5xx"
    if kind not in KINDS:
        raise FaultSpecError(f"{label}: kind {kind!r} is not one of {', '.join(KINDS)}, 500, 503")
    rate = rule.get("rate", 1.0)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
        raise FaultSpecError(f"{label}: rate {rate!r} must be a number in [0, 1]")
    param = rule.get("param")
    if kind in ("slow", "drip"):
        param = rule.get("delay_ms", param if param is not None else 1000)
        if isinstance(param, bool) or not isinstance(param, (int, float)) or not 0 <= param <= 600000:
            raise FaultSpecError(f"{label}: {kind} needs a delay in ms between 0 and 600000")
    elif kind == "5xx":
        param = rule.get("status", param if param is not None else 500)
        if param not in (500, 503):
            raise FaultSpecError(f"{label}: 5xx status must be 500 or 503")
    elif kind in ("truncate", "short"):
        param = 0.5 if param is None else param
        if isinstance(param, bool) or not isinstance(param, (int, float)) or not 0.0 <= param < 1.0:
            raise FaultSpecError(f"{label}: {kind} keeps a fraction of the body in [0, 1)")
    elif kind == "nonjson":
        param = rule.get("status", param if param is not None else 200)
        if not isinstance(param, int) or not 200 <= param <= 599:
            raise FaultSpecError(f"{label}: nonjson status must be an HTTP status 200..599")
    elif kind in ("deep", "bloat"):
        param = int(param if param is not None else (997 if kind == "deep" else 32 << 20))
        if param < 1 or param > 1 << 30:
            raise FaultSpecError(f"{label}: {kind} takes a whole number from 1 to 2^30")
    elif kind == "ctlerror":
        param = 0 if param is None else param
        if param not in (0, 1):
            raise FaultSpecError(f"{label}: ctlerror takes 0 (in the document) or 1 (in the headers)")
    elif kind == "lost":
        param = rule.get("status", param if param is not None else 500)
        if param not in (0, 500, 503):
            raise FaultSpecError(f"{label}: lost takes 500 or 503 (that error) or 0 (the connection closed)")
    elif param is not None:
        raise FaultSpecError(f"{label}: {kind} takes no parameter")
    mx = rule.get("max")
    if mx is not None and (isinstance(mx, bool) or not isinstance(mx, int) or mx < 0):
        raise FaultSpecError(f"{label}: max must be a non-negative integer")
    out = {"kind": kind, "rate": float(rate), "param": param, "max": mx}
    for key in ("operations", "services", "accounts", "regions"):
        vals = rule.get(key) or []
        if not isinstance(vals, list) or not all(isinstance(v, str) for v in vals):
            raise FaultSpecError(f"{label}: {key} must be a list of strings")
        out[key] = list(vals)
    for s in out["services"]:
        if s not in SERVICES:
            raise FaultSpecError(f"{label}: service {s!r} is not one of {', '.join(SERVICES)}")
    return out


def parse_spec(spec):
    """Parse the text form into a list of normalized rules (see the module comment)."""
    rules = []
    for text in (t.strip() for t in (spec or "").split(",")):
        if not text:
            continue
        rule = {}
        body, _, filters = text.partition("@")
        body, _, mx = body.partition("/")
        body, _, param = body.partition(":")
        kind, _, rate = body.partition("=")
        rule["kind"] = kind.strip()
        if rate:
            rule["rate"] = _number(rate, text, "rate")
        if param:
            value = _number(param, text, "parameter")
            fractional = rule["kind"] in ("truncate", "short")
            rule["param"] = int(value) if value == int(value) and not fractional else value
        if mx:
            value = _number(mx, text, "max")
            if value != int(value):
                raise FaultSpecError(f"fault rule {text!r}: max must be an integer")
            rule["max"] = int(value)
        for f in (x for x in filters.split("+") if x) if filters else ():
            if re.fullmatch(r"\d{12}", f):
                rule.setdefault("accounts", []).append(f)
            elif f in SERVICES:
                rule.setdefault("services", []).append(f)
            elif _REGION_RE.match(f):
                rule.setdefault("regions", []).append(f)
            elif _OP_RE.match(f):
                rule.setdefault("operations", []).append(f)
            else:
                raise FaultSpecError(f"fault rule {text!r}: filter {f!r} is not an operation, service, account or region")
        rules.append(_normalize(rule, f"fault rule {text!r}"))
    return rules


def parse_rules(rules):
    """Normalize rules given as JSON (a list of objects)."""
    if not isinstance(rules, list):
        raise FaultSpecError("rules must be a JSON list")
    return [_normalize(r, f"rules[{i}]") for i, r in enumerate(rules)]


def _matches(rule, req):
    for key, field in (("operations", "operation"), ("services", "service"), ("accounts", "account"), ("regions", "region")):
        if rule[key] and req.get(field) not in rule[key]:
            return False
    return True


class FaultEngine:
    """Decides, per request, the delay and the fault to inject (thread-safe)."""

    def __init__(self, rules, seed):
        self._lock = threading.Lock()
        self._initial = list(rules)
        self._seed = str(seed)
        self.reset()

    def reset(self):
        """Back to the rules given at start, with every counter cleared."""
        with self._lock:
            self._rules = list(self._initial)
            self._fired = [0] * len(self._rules)
            self._seen = {}

    def set_rules(self, rules):
        """Replace the rules (counters of injections start again at zero)."""
        with self._lock:
            self._rules = list(rules)
            self._fired = [0] * len(self._rules)

    def rules(self):
        with self._lock:
            return [dict(r, fired=n) for r, n in zip(self._rules, self._fired)]

    def _draw(self, index, key, occurrence):
        h = hashlib.sha256(f"{self._seed}|{index}|{key}|{occurrence}".encode()).digest()
        return int.from_bytes(h[:8], "big") / 2.0**64

    def decide(self, req):
        """req: dict with service, operation, account, region, params. Returns
        (delay_ms, fault) where fault is None or {"kind", "param"}."""
        key = json.dumps(
            [req.get("account"), req.get("region"), req.get("service"), req.get("operation"), req.get("params")],
            sort_keys=True,
            default=str,
        )
        delay = 0.0
        fault = None
        with self._lock:
            occurrence = self._seen.get(key, 0)
            self._seen[key] = occurrence + 1
            for i, rule in enumerate(self._rules):
                if not _matches(rule, req):
                    continue
                if rule["max"] is not None and self._fired[i] >= rule["max"]:
                    continue
                if rule["rate"] < 1.0 and self._draw(i, key, occurrence) >= rule["rate"]:
                    continue
                if rule["kind"] == "slow":
                    self._fired[i] += 1
                    delay += rule["param"]
                    continue
                if fault is None:
                    self._fired[i] += 1
                    fault = {"kind": rule["kind"], "param": rule["param"]}
        return delay, fault


_MARK = "__fakeaws_fault__"


def reshape(out, fault, render):
    """A valid answer that is too much: out (an answer object, left as it is) rendered by render with a member
    "Nested" added to the first item of its first list of objects (else to the answer itself): for `deep`, arrays
    nested fault["param"] levels; for `bloat`, an array of zeros that grows the answer to fault["param"] bytes."""
    grown = dict(out)
    for key, value in out.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            grown[key] = [dict(value[0], Nested=_MARK)] + value[1:]
            break
    else:
        grown["Nested"] = _MARK
    text = render(grown)
    n = fault["param"]
    if fault["kind"] == "deep":
        payload = "[" * n + "]" * n
    else:
        count = max(1, (n - len(text) + len(_MARK) + 1) // 2)
        payload = "[" + "0," * (count - 1) + "0]"
    return text.replace(f'"{_MARK}"', payload, 1)
