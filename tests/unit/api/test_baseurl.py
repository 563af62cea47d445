"""Base URL normalisation: what users paste -> a base where {base}/chat/completions works."""

from __future__ import annotations

import pytest

from chatdesk.api import ValidationError, normalize_base_url

TABLE = [
    ("https://api000.com", "https://api000.com/v1"),
    ("https://api000.com/", "https://api000.com/v1"),
    ("https://api000.com/v1", "https://api000.com/v1"),
    ("https://api000.com/v1/", "https://api000.com/v1"),
    ("  https://api000.com/v1//  ", "https://api000.com/v1"),
    ("https://api000.com/v1/chat/completions", "https://api000.com/v1"),
    ("https://api000.com/v1/chat/completions/", "https://api000.com/v1"),
    ("https://api000.com/chat/completions", "https://api000.com/v1"),
    ("https://api000.com/v1/models", "https://api000.com/v1"),
    ("https://api.openai.com/v1/models?limit=5", "https://api.openai.com/v1"),
    ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1"),
    ("https://openrouter.ai/api/v1/chat/completions", "https://openrouter.ai/api/v1"),
    ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
    ("http://localhost:11434", "http://localhost:11434/v1"),
    ("HTTP://LOCALHOST:8000/v1", "http://LOCALHOST:8000/v1"),
    ("https://api.deepseek.com", "https://api.deepseek.com/v1"),
    (
        "https://dashscope.aliyuncs.com/compatible-mode/v1",
        "https://dashscope.aliyuncs.com/compatible-mode/v1",
    ),
    (
        "https://gateway.ai.cloudflare.com/v1/acc/gw/openai",
        "https://gateway.ai.cloudflare.com/v1/acc/gw/openai",
    ),
    (
        "https://gateway.ai.cloudflare.com/v1/acc/gw/openai/chat/completions",
        "https://gateway.ai.cloudflare.com/v1/acc/gw/openai",
    ),
    ("http://[::1]:9000/", "http://[::1]:9000/v1"),
]


@pytest.mark.parametrize(("pasted", "expected"), TABLE)
def test_normalize(pasted: str, expected: str) -> None:
    result = normalize_base_url(pasted)
    assert result == expected
    assert "/v1/v1" not in result + "/chat/completions"
    assert normalize_base_url(result) == result  # idempotent


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "api000.com/v1",
        "ftp://api000.com",
        "https://",
        "http:///v1",
        "https://host:port/v1",
        "https://exa mple.com/v1",
        "javascript:alert(1)",
    ],
)
def test_invalid(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_base_url(bad)
    assert info.value.field == "base_url"
