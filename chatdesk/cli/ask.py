"""``chatdesk ask``: send one prompt, stream the answer to stdout, save the exchange."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chatdesk.cli import mcp as cli_mcp, retry as cli_retry, server as cli_server
from chatdesk.cli._common import (
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_SIGPIPE,
    UsageError,
    fail,
    open_store,
    print_json,
    silence_stdout,
)
from chatdesk.cli.request import request_params, require_key, split_images

if TYPE_CHECKING:
    from chatdesk.api.types import ChatRequest
    from chatdesk.core.chat.patient import PatientStore
    from chatdesk.core.chat.runner import TurnObserver, TurnResult, TurnRunner
    from chatdesk.core.chat.turns import Draft
    from chatdesk.core.services import Endpoint
    from chatdesk.store import ConversationRow, Store


class AnswerPrinter:
    """Prints an answer as it streams, and survives the reader going away.

    ``chatdesk ask ... | head -c 100`` closes the pipe after 100 bytes; ``> /dev/full``
    fails every write. Either way printing stops, the answer keeps streaming into the
    history, and the command ends quietly (a closed pipe: status 141 like any Unix
    tool) or with one line (another output error).
    """

    def __init__(self) -> None:
        self.seen: dict[int, str] = {}  # text per choice, for a Ctrl-C report
        self.streamed = False  # some answer text reached stdout
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
                silence_stdout()
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
                print_json(
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
                silence_stdout()
        else:
            self.write(sys.stdout, "\n")
            sys.stderr.write("chatdesk: interrupted; the partial answer is saved as stopped\n")
        return EXIT_INTERRUPTED


@dataclass(slots=True)
class _Ask:
    """One ``ask`` as the command line and the history decided it (see :func:`_setup`)."""

    args: argparse.Namespace
    store: Store
    prompt: str
    draft: Draft
    params: dict[str, Any]
    retry: dict[str, Any] | None  # the kept question of ``--retry``
    conversation: ConversationRow | None  # None: a new one (or none with --no-save)
    endpoint: Endpoint
    model: str
    parent_id: int | None = None  # where the question hangs (see _build_request)
    system: str = ""
    conv_id: int | None = None  # set once the question is saved
    user_id: int | None = None


def cmd_ask(args: argparse.Namespace) -> int:
    """Send one prompt; stream the answer to stdout; save the exchange."""
    from chatdesk.core.chat.patient import PatientStore
    from chatdesk.core.chat.turns import Draft

    retry = cli_retry.question_to_retry(args)
    prompt = _read_prompt(args, retry)
    images, image_urls = split_images(args.image)
    params = request_params(args)

    store = open_store()
    try:
        ask = _setup(store, args, prompt, Draft(prompt, images, image_urls), params, retry)
        request = _build_request(ask)
        _save_question(ask)
        printer = AnswerPrinter()
        # Writes the database refuses for now (busy, disk full) wait in memory: the
        # stream keeps reading, and they are saved (or reported) at the end.
        saver = PatientStore(store)
        turn, running = _run(ask, request, printer, saver)
        return _finish(ask, turn, running, printer, saver)
    finally:
        store.close()


# --- setup ---------------------------------------------------------------------------


def _read_prompt(args: argparse.Namespace, retry: dict[str, Any] | None) -> str:
    """The prompt: the argument, else the retried question, else standard input."""
    prompt = args.prompt
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
    return str(prompt)


def _setup(
    store: Store,
    args: argparse.Namespace,
    prompt: str,
    draft: Draft,
    params: dict[str, Any],
    retry: dict[str, Any] | None,
) -> _Ask:
    """The conversation, server and model of this turn; every check that can refuse
    it runs here, before anything is saved or sent."""
    from chatdesk.core.keys import KeyStore

    conversation = None
    if args.cont:
        latest = store.list_conversations(limit=1, pinned_first=False)
        conversation = latest[0] if latest else None
    elif args.conversation:
        conversation = store.get_conversation(args.conversation)
        if conversation is None:
            raise UsageError(f"no conversation with id {args.conversation}")
    endpoint = cli_server.endpoint_for(store, KeyStore(), args, conversation, retry)
    require_key(endpoint)
    if args.mcp:
        cli_mcp.check_servers(store, args.mcp)
    model = (
        args.model
        or (conversation.model if conversation else None)
        or (retry["model"] if retry else None)
        or endpoint.default_model
    )
    if not model:
        raise UsageError("no model: pass -m/--model (see `chatdesk models`)")
    return _Ask(args, store, prompt, draft, params, retry, conversation, endpoint, model)


# --- request building and saving the question ---------------------------------------


def _build_request(ask: _Ask) -> ChatRequest:
    """The checked request: the conversation's path up to where the question hangs."""
    from chatdesk.core.chat.branches import parent_for_new_message
    from chatdesk.core.chat.extrabody import extra_body_for
    from chatdesk.core.chat.turns import build_request

    args, store, conversation = ask.args, ask.store, ask.conversation
    history = store.active_path(conversation.id) if conversation else []
    # After a failed turn the new question takes its place (the window's rule): the
    # failed question is never sent again as history.
    ask.parent_id = parent_for_new_message(history)
    path_ids = [m.id for m in history]
    if ask.parent_id in path_ids:
        history = history[: path_ids.index(ask.parent_id) + 1]
    else:
        history = []
    ask.system = (
        args.system
        if args.system is not None
        else (conversation.system_prompt if conversation else "")
    )
    return build_request(
        store,
        conversation,
        history,
        ask.model,
        ask.params,
        draft=ask.draft,
        system_prompt=ask.system,
        stream=not args.no_stream,
        extra_body=extra_body_for(store, ask.endpoint.name, ask.model, args.extra_body),
    )


