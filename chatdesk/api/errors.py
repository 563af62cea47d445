"""The one error hierarchy of the client.

::

    ChatdeskError                 anything shown to the user (never a bug)
    └── ApiError                  a request failed; .category says why
        ├── AuthError             401: bad or missing key                 category "auth"
        ├── PermissionDeniedError 403: key may not use this               "permission"
        ├── NotFoundError         404 or code model_not_found             "not_found"
        ├── RateLimitError        429; .retry_after_s when known          "rate_limit"
        ├── QuotaError            no credit / insufficient_quota          "quota"
        ├── BadRequestError       400/422: the server refused the body    "bad_request"
        ├── ContentFilterError    the answer or prompt was filtered       "content_filter"
        ├── ServerError           5xx                                     "server"
        ├── NetworkError          connect, TLS, timeout, dropped stream   "network"
        └── ProtocolError         HTML page, unparseable JSON/SSE         "protocol"
    ValidationError               a request field out of range (before sending)

Every :class:`ApiError` keeps the server's own message, the HTTP status, and the text
received before the failure (``partial``) so that no word of an answer is lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chatdesk.errors import ChatdeskError

if TYPE_CHECKING:  # the types module loads with the first request, not with the errors
    from chatdesk.api.types import ChatResult


class ValidationError(ChatdeskError, ValueError):
    """A request field is invalid; raised before anything is sent."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# A 401 to a request that carried no key: nothing was rejected, a key is missing.
_NO_KEY_SENT = (
    "No API key was sent, and this server requires one. Set the key for this provider: "
    "Settings in the window, or `chatdesk keys set NAME` (or CHATDESK_API_KEY) in a terminal.",
    "请求未附带 API 密钥，而该服务器需要密钥。请为该服务商设置密钥：在窗口的“设置”中，"
    "或在终端运行 `chatdesk keys set 名称`（或设置 CHATDESK_API_KEY）。",
)
# HTTP 501: the server exists but has no such endpoint (not an internal error).
_NOT_IMPLEMENTED = (
    "The server does not implement this request (no such endpoint there). Check that the "
    "base URL points at an OpenAI-compatible API.",
    "服务器未实现此请求（没有这个接口）。请检查接口地址是否指向兼容 OpenAI 的 API。",
)

# category -> (English, Chinese) short explanation
_EXPLANATIONS: dict[str, tuple[str, str]] = {
    "auth": (
        "The API key was rejected. Check the key for this provider.",
        "API 密钥无效或已失效，请检查该服务商的密钥。",
    ),
    "permission": (
        "This key is not allowed to use this model or endpoint.",
        "该密钥无权使用此模型或接口。",
    ),
    "not_found": (
        "The server does not know this model or address. Check the model name and base URL.",
        "服务器找不到该模型或地址，请检查模型名称和接口地址。",
    ),
    "rate_limit": (
        "Too many requests: the server asks you to wait before retrying.",
        "请求过于频繁，服务器要求稍后再试。",
    ),
    "quota": (
        "The account has no credit left. Top up the balance with your provider.",
        "账户余额或额度不足，请到服务商处充值。",
    ),
    "bad_request": (
        "The server refused the request as invalid.",
        "服务器认为请求参数有误，拒绝了请求。",
    ),
    "content_filter": (
        "The request or the answer was blocked by the provider's content filter.",
        "请求或回答被服务商的内容过滤拦截。",
    ),
    "server": (
        "The server had an internal error. Try again in a moment.",
        "服务器内部错误，请稍后重试。",
    ),
    "network": (
        "Could not reach the server (network down, timeout or connection dropped).",
        "无法连接服务器（网络中断、超时或连接被断开）。",
    ),
    "protocol": (
        "The server answered with something that is not an API response "
        "(an HTML page or broken data). Check the base URL.",
        "服务器返回的不是 API 响应（可能是网页或损坏的数据），请检查接口地址。",
    ),
}


class ApiError(ChatdeskError):
    """A request to the server failed; see the module docstring for the tree."""

    category = "unknown"

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        code: str | None = None,
        retry_after_s: float | None = None,
        partial: ChatResult | None = None,
        body: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.code = code
        self.retry_after_s = retry_after_s
        self.partial = partial
        # The raw body (trimmed) for a "details" view; never contains the key.
        self.body = body
        # False when the request went out without an API key (None: not known).
        self.key_sent: bool | None = None

    def explain(self, lang: str = "en") -> str:
        """A short human explanation in English (``en``) or Chinese (``zh``)."""
        if self.category == "auth" and self.key_sent is False:
            en, zh = _NO_KEY_SENT
        elif self.http_status == 501:
            en, zh = _NOT_IMPLEMENTED
        else:
            en, zh = _EXPLANATIONS.get(self.category, ("The request failed.", "请求失败。"))
        text = zh if lang.startswith("zh") else en
        if self.retry_after_s is not None:
            secs = max(1, round(self.retry_after_s))
            text += f" 请在 {secs} 秒后重试。" if lang.startswith("zh") else f" Retry in {secs} s."
        return text

    @property
    def partial_content(self) -> str:
        return self.partial.content if self.partial else ""

    @property
    def in_band(self) -> bool:
        """An error the server reported inside a successful (2xx) answer, such as
        llama.cpp's ``error:`` line in a 200 stream: its own code is not the status."""
        return self.http_status is not None and 200 <= self.http_status < 300

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "category": self.category,
            "http_status": self.http_status,
            "message": self.message,
            "retry_after_s": self.retry_after_s,
        }
        if self.in_band and self.code:
            out["code"] = self.code  # beside the status as received
        return out

    def _status_text(self) -> str:
        if not self.http_status:
            return ""
        if self.in_band and self.code:
            return f" (HTTP {self.http_status}, error code {self.code})"
        return f" (HTTP {self.http_status})"

    def __str__(self) -> str:
        return f"{self.explain()}{self._status_text()} {self.message}".strip()


class AuthError(ApiError):
    category = "auth"


class PermissionDeniedError(ApiError):
    category = "permission"


class NotFoundError(ApiError):
    category = "not_found"


class RateLimitError(ApiError):
    category = "rate_limit"


class QuotaError(ApiError):
    category = "quota"


class BadRequestError(ApiError):
    category = "bad_request"


class ContentFilterError(ApiError):
    category = "content_filter"


class ServerError(ApiError):
    category = "server"


class NetworkError(ApiError):
    category = "network"


class ProtocolError(ApiError):
    category = "protocol"


ERROR_CLASSES: dict[str, type[ApiError]] = {
    cls.category: cls
    for cls in (
        AuthError,
        PermissionDeniedError,
        NotFoundError,
        RateLimitError,
        QuotaError,
        BadRequestError,
        ContentFilterError,
        ServerError,
        NetworkError,
        ProtocolError,
    )
}
