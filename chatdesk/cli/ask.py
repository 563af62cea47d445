"""``chatdesk ask``: send one prompt, stream the answer to stdout, save the exchange."""

from __future__ import annotations

import argparse
import sys
from typing import Any

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
from chatdesk.cli.request import request_params, require_key


class AnswerPrinter:
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

    store = open_store()
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
        require_key(endpoint)
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
        printer = AnswerPrinter()

        class Printer(TurnObserver):
            """Streams the first choice of every answer of the turn to stdout (reasoning
            to a terminal's stderr).

            A closed or full stdout stops the printing, never the answer: the stream
            keeps being read and saved (see AnswerPrinter)."""

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
            return fail(unsaved, args.json, result.content)
        if outcome.error is not None:
            if streamed_any:
                sys.stdout.write("\n")
            code = fail(outcome.error, args.json, result.content)
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
            print_json(
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