def _save_question(ask: _Ask) -> None:
    """Save the question (not with ``--no-save``): the conversation is made if new."""
    from chatdesk.core.chat.turns import save_user_turn
    from chatdesk.core.services import server_ref

    if ask.args.no_save:
        return
    conversation = ask.conversation
    if conversation is not None:
        ask.store.update_conversation(conversation.id, system_prompt=ask.system)
    ask.conv_id, ask.user_id = save_user_turn(
        ask.store,
        conversation.id if conversation else None,
        ask.draft,
        parent_id=ask.parent_id,
        model=ask.model,
        provider=server_ref(ask.endpoint),
        system_prompt=ask.system,
        params=ask.params,
    )


# --- the run -------------------------------------------------------------------------


def _stream_printer(args: argparse.Namespace, printer: AnswerPrinter) -> TurnObserver:
    """Streams the first choice of every answer of the turn to stdout (reasoning to a
    terminal's stderr); nothing with ``--json``.

    A closed or full stdout stops the printing, never the answer: the stream keeps
    being read and saved (see :class:`AnswerPrinter`)."""
    from chatdesk.core.chat.exchange import Exchange
    from chatdesk.core.chat.runner import TurnObserver

    show_reasoning = sys.stderr.isatty() and not args.json

    class Printer(TurnObserver):
        def text_arrived(
            self, runner: TurnRunner, exchange: Exchange, index: int, text: str, reasoning: bool
        ) -> None:
            if not reasoning:
                printer.seen[index] = printer.seen.get(index, "") + text
            if args.json or index != 0:
                return
            if not reasoning:
                printer.streamed = printer.write(sys.stdout, text) or printer.streamed
            elif show_reasoning:
                printer.write(sys.stderr, text)

    return Printer()


def _run(
    ask: _Ask, request: ChatRequest, printer: AnswerPrinter, saver: PatientStore
) -> tuple[TurnResult | None, list[TurnRunner]]:
    """Run the turn (the tool loop with ``--mcp``); None for Ctrl-C, with the runner
    that was stopped (its exchange saved the partial answer as stopped)."""
    import asyncio

    from chatdesk.core.chat.exchange import Exchange, ExchangeTarget
    from chatdesk.core.chat.runner import TurnRunner
    from chatdesk.core.clients import ClientPool
    from chatdesk.core.settings import AppSettings

    args, store = ask.args, ask.store
    overrides: dict[str, Any] = {}
    if args.timeout:
        overrides["read_timeout"] = args.timeout
        overrides["connect_timeout"] = min(args.timeout, 10.0)
    if args.deadline:
        overrides["total_timeout"] = args.deadline
    running: list[TurnRunner] = []

    async def go() -> TurnResult:
        pool = ClientPool(store, AppSettings.from_dict(store.get_setting("app_settings")))
        exchange = Exchange(
            pool.get(ask.endpoint, **overrides),
            request,
            store=None if args.no_save else saver,
            target=ExchangeTarget(ask.conv_id, ask.user_id),
        )
        # With --mcp the tool loop runs the turn: one exchange per round (cli.mcp).
        tools = cli_mcp.tool_setup(args, store) if args.mcp else None
        runner = TurnRunner(
            pool,
            exchange,
            endpoint=ask.endpoint,
            tools=tools,
            observer=_stream_printer(args, printer),
        )
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
        return asyncio.run(go()), running
    except KeyboardInterrupt:
        return None, running


