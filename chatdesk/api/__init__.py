"""The HTTP client layer: requests, streaming, errors (no Qt here, ever).

Only the errors and the built-in model list load with the package; the rest (the
request and event types, the client and with it httpx, the SSE parser, validation) on
first use, so `chatdesk --version` and the window's first paint do not pay for them.
"""

from typing import TYPE_CHECKING, Any

# Eager: the function shares its module's name, which a lazy lookup would shadow.
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

_LAZY = {
    "ChatAccumulator": "types",
    "ChatMessage": "types",
    "ChatRequest": "types",
    "ChatResult": "types",
    "ChoiceResult": "types",
    "FinishEvent": "types",
    "ModelEvent": "types",
    "ReasoningDelta": "types",
    "StreamEvent": "types",
    "TextDelta": "types",
    "ToolCall": "types",
    "ToolCallDelta": "types",
    "Usage": "types",
    "UsageEvent": "types",
    "ChatClient": "client",
    "error_from_response": "classify",
    "network_error": "classify",
    "result_from_events": "wire",
    "retry_after_from_headers": "classify",
    "retry_after_from_message": "classify",
    "normalize_base_url": "baseurl",
    "SSEParser": "sse",
    "build_body": "validate",
    "image_part": "validate",
    "validate_request": "validate",
}

if TYPE_CHECKING:
    from chatdesk.api.baseurl import normalize_base_url  # noqa: F401
    from chatdesk.api.classify import (  # noqa: F401
        error_from_response,
        network_error,
        retry_after_from_headers,
        retry_after_from_message,
    )
    from chatdesk.api.client import ChatClient  # noqa: F401
    from chatdesk.api.sse import SSEParser  # noqa: F401
    from chatdesk.api.types import (  # noqa: F401
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
    from chatdesk.api.validate import build_body, image_part, validate_request  # noqa: F401
    from chatdesk.api.wire import result_from_events  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(f"chatdesk.api.{module}"), name)
