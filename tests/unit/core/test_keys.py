"""The keyring wrapper against the real Secret Service (and its real failure modes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import uuid

import pytest

from chatdesk.core.keys import (
    KeyringLockedError,
    KeyringUnavailableError,
    KeyStore,
    env_key,
    mask_key,
)


def _secret_service_ready() -> bool:
    import keyring

    return type(keyring.get_keyring()).__module__.endswith("SecretService")


needs_keyring = pytest.mark.skipif(
    not _secret_service_ready() and not os.environ.get("CI"),
    reason="no unlocked Secret Service (run through tests/run-all.sh)",
)


@pytest.fixture
def provider() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


@needs_keyring
def test_backend_is_secret_service() -> None:
    assert KeyStore().backend_name().endswith("SecretService.Keyring")


@needs_keyring
def test_set_get_delete_round_trip(provider: str) -> None:
    keys = KeyStore()
    assert keys.get(provider) is None
    keys.set(provider, "  sk-live-1234567890abcd\n")
    assert keys.get(provider) == "sk-live-1234567890abcd"
    # A fresh KeyStore reads it back from the keyring, not from memory.
    assert KeyStore().get(provider) == "sk-live-1234567890abcd"
    assert KeyStore().has_key(provider)
    assert keys.delete(provider) is True
    assert keys.get(provider) is None
    assert keys.delete(provider) is False  # PasswordDeleteError is "nothing to delete"


@needs_keyring
def test_resolve_order(provider: str, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = KeyStore()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-openai-env")
    # OPENAI_API_KEY goes to OpenAI only, never to another server (issue 15).
    assert keys.resolve(provider, "https://api000.com/v1") == (None, "none")
    assert keys.resolve(provider, "https://api.openai.com/v1") == ("sk-from-openai-env", "env")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://gateway.example/v1/")
    assert keys.resolve(provider, "https://gateway.example/v1") == ("sk-from-openai-env", "env")
    monkeypatch.setenv("CHATDESK_API_KEY", "sk-from-chatdesk-env")
    assert keys.resolve(provider) == ("sk-from-chatdesk-env", "env")
    keys.set(provider, "sk-stored-key-0000")
    try:
        assert keys.resolve(provider) == ("sk-stored-key-0000", "keyring")
        # A bare base URL never uses a provider's stored key.
        assert keys.resolve(None) == ("sk-from-chatdesk-env", "env")
    finally:
        keys.delete(provider)


def test_session_key_never_touches_keyring(provider: str) -> None:
    keys = KeyStore()
    keys.set_for_session(provider, "sk-session-only-9999")
    assert keys.get(provider) == "sk-session-only-9999"
    assert keys.resolve(provider) == ("sk-session-only-9999", "session")
    assert KeyStore().get.__self__ is not keys  # sanity: another store knows nothing
    if _secret_service_ready():
        assert KeyStore().get(provider) is None


def test_mask_key_shows_last_four_only() -> None:
    assert mask_key("sk-abcdefghijklmnop1234") == "••••••••1234"
    assert "abcdefgh" not in mask_key("sk-abcdefghijklmnop1234")
    assert mask_key("short") == "••••••••"
    assert mask_key(None) == ""


def test_env_key_order(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_key() is None
    monkeypatch.setenv("OPENAI_API_KEY", "b")
    assert env_key() == "b"
    monkeypatch.setenv("CHATDESK_API_KEY", "a")
    assert env_key() == "a"


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_no_backend_gives_its_own_error() -> None:
    """keyring's real fail backend (what a machine without D-Bus gets)."""
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    proc = _run(
        """
        from chatdesk.core.keys import KeyStore, KeyringUnavailableError
        keys = KeyStore()
        try:
            keys.set("p", "sk-secret-value-1234")
        except KeyringUnavailableError as exc:
            print("UNAVAILABLE", exc.explain("en"))
            print(exc.explain("zh"))
        keys.set_for_session("p", "sk-secret-value-1234")
        print("SESSION", keys.get("p") == "sk-secret-value-1234")
        """,
        env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "UNAVAILABLE No system keyring is available" in proc.stdout
    assert "没有可用的系统密钥环" in proc.stdout
    assert "SESSION True" in proc.stdout
    assert issubclass(KeyringUnavailableError, Exception)


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon"))
    and not os.environ.get("CI"),
    reason="needs dbus-run-session and gnome-keyring-daemon",
)
def test_locked_keyring_gives_its_own_error(tmp_path: object) -> None:
    """Lock a real (private) gnome-keyring collection, then try to store a key."""
    script = textwrap.dedent(
        """
        import secretstorage
        from chatdesk.core.keys import KeyStore, KeyringLockedError
        conn = secretstorage.dbus_init()
        coll = secretstorage.get_default_collection(conn)
        coll.lock()
        assert coll.is_locked()
        try:
            KeyStore().set("p", "sk-secret-value-1234")
        except KeyringLockedError as exc:
            print("LOCKED", exc.explain("en"))
        """
    )
    shell = (
        'export XDG_DATA_HOME="$(mktemp -d)"; '
        'eval "$(printf %s pw | gnome-keyring-daemon --unlock --components=secrets)"; '
        'export GNOME_KEYRING_CONTROL; exec "$0" -c "$1"'
    )
    proc = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell, sys.executable, script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "LOCKED The system keyring is locked" in proc.stdout, proc.stdout + proc.stderr
    assert KeyringLockedError.kind == "locked"
