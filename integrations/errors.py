"""Errors of the tracker clients, all under :class:`bot.errors.TrackerError`.

::

    TrackerError (bot.errors)
    └── SourceError                 one source failed; ``source`` and ``kind`` name it for metrics
        ├── SourceTimeoutError      no answer within trackers.request_timeout_s
        ├── SourceConnectionError   connection refused, reset, DNS failure
        ├── SourceHTTPError         a non-2xx answer (``status``)
        │   ├── SourceNotFoundError     404: the path is not served there, or the chain's NotFound (``body``)
        │   └── SourceRateLimitedError  429; ``retry_after_s`` from the Retry-After header
        ├── BadPayloadError         not JSON, truncated, or not the shape the recordings show
        ├── InconsistentPayloadError well-formed but not believable (no participants, epoch went back)
        └── SourceDisabledError     the source cannot be used (hashiro: no public API)
"""

from __future__ import annotations

from bot.errors import TrackerError


class SourceError(TrackerError):
    kind = "error"

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


class SourceTimeoutError(SourceError):
    kind = "timeout"


class SourceConnectionError(SourceError):
    kind = "connection"


class SourceHTTPError(SourceError):
    kind = "http"

    def __init__(self, source: str, message: str, status: int) -> None:
        super().__init__(source, message)
        self.status = status


class SourceNotFoundError(SourceHTTPError):
    """A 404. ``body`` is the start of the answer: the chain's grpc-gateway NotFound (``{"code": 5, ...}``)
    says "no such record"; anything else says the path is not served there (an endpoint turned off)."""

    kind = "not_found"

    def __init__(self, source: str, message: str, body: str) -> None:
        super().__init__(source, message, 404)
        self.body = body


class SourceRateLimitedError(SourceHTTPError):
    kind = "rate_limited"

    def __init__(self, source: str, message: str, retry_after_s: float | None) -> None:
        super().__init__(source, message, 429)
        self.retry_after_s = retry_after_s


class BadPayloadError(SourceError):
    kind = "bad_payload"


class InconsistentPayloadError(SourceError):
    kind = "inconsistent"


class SourceDisabledError(SourceError):
    kind = "disabled"
