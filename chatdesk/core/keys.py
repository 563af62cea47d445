"""API keys live in the OS keyring, one entry per provider, never in a file.

When the keyring cannot be used (no backend, or locked) the caller gets its own
clear error and may keep the key in memory for this run only
(:meth:`KeyStore.set_for_session`). There is deliberately no plaintext fallback.
"""

from __future__ import annotations

import os

from chatdesk.errors import ChatdeskError

SERVICE = "chatdesk"
ENV_VARS = ("CHATDESK_API_KEY", "OPENAI_API_KEY")


class KeyringProblem(ChatdeskError):
    """The keyring could not store or read a key; shown to the user with a way forward."""

    kind = "keyring"
    en = "The system keyring failed."
    zh = "系统密钥环出错。"

    #: What was being done: "save", "read" or "delete" (the terminal wording depends on it).
    action = "read"

    def explain(self, lang: str = "en") -> str:
        return self.zh if lang.startswith("zh") else self.en

    def explain_cli(self) -> str:
        """The message for the terminal: no window buttons, and "cannot be saved" only
        when something was being saved."""
        return f"The system keyring failed ({self}). Set CHATDESK_API_KEY to run without it."


class KeyringUnavailableError(KeyringProblem):
    """No usable keyring backend (keyring's NoKeyringError)."""

    kind = "unavailable"
    en = (
        "No system keyring is available, so the key cannot be saved. Install and start a "
        "Secret Service (e.g. gnome-keyring or KWallet), or use the key for this session only."
    )
    zh = (
        "没有可用的系统密钥环，无法保存密钥。请安装并启动 Secret Service（如 gnome-keyring 或 "
        "KWallet），或仅在本次运行中使用该密钥。"
    )

    def explain_cli(self) -> str:
        what = {
            "save": "the key cannot be saved",
            "delete": "the key cannot be deleted",
        }.get(self.action, "stored keys cannot be read")
        return (
            f"No system keyring is available, so {what}. Install and start a Secret Service "
            "(e.g. gnome-keyring or KWallet), or give the key in CHATDESK_API_KEY."
        )


class KeyringLockedError(KeyringProblem):
    """The keyring exists but is locked (keyring's KeyringLocked)."""

    kind = "locked"
    en = (
        "The system keyring is locked. Unlock it (log in to your desktop session or open "
        "your keyring manager) and try again, or use the key for this session only."
    )
    zh = (
        "系统密钥环已锁定。请先解锁（登录桌面会话或打开密钥管理器）后重试，"
        "或仅在本次运行中使用该密钥。"
    )

    def explain_cli(self) -> str:
        return (
            "The system keyring is locked. Unlock it (log in to your desktop session or open "
            "your keyring manager) and try again, or give the key in CHATDESK_API_KEY."
        )


def mask_key(key: str | None) -> str:
    """Show only the last 4 characters of a key (for messages and code samples)."""
    if not key:
        return ""
    tail = key[-4:] if len(key) > 8 else ""
    return "\u2022" * 8 + tail


def env_key() -> str | None:
    """The key from CHATDESK_API_KEY, then OPENAI_API_KEY, wherever it belongs (for
    reports such as ``keys status``; requests use :func:`env_key_for`)."""
    for name in ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


OPENAI_HOST = "api.openai.com"


def is_openai_url(base_url: str | None) -> bool:
    """Where OPENAI_API_KEY belongs: OpenAI's own host, or the OPENAI_BASE_URL the user set
    for it (the same convention as OpenAI's own SDKs)."""
    from chatdesk.core.urls import same_base_url, url_host

    if not base_url:
        return False
    if url_host(base_url) == OPENAI_HOST:
        return True
    configured = os.environ.get("OPENAI_BASE_URL", "").strip()
    return bool(configured) and same_base_url(configured, base_url)


