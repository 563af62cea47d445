"""Tests for chatdesk.core.chat.codegen: snippets are valid code, carry the body, hide the key."""

from __future__ import annotations

import ast
import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from chatdesk.core.chat.codegen import (
    ENV_PLACEHOLDER,
    curl_snippet,
    mask_key,
    node_snippet,
    python_snippet,
)

BASE = "https://api000.com/v1"
KEY = "sk-proj-SECRETsecretSECRET9876abcd"

BODY: dict[str, Any] = {
    "model": "gpt-4o",
    "messages": [
        {"role": "system", "content": "You're \"helpful\"; it's fine.\nSecond line \\ backslash"},
        {"role": "user", "content": "你好，世界！ Say 'hi' $HOME `date`"},
    ],
    "temperature": 0.7,
    "max_tokens": 256,
    "stop": ["\n\n", "END"],
    "response_format": {"type": "json_object"},
    "seed": 12345678901234,
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {}, "required": []},
            },
        }
    ],
    "tool_choice": "auto",
    "stream": False,
    "user": None,
}


def curl_payload(snippet: str) -> str:
    """The -d argument of a curl snippet, parsed as a POSIX shell would."""
    args = shlex.split(snippet.replace("\\\n", " "))
    return args[args.index("-d") + 1]


def test_mask_key_shows_only_last_four() -> None:
    masked = mask_key(KEY)
    assert masked.endswith("abcd")
    assert "SECRET" not in masked and "sk-" not in masked
    assert masked == "\u2022" * 8 + "abcd"


@pytest.mark.parametrize("key", [None, ""])
def test_mask_key_placeholder(key: str | None) -> None:
    assert mask_key(key) == ENV_PLACEHOLDER


def test_mask_key_short_key_fully_hidden() -> None:
    assert "1234" not in mask_key("sk-1234")


@pytest.mark.parametrize("fn", [curl_snippet, python_snippet, node_snippet])
@pytest.mark.parametrize("stream", [False, True])
def test_key_never_unmasked(fn: Any, stream: bool) -> None:
    text = fn(BASE, {**BODY, "stream": stream}, KEY)
    assert KEY not in text
    assert "SECRET" not in text
    assert mask_key(KEY) in text


@pytest.mark.parametrize("fn", [curl_snippet, python_snippet, node_snippet])
def test_chinese_preserved(fn: Any) -> None:
    assert "你好，世界！" in fn(BASE, BODY, KEY)


@pytest.mark.parametrize("stream", [False, True])
def test_curl_payload_parses_back(stream: bool) -> None:
    body = {**BODY, "stream": stream}
    snippet = curl_snippet(BASE, body, KEY)
    assert json.loads(curl_payload(snippet)) == body
    assert "https://api000.com/v1/chat/completions" in snippet


def test_curl_without_key_uses_env_var() -> None:
    snippet = curl_snippet(BASE + "/", BODY, None)
    assert '"Authorization: Bearer $OPENAI_API_KEY"' in snippet
    assert "/v1/chat/completions" in snippet and "//chat" not in snippet


@pytest.mark.parametrize("key", [KEY, None])
@pytest.mark.parametrize("stream", [False, True])
def test_python_compiles_and_carries_body(key: str | None, stream: bool) -> None:
    body = {**BODY, "stream": stream}
    src = python_snippet(BASE, body, key)
    compile(src, "<snippet>", "exec")
    tree = ast.parse(src)
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "create"
    ]
    assert len(calls) == 1
    kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in calls[0].keywords}
    assert kwargs == body
    assert "user=None" in src
    assert ("for chunk in stream" in src) is stream
    assert "from openai import OpenAI" in src
    if key is None:
        assert 'os.environ["OPENAI_API_KEY"]' in src


def test_python_unknown_fields_go_to_extra_body() -> None:
    body = {"model": "m", "messages": [], "top_k": 5, "class": 1}
    src = python_snippet(BASE, body, KEY)
    call = [
        n
        for n in ast.walk(ast.parse(src))
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "create"
    ][0]
    kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}
    assert kwargs == {"model": "m", "messages": [], "extra_body": {"top_k": 5, "class": 1}}


@pytest.mark.parametrize("stream", [False, True])
def test_node_snippet_shape(stream: bool) -> None:
    src = node_snippet(BASE, {**BODY, "stream": stream}, None)
    assert 'import OpenAI from "openai";' in src
    assert "process.env.OPENAI_API_KEY" in src
    assert ("for await (const chunk of stream)" in src) is stream


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
@pytest.mark.parametrize("stream", [False, True])
def test_node_snippet_parses_and_carries_body(tmp_path: Path, stream: bool) -> None:
    """Node checks the syntax; evaluating the object literal must give the body back."""
    body = {**BODY, "stream": stream}
    src = node_snippet(BASE, body, KEY)
    path = tmp_path / "snippet.mjs"
    path.write_text(src, encoding="utf-8")
    subprocess.run(["node", "--check", str(path)], check=True, capture_output=True)
    # Swap the SDK for a stub that prints the request body as JSON.
    stub = (
        "class OpenAI { constructor() { this.chat = { completions: { create: async (b) => {"
        " console.log(JSON.stringify(b)); return b.stream ? [] :"
        " {choices: [{message: {content: ''}}]}; } } }; } }\n"
    )
    runnable = src.replace('import OpenAI from "openai";', stub)
    path.write_text(runnable, encoding="utf-8")
    out = subprocess.run(
        ["node", str(path)], check=True, capture_output=True, text=True, encoding="utf-8"
    )
    assert json.loads(out.stdout.splitlines()[0]) == body


def test_python_key_line_keeps_comma_before_comment() -> None:
    src = python_snippet(BASE, BODY, KEY)
    assert f'    api_key="{mask_key(KEY)}",  # masked' in src
