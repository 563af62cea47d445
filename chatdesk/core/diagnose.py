""" "Test connection": probe /models and a one-token completion, explain what is wrong."""

from __future__ import annotations

from chatdesk.api.errors import ApiError, ValidationError
from chatdesk.api.types import ChatMessage, ChatRequest

_TEXT = {
    "url": ("Base URL: {0}", "接口地址：{0}"),
    "bad_url": ("The base URL is not valid: {0}", "接口地址无效：{0}"),
    "models_ok": ("✓ /models answered with {0} models.", "✓ /models 返回了 {0} 个模型。"),
    "models_fail": ("✗ /models failed: {0}", "✗ /models 失败：{0}"),
    "chat_ok": (
        "✓ A one-token test with {0} worked (answered by {1}).",
        "✓ 使用 {0} 的单 token 测试成功（由 {1} 回答）。",
    ),
    "chat_fail": ("✗ The test completion with {0} failed: {1}", "✗ 使用 {0} 的测试补全失败：{1}"),
    "html": (
        "The server sent a web page instead of JSON: the base URL probably misses its API path "
        "(it usually ends with /v1).",
        "服务器返回了网页而不是 JSON：接口地址可能缺少 API 路径（通常以 /v1 结尾）。",
    ),
    "notfound": (
        "Not found: check that the base URL points at the API (usually ending with /v1).",
        "未找到：请确认接口地址指向 API（通常以 /v1 结尾）。",
    ),
    "nokey": ("No API key given.", "未提供 API 密钥。"),
}


#: The most model ids handed back to offer (a relay may list thousands).
MAX_OFFERED = 500


def _t(key: str, lang: str, *args: object) -> str:
    en, zh = _TEXT[key]
    return (zh if lang.startswith("zh") else en).format(*args)


def _why(exc: ApiError, lang: str) -> str:
    if exc.category == "protocol":
        return _t("html", lang)
    if exc.category == "not_found" and exc.code != "model_not_found":
        return _t("notfound", lang) + f" ({exc.message})"
    status = f" (HTTP {exc.http_status})" if exc.http_status else ""
    return f"{exc.explain(lang)}{status} {exc.message}".strip()


async def diagnose(
    base_url: str,
    api_key: str | None,
    model: str | None,
    *,
    lang: str = "en",
    found: list[str] | None = None,
) -> tuple[bool, str]:
    """Return (ok, multi-line report). Never raises for server problems.

    ``found``: filled with the ids of the server's models when it listed them (the
    first-run screen offers them in place of the built-in list).
    """
    from chatdesk.api.baseurl import normalize_base_url
    from chatdesk.api.client import ChatClient

    try:
        url = normalize_base_url(base_url)
    except ValidationError as exc:
        return False, _t("bad_url", lang, exc.message)
    lines = [_t("url", lang, url)]
    if not api_key:
        lines.append(_t("nokey", lang))
    ok = True
    models: list[dict[str, str]] = []
    try:
        client = ChatClient(url, api_key, max_retries=0, read_timeout=20)
    except ValidationError as exc:  # e.g. a key with spaces or non-ASCII characters
        return False, "\n".join([*lines, exc.message])
    async with client:
        try:
            models = await client.list_models()
            lines.append(_t("models_ok", lang, len(models)))
            if found is not None:
                found[:] = [str(m["id"]) for m in models if m.get("id")][:MAX_OFFERED]
        except ApiError as exc:
            ok = False
            lines.append(_t("models_fail", lang, _why(exc, lang)))
            if exc.category in ("protocol", "auth", "network"):
                return False, "\n".join(lines)
        test_model = model or (str(models[0]["id"]) if models else "gpt-4o-mini")
        request = ChatRequest(
            model=test_model,
            messages=[ChatMessage(role="user", content="Say OK.")],
            max_tokens=1,
            stream=False,
        )
        try:
            result = await client.complete(request)
            lines.append(_t("chat_ok", lang, test_model, result.model or test_model))
        except ApiError as exc:
            ok = False
            lines.append(_t("chat_fail", lang, test_model, _why(exc, lang)))
    return ok, "\n".join(lines)
