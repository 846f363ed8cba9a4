"""The exceptions of the client and the HTTP API: every one is a SwitchboardError with a ``code``."""

from __future__ import annotations


class SwitchboardError(Exception):
    """Base of every error this package raises. ``code`` says what kind: a protocol error code (``forbidden``), a
    WebSocket close code (``1008``), or one of this package's own (``timeout``, ``buffer_full``)."""

    def __init__(self, message: str, code: str | int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class CommandError(SwitchboardError):
    """The server refused a command: ``code`` is the protocol error code (``bad_request``, ``forbidden``,
    ``not_found``, ...), ``message`` the server's words."""

    def __init__(self, code: str, message: str, command: str | None = None) -> None:
        what = f"{command} failed: " if command else ""
        super().__init__(f"{what}{code}: {message}" if message else f"{what}{code}", code)
        self.server_message = message
        self.command = command


class SwitchboardConnectionError(SwitchboardError):
    """The connection ended (or could not be made) in a way the command or the client cannot get past: ``code`` is
    the close code when the server sent one (``1008`` authentication failed, ``4005`` kicked), else ``None``."""

    def __init__(self, message: str, code: int | None = None, reason: str = "") -> None:
        super().__init__(message, code)
        self.reason = reason


class SwitchboardTimeoutError(SwitchboardError, TimeoutError):
    """A command got no result in time (its time in the offline buffer included)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "timeout")


class BufferFullError(SwitchboardError):
    """The offline buffer was full: the command was not buffered (or was dropped from it), and never sent."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "buffer_full")


class ApiError(SwitchboardError):
    """The HTTP API refused a request (``code`` as in docs/http-api.md, ``status`` the HTTP status) or could not be
    reached (``code`` ``unavailable``, ``status`` ``None``)."""

    def __init__(self, code: str, message: str, status: int | None) -> None:
        where = f"HTTP {status}" if status is not None else "no answer"
        super().__init__(f"{code} ({where}): {message}", code)
        self.server_message = message
        self.status = status
