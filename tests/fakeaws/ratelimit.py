"""Rate limiting for the fake AWS endpoint: a token bucket per lane, as AWS throttles.

AWS limits the request rate of an API per account and region (WorkSpaces and AppStream
publish theirs as "requests per second" with a burst); a request that finds the bucket
empty gets a throttling error and takes no token. Here a lane is (service, caller
account, region): WorkSpaces and AppStream get the rate given on the command line, STS
and Organizations their own, much higher, limits, so that discovery and AssumeRole are
not what a benchmark of the per-account calls ends up measuring.

A spec is a comma-separated list of `[SERVICE=]RATE[:BURST]`:

    2:2                              WorkSpaces and AppStream 2 requests/s, burst 2
    5:10,sts=100:100                 and STS 100/s, burst 100
    workspaces=1,appstream=3:6       each its own

RATE is requests per second (> 0), BURST the bucket's size (default: RATE, at least 1).
A bare RATE[:BURST] applies to workspaces and appstream. A spec that names no STS or
Organizations limit gets DEFAULTS for them; `sts=off` removes one.
"""

import threading
import time

LIMITED_SERVICES = ("workspaces", "appstream")
SERVICES = ("workspaces", "appstream", "sts", "organizations")
# Far above what a per-account collector needs (one AssumeRole per account, a ListAccounts
# page per 20 accounts): these lanes throttle only when a test asks them to.
DEFAULTS = {"sts": (600.0, 600.0), "organizations": (50.0, 100.0)}


class RateLimitSpecError(ValueError):
    """A rate-limit spec is malformed; the message names the part and why."""


def _positive(text, part, what):
    try:
        value = float(text)
    except ValueError:
        raise RateLimitSpecError(f"rate limit {part!r}: {what} {text!r} is not a number") from None
    if not value > 0 or value != value or value == float("inf"):
        raise RateLimitSpecError(f"rate limit {part!r}: {what} must be a positive number")
    return value


def parse_spec(spec):
    """Text spec -> {service: (rate per second, burst)}; {} when spec is empty (no limits)."""
    limits = {}
    named_off = set()
    for part in (p.strip() for p in (spec or "").split(",")):
        if not part:
            continue
        service, sep, value = part.partition("=")
        if not sep:
            service, value = "", part
        service = service.strip()
        if service and service not in SERVICES:
            raise RateLimitSpecError(f"rate limit {part!r}: service {service!r} is not one of {', '.join(SERVICES)}")
        targets = [service] if service else list(LIMITED_SERVICES)
        if value.strip() == "off":
            if not service:
                raise RateLimitSpecError(f"rate limit {part!r}: 'off' needs a service (sts=off)")
            named_off.add(service)
            limits.pop(service, None)
            continue
        rate_text, _, burst_text = value.partition(":")
        rate = _positive(rate_text, part, "rate")
        burst = _positive(burst_text, part, "burst") if burst_text else max(1.0, rate)
        if burst < 1:
            raise RateLimitSpecError(f"rate limit {part!r}: burst must be at least 1")
        for t in targets:
            limits[t] = (rate, burst)
            named_off.discard(t)
    if limits:
        for service, default in DEFAULTS.items():
            if service not in limits and service not in named_off:
                limits[service] = default
    return limits


def describe(limits):
    """The limits back as a spec, for logs and the control endpoint."""
    return ",".join(f"{s}={r:g}:{b:g}" for s, (r, b) in sorted(limits.items()))


class RateLimiter:
    """Token buckets per (service, account, region), thread-safe. Buckets start full."""

    def __init__(self, limits, clock=time.monotonic):
        self._limits = dict(limits)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets = {}  # lane -> [tokens, time of the last refill]
        self.throttled = 0

    @property
    def enabled(self):
        return bool(self._limits)

    @property
    def limits(self):
        """{service: (rate, burst)} as configured (a copy)."""
        return dict(self._limits)

    def reset(self):
        """Every bucket full again, counters cleared."""
        with self._lock:
            self._buckets = {}
            self.throttled = 0

    def take(self, service, account, region):
        """Take one token from the request's lane. Returns True when the request may be
        served, False when it must be throttled (the bucket is left as it was)."""
        limit = self._limits.get(service)
        if limit is None:
            return True
        rate, burst = limit
        lane = (service, account, region)
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(lane)
            if bucket is None:
                bucket = self._buckets[lane] = [burst, now]
            else:
                bucket[0] = min(burst, bucket[0] + (now - bucket[1]) * rate)
                bucket[1] = now
            if bucket[0] >= 1.0:
                bucket[0] -= 1.0
                return True
            self.throttled += 1
            return False
