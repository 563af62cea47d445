"""``chatdesk mcp ...`` and the tool loop of ``chatdesk ask --mcp NAME``.

Server settings are shared with the window (:mod:`chatdesk.core.tools.mcpconfig`); the
``mcp`` SDK itself loads only when a server is started.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from chatdesk.cli._common import UsageError, open_store, print_json
from chatdesk.cli.parser import add_mcp_server_options
from chatdesk.errors import ChatdeskError

if TYPE_CHECKING:
    from chatdesk.core.chat.runner import TurnObserver, TurnResult, TurnRunner
    from chatdesk.core.tools.mcpmanager import McpManager
    from chatdesk.core.tools.toolloop import PendingCall, ToolRun, ToolSetup
    from chatdesk.store import Store


class McpSecretsError(ChatdeskError):
    """A server's env values or headers could not go to the keyring.

    Said in its own words: the keyring's own message is about the API key
    (CHATDESK_API_KEY), which has nothing to do with a server's environment.
    """

    kind = "keyring"

    def __init__(self, server: str, cause: Exception) -> None:
        from chatdesk.core.keys import KeyringUnavailableError

        why = (
            "no system keyring is available"
            if isinstance(cause, KeyringUnavailableError)
            else f"the system keyring failed ({cause})"
        )
        super().__init__(
            f"MCP server {server} was not saved: its --env and --header values are secrets "
            f"for the server's environment and requests, kept only in the system keyring, "
            f"and {why}. Install and start a Secret Service (e.g. gnome-keyring or KWallet), "
            "or add the server without --env/--header."
        )


class _AfterName(argparse.ArgumentParser):
    """Parses the options given after NAME; a mistake is a usage error like the others."""

    def error(self, message: str) -> Any:
        raise UsageError(f"mcp add: {message}")


def split_add(args: argparse.Namespace) -> list[str]:
    """Fold the options given after NAME into ``args``; the server's command line.

    ``mcp add NAME --env K=V -- CMD ARGS`` is as good as ``mcp add --env K=V NAME
    -- CMD ARGS``. Without ``--``, what follows the options is the command.
    """
    rest = list(args.server_command)
    if not rest or not rest[0].startswith("-") or rest[0] == "--":
        return rest[1:] if rest[:1] == ["--"] else rest
    cut = rest.index("--") if "--" in rest else len(rest)
    parser = _AfterName(prog="chatdesk mcp add NAME", add_help=False)
    add_mcp_server_options(parser, defaults=False)
    extra, unknown = parser.parse_known_args(rest[:cut])
    command = rest[cut + 1 :]
    if unknown and cut < len(rest):
        raise UsageError(f"mcp add: unknown option {unknown[0]!r} before --")
    if cut == len(rest):
        command = unknown
    for key in ("header", "env"):
        if getattr(extra, key):
            setattr(args, key, [*getattr(args, key), *getattr(extra, key)])
    for key in ("url", "cwd", "timeout", "disabled"):
        if getattr(extra, key) is not None:
            setattr(args, key, getattr(extra, key))
    return command


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--{what} {item!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


def _settings(store: Store) -> Any:
    from chatdesk.core.keys import KeyStore
    from chatdesk.core.tools.mcpconfig import McpSettings

    return McpSettings(store, KeyStore())


def make_manager(store: Store, start_timeout: float | None = None) -> McpManager:
    """A manager over the stored servers (secrets read when a server starts)."""
    from chatdesk.core.tools.mcpmanager import START_TIMEOUT_S, McpManager

    settings = _settings(store)
    return McpManager(
        lambda name: settings.get(name, secrets=True),
        start_timeout=start_timeout or START_TIMEOUT_S,
    )


def cmd_mcp(args: argparse.Namespace) -> int:
    from chatdesk.core.tools.mcpconfig import McpConfigError

    store = open_store()
    try:
        return _mcp(store, args)
    except McpConfigError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()


def _mcp(store: Store, args: argparse.Namespace) -> int:
    settings = _settings(store)
    if args.action == "add":
        from chatdesk.core.keys import KeyringProblem
        from chatdesk.core.tools.mcpconfig import ServerConfig

        command = split_add(args)
        if bool(command) == bool(args.url):
            raise UsageError("give either -- COMMAND [ARGS...] or --url URL")
        cfg = ServerConfig(
            args.name,
            command=command[0] if command else "",
            args=command[1:],
            env=_pairs(args.env, "env"),
            cwd=args.cwd,
            url=args.url or "",
            headers=_pairs(args.header, "header"),
            enabled=not args.disabled,
            timeout_s=args.timeout,
        )
        try:
            settings.save(cfg)
        except KeyringProblem as exc:
            raise McpSecretsError(cfg.name, exc) from None
        print(f"MCP server {cfg.name} saved: {cfg.describe()}")
        return 0
    if args.action == "remove":
        if not settings.remove(args.name):
            raise UsageError(f"no MCP server named {args.name}")
        print(f"MCP server {args.name} removed")
        return 0
    if args.action == "import":
        try:
            with open(args.path, encoding="utf-8-sig") as fh:
                text = fh.read(2 << 20)
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {args.path}: {exc}") from None
        names = settings.import_json(text)
        if args.json:
            print_json({"imported": names})
        else:
            print(f"imported {len(names)} MCP servers: {', '.join(names)}")
        return 0
    return _list(store, settings, args)


def _list(store: Store, settings: Any, args: argparse.Namespace) -> int:
    import asyncio

    from chatdesk.core.textsafe import visible

    servers = settings.servers()
    statuses: dict[str, Any] = {}
    if not args.no_start:
        wanted = [c.name for c in servers if c.enabled]
        manager = make_manager(store, start_timeout=20)

        async def go() -> None:
            try:
                for status in await manager.ensure_all(wanted):
                    statuses[status.name] = status
            finally:
                await manager.aclose()

        asyncio.run(go())
    rows = []
    for cfg in servers:
        status = statuses.get(cfg.name)
        rows.append(
            {
                "name": cfg.name,
                "transport": cfg.transport,
                "command": cfg.describe(),
                "enabled": cfg.enabled,
                "state": str(status.state)
                if status
                else ("disabled" if not cfg.enabled else "stopped"),
                "error": status.error if status else "",
                "stderr_tail": status.stderr_tail if status else "",
                "tools": [{"name": t.name, "description": t.description} for t in status.tools]
                if status
                else [],
                "always_allowed": [t for s, t in settings.approvals() if s == cfg.name],
            }
        )
    if args.json:
        print_json({"servers": rows})
        return 0
    if not rows:
        print("no MCP servers (add one with `chatdesk mcp add NAME -- COMMAND`)")
    # Names, descriptions, errors and stderr come from the servers: no raw escapes.
    for row in rows:
        state = row["state"]
        if state == "ready":
            state = f"ready, {len(row['tools'])} tools"
        elif state == "failed":
            state = f"failed: {row['error']}"
        print(visible(f"{row['name']}  [{state}]  {row['command']}"))
        for tool in row["tools"]:
            first = tool["description"].splitlines()[0] if tool["description"] else ""
            print(f"    {visible(tool['name'])}: {visible(first)}")
        if row["stderr_tail"]:
            for line in row["stderr_tail"].splitlines()[-5:]:
                print(f"    stderr: {visible(line)}")
    return 0


# --- ask --mcp ------------------------------------------------------------------------


def terminal_approver() -> Any:
    """Ask on the terminal (/dev/tty: standard input may hold the prompt)."""
    import asyncio

    from chatdesk.cli import terminal
    from chatdesk.core.tools.toolloop import Approval

    def ask(call: PendingCall) -> Approval:
        shown = terminal.visible(call.arguments_text)  # control characters made visible
        try:
            answer = terminal.ask(
                f"\nRun {call.server}.{call.tool}({shown})? [y]es / [a]lways / [N]o: "
            )
        except terminal.NoTerminal:
            sys.stderr.write(
                f"chatdesk: {call.server}.{call.tool} denied: no terminal to ask on "
                "(use --approve auto)\n"
            )
            return Approval.DENY
        if answer in ("y", "yes"):
            return Approval.ONCE
        if answer in ("a", "always"):
            return Approval.ALWAYS
        return Approval.DENY

    async def approve(call: PendingCall) -> Approval:
        return await asyncio.to_thread(ask, call)

    return approve


def approver(mode: str) -> Any:
    from chatdesk.core.tools.toolloop import approve_all, deny_all

    if mode == "auto":
        return approve_all
    if mode == "never":
        return deny_all
    return terminal_approver()


def check_servers(store: Store, names: list[str]) -> None:
    """Every ``--mcp`` name must be configured (before anything is sent)."""
    known = _settings(store).names()
    for name in names:
        if name not in known:
            raise UsageError(
                f"no MCP server named {name} (see `chatdesk mcp list`; add one with "
                "`chatdesk mcp add NAME -- COMMAND`)"
            )


def tool_runs_json(runs: list[ToolRun]) -> list[dict[str, Any]]:
    return [{**r.to_json(), "duration_ms": r.duration_ms} for r in runs]


def show_tool_runs(runs: list[ToolRun], stream: Any = None) -> None:
    """One line per call on stderr (stdout keeps the answer only)."""
    from chatdesk.core.textsafe import visible

    out = stream or sys.stderr
    for run in runs:
        state = f"error: {run.error}" if run.error else f"{len(run.result)} chars"
        out.write(visible(f"[{run.server}.{run.tool} {run.duration_ms:.0f} ms, {state}]") + "\n")
    out.flush()


def tool_setup(args: argparse.Namespace, store: Store) -> ToolSetup:
    """``ask --mcp``: the named servers, the approval asked for, and a manager of
    the turn's own (the caller closes it: its servers stop when the turn ends)."""
    from chatdesk.core.tools.toolloop import ToolSetup

    return ToolSetup(
        make_manager(store),
        list(args.mcp),
        approver(args.approve),
        _settings(store),
        max(1, args.max_rounds),
    )


def tool_report(as_json: bool) -> TurnObserver:
    """Each tool call as one line on stderr (not with ``--json``); the loop's notes
    (servers that did not start, the round limit) at the end of the turn."""
    from chatdesk.core.chat.runner import TurnObserver

    class Report(TurnObserver):
        def tools_saved(self, runner: TurnRunner, runs: list[ToolRun]) -> None:
            if not as_json:
                show_tool_runs(runs)

        def turn_finished(self, runner: TurnRunner, result: TurnResult) -> None:
            for note in result.notes:
                sys.stderr.write(f"chatdesk: {note}\n")
            if result.limit_reached:
                sys.stderr.write(f"chatdesk: stopped after {result.max_rounds} tool rounds\n")

    return Report()
