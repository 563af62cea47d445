"""Code snippets (cURL, Python, Node) that reproduce a chat request outside ChatDesk.

The "View code" dialog shows these so a user can replay exactly what ChatDesk would send.
No Qt here: the functions are pure so they can be tested without a display.

The API key is always masked: a snippet may end up in a bug report or a screenshot, so it
shows only the key's last four characters (enough to tell keys apart), or an environment
variable placeholder when no key is known.
"""

from __future__ import annotations

import json
import keyword
import math
import shlex
from typing import Any

from chatdesk.core import keys

__all__ = ["ENV_PLACEHOLDER", "curl_snippet", "mask_key", "node_snippet", "python_snippet"]

ENV_PLACEHOLDER = "$OPENAI_API_KEY"

# Keyword arguments the official ``openai`` Python SDK accepts on chat.completions.create();
# anything else must go through ``extra_body`` or the SDK raises TypeError.
_PY_SDK_PARAMS = frozenset(
    {
        "messages",
        "model",
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "metadata",
        "modalities",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
    }
)


def mask_key(key: str | None) -> str:
    """Return a display form of ``key`` that never reveals more than its last 4 characters.

    ``None`` or an empty key gives the ``$OPENAI_API_KEY`` placeholder. Keys too short to hide
    anything by showing 4 characters are masked completely.
    """
    if not key:
        return ENV_PLACEHOLDER
    return keys.mask_key(key.strip())


def _endpoint(base_url: str) -> str:
    """The chat completions URL for ``base_url`` (with or without a trailing slash)."""
    return base_url.rstrip("/") + "/chat/completions"


def _json_text(value: Any, indent: int | None = 2) -> str:
    """Pretty JSON that keeps non-ASCII text readable (Chinese stays Chinese).

    Falls back to ASCII escapes when the text cannot be encoded (lone surrogates), so the
    result is always writable as UTF-8.
    """
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, indent=indent, ensure_ascii=True)
    return text


def _shell_single_quote(text: str) -> str:
    """Quote for POSIX shells: inside single quotes only ``'`` itself needs care."""
    return "'" + text.replace("'", "'\\''") + "'"


# --------------------------------------------------------------------------- cURL


def curl_snippet(base_url: str, body: dict[str, Any], api_key: str | None) -> str:
    """A POSIX-shell ``curl`` command posting ``body`` to ``{base_url}/chat/completions``."""
    if api_key:
        auth = _shell_single_quote("Authorization: Bearer " + mask_key(api_key))
    else:
        # Double quotes so the shell expands the environment variable.
        auth = '"Authorization: Bearer ' + ENV_PLACEHOLDER + '"'
    lines = [
        "curl " + shlex.quote(_endpoint(base_url)),
        '-H "Content-Type: application/json"',
        "-H " + auth,
    ]
    if body.get("stream"):
        lines.append("--no-buffer")  # print SSE events as they arrive
    lines.append("-d " + _shell_single_quote(_json_text(body)))
    return " \\\n  ".join(lines) + "\n"


# --------------------------------------------------------------------------- Python


def _py_string(text: str) -> str:
    """A double-quoted Python string literal (JSON string escapes are valid Python escapes)."""
    return _json_text(text, indent=None)


def _py_literal(value: Any, level: int) -> str:
    """Render a JSON value as Python source, indented for nesting ``level``."""
    pad = "    " * (level + 1)
    end = "    " * level
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f'float("{value}")'
        return repr(value)
    if isinstance(value, str):
        return _py_string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{pad}{_py_string(str(k))}: {_py_literal(v, level + 1)}," for k, v in value.items()
        ]
        return "{\n" + "\n".join(items) + "\n" + end + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [f"{pad}{_py_literal(v, level + 1)}," for v in value]
        return "[\n" + "\n".join(items) + "\n" + end + "]"
    # Not a JSON type: fall back to its string form so the snippet still compiles.
    return _py_string(str(value))


def _is_py_kwarg(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and name in _PY_SDK_PARAMS


def python_snippet(base_url: str, body: dict[str, Any], api_key: str | None) -> str:
    """Python using the official ``openai`` SDK, with the body written out as keyword args.

    Fields the SDK does not know go into ``extra_body`` so the call still works.
    """
    lines = []
    if not api_key:
        lines.append("import os")
        lines.append("")
    lines.append("from openai import OpenAI")
    lines.append("")
    if api_key:
        key_src = _py_string(mask_key(api_key)) + ",  # masked: paste your full key here"
    else:
        key_src = 'os.environ["OPENAI_API_KEY"],'
    lines += [
        "client = OpenAI(",
        f"    base_url={_py_string(base_url)},",
        f"    api_key={key_src}",
        ")",
        "",
    ]
    stream = bool(body.get("stream"))
    var = "stream" if stream else "response"
    lines.append(f"{var} = client.chat.completions.create(")
    extra: dict[str, Any] = {}
    for name, value in body.items():
        if _is_py_kwarg(name):
            lines.append(f"    {name}={_py_literal(value, 1)},")
        else:
            extra[name] = value
    if extra:
        lines.append(f"    extra_body={_py_literal(extra, 1)},")
    lines.append(")")
    if stream:
        lines += [
            "for chunk in stream:",
            "    if chunk.choices and chunk.choices[0].delta.content:",
            '        print(chunk.choices[0].delta.content, end="", flush=True)',
            "print()",
        ]
    else:
        lines.append("print(response.choices[0].message.content)")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Node


def _js_key(name: str) -> str:
    """Object keys are left bare when they are plain identifiers, quoted otherwise."""
    if name.isascii() and name.isidentifier():
        return name
    return _json_text(name, indent=None)


def _js_literal(value: Any, level: int) -> str:
    """Render a JSON value as a JavaScript literal (JSON is valid JS since ES2019)."""
    pad = "  " * (level + 1)
    end = "  " * level
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}{_js_key(str(k))}: {_js_literal(v, level + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + "\n" + end + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [f"{pad}{_js_literal(v, level + 1)}," for v in value]
        return "[\n" + "\n".join(items) + "\n" + end + "]"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "null"
    if value is None or isinstance(value, bool | int | float | str):
        return _json_text(value, indent=None)
    return _json_text(str(value), indent=None)


def node_snippet(base_url: str, body: dict[str, Any], api_key: str | None) -> str:
    """An ES module using the ``openai`` npm package (top-level await)."""
    if api_key:
        key_src = _json_text(mask_key(api_key), indent=None) + ", // masked: paste your full key"
    else:
        key_src = "process.env.OPENAI_API_KEY,"
    lines = [
        'import OpenAI from "openai";',
        "",
        "const client = new OpenAI({",
        f"  baseURL: {_json_text(base_url, indent=None)},",
        f"  apiKey: {key_src}",
        "});",
        "",
    ]
    stream = bool(body.get("stream"))
    var = "stream" if stream else "completion"
    lines.append(f"const {var} = await client.chat.completions.create({_js_literal(body, 0)});")
    if stream:
        lines += [
            "for await (const chunk of stream) {",
            '  process.stdout.write(chunk.choices[0]?.delta?.content ?? "");',
            "}",
            'process.stdout.write("\\n");',
        ]
    else:
        lines.append("console.log(completion.choices[0].message.content);")
    return "\n".join(lines) + "\n"