# --- the end: saving and printing ----------------------------------------------------


def _finish(
    ask: _Ask,
    turn: TurnResult | None,
    running: list[TurnRunner],
    printer: AnswerPrinter,
    saver: PatientStore,
) -> int:
    """Settle the saves, then report: stopped, unsaved, failed or the answer."""
    from chatdesk.core.services import server_ref

    args = ask.args
    outcome = turn.outcome if turn is not None else None
    if turn is None or outcome is None:  # Ctrl-C: the partial answer is saved as stopped
        saver.settle(timeout=5.0)
        made = running[0].exchanges if running else []
        ids = dict(made[0].message_ids) if made else {}
        return printer.stopped(args.json, ask.conv_id, ask.user_id, ids)
    result = outcome.result
    unsaved = saver.settle()
    if unsaved is not None:
        if printer.streamed:
            sys.stdout.write("\n")
        sys.stderr.write("chatdesk: the answer could not be saved in the history\n")
        return fail(unsaved, args.json, result.content)
    if outcome.error is not None:
        if printer.streamed:
            sys.stdout.write("\n")
        code = fail(outcome.error, args.json, result.content)
        if (
            ask.conversation is None
            and ask.conv_id is not None
            and cli_retry.drop_failed_first_turn(
                ask.store, ask.conv_id, ask.prompt, server_ref(ask.endpoint), ask.model
            )
        ):
            cli_retry.say_dropped(ask.prompt)
        return code
    if args.retry:
        cli_retry.forget(ask.store)
    if args.json:
        print_json(_answer_json(ask, turn))
    else:
        _print_answer(turn, printer)
    return printer.exit_code(0)


def _answer_json(ask: _Ask, turn: TurnResult) -> dict[str, Any]:
    """The ``--json`` object of a finished turn (see the README)."""
    outcome = turn.outcome
    assert outcome is not None  # _finish reports a stopped turn before this
    result = outcome.result
    return {
        "conversation_id": ask.conv_id,
        "message_ids": ([ask.user_id] if ask.user_id else []) + list(outcome.message_ids.values()),
        "model": result.model or ask.model,
        "choices": [
            {
                "index": c.index,
                "content": c.content,
                "reasoning": c.reasoning or None,
                "tool_calls": [
                    {"id": t.id, "name": t.name, "arguments": t.arguments} for t in c.tool_calls
                ],
                "finish_reason": c.finish_reason,
            }
            for c in sorted(result.choices.values(), key=lambda c: c.index)
        ],
        "usage": result.usage.to_dict() if result.usage else None,
        "ttft_ms": outcome.ttft_ms,
        "duration_ms": outcome.duration_ms,
        **({"tool_runs": cli_mcp.tool_runs_json(turn.tool_runs)} if ask.args.mcp else {}),
    }


def _print_answer(turn: TurnResult, printer: AnswerPrinter) -> None:
    """The rest of the answer as text: the first choice if it was not streamed, the
    other candidates, tool calls, and an unusual finish reason on stderr."""
    outcome = turn.outcome
    assert outcome is not None  # _finish reports a stopped turn before this
    result = outcome.result
    out = sys.stdout
    first = result.choices.get(0)
    if first is not None and not printer.streamed and first.content:
        out.write(first.content)
    for choice in sorted(result.choices.values(), key=lambda c: c.index):
        if choice.index != 0:
            out.write(f"\n\n--- candidate {choice.index + 1} ---\n{choice.content}")
        for call in choice.tool_calls:
            out.write(f"\n[tool call {call.id}] {call.name}({call.arguments})")
        if choice.finish_reason and choice.finish_reason not in ("stop", "tool_calls"):
            sys.stderr.write(f"\n[finish reason: {choice.finish_reason}]")
    printer.write(out, "\n")
