"""The ``chatdesk`` command line: the same engine and store as the window, scriptable.

Subcommands never import Qt, and import httpx only when they talk to a server, so
``chatdesk --version`` and ``chatdesk history ...`` start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from chatdesk import __version__, cli_arena, cli_batch, cli_compare, cli_mcp, cli_retry, cli_server
from chatdesk.api.errors import ApiError, ChatdeskError, ValidationError
from chatdesk.core import timestamps

if TYPE_CHECKING:
    from chatdesk.store import Store

EXIT_API = 1
EXIT_USAGE = 2


class UsageError(ChatdeskError):
    """Bad command-line input: exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line and exits 2 (never a traceback)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"chatdesk: error: {message}\n")


def _iso(ts: float | None) -> str | None:
    return timestamps.iso_utc(ts)  # None (never a traceback) for a bad stored time


def _float_arg(name: str, low: float, high: float) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{name} must be between {low:g} and {high:g}, got {text}"
            )
        return value

    return parse


def _int_arg(name: str, low: int | None = None) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number, got {text!r}"
            ) from None
        if low is not None and value < low:
            raise argparse.ArgumentTypeError(f"{name} must be at least {low}, got {text}")
        return value

    return parse


def add_request_flags(p: argparse.ArgumentParser) -> None:
    """The per-request flags shared by ``ask`` and ``compare``."""
    p.add_argument("--system", metavar="TEXT", help="system prompt")
    p.add_argument(
        "-t", "--temperature", type=_float_arg("temperature", 0, 2), help="sampling, 0 to 2"
    )
    p.add_argument("--top-p", type=_float_arg("top-p", 0, 1), help="nucleus sampling, 0 to 1")
    p.add_argument(
        "--max-tokens", type=_int_arg("max-tokens", 1), help="most tokens the answer may have"
    )
    p.add_argument(
        "-n", type=_int_arg("n", 1), dest="n", help="number of candidate answers (siblings)"
    )
    p.add_argument(
        "--stop", action="append", metavar="TEXT", help="stop sequence (repeat, at most 4)"
    )
    p.add_argument(
        "--presence-penalty",
        type=_float_arg("presence-penalty", -2, 2),
        help="-2 to 2; positive favours new topics",
    )
    p.add_argument(
        "--frequency-penalty",
        type=_float_arg("frequency-penalty", -2, 2),
        help="-2 to 2; positive discourages repetition",
    )
    p.add_argument(
        "--json-object", action="store_true", help='response_format {"type":"json_object"}'
    )
    p.add_argument("--seed", type=_int_arg("seed"), help="seed for reproducible sampling")
    p.add_argument("--user", help="end-user id sent as `user`")
    p.add_argument("--tools", metavar="FILE.json", help="JSON array of tool objects (at most 1 MB)")
    p.add_argument("--tool-choice", help="auto, none, required or a function name")
    p.add_argument(
        "--image",
        action="append",
        metavar="PATH_OR_URL",
        help="attach an image file or URL (repeatable)",
    )
    p.add_argument(
        "--extra-body",
        type=_extra_body_arg,
        metavar="JSON",
        help="JSON object merged last into the request body, e.g. '{\"enable_thinking\": true}'"
        " (over the provider's and the model's stored extra body)",
    )


def _extra_body_arg(text: str) -> dict[str, Any]:
    from chatdesk.core.extrabody import ExtraBodyError, parse_extra_body

    try:
        return parse_extra_body(text)
    except ExtraBodyError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
        "tools": _read_tools(args.tools) if args.tools else None,
        "tool_choice": _tool_choice(args.tool_choice),
    }
    return {k: v for k, v in params.items() if v is not None}


class _NotTheWindow(Exception):
    """The command line holds more than the window's options (see :func:`_parse`)."""


