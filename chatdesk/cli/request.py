"""What ``ask`` and ``compare`` build a request from: the per-request flags (see
:func:`chatdesk.cli.parser.add_request_flags`), a tools file, the images, and the
check that a remote server has a key before anything is sent."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from chatdesk.cli._common import UsageError


def request_params(args: argparse.Namespace) -> dict[str, Any]:
    """The request parameters given on the command line (unset ones left out)."""
    params: dict[str, Any] = {
        "temperature": args.temperature,
        "top_p": args.top_p,
        "max_tokens": args.max_tokens,
        "n": getattr(args, "n", None),
        "stop": args.stop,
        "presence_penalty": args.presence_penalty,
        "frequency_penalty": args.frequency_penalty,
        "response_format": {"type": "json_object"} if args.json_object else None,
        "seed": args.seed,
        "user": args.user,
        "tools": read_tools(args.tools) if args.tools else None,
        "tool_choice": tool_choice(args.tool_choice),
    }
    return {k: v for k, v in params.items() if v is not None}


MAX_TOOLS_BYTES = 1 << 20  # a tools file is a few kB; /dev/zero must not read forever


def read_tools(path: str) -> list[Any]:
    """The --tools file as a list of tool objects; every problem names the file."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_TOOLS_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read tools file {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_TOOLS_BYTES:
        raise UsageError(f"tools file {path} is larger than {MAX_TOOLS_BYTES >> 20} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"tools file {path} is not UTF-8 text") from None
    try:
        tools = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"tools file {path} is not valid JSON "
            f"(line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise UsageError(f"tools file {path} is nested too deeply") from None
    if not isinstance(tools, list):
        raise UsageError(f"tools file {path} must hold a JSON array of tool objects")
    for i, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise UsageError(
                f"tools file {path}: item {i + 1} is not a tool object "
                '({"type": "function", "function": {"name": ..., "parameters": ...}})'
            )
    return tools


def require_key(endpoint: Any) -> None:
    """No key for this server and a remote server: say how to set one instead of sending
    a request that can only be refused (a local server is tried without a key)."""
    from chatdesk.core.keys import is_openai_url
    from chatdesk.core.services import server_label
    from chatdesk.core.urls import is_local_url

    if endpoint.api_key or is_local_url(endpoint.base_url):
        return
    label = server_label(endpoint.name, endpoint.base_url)
    how = (
        f"Store one with `chatdesk keys set {endpoint.name}` (it reads the key from standard "
        "input), or set CHATDESK_API_KEY for this shell."
        if endpoint.name
        else "Set CHATDESK_API_KEY for this shell, or add the server as a provider "
        "(`chatdesk providers add NAME --base-url URL`) and store its key with "
        "`chatdesk keys set NAME`."
    )
    unused = ""
    if os.environ.get("OPENAI_API_KEY", "").strip() and not is_openai_url(endpoint.base_url):
        unused = (
            " OPENAI_API_KEY is set but is only sent to api.openai.com (or to OPENAI_BASE_URL),"
            " never to another server."
        )
    raise UsageError(f"no API key is set for {label}. {how}{unused}")


def tool_choice(value: str | None) -> Any:
    if value is None:
        return None
    if value in ("auto", "none", "required"):
        return value
    return {"type": "function", "function": {"name": value}}


def split_images(items: list[str] | None) -> tuple[list[tuple[bytes, str]], list[str]]:
    """``--image`` values: files read (bytes, MIME type) and URLs passed on as given."""
    from chatdesk.api.validate import read_image_file

    images: list[tuple[bytes, str]] = []
    urls: list[str] = []
    for item in items or []:
        if item.startswith(("http://", "https://", "data:image/")):
            urls.append(item)
        else:
            images.append(read_image_file(item))
    return images, urls