def env_key_for(base_url: str | None) -> tuple[str | None, str | None]:
    """The key from the environment for a request to ``base_url``, and its variable.

    CHATDESK_API_KEY is meant for the server in use, whichever it is. OPENAI_API_KEY is
    an OpenAI key that many shells carry: sent anywhere else (the default relay, a
    third-party server) it would leak, so it only goes where :func:`is_openai_url` says.
    """
    value = os.environ.get("CHATDESK_API_KEY", "").strip()
    if value:
        return value, "CHATDESK_API_KEY"
    value = os.environ.get("OPENAI_API_KEY", "").strip()
    if value and is_openai_url(base_url):
        return value, "OPENAI_API_KEY"
    return None, None


def _translate(exc: Exception, action: str = "read") -> KeyringProblem:
    from keyring import errors as kerr

    problem: KeyringProblem
    if isinstance(exc, kerr.KeyringLocked):
        problem = KeyringLockedError(str(exc))
    elif isinstance(exc, kerr.NoKeyringError):
        problem = KeyringUnavailableError(str(exc))
    else:
        problem = KeyringProblem(str(exc))
    problem.action = action
    return problem


class KeyStore:
    """Per-provider keys in the keyring, plus keys kept for this run only."""

    def __init__(self) -> None:
        self._session: dict[str, str] = {}

    def backend_name(self) -> str:
        import keyring

        backend = keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def get(self, provider: str) -> str | None:
        """The key for ``provider``: a session key first, then the keyring."""
        if provider in self._session:
            return self._session[provider]
        import keyring
        from keyring import errors as kerr

        try:
            return keyring.get_password(SERVICE, provider)
        except kerr.KeyringError as exc:
            raise _translate(exc) from None
        except Exception as exc:  # D-Bus and backend failures: the same way out
            raise KeyringProblem(f"{type(exc).__name__}: {exc}") from None

    def set(self, provider: str, key: str) -> None:
        """Store ``key`` in the keyring; raises a :class:`KeyringProblem` when it cannot."""
        key = key.strip()
        if not key:
            raise ChatdeskError("The API key is empty.")
        import keyring
        from keyring import errors as kerr

        try:
            keyring.set_password(SERVICE, provider, key)
        except (kerr.KeyringError, RuntimeError) as exc:
            raise _translate(exc, "save") from None
        self._session.pop(provider, None)

    def session_key(self, provider: str) -> str | None:
        """A key kept for this run only (no keyring access)."""
        return self._session.get(provider)

    def set_for_session(self, provider: str, key: str) -> None:
        """Keep ``key`` in memory until the process ends (the keyring's way out)."""
        self._session[provider] = key.strip()

    def delete(self, provider: str) -> bool:
        """Forget the key; False when there was none."""
        had_session = self._session.pop(provider, None) is not None
        import keyring
        from keyring import errors as kerr

        try:
            keyring.delete_password(SERVICE, provider)
        except kerr.PasswordDeleteError:
            return had_session
        except (kerr.KeyringError, RuntimeError) as exc:
            raise _translate(exc, "delete") from None
        return True

    def has_key(self, provider: str) -> bool:
        try:
            return bool(self.get(provider))
        except KeyringProblem:
            return False

    def resolve(self, provider: str | None, base_url: str | None = None) -> tuple[str | None, str]:
        """The key to use and where it came from ("session", "keyring", "env" or "none").

        A named provider uses its stored key, falling back to the environment; no
        provider (a bare ``--base-url``) uses the environment only. The environment's
        key must belong to ``base_url`` (see :func:`env_key_for`). The window and the
        terminal both come here, so both follow the same rule.
        """
        if provider:
            if provider in self._session:
                return self._session[provider], "session"
            try:
                stored = self.get(provider)
            except KeyringProblem:
                stored = None  # the environment may still hold a key for terminal use
            if stored:
                return stored, "keyring"
        key, _ = env_key_for(base_url)
        return (key, "env") if key else (None, "none")
