"""The HTTP client layer: requests, streaming, errors (no Qt here, ever).

The client (and with it httpx) is imported on first use, so that importing the
error or type modules stays cheap for `chatdesk --version` and the window start-up.
"""

from typing import TYPE_CHECKING, Any

from chatdesk.api.baseurl import normalize_base_url
from chatdesk.api.builtin_models import BUILTIN_MODELS, builtin_models
from chatdesk.api.errors import (
    ERROR_CLASSES,
    ApiError,
    AuthError,
    BadRequestError,
    ChatdeskError,
    ContentFilterError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    QuotaError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from chatdesk.api.sse import SSEParser
from chatdesk.api.types import (
    ChatAccumulator,
    ChatMessage,
    ChatRequest,
    ChatResult,
    ChoiceResult,
    FinishEvent,
    ModelEvent,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageEvent,
)
from chatdesk.api.validate import build_body, image_part, validate_request

__all__ = [
    "BUILTIN_MODELS",
    "ERROR_CLASSES",
    "ApiError",
    "AuthError",
    "BadRequestError",
    "ChatAccumulator",
    "ChatClient",
    "ChatMessage",
    "ChatRequest",
    "ChatResult",
    "ChatdeskError",
    "ChoiceResult",
    "ContentFilterError",
    "FinishEvent",
    "ModelEvent",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "QuotaError",
    "RateLimitError",
    "ReasoningDelta",
    "SSEParser",
    "ServerError",
    "StreamEvent",
    "TextDelta",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
    "UsageEvent",
    "ValidationError",
    "build_body",
    "builtin_models",
    "error_from_response",
    "image_part",
    "network_error",
    "normalize_base_url",
    "result_from_events",
    "retry_after_from_headers",
    "retry_after_from_message",
    "validate_request",
]

_LAZY_CLIENT = (
    "ChatClient",
    "error_from_response",
    "network_error",
    "result_from_events",
    "retry_after_from_headers",
    "retry_after_from_message",
)

if TYPE_CHECKING:
    from chatdesk.api.client import (  # noqa: F401
        ChatClient,
        error_from_response,
        network_error,
        result_from_events,
        retry_after_from_headers,
        retry_after_from_message,
    )


def __getattr__(name: str) -> Any:
    if name in _LAZY_CLIENT:
        from chatdesk.api import client

        return getattr(client, name)
    raise AttributeError(name)
