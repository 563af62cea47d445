"""Which server a terminal command talks to: options given before the subcommand, and
the server a conversation (or a retried question) used last."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chatdesk.cli._common import UsageError

if TYPE_CHECKING:
    import argparse

    from chatdesk.store import Store


def global_options(args: argparse.Namespace) -> str | None:
    """Hand the options given before the subcommand (``chatdesk --base-url B ask``) to it,
    as if given after it; an error message when the subcommand has no such option or was
    given another value too (never silently ignored)."""
    given = {
        "--base-url": ("base_url", args.top_base_url),
        "--provider": ("provider", args.top_provider),
        "-m/--model": ("models" if hasattr(args, "models") else "model", args.top_models),
    }
    for flag, (dest, value) in given.items():
        if args.command is None:
            setattr(args, dest if dest != "model" else "models", value)
            continue
        if not value:
            continue
        if not hasattr(args, dest):
            return (
                f"{flag} before `{args.command}` has no effect on it: "
                f"`chatdesk {args.command}` does not take {flag}"
            )
        if dest == "model":
            if len(value) > 1:
                return f"give -m/--model once for `{args.command}`"
            value = value[0]
        current = getattr(args, dest)
        if current and current != value:
            return (
                f"{flag} is given twice with different values (before and after `{args.command}`)"
            )
        setattr(args, dest, value)
    return None


def endpoint_for(
    store: Store,
    keys: Any,
    args: argparse.Namespace,
    conversation: Any,
    retry: dict[str, Any] | None = None,
) -> Any:
    """The server of this turn: the one named on the command line, else the one the
    conversation (or the retried question) used last, as the window does, else the
    default provider."""
    from chatdesk.core.services import resolve_endpoint, server_from_ref

    ref = conversation.provider if conversation else (retry["server"] if retry else None)
    if args.provider or args.base_url or not ref:
        return resolve_endpoint(store, keys, provider=args.provider, base_url=args.base_url)
    provider, base_url = server_from_ref(ref)
    if provider and store.get_provider(provider) is None:
        what = f"conversation {conversation.id}" if conversation else "the failed question"
        raise UsageError(
            f"{what} was with provider {provider!r}, which is no longer configured: "
            "pass --provider or --base-url to send it elsewhere"
        )
    return resolve_endpoint(store, keys, provider=provider, base_url=base_url)