class _WindowParser(_Parser):
    """The window's options alone: anything else is an error handed back, not printed."""

    def error(self, message: str) -> NoReturn:
        raise _NotTheWindow(message)


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The whole command tree (kept in one place so --help reads well).

    ``commands=False``: only the window's options, without --help (see :func:`_parse`).
    """
    description = "ChatDesk: chat with OpenAI-compatible servers."
    if commands:
        p: argparse.ArgumentParser = _Parser(prog="chatdesk", description=description)
    else:
        p = _WindowParser(prog="chatdesk", description=description, add_help=False)
    p.add_argument("--version", action="version", version=f"chatdesk {__version__}")
    # Window options (used when no subcommand is given).
    # Their own dests: a subcommand's defaults would overwrite the same names (argparse),
    # silently dropping `chatdesk --base-url B ask ...` (see _global_options).
    p.add_argument(
        "--base-url",
        dest="top_base_url",
        metavar="URL",
        help="open the window on this server for this run (before ask/models/compare: theirs)",
    )
    p.add_argument(
        "-m",
        "--model",
        action="append",
        dest="top_models",
        metavar="MODEL",
        help="model for this run (with --compare: repeat 2 to 4 times, one per column)",
    )
    p.add_argument(
        "--compare", action="store_true", help="open the window in a comparison of the -m models"
    )
    p.add_argument(
        "--provider", dest="top_provider", metavar="NAME", help="provider to use for this run"
    )
    p.add_argument("--screenshot", help=argparse.SUPPRESS)
    p.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--install-desktop-entry",
        action="store_const",
        const="install",
        dest="desktop_entry",
        help="add ChatDesk to your application launcher (this user only), then exit",
    )
    p.add_argument(
        "--uninstall-desktop-entry",
        action="store_const",
        const="uninstall",
        dest="desktop_entry",
        help="remove the launcher entry and icons added by --install-desktop-entry",
    )
    if not commands:
        return p
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    ask = sub.add_parser(
        "ask",
        help="send a prompt and stream the answer",
        description="Send a prompt, stream the answer to stdout and save the exchange in the "
        "history. Exit status: 0 done; 1 API, network or storage error; 2 bad usage; 130 "
        "Ctrl-C; 141 stdout closed (the answer is still saved).",
    )
    ask.add_argument("prompt", nargs="?", help="the prompt (default: read standard input)")
    ask.add_argument(
        "-m", "--model", help="model id (default: the conversation's, else the provider's)"
    )
    ask.add_argument("--provider", help="configured provider (see `chatdesk providers list`)")
    ask.add_argument(
        "--base-url",
        metavar="URL",
        help="an OpenAI-compatible server instead of a provider (key: CHATDESK_API_KEY)",
    )
    add_request_flags(ask)
    ask.add_argument("--no-stream", action="store_true", help="ask for the whole answer at once")
    group = ask.add_mutually_exclusive_group()
    group.add_argument(
        "--continue", dest="cont", action="store_true", help="continue the latest conversation"
    )
    group.add_argument(
        "--conversation",
        type=_int_arg("conversation", 1),
        metavar="ID",
        help="continue this conversation (see `chatdesk history list`)",
    )
    group.add_argument(
        "--retry",
        action="store_true",
        help="send again the last new question that failed before any answer arrived "
        "(it is kept instead of saved; same server and model unless given)",
    )
    ask.add_argument(
        "--no-save", action="store_true", help="keep the prompt and answer out of the history"
    )
    ask.add_argument(
        "--timeout",
        type=_float_arg("timeout", 0.1, 86400),
        metavar="SECONDS",
        help="give up when the server sends nothing for this long (idle timeout)",
    )
    ask.add_argument(
        "--deadline",
        type=_float_arg("deadline", 0.1, 86400),
        metavar="SECONDS",
        help="give up when the whole answer takes longer than this (keep-alives included)",
    )
    ask.add_argument(
        "--json", action="store_true", help="print one JSON object at the end (see README)"
    )
    cli_mcp.add_ask_flags(ask)  # --mcp NAME, --approve

    models = sub.add_parser(
        "models",
        help="list the models a server offers",
        description="List the models a server offers. When the server cannot be asked "
        "(offline, key refused) the cached or built-in list is printed, marked as such on "
        "stderr (and as source/error with --json), and the exit status is 1.",
    )
    mg = models.add_mutually_exclusive_group()
    mg.add_argument("--provider", help="configured provider to ask (default: the default one)")
    mg.add_argument("--base-url", metavar="URL", help="ask this OpenAI-compatible server")
    models.add_argument(
        "--json", action="store_true", help='print {"models": [...], "source": ...}'
    )

    prov = sub.add_parser(
        "providers", help="configured servers", description="The servers ChatDesk knows by name."
    )
    psub = prov.add_subparsers(dest="action", required=True, parser_class=_Parser)
    pl = psub.add_parser(
        "list",
        help="show the providers, their URL, default model and where their key comes from",
    )
    pl.add_argument("--json", action="store_true", help="print one JSON object")
    pa = psub.add_parser("add", help="add a provider (or change one with the same name)")
    pa.add_argument("name", help="the name to use with --provider and `keys set`")
    pa.add_argument("--base-url", required=True, help="its OpenAI-compatible URL")
    pa.add_argument("--default-model", help="model used when -m is not given")
    pa.add_argument("--set-default", action="store_true", help="use it when no provider is named")
    pr = psub.add_parser("remove", help="forget a provider (its stored key stays: `keys delete`)")
    pr.add_argument("name", help="the provider's name")

    hist = sub.add_parser(
        "history", help="past conversations", description="Past conversations, newest first."
    )
    hsub = hist.add_subparsers(dest="action", required=True, parser_class=_Parser)
    hl = hsub.add_parser("list", help="the latest conversations: id, time, messages, title")
    hl.add_argument("--limit", type=_int_arg("limit", 1), default=50, help="how many (default 50)")
    hl.add_argument("--json", action="store_true", help="print one JSON object")
    hs = hsub.add_parser("show", help="one conversation's messages (failed ones with why)")
    hs.add_argument("id", type=_int_arg("id", 1), help="its id (see `history list`)")
    hs.add_argument("--json", action="store_true", help="print one JSON object")
    hq = hsub.add_parser("search", help="find messages containing some text")
    hq.add_argument("query", help="the text to find (any language)")
    hq.add_argument("--model", help="only answers from this model")
    hq.add_argument(
        "--limit", type=_int_arg("limit", 1), default=50, help="how many hits (default 50)"
    )
    hq.add_argument(
        "--sort", choices=("newest", "relevance"), default="newest", help="order of the hits"
    )
    hq.add_argument("--json", action="store_true", help="print one JSON object")

    keys = sub.add_parser(
        "keys",
        help="API keys in the system keyring",
        description="API keys live in the system keyring, one per provider, never in a file.",
    )
    ksub = keys.add_subparsers(dest="action", required=True, parser_class=_Parser)
    ks = ksub.add_parser("set", help="store a key read from standard input")
    ks.add_argument("provider", help="the provider's name (see `providers list`)")
    kd = ksub.add_parser("delete", help="remove a provider's stored key")
    kd.add_argument("provider", help="the provider's name")
    kst = ksub.add_parser(
        "status", help="which providers have a key (masked), and the keyring in use"
    )
    kst.add_argument("--json", action="store_true", help="print one JSON object")

    exp = sub.add_parser("export", help="write conversations to Markdown, JSON or HTML")
    exp.add_argument("ids", nargs="*", type=_int_arg("id", 1), metavar="ID")
    exp.add_argument("--all", action="store_true", help="every conversation")
    exp.add_argument(
        "--format", choices=("md", "json", "html"), help="default: from the -o suffix, else json"
    )
    exp.add_argument("-o", "--output", metavar="PATH", help="file to write (default: stdout)")

    imp = sub.add_parser(
        "import", help="import a ChatDesk JSON export or a ChatGPT export (.json or .zip)"
    )
    imp.add_argument("path", metavar="PATH")
    imp.add_argument("--json", action="store_true")

    bak = sub.add_parser("backup", help="back up the history database (or list, restore)")
    bg = bak.add_mutually_exclusive_group()
    bg.add_argument("--list", action="store_true", help="show the existing backups")
    bg.add_argument("--restore", metavar="FILE", help="replace the history with this backup")
    bak.add_argument("--json", action="store_true")

    cli_compare.add_parser(sub, add_request_flags)  # compare
    cli_batch.add_parser(sub, add_request_flags)  # batch
    cli_arena.add_parsers(sub)  # vote, leaderboard
    cli_mcp.add_parsers(sub)  # mcp add|list|remove|import
    return p


# --- helpers -------------------------------------------------------------------------


def _open_store() -> Store:
    from chatdesk.core.services import ensure_default_provider, open_store

    store = open_store()
    ensure_default_provider(store)
    return store


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _fail(exc: Exception, as_json: bool, partial: str = "") -> int:
    """Report an error as one readable line (or JSON) and return the exit code."""
    if isinstance(exc, ApiError):
        code = EXIT_API
        err = exc.to_json()
        line = str(exc)
    else:
        code = EXIT_USAGE if isinstance(exc, UsageError | ValidationError) else EXIT_API
        category = "usage" if code == EXIT_USAGE else getattr(exc, "kind", "error")
        err = {
            "category": category,
            "http_status": None,
            "message": str(exc),
            "retry_after_s": None,
        }
        if hasattr(exc, "explain_cli"):
            line = exc.explain_cli()  # the terminal's wording (no window buttons)
        elif hasattr(exc, "explain"):
            line = exc.explain()
        else:
            line = str(exc)
    if as_json:
        _print_json({"error": err, "partial": {"content": partial}})
    else:
        sys.stderr.write(f"chatdesk: error: {line}\n")
    return code


# --- ask -----------------------------------------------------------------------------

EXIT_SIGPIPE = 128 + 13  # what a shell reports for a program killed by a closed pipe
EXIT_INTERRUPTED = 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


class _AnswerPrinter:
    """Prints an answer as it streams, and survives the reader going away.

    ``chatdesk ask ... | head -c 100`` closes the pipe after 100 bytes; ``> /dev/full``
    fails every write. Either way printing stops, the answer keeps streaming into the
    history, and the command ends quietly (a closed pipe: status 141 like any Unix
    tool) or with one line (another output error).
    """

    def __init__(self) -> None:
        self.seen: dict[int, str] = {}  # text per choice, for a Ctrl-C report
        self.broken: OSError | None = None

    def write(self, stream: Any, text: str) -> bool:
        """Write and flush; ``False`` (and nothing more is printed) once it failed."""
        if self.broken is not None and stream is sys.stdout:
            return False
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError) as exc:
            if stream is sys.stdout:
                self.broken = exc if isinstance(exc, OSError) else OSError(str(exc))
                _silence_stdout()
            return False
        return True

    def exit_code(self, code: int) -> int:
        if self.broken is None:
            return code
        if isinstance(self.broken, BrokenPipeError):
            return EXIT_SIGPIPE
        reason = self.broken.strerror or str(self.broken)
        sys.stderr.write(
            f"chatdesk: error: cannot write to standard output ({reason}); "
            "the answer is saved in the history\n"
        )
        return EXIT_API

    def stopped(
        self, as_json: bool, conv_id: int | None, user_id: int | None, ids: dict[int, int]
    ) -> int:
        """Ctrl-C: say so (``--json``: the usual object, status ``stopped``, the partial)."""
        if as_json:
            try:
                _print_json(
                    {
                        "status": "stopped",
                        "error": {
                            "category": "stopped",
                            "http_status": None,
                            "message": "interrupted by the user (Ctrl-C)",
                            "retry_after_s": None,
                        },
                        "partial": {"content": self.seen.get(0, "")},
                        "conversation_id": conv_id,
                        "message_ids": ([user_id] if user_id else []) + list(ids.values()),
                    }
                )
            except OSError:
                _silence_stdout()
        else:
            self.write(sys.stdout, "\n")
            sys.stderr.write("chatdesk: interrupted; the partial answer is saved as stopped\n")
        return EXIT_INTERRUPTED


MAX_TOOLS_BYTES = 1 << 20  # a tools file is a few kB; /dev/zero must not read forever


def _read_tools(path: str) -> list[Any]:
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


def _require_key(endpoint: Any) -> None:
    """No key for this server and a remote server: say how to set one instead of sending
    a request that can only be refused (a local server is tried without a key)."""
    from chatdesk.core.keys import is_openai_url
    from chatdesk.core.services import is_local_url, server_label

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


def _tool_choice(value: str | None) -> Any:
    if value is None:
        return None
    if value in ("auto", "none", "required"):
        return value
    return {"type": "function", "function": {"name": value}}


def cmd_ask(args: argparse.Namespace) -> int:
    """Send one prompt; stream the answer to stdout; save the exchange."""
    import asyncio

    from chatdesk.api.validate import read_image_file
    from chatdesk.core.branches import parent_for_new_message
    from chatdesk.core.clients import ClientPool
    from chatdesk.core.exchange import Exchange, ExchangeTarget
    from chatdesk.core.extrabody import extra_body_for
    from chatdesk.core.keys import KeyStore
    from chatdesk.core.patient import PatientStore
    from chatdesk.core.runner import TurnObserver, TurnResult, TurnRunner
    from chatdesk.core.services import server_ref
    from chatdesk.core.settings import AppSettings
    from chatdesk.core.turns import Draft, build_request, save_user_turn

    prompt = args.prompt
    retry = cli_retry.question_to_retry(args)
    if prompt is None and retry is not None:
        prompt = retry["text"]
    if prompt is None and not sys.stdin.isatty():
        raw = getattr(sys.stdin, "buffer", None)  # None when a test swaps in a StringIO
        try:
            prompt = raw.read().decode("utf-8-sig") if raw is not None else sys.stdin.read()
        except UnicodeDecodeError:
            raise UsageError("the prompt on standard input is not valid UTF-8 text") from None
    if prompt is None or not prompt.strip():
        raise UsageError("the prompt is empty: give it as an argument or on standard input")
    if args.stop and len(args.stop) > 4:
        raise UsageError("at most 4 --stop sequences are allowed")

    images: list[tuple[bytes, str]] = []
    image_urls: list[str] = []
    for item in args.image or []:
        if item.startswith(("http://", "https://")):
            image_urls.append(item)
        elif item.startswith("data:image/"):
            image_urls.append(item)
        else:
            images.append(read_image_file(item))

    params = request_params(args)

    store = _open_store()
    try:
        keys = KeyStore()
        conversation = None
        if args.cont:
            latest = store.list_conversations(limit=1, pinned_first=False)
            conversation = latest[0] if latest else None
        elif args.conversation:
            conversation = store.get_conversation(args.conversation)
            if conversation is None:
                raise UsageError(f"no conversation with id {args.conversation}")
        endpoint = cli_server.endpoint_for(store, keys, args, conversation, retry)
        _require_key(endpoint)
        if args.mcp:
            cli_mcp.check_servers(store, args.mcp)  # before anything is saved or sent
        model = (
            args.model
            or (conversation.model if conversation else None)
            or (retry["model"] if retry else None)
            or endpoint.default_model
        )
        if not model:
            raise UsageError("no model: pass -m/--model (see `chatdesk models`)")

        history = store.active_path(conversation.id) if conversation else []
        # After a failed turn the new question takes its place (the window's rule): the
        # failed question is never sent again as history.
        parent_id = parent_for_new_message(history)
        path_ids = [m.id for m in history]
        history = history[: path_ids.index(parent_id) + 1] if parent_id in path_ids else []
        system = (
            args.system
            if args.system is not None
            else (conversation.system_prompt if conversation else "")
        )
        draft = Draft(prompt, images, image_urls)
        request = build_request(
            store,
            conversation,
            history,
            model,
            params,
            draft=draft,
            system_prompt=system,
            stream=not args.no_stream,
            extra_body=extra_body_for(store, endpoint.name, model, args.extra_body),
        )

        conv_id: int | None = None
        user_id: int | None = None
        if not args.no_save:
            if conversation is not None:
                store.update_conversation(conversation.id, system_prompt=system)
            conv_id, user_id = save_user_turn(
                store,
                conversation.id if conversation else None,
                draft,
                parent_id=parent_id,
                model=model,
                provider=server_ref(endpoint),
                system_prompt=system,
                params=params,
            )

        overrides: dict[str, Any] = {}
        if args.timeout:
            overrides["read_timeout"] = args.timeout
            overrides["connect_timeout"] = min(args.timeout, 10.0)
        if args.deadline:
            overrides["total_timeout"] = args.deadline
        show_reasoning = sys.stderr.isatty() and not args.json
        streamed_any = False
        printer = _AnswerPrinter()

        class Printer(TurnObserver):
            """Streams the first choice of every answer of the turn to stdout (reasoning
            to a terminal's stderr).

            A closed or full stdout stops the printing, never the answer: the stream
            keeps being read and saved (see _AnswerPrinter)."""

            def text_arrived(
                self, runner: TurnRunner, exchange: Exchange, index: int, text: str, reasoning: bool
            ) -> None:
                nonlocal streamed_any
                if not reasoning:
                    printer.seen[index] = printer.seen.get(index, "") + text
                if args.json or index != 0:
                    return
                if not reasoning:
                    streamed_any = printer.write(sys.stdout, text) or streamed_any
                elif show_reasoning:
                    printer.write(sys.stderr, text)

        # Writes the database refuses for now (busy, disk full) wait in memory: the
        # stream keeps reading, and they are saved (or reported) at the end.
        saver = PatientStore(store)
        running: list[TurnRunner] = []

        async def go() -> TurnResult:
            pool = ClientPool(store, AppSettings.from_dict(store.get_setting("app_settings")))
            exchange = Exchange(
                pool.get(endpoint, **overrides),
                request,
                store=None if args.no_save else saver,
                target=ExchangeTarget(conv_id, user_id),
            )
            # With --mcp the tool loop runs the turn: one exchange per round (cli_mcp).
            tools = cli_mcp.tool_setup(args, store) if args.mcp else None
            runner = TurnRunner(pool, exchange, endpoint=endpoint, tools=tools, observer=Printer())
            if tools is not None:
                runner.observe(cli_mcp.tool_report(bool(args.json)))
            running.append(runner)
            try:
                ended = await runner.run()
            finally:
                await pool.close()
                if tools is not None:
                    await tools.manager.aclose()
            if ended.failure is not None:
                raise ended.failure
            return ended

        try:
            turn: TurnResult | None = asyncio.run(go())
        except KeyboardInterrupt:
            turn = None
        outcome = turn.outcome if turn is not None else None
        if outcome is None:  # Ctrl-C: the exchange saved the partial answer as stopped
            saver.settle(timeout=5.0)
            made = running[0].exchanges if running else []
            ids = dict(made[0].message_ids) if made else {}
            return printer.stopped(args.json, conv_id, user_id, ids)
        result = outcome.result
        unsaved = saver.settle()
        if unsaved is not None:
            if streamed_any:
                sys.stdout.write("\n")
            sys.stderr.write("chatdesk: the answer could not be saved in the history\n")
            return _fail(unsaved, args.json, result.content)
        if outcome.error is not None:
            if streamed_any:
                sys.stdout.write("\n")
            code = _fail(outcome.error, args.json, result.content)
            if (
                conversation is None
                and conv_id is not None
                and cli_retry.drop_failed_first_turn(
                    store, conv_id, prompt, server_ref(endpoint), model
                )
            ):
                cli_retry.say_dropped(prompt)
            return code
        if args.retry:
            cli_retry.forget(store)
        if args.json:
            _print_json(
                {
                    "conversation_id": conv_id,
                    "message_ids": ([user_id] if user_id else [])
                    + list(outcome.message_ids.values()),
                    "model": result.model or model,
                    "choices": [
                        {
                            "index": c.index,
                            "content": c.content,
                            "reasoning": c.reasoning or None,
                            "tool_calls": [
                                {"id": t.id, "name": t.name, "arguments": t.arguments}
                                for t in c.tool_calls
                            ],
                            "finish_reason": c.finish_reason,
                        }
                        for c in sorted(result.choices.values(), key=lambda c: c.index)
                    ],
                    "usage": result.usage.to_dict() if result.usage else None,
                    "ttft_ms": outcome.ttft_ms,
                    "duration_ms": outcome.duration_ms,
                    **(
                        {"tool_runs": cli_mcp.tool_runs_json(turn.tool_runs)}
                        if turn and args.mcp
                        else {}
                    ),
                }
            )
        else:
            out = sys.stdout
            first = result.choices.get(0)
            if first is not None and not streamed_any and first.content:
                out.write(first.content)
            for choice in sorted(result.choices.values(), key=lambda c: c.index):
                if choice.index != 0:
                    out.write(f"\n\n--- candidate {choice.index + 1} ---\n{choice.content}")
                for call in choice.tool_calls:
                    out.write(f"\n[tool call {call.id}] {call.name}({call.arguments})")
                if choice.finish_reason and choice.finish_reason not in ("stop", "tool_calls"):
                    sys.stderr.write(f"\n[finish reason: {choice.finish_reason}]")
            printer.write(out, "\n")
        return printer.exit_code(0)
    finally:
        store.close()


# --- models / providers / history / keys --------------------------------------------


def cmd_models(args: argparse.Namespace) -> int:
    import asyncio

    from chatdesk.api.client import ChatClient
    from chatdesk.core.keys import KeyStore
    from chatdesk.core.services import fetch_models, resolve_endpoint

    store = _open_store()
    try:
        endpoint = resolve_endpoint(
            store, KeyStore(), provider=args.provider, base_url=args.base_url
        )

        async def go() -> Any:
            async with ChatClient(endpoint.base_url, endpoint.api_key, max_retries=0) as client:
                return await fetch_models(client, store, endpoint.cache_key)

        models, source, error = asyncio.run(go())
    finally:
        store.close()
    if args.json:
        out: dict[str, Any] = {
            "models": [{"id": m.get("id"), "owned_by": m.get("owned_by")} for m in models],
            "source": source,
        }
        if error is not None:
            out["error"] = str(error)
        _print_json(out)
    else:
        if error is not None:
            # Said before the list: these are not the server's models.
            from chatdesk.core.urls import mask_credentials

            where = endpoint.name or mask_credentials(endpoint.base_url)
            label = (
                "the list cached from an earlier answer of this server (may be out of date)"
                if source == "cache"
                else "ChatDesk's built-in list, NOT this server's models"
            )
            sys.stderr.write(
                f"chatdesk: could not fetch the models of {where} ({error}); showing {label}\n"
            )
        from chatdesk.core.textsafe import visible

        for m in models:  # ids and owners are the server's: no raw terminal escapes
            owner = f"  ({m['owned_by']})" if m.get("owned_by") else ""
            print(visible(f"{m.get('id')}{owner}"))
    # A fallback list is not the server's: scripts must be able to tell.
    return 0 if error is None else EXIT_API


def cmd_providers(args: argparse.Namespace) -> int:
    from chatdesk.api.baseurl import normalize_base_url
    from chatdesk.core.keys import KeyStore, env_key_for
    from chatdesk.core.urls import mask_credentials
    from chatdesk.store.rows import ProviderRow

    store = _open_store()
    try:
        if args.action == "list":
            keys = KeyStore()
            rows = store.list_providers()
            default = store.get_setting("default_provider")
            stored = {r.name: keys.has_key(r.name) for r in rows}
            # The key a request would carry: the stored one, else the environment's.
            from_env = {r.name: env_key_for(r.base_url)[1] for r in rows}
            if args.json:
                _print_json(
                    {
                        "providers": [
                            {
                                "name": r.name,
                                "base_url": mask_credentials(r.base_url),
                                "default_model": r.default_model,
                                "has_key": stored[r.name],
                                "key_from": "keyring" if stored[r.name] else from_env[r.name],
                            }
                            for r in rows
                        ]
                    }
                )
            else:
                for r in rows:
                    mark = "*" if r.name == default else " "
                    env = from_env[r.name]
                    key = (
                        "key stored"
                        if stored[r.name]
                        else (f"key from {env} (environment)" if env else "no key")
                    )
                    url = mask_credentials(r.base_url)  # a row saved before the check
                    print(f"{mark} {r.name}\t{url}\t{r.default_model or '-'}\t{key}")
            return 0
        if args.action == "add":
            url = normalize_base_url(args.base_url)
            store.upsert_provider(
                ProviderRow(name=args.name, base_url=url, default_model=args.default_model)
            )
            if args.set_default:
                store.set_setting("default_provider", args.name)
            print(f"provider {args.name} saved ({url})")
            return 0
        if args.action == "remove":
            if not store.delete_provider(args.name):
                raise UsageError(f"no provider named {args.name!r}")
            print(f"provider {args.name} removed")
            return 0
    finally:
        store.close()
    return EXIT_USAGE


def _conversation_json(store: Store, cid: int) -> dict[str, Any] | None:
    conv = store.get_conversation(cid)
    if conv is None:
        return None
    return {
        "id": conv.id,
        "title": conv.title,
        "messages": [
            {
                "id": m.id,
                "parent_id": m.parent_id,
                "role": m.role,
                "content": m.content,
                "reasoning": m.reasoning or None,
                "model": m.model or m.model_requested,
                "status": m.status,
                "error": m.error,  # why it failed (None unless status is error)
                "finish_reason": m.finish_reason,
                "usage": m.usage,
                "ttft_ms": m.ttft_ms,
                "duration_ms": m.duration_ms,
                "created": _iso(m.created),
            }
            for m in store.list_messages(cid)
        ],
    }


def cmd_history(args: argparse.Namespace) -> int:
    from chatdesk.paths import database_path
    from chatdesk.store import Store

    store = Store.for_reading(database_path())
    try:
        if args.action == "list":
            from chatdesk.cli_arena import comparison_ids

            rows = store.list_conversations(limit=args.limit, pinned_first=False)
            compared = comparison_ids(store, [c.id for c in rows])
            if args.json:
                _print_json(
                    {
                        "conversations": [
                            {
                                "id": c.id,
                                "title": c.title,
                                "created": _iso(c.created),
                                "updated": _iso(c.updated),
                                "model": c.model,
                                "message_count": c.message_count,
                                "comparison": c.id in compared,
                            }
                            for c in rows
                        ]
                    }
                )
            else:
                for c in rows:
                    stamp = _iso(c.updated) or ""
                    kind = "compare" if c.id in compared else "chat"
                    print(f"{c.id:>6}  {stamp}  {c.message_count:>4} msgs  {kind:<7}  {c.title}")
            return 0
        if args.action == "show":
            data = _conversation_json(store, args.id)
            if data is None:
                raise UsageError(f"no conversation with id {args.id}")
            from chatdesk.cli_arena import hidden_names

            hidden = hidden_names(store, args.id)  # blind, not voted: A, B, C, D only
            for m in data["messages"] if hidden else ():
                if m["id"] in hidden:
                    m["model"] = hidden[m["id"]]
            if args.json:
                _print_json(data)
            else:
                print(f"# {data['title']}\n")
                for m in data["messages"]:
                    who = m["role"] + (
                        f" ({m['model']})" if m["model"] and m["role"] == "assistant" else ""
                    )
                    status = "" if m["status"] == "done" else f" [{m['status']}]"
                    reason = f"error: {m['error']}\n" if m["error"] else ""
                    print(f"## {who}{status}\n{m['content']}\n{reason}")
            return 0
        if args.action == "search":
            hits = store.search(args.query, limit=args.limit, model=args.model, sort=args.sort)
            total = store.count_search(args.query, model=args.model, cap=None)  # exact
            if args.json:
                _print_json(
                    {
                        "total": total,
                        "hits": [
                            {
                                "conversation_id": h.conversation_id,
                                "message_id": h.message_id,
                                "role": h.role,
                                "model": h.model,
                                "created": _iso(h.created),
                                "snippet": h.snippet,
                            }
                            for h in hits
                        ],
                    }
                )
            else:
                for h in hits:
                    print(
                        f"{h.conversation_id}:{h.message_id}  {h.conversation_title}  "
                        f"[{h.role}]  {h.snippet}"
                    )
                print(f"{total} match{'es' if total != 1 else ''}")
            return 0
    finally:
        store.close()
    return EXIT_USAGE


def cmd_keys(args: argparse.Namespace) -> int:
    from chatdesk.core.keys import KeyStore, mask_key

    keys = KeyStore()
    if args.action == "set":
        if sys.stdin.isatty():
            import getpass

            key = getpass.getpass(f"API key for {args.provider}: ")
        else:
            key = sys.stdin.readline()
        if not key.strip():
            raise UsageError("no key given on standard input")
        keys.set(args.provider, key)
        print(f"key for {args.provider} stored in the system keyring ({mask_key(key.strip())})")
        return 0
    if args.action == "delete":
        if keys.delete(args.provider):
            print(f"key for {args.provider} deleted")
            return 0
        raise UsageError(f"no stored key for {args.provider}")
    if args.action == "status":
        store = _open_store()
        try:
            names = [p.name for p in store.list_providers()]
        finally:
            store.close()
        from chatdesk.core.keys import KeyringProblem

        entries = []
        problem: KeyringProblem | None = None
        for name in names:
            stored: str | None = None
            try:
                stored = keys.get(name) if problem is None else None
            except KeyringProblem as exc:
                problem = exc
            entries.append({"provider": name, "has_key": bool(stored), "masked": mask_key(stored)})
        from chatdesk.core.keys import env_key

        env = env_key()
        if args.json:
            report: dict[str, Any] = {
                "backend": keys.backend_name(),
                "keys": entries,
                "env_key": mask_key(env) or None,
            }
            if problem is not None:
                report["keyring_error"] = problem.explain_cli()
            _print_json(report)
        else:
            print(f"keyring backend: {keys.backend_name()}")
            for e in entries:
                shown = e["masked"] if e["has_key"] else ("unknown" if problem else "no key")
                print(f"  {e['provider']}: {shown}")
            if env:
                print(f"  environment: {mask_key(env)}")
            if problem is not None:
                sys.stderr.write(f"chatdesk: {problem.explain_cli()}\n")
        return 0 if problem is None else EXIT_API
    return EXIT_USAGE


# --- export / import / backup ---------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    """Write conversations (ids or --all) as md/json/html to a file or stdout."""
    from chatdesk.core.transfer import TransferError, export_text, export_to_file
    from chatdesk.paths import database_path
    from chatdesk.store import Store

    if args.all and args.ids:
        raise UsageError("give conversation ids or --all, not both")
    if not args.all and not args.ids:
        raise UsageError(
            "say what to export: conversation ids (see `chatdesk history list`) or --all"
        )
    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
        fmt = {"md": "md", "markdown": "md", "htm": "html", "html": "html"}.get(suffix, "json")
    ids = None if args.all else args.ids
    store = Store.for_reading(database_path())
    try:
        if args.output in (None, "-"):
            sys.stdout.write(export_text(store, ids, fmt))
            sys.stdout.flush()
            return 0
        target = _export_target(args.output)
        if target is None:  # a character device or a pipe: write through, no rename
            text = export_text(store, ids, fmt)
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
            print(f"exported to {args.output}")
            return 0
        count = export_to_file(store, ids, fmt, target)
    except TransferError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(f"exported {count} conversation{'s' if count != 1 else ''} to {args.output}")
    return 0


def _export_target(output: str) -> str | None:
    """Where ``export -o`` writes by rename: a symlink is followed (the link stays, its
    file gets the export); ``None`` for a character device or FIFO (written through,
    never replaced by a regular file); block devices, sockets and folders are refused."""
    import stat

    real = os.path.realpath(output)
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return real
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode):
        return real
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return None
    kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
    raise UsageError(f"cannot export to {output}: it is {kind}")


def cmd_import(args: argparse.Namespace) -> int:
    """Import a file; progress on stderr; counts on stdout (or --json)."""
    from chatdesk.core.transfer import TransferError, import_file
    from chatdesk.paths import database_path
    from chatdesk.store import Store

    def progress(done: int, total: int) -> None:
        if total >= 1000:
            sys.stderr.write(f"chatdesk: {done}/{total} conversations\n")
            sys.stderr.flush()

    if not Path(args.path).is_file():
        raise UsageError(f"no such file: {args.path}")
    store = Store(database_path())
    try:
        result = import_file(store, args.path, progress=progress)
    except TransferError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    if args.json:
        _print_json(result.to_json())
    else:
        print(
            f"added {result.conversations_added} conversations"
            f" ({result.messages_added} messages);"
            f" skipped {result.conversations_skipped} already imported"
        )
        for note in result.notes:  # repairs and left-out conversations, never silent
            print(f"note: {note}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Back up now, list backups, or restore one (the old database is kept aside)."""
    from chatdesk.core.backup import backup_now, list_backups, restore_backup
    from chatdesk.paths import data_dir, database_path
    from chatdesk.store import Store

    folder = data_dir() / "backups"
    if args.list:
        backups = list_backups(folder)
        if args.json:
            _print_json({"backups": [{"path": str(b), "bytes": b.stat().st_size} for b in backups]})
        else:
            for b in backups:
                print(f"{b}\t{b.stat().st_size} bytes")
            if not backups:
                print(f"no backups in {folder}")
        return 0
    if args.restore:
        previous = restore_backup(args.restore, database_path())
        if args.json:
            _print_json({"restored": args.restore, "previous": previous and str(previous)})
        else:
            kept = f"; the previous history is kept as {previous}" if previous else ""
            print(f"restored {args.restore}{kept}")
        return 0
    store = Store(database_path())
    try:
        path = backup_now(store, folder)
    finally:
        store.close()
    if args.json:
        _print_json({"backup": str(path)})
    else:
        print(f"backup written to {path}")
    return 0


def _undecodable_argument(args: argparse.Namespace) -> str | None:
    """The first argument that was not valid UTF-8 (Python keeps such bytes as lone
    surrogates, which no server and no JSON encoder accepts), named as on the command
    line; ``None`` if all are fine."""
    for dest, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and any("\udc80" <= ch <= "\udcff" for ch in item):
                return "the prompt" if dest == "prompt" else f"--{dest.replace('_', '-')}"
    return None


COMMANDS = {
    "ask": cmd_ask,
    "models": cmd_models,
    "providers": cmd_providers,
    "history": cmd_history,
    "keys": cmd_keys,
    "export": cmd_export,
    "import": cmd_import,
    "backup": cmd_backup,
    "compare": cli_compare.cmd_compare,
    "batch": cli_batch.cmd_batch,
    "vote": cli_arena.cmd_vote,
    "leaderboard": cli_arena.cmd_leaderboard,
    "mcp": cli_mcp.cmd_mcp,
}


def _parse(argv: Sequence[str] | None) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    """The parsed command line, and the parser that took it.

    Most starts open the window (no subcommand), and building the ~25 subcommand parsers
    costs ~6 ms of its first paint: the window's options are tried alone first. Whatever
    they do not take (a subcommand, --help, a mistake) is parsed again by the whole tree,
    so its help and error messages are the ones printed.
    """
    window = build_parser(commands=False)
    try:
        args = window.parse_args(argv)
    except _NotTheWindow:
        parser = build_parser()
        return parser, parser.parse_args(argv)
    args.command = None  # as the whole tree leaves it when no subcommand is given
    return window, args


def main(
    argv: Sequence[str] | None = None,
    *,
    window: Callable[[argparse.Namespace], int] | None = None,
) -> int:
    """Entry point of the ``chatdesk`` command; ``window`` runs the window (no subcommand)."""
    parser, args = _parse(argv)
    problem = cli_server.global_options(args)
    if problem is not None:
        parser.exit(EXIT_USAGE, f"chatdesk: error: {problem}\n")
    bad = _undecodable_argument(args)
    if bad is not None:
        parser.exit(EXIT_USAGE, f"chatdesk: error: {bad} is not valid UTF-8 text\n")
    if getattr(args, "base_url", None):
        from chatdesk.core.urls import CredentialsInUrlError, reject_credentials

        try:  # before anything uses, stores or echoes it
            reject_credentials(args.base_url)
        except CredentialsInUrlError as exc:
            parser.exit(EXIT_USAGE, f"chatdesk: error: {exc}\n")
    if args.command is None and args.desktop_entry:
        from chatdesk import desktop

        return desktop.main(args.desktop_entry)
    if args.command is None:
        models = getattr(args, "models", None) or []
        args.model = models[-1] if models else None
        if args.compare and models and not 2 <= len(models) <= 4:
            parser.exit(EXIT_USAGE, "chatdesk: error: --compare needs 2 to 4 -m models\n")
        if sys.platform.startswith("linux") and not any(
            os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
        ):
            # Qt would abort with a core dump; say what is wrong instead.
            sys.stderr.write(
                "chatdesk: no display found (DISPLAY is not set). Run it in a desktop session, "
                "or use the terminal commands: chatdesk ask, history, models (see --help).\n"
            )
            return 1
        import gc

        # Start-up allocates a great deal and frees little: automatic collections took
        # ~8 ms before the first paint. The window collects from a timer instead
        # (chatdesk.app.install_gc_pacer, from the first paint on).
        gc.disable()
        if window is None:  # the window is started by chatdesk.__main__, the wiring's one user
            parser.exit(EXIT_USAGE, "chatdesk: error: no window in this entry point\n")
        return window(args)
    as_json = bool(getattr(args, "json", False))
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a full device fails here, not in the interpreter's exit
        return code
    except BrokenPipeError:  # the reader went away (`| head`): quiet, like cat
        _silence_stdout()
        return EXIT_SIGPIPE
    except (ChatdeskError, ValueError) as exc:
        if os.environ.get("CHATDESK_RAISE_ERRORS"):
            raise
        return _fail(exc, as_json)
    except KeyboardInterrupt:
        sys.stderr.write("chatdesk: interrupted\n")
        return EXIT_INTERRUPTED
    except OSError as exc:
        if os.environ.get("CHATDESK_RAISE_ERRORS"):
            raise
        _silence_stdout()  # most often stdout itself failed (`> /dev/full`)
        target = exc.filename or "standard output"
        sys.stderr.write(f"chatdesk: error: cannot write to {target}: {exc.strerror or exc}\n")
        return EXIT_API
