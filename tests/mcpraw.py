"""A hand-written JSON-RPC MCP server that misbehaves where the SDK's servers cannot.

Ours, on purpose, without the SDK: it writes each answer itself, so it can send a
50 MB line, a line that never ends, a result nested 250 levels deep, or flood its
stderr. Usage: python tests/mcpraw.py [--helper PIDFILE] [--stderr-mb N]

  --helper PIDFILE  start a helper in a session of its own (os.setsid) that outlives
                    this server unless someone kills it; its pid goes to PIDFILE
  --stderr-mb N     write N MB to stderr before answering (then "last words")
  --hostile-names   also list a tool whose name and description hold terminal escapes

Tools: ``big`` (argument ``mb``), ``endless``, ``deep`` (argument ``levels``),
``late_id`` (50 MB with the id after the result), ``echo``. The server exits when
its stdin closes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

TOOLS = ["big", "endless", "deep", "late_id", "echo"]


def send(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def write(text: str) -> None:
    sys.stdout.write(text)


def call(request_id: Any, name: str, args: dict[str, Any]) -> None:
    out = sys.stdout
    head = '{"jsonrpc": "2.0", "id": ID, "result": {"content": [{"type": "text", "text": "'
    if name in ("big", "endless"):
        out.write(head.replace("ID", json.dumps(request_id)))
        block = "x" * (1 << 20)
        count = int(args.get("mb", 50)) if name == "big" else 1 << 30
        try:
            for _ in range(count):
                out.write(block)
            out.write('"}]}}\n')
            out.flush()
        except BrokenPipeError:
            sys.exit(0)
    elif name == "late_id":
        text = "x" * (50 << 20)
        out.write('{"jsonrpc": "2.0", "result": {"content": [{"type": "text", "text": "')
        out.write(text + '"}]}, "id": ' + json.dumps(request_id) + "}\n")
        out.flush()
    elif name == "deep":
        levels = int(args.get("levels", 250))
        nested = "[" * levels + "1" + "]" * levels
        body = '{"content": [{"type": "text", "text": "deep"}], "structuredContent": {"v": V}}'
        rid = json.dumps(request_id)
        out.write(f'{{"jsonrpc": "2.0", "id": {rid}, "result": {body.replace("V", nested)}}}\n')
        out.flush()
    else:
        send(
            {
                "jsonrpc": "2.0",
                "id": request_id,
                "result": {"content": [{"type": "text", "text": f"echo: {args.get('text', '')}"}]},
            }
        )


def main() -> None:
    argv = sys.argv[1:]
    if "--helper" in argv:
        pidfile = argv[argv.index("--helper") + 1]
        helper = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(600)"],
            start_new_session=True,  # os.setsid: a group and session of its own
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(pidfile, "w", encoding="ascii") as fh:
            fh.write(str(helper.pid))
    if "--stderr-mb" in argv:
        mb = int(argv[argv.index("--stderr-mb") + 1])
        line = ("log " * 255 + "\n").encode()  # 1 KB
        for _ in range(mb * 1024):
            os.write(2, line)
        os.write(2, b"last words\n")
    for raw in sys.stdin:
        message = json.loads(raw)
        method, request_id = message.get("method"), message.get("id")
        if request_id is None:
            continue  # a notification
        if method == "initialize":
            send(
                {
                    "jsonrpc": "2.0",
                    "id": request_id,
                    "result": {
                        "protocolVersion": message["params"]["protocolVersion"],
                        "capabilities": {"tools": {}},
                        "serverInfo": {"name": "raw", "version": "1"},
                    },
                }
            )
        elif method == "tools/list":
            tools = [{"name": n, "inputSchema": {"type": "object"}} for n in TOOLS]
            if "--hostile-names" in argv:
                tools.append(
                    {
                        "name": "x\x1b]0;pwned\x07y",
                        "description": "\u202eevil\x1b[2J\x1b[31mred",
                        "inputSchema": {"type": "object"},
                    }
                )
            send({"jsonrpc": "2.0", "id": request_id, "result": {"tools": tools}})
        elif method == "tools/call":
            params = message.get("params") or {}
            call(request_id, params.get("name", ""), params.get("arguments") or {})
        elif method == "ping":
            send({"jsonrpc": "2.0", "id": request_id, "result": {}})
        else:
            send(
                {
                    "jsonrpc": "2.0",
                    "id": request_id,
                    "error": {"code": -32601, "message": "method not found"},
                }
            )


if __name__ == "__main__":
    main()
