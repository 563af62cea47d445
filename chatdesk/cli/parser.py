"""The ``chatdesk`` command line's parser: the window's options and every subcommand.

Kept in one place so ``--help`` reads well, and apart from the commands themselves so
that parsing imports none of them: :func:`parse` first tries the window's options
alone (most starts open the window), and only a subcommand loads its module (see
:mod:`chatdesk.cli.entry`).
"""

from __future__ import annotations

import argparse
import datetime as _dt
from collections.abc import Sequence
from typing import Any, NoReturn

from chatdesk import __version__
from chatdesk.cli._common import Parser, float_arg, int_arg


class NotTheWindow(Exception):
    """The command line holds more than the window's options (see :func:`parse`)."""


class _WindowParser(Parser):
    """The window's options alone: anything else is an error handed back, not printed."""

    def error(self, message: str) -> NoReturn:
        raise NotTheWindow(message)


def parse(argv: Sequence[str] | None) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    """The parsed command line, and the parser that took it.

    Most starts open the window (no subcommand), and building the ~25 subcommand parsers
    costs ~6 ms of its first paint: the window's options are tried alone first. Whatever
    they do not take (a subcommand, --help, a mistake) is parsed again by the whole tree,
    so its help and error messages are the ones printed.
    """
    window = build_parser(commands=False)
    try:
        args = window.parse_args(argv)
    except NotTheWindow:
        parser = build_parser()
        return parser, parser.parse_args(argv)
    args.command = None  # as the whole tree leaves it when no subcommand is given
    return window, args


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The whole command tree.

    ``commands=False``: only the window's options, without --help (see :func:`parse`).
    """
    description = "ChatDesk: chat with OpenAI-compatible servers."
    if commands:
        p: argparse.ArgumentParser = Parser(prog="chatdesk", description=description)
    else:
        p = _WindowParser(prog="chatdesk", description=description, add_help=False)
    _add_window_options(p)
    if not commands:
        return p
    sub = p.add_subparsers(dest="command", parser_class=Parser)
    _add_ask(sub)
    _add_models(sub)
    _add_providers(sub)
    _add_history(sub)
    _add_keys(sub)
    _add_transfer(sub)
    _add_backup(sub)
    _add_compare(sub)
    _add_batch(sub)
    _add_arena(sub)
    _add_mcp(sub)
    return p


def _add_window_options(p: argparse.ArgumentParser) -> None:
    """``--version`` and the options used when no subcommand is given."""
    p.add_argument("--version", action="version", version=f"chatdesk {__version__}")
    # Their own dests: a subcommand's defaults would overwrite the same names (argparse),
    # silently dropping `chatdesk --base-url B ask ...` (see server.global_options).
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


# --- ask and compare -----------------------------------------------------------------


def add_request_flags(p: argparse.ArgumentParser) -> None:
    """The per-request flags shared by ``ask`` and ``compare``."""
    p.add_argument("--system", metavar="TEXT", help="system prompt")
    p.add_argument(
        "-t", "--temperature", type=float_arg("temperature", 0, 2), help="sampling, 0 to 2"
    )
    p.add_argument("--top-p", type=float_arg("top-p", 0, 1), help="nucleus sampling, 0 to 1")
    p.add_argument(
        "--max-tokens", type=int_arg("max-tokens", 1), help="most tokens the answer may have"
    )
    p.add_argument(
        "-n", type=int_arg("n", 1), dest="n", help="number of candidate answers (siblings)"
    )
    p.add_argument(
        "--stop", action="append", metavar="TEXT", help="stop sequence (repeat, at most 4)"
    )
    p.add_argument(
        "--presence-penalty",
        type=float_arg("presence-penalty", -2, 2),
        help="-2 to 2; positive favours new topics",
    )
    p.add_argument(
        "--frequency-penalty",
        type=float_arg("frequency-penalty", -2, 2),
        help="-2 to 2; positive discourages repetition",
    )
    p.add_argument(
        "--json-object", action="store_true", help='response_format {"type":"json_object"}'
    )
    p.add_argument("--seed", type=int_arg("seed"), help="seed for reproducible sampling")
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
    from chatdesk.core.chat.extrabody import ExtraBodyError, parse_extra_body

    try:
        return parse_extra_body(text)
    except ExtraBodyError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_ask(sub: Any) -> None:
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
        type=int_arg("conversation", 1),
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
        type=float_arg("timeout", 0.1, 86400),
        metavar="SECONDS",
        help="give up when the server sends nothing for this long (idle timeout)",
    )
    ask.add_argument(
        "--deadline",
        type=float_arg("deadline", 0.1, 86400),
        metavar="SECONDS",
        help="give up when the whole answer takes longer than this (keep-alives included)",
    )
    ask.add_argument(
        "--json", action="store_true", help="print one JSON object at the end (see README)"
    )
    # The tool loop: ask --mcp NAME --approve ask|auto|never.
    ask.add_argument(
        "--mcp",
        action="append",
        metavar="NAME",
        help="offer this MCP server's tools and run the calls (repeatable)",
    )
    ask.add_argument(
        "--approve",
        choices=("ask", "auto", "never"),
        default="ask",
        help="tool calls: ask on the terminal (default), run all, or refuse all",
    )
    ask.add_argument(
        "--max-rounds", type=int, default=10, metavar="N", help="tool rounds per turn (10)"
    )


def _add_batch(sub: Any) -> None:
    """``batch`` takes the same per-request flags as ``ask`` (its own in cli/batchargs.py)."""
    from chatdesk.cli.batchargs import add_parser

    add_parser(sub, add_request_flags)


def _add_compare(sub: Any) -> None:
    """``compare`` takes the same per-request flags as ``ask``."""
    p = sub.add_parser(
        "compare",
        help="send one prompt to 2-4 models at once and compare the answers",
        description=(
            "Send one prompt to 2 to 4 models concurrently, save it as a comparison "
            "(reopens in the window's compare view) and print each answer with its "
            "figures. Exit 0 when at least one column succeeded, 1 when all failed."
        ),
    )
    p.add_argument("prompt", nargs="?", help="the prompt (default: read standard input)")
    p.add_argument(
        "-m",
        "--model",
        action="append",
        dest="models",
        required=True,
        metavar="MODEL",
        help="model to compare (repeat 2 to 4 times; the same model twice is fine)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--provider", help="configured provider for every column")
    where.add_argument("--base-url", help="OpenAI-compatible server for every column")
    add_request_flags(p)
    p.add_argument("--no-stream", action="store_true", help="ask for whole answers")
    p.add_argument(
        "--blind",
        action="store_true",
        help="shuffle the columns and hide names (also in --json) until `chatdesk vote`",
    )
    p.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="idle timeout per column (no data)"
    )
    p.add_argument(
        "--deadline", type=float, metavar="SECONDS", help="longest time a column may take"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object at the end")


# --- the local commands --------------------------------------------------------------


def _add_models(sub: Any) -> None:
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


def _add_providers(sub: Any) -> None:
    prov = sub.add_parser(
        "providers", help="configured servers", description="The servers ChatDesk knows by name."
    )
    psub = prov.add_subparsers(dest="action", required=True, parser_class=Parser)
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


def _add_history(sub: Any) -> None:
    hist = sub.add_parser(
        "history", help="past conversations", description="Past conversations, newest first."
    )
    hsub = hist.add_subparsers(dest="action", required=True, parser_class=Parser)
    hl = hsub.add_parser("list", help="the latest conversations: id, time, messages, title")
    hl.add_argument("--limit", type=int_arg("limit", 1), default=50, help="how many (default 50)")
    hl.add_argument("--json", action="store_true", help="print one JSON object")
    hs = hsub.add_parser("show", help="one conversation's messages (failed ones with why)")
    hs.add_argument("id", type=int_arg("id", 1), help="its id (see `history list`)")
    hs.add_argument("--json", action="store_true", help="print one JSON object")
    hq = hsub.add_parser("search", help="find messages containing some text")
    hq.add_argument("query", help="the text to find (any language)")
    hq.add_argument("--model", help="only answers from this model")
    hq.add_argument(
        "--limit", type=int_arg("limit", 1), default=50, help="how many hits (default 50)"
    )
    hq.add_argument(
        "--sort", choices=("newest", "relevance"), default="newest", help="order of the hits"
    )
    hq.add_argument("--json", action="store_true", help="print one JSON object")


def _add_keys(sub: Any) -> None:
    keys = sub.add_parser(
        "keys",
        help="API keys in the system keyring",
        description="API keys live in the system keyring, one per provider, never in a file.",
    )
    ksub = keys.add_subparsers(dest="action", required=True, parser_class=Parser)
    ks = ksub.add_parser("set", help="store a key read from standard input")
    ks.add_argument("provider", help="the provider's name (see `providers list`)")
    kd = ksub.add_parser("delete", help="remove a provider's stored key")
    kd.add_argument("provider", help="the provider's name")
    kst = ksub.add_parser(
        "status", help="which providers have a key (masked), and the keyring in use"
    )
    kst.add_argument("--json", action="store_true", help="print one JSON object")


def _add_transfer(sub: Any) -> None:
    """``export`` and ``import``."""
    exp = sub.add_parser("export", help="write conversations to Markdown, JSON or HTML")
    exp.add_argument("ids", nargs="*", type=int_arg("id", 1), metavar="ID")
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


def _add_backup(sub: Any) -> None:
    bak = sub.add_parser("backup", help="back up the history database (or list, restore)")
    bg = bak.add_mutually_exclusive_group()
    bg.add_argument("--list", action="store_true", help="show the existing backups")
    bg.add_argument("--restore", metavar="FILE", help="replace the history with this backup")
    bak.add_argument("--json", action="store_true")


# --- vote and leaderboard ------------------------------------------------------------


def _add_arena(sub: Any) -> None:
    """``vote`` and ``leaderboard``: compare-mode votes from the terminal."""
    vote = sub.add_parser(
        "vote",
        help="vote on a comparison's latest turn: A, B, C, D, tie or bad",
        description=(
            "Vote on the latest turn of comparison ID (the number `chatdesk compare` "
            "prints and `chatdesk history list` marks). Only columns that answered can "
            "win or lose; voting again on the same turn replaces the vote."
        ),
    )
    # The number `compare` prints and `history list` shows (the conversation's id).
    vote.add_argument("comparison_id", metavar="ID", type=int)
    # Checked by the handler, not argparse: a wrong label is one readable line.
    vote.add_argument("winner", metavar="A|B|C|D|tie|bad")

    board = sub.add_parser(
        "leaderboard", help="your own model ratings from your votes, with speeds"
    )
    board.add_argument("--json", action="store_true")
    board.add_argument(
        "--since", type=_date_arg(False), metavar="DATE", help="only votes from this day on"
    )
    board.add_argument(
        "--until", type=_date_arg(True), metavar="DATE", help="only votes up to this day"
    )


def _date_arg(end_of_day: bool) -> Any:
    """``YYYY-MM-DD`` (local day; the end of it for ``--until``) or a full ISO time."""

    def parse(text: str) -> float:
        try:
            if len(text.strip()) == 10:
                day = _dt.date.fromisoformat(text.strip())
                moment = _dt.datetime.combine(day, _dt.time.max if end_of_day else _dt.time.min)
            else:
                moment = _dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a date like 2026-01-31 or 2026-01-31T18:00, got {text!r}"
            ) from None
        return _epoch(moment)

    return parse


def _epoch(moment: _dt.datetime) -> float:
    """Epoch seconds of ``moment`` (naive: local time, as the user means it).

    The platform's local-time conversion refuses years near 1 and 9999 ("year 0 is
    out of range", which argparse showed as "invalid parse value"); such a date is
    still a clear bound, so it is converted with today's UTC offset instead.
    """
    try:
        return moment.timestamp()
    except (ValueError, OverflowError, OSError):
        if moment.tzinfo is None:
            offset = _dt.datetime.now().astimezone().utcoffset() or _dt.timedelta()
            moment = moment.replace(tzinfo=_dt.timezone(offset))
        epoch = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
        return (moment - epoch).total_seconds()


# --- mcp -----------------------------------------------------------------------------


def _add_mcp(sub: Any) -> None:
    """``chatdesk mcp add|list|remove|import``."""
    mcp = sub.add_parser("mcp", help="MCP tool servers (for ask --mcp and the window)")
    msub = mcp.add_subparsers(dest="action", required=True, parser_class=type(mcp))
    add = msub.add_parser(
        "add",
        help="add or replace a server",
        description="chatdesk mcp add NAME [OPTIONS] -- COMMAND [ARGS...]  or  "
        "chatdesk mcp add NAME --url URL [--header K=V]. Options go before or after NAME. "
        "Environment values and headers are kept in the system keyring.",
    )
    add.add_argument("name")
    add_mcp_server_options(add, defaults=True)
    # Everything after NAME: options, then -- and the command (argparse alone would
    # refuse options between NAME and --; see chatdesk.cli.mcp.split_add).
    add.add_argument(
        "server_command", nargs=argparse.REMAINDER, metavar="-- COMMAND", help="[ARGS...]"
    )
    ls = msub.add_parser("list", help="servers, their state and tools (starts them)")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--no-start", action="store_true", help="do not start the servers")
    rm = msub.add_parser("remove", help="forget a server, its secrets and its approvals")
    rm.add_argument("name")
    imp = msub.add_parser("import", help="add the servers of an mcpServers JSON file")
    imp.add_argument("path", metavar="FILE.json")
    imp.add_argument("--json", action="store_true")


def add_mcp_server_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options of ``mcp add`` (``defaults=False``: None where not given)."""
    many: Any = [] if defaults else None
    parser.add_argument("--url", help="a streamable HTTP server")
    parser.add_argument("--header", action="append", default=many, metavar="K=V")
    parser.add_argument(
        "--env", action="append", default=many, metavar="K=V", help="the command's environment"
    )
    parser.add_argument("--cwd", metavar="DIR", help="working folder of the command")
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0 if defaults else None,
        metavar="SECONDS",
        help="per call",
    )
    parser.add_argument("--disabled", action="store_true", default=False if defaults else None)
