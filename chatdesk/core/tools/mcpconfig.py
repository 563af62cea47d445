"""MCP server settings: which servers exist, their secrets, and "always allow" choices.

The list lives in the store's settings (``mcp_servers``) so the window and the CLI
share it. Header values and environment values are secrets more often than not (a
GitHub token in ``env``, a bearer token in ``Authorization``), so only their names
go into SQLite; the values are one keyring entry per server, like API keys. The
``mcpServers`` JSON of Claude desktop and Cherry Studio imports as is.

Nothing here imports the ``mcp`` SDK: reading settings must stay cheap.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from chatdesk.core.urls import has_credentials, mask_credentials
from chatdesk.errors import ChatdeskError

SETTINGS_KEY = "mcp_servers"
APPROVALS_KEY = "mcp_approvals"
#: The conversation parameter holding the servers whose tools a conversation offers.
CONVERSATION_PARAM = "mcp_servers"
DEFAULT_CALL_TIMEOUT_S = 60.0
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_TOOL_NAME_BAD = re.compile(r"[^A-Za-z0-9_-]")
MAX_IMPORT_BYTES = 1 << 20


class McpConfigError(ChatdeskError):
    """A server definition cannot be used (bad name, no command, unreadable JSON)."""


class SettingsLike(Protocol):
    """What this module needs of :class:`chatdesk.store.Store`."""

    def get_setting(self, key: str, default: Any = None) -> Any: ...

    def set_setting(self, key: str, value: Any) -> None: ...


class SecretsLike(Protocol):
    """What this module needs of :class:`chatdesk.core.keys.KeyStore`."""

    def get(self, provider: str) -> str | None: ...

    def set(self, provider: str, key: str) -> None: ...

    def delete(self, provider: str) -> bool: ...


@dataclass(slots=True)
class ServerConfig:
    """One MCP server: a command (stdio) or a URL (streamable HTTP).

    ``env`` and ``headers`` hold values only in memory: saved, they are names in
    SQLite and values in the keyring (see :class:`McpSettings`).
    """

    name: str
    command: str = ""
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    enabled: bool = True
    timeout_s: float = DEFAULT_CALL_TIMEOUT_S

    @property
    def transport(self) -> str:
        return "http" if self.url else "stdio"

    def describe(self) -> str:
        """One line for lists: the command line or the URL."""
        if self.url:
            return mask_credentials(self.url)  # one saved before URLs were checked
        return " ".join([self.command, *self.args])

    def check(self) -> None:
        """Raise :class:`McpConfigError` when the definition cannot work."""
        if not NAME_RE.match(self.name):
            raise McpConfigError(f"server name {self.name!r}: use 1-32 letters, digits, '_' or '-'")
        if bool(self.command) == bool(self.url):
            raise McpConfigError(f"server {self.name}: give either a command or a URL")
        if self.url and not self.url.startswith(("http://", "https://")):
            raise McpConfigError(f"server {self.name}: the URL must start with http:// or https://")
        if self.url and has_credentials(self.url):
            raise McpConfigError(
                f"server {self.name}: the URL holds a user name or password "
                f"({mask_credentials(self.url)}); ChatDesk does not store or send secrets in "
                "URLs. Remove them and give the secret as a header instead (--header "
                "'Authorization=Bearer ...'), which is kept in the system keyring."
            )
        if not 1 <= self.timeout_s <= 3600:
            raise McpConfigError(f"server {self.name}: the timeout must be 1 to 3600 seconds")

    def stored(self) -> dict[str, Any]:
        """The SQLite form: no secret values."""
        return {
            "name": self.name,
            "command": self.command,
            "args": list(self.args),
            "env_names": sorted(self.env),
            "cwd": self.cwd,
            "url": self.url,
            "header_names": sorted(self.headers),
            "enabled": self.enabled,
            "timeout_s": self.timeout_s,
        }


def _secret_entry(name: str) -> str:
    return f"mcp-server:{name}"


def _str_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _str_dict(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


class McpSettings:
    """The configured servers and approvals, read from and written to the store."""

    def __init__(self, store: SettingsLike, keys: SecretsLike | None) -> None:
        self.store = store
        self.keys = keys

    # --- servers ------------------------------------------------------------------

    def _raw(self) -> list[dict[str, Any]]:
        value = self.store.get_setting(SETTINGS_KEY, [])
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    def servers(self, *, secrets: bool = False) -> list[ServerConfig]:
        """Every server, in the order added; ``secrets`` loads env/header values."""
        out = []
        for raw in self._raw():
            cfg = ServerConfig(
                name=str(raw.get("name", "")),
                command=str(raw.get("command") or ""),
                args=_str_list(raw.get("args")),
                env=dict.fromkeys(_str_list(raw.get("env_names")), ""),
                cwd=raw.get("cwd") if isinstance(raw.get("cwd"), str) else None,
                url=str(raw.get("url") or ""),
                headers=dict.fromkeys(_str_list(raw.get("header_names")), ""),
                enabled=bool(raw.get("enabled", True)),
                timeout_s=float(raw.get("timeout_s") or DEFAULT_CALL_TIMEOUT_S),
            )
            if secrets:
                self._load_secrets(cfg)
            out.append(cfg)
        return out

    def get(self, name: str, *, secrets: bool = False) -> ServerConfig | None:
        for cfg in self.servers():
            if cfg.name == name:
                if secrets:
                    self._load_secrets(cfg)
                return cfg
        return None

    def names(self) -> list[str]:
        return [c.name for c in self.servers()]

    def _load_secrets(self, cfg: ServerConfig) -> None:
        if not (cfg.env or cfg.headers) or self.keys is None:
            return
        raw = self.keys.get(_secret_entry(cfg.name))
        try:
            values = json.loads(raw) if raw else {}
        except ValueError:
            values = {}
        env = _str_dict(values.get("env")) if isinstance(values, dict) else {}
        headers = _str_dict(values.get("headers")) if isinstance(values, dict) else {}
        cfg.env = {k: env.get(k, "") for k in cfg.env}
        cfg.headers = {k: headers.get(k, "") for k in cfg.headers}

    def save(self, cfg: ServerConfig, *, keep_secrets: bool = False) -> None:
        """Add or replace ``cfg`` (same name); secret values go to the keyring.

        ``keep_secrets``: an edit that did not touch the values (the window shows
        names only) keeps the stored ones for the names still listed.

        Raises:
            McpConfigError: the definition is not usable.
            KeyringProblem: the keyring refused the secret values.
        """
        cfg.check()
        if keep_secrets:
            old = self.get(cfg.name, secrets=True)
            if old is not None:
                cfg.env = {k: v or old.env.get(k, "") for k, v in cfg.env.items()}
                cfg.headers = {k: v or old.headers.get(k, "") for k, v in cfg.headers.items()}
        self.save_many([cfg])

    def save_many(self, configs: list[ServerConfig]) -> None:
        """Add or replace several servers with one read and one write of the list.

        Linear in the number of servers (saving them one by one rewrote the whole
        list each time: 5,000 imported servers took 85 s). What was saved before a
        keyring failure stays saved.

        Raises:
            McpConfigError: a definition is not usable (nothing is saved).
            KeyringProblem: the keyring refused a secret value.
        """
        for cfg in configs:
            cfg.check()
            if self.keys is None and (cfg.env or cfg.headers):
                raise McpConfigError("environment values and headers need the system keyring")
        raw = self._raw()
        index = {str(r.get("name")): i for i, r in enumerate(raw)}
        try:
            for cfg in configs:
                at = index.get(cfg.name)
                old = raw[at] if at is not None else {}
                if self.keys is not None:
                    if cfg.env or cfg.headers:
                        secret = json.dumps({"env": cfg.env, "headers": cfg.headers})
                        self.keys.set(_secret_entry(cfg.name), secret)
                    elif old.get("env_names") or old.get("header_names"):
                        self.keys.delete(_secret_entry(cfg.name))
                if at is None:
                    index[cfg.name] = len(raw)
                    raw.append(cfg.stored())
                else:
                    raw[at] = cfg.stored()
        finally:
            self.store.set_setting(SETTINGS_KEY, raw)

    def _had_secrets(self, name: str) -> bool:
        """Does the stored definition name env values or headers (kept in the keyring)?"""
        for raw in self._raw():
            if raw.get("name") == name:
                return bool(raw.get("env_names") or raw.get("header_names"))
        return False

    def set_enabled(self, name: str, enabled: bool) -> None:
        raw = self._raw()
        for r in raw:
            if r.get("name") == name:
                r["enabled"] = enabled
        self.store.set_setting(SETTINGS_KEY, raw)

    def remove(self, name: str) -> bool:
        """Forget the server, its secrets and its approvals; False when unknown."""
        raw = self._raw()
        kept = [r for r in raw if r.get("name") != name]
        if len(kept) == len(raw):
            return False
        had = self._had_secrets(name)
        self.store.set_setting(SETTINGS_KEY, kept)
        if self.keys is not None and had:
            self.keys.delete(_secret_entry(name))
        approvals = self._approvals()
        if approvals.pop(name, None) is not None:
            self.store.set_setting(APPROVALS_KEY, approvals)
        return True

    # --- import -------------------------------------------------------------------

    def import_json(self, text: str) -> list[str]:
        """Add the servers of an ``mcpServers`` JSON (Claude desktop, Cherry Studio).

        Returns the names added or replaced. Raises :class:`McpConfigError` for a
        file that is not such a JSON, naming what is wrong.
        """
        configs = parse_mcp_servers(text)
        self.save_many(configs)
        return [c.name for c in configs]

    # --- approvals ----------------------------------------------------------------

    def _approvals(self) -> dict[str, list[str]]:
        value = self.store.get_setting(APPROVALS_KEY, {})
        if not isinstance(value, dict):
            return {}
        return {str(k): _str_list(v) for k, v in value.items()}

    def always_allowed(self, server: str, tool: str) -> bool:
        return tool in self._approvals().get(server, [])

    def allow_always(self, server: str, tool: str) -> None:
        approvals = self._approvals()
        tools = approvals.setdefault(server, [])
        if tool not in tools:
            tools.append(tool)
            self.store.set_setting(APPROVALS_KEY, approvals)

    def revoke(self, server: str, tool: str | None = None) -> None:
        """Forget "always allow" for one tool, or for every tool of ``server``."""
        approvals = self._approvals()
        if tool is None:
            approvals.pop(server, None)
        elif tool in approvals.get(server, []):
            approvals[server].remove(tool)
            if not approvals[server]:
                del approvals[server]
        self.store.set_setting(APPROVALS_KEY, approvals)

    def approvals(self) -> list[tuple[str, str]]:
        """Every (server, tool) allowed always."""
        return [(s, t) for s, tools in sorted(self._approvals().items()) for t in tools]


def sanitize_name(text: str) -> str:
    """A server name from any key of an imported file."""
    name = _TOOL_NAME_BAD.sub("-", text.strip())[:32].strip("-_") or "server"
    return name if name[0].isalnum() else "s" + name[:31]


def parse_mcp_servers(text: str) -> list[ServerConfig]:
    """The servers of an ``mcpServers`` JSON (also a bare ``{name: {...}}`` object).

    Raises:
        McpConfigError: not JSON, or no server definitions in it.
    """
    if len(text) > MAX_IMPORT_BYTES:
        raise McpConfigError("the file is larger than 1 MB: not an MCP servers file")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise McpConfigError(f"not valid JSON ({exc})") from None
    except RecursionError:
        raise McpConfigError("the JSON is nested too deeply") from None
    if isinstance(data, dict) and isinstance(data.get("mcpServers"), dict):
        data = data["mcpServers"]
    if not isinstance(data, dict) or not data:
        raise McpConfigError('expected {"mcpServers": {"NAME": {"command": ...}}}')
    out: list[ServerConfig] = []
    for key, spec in data.items():
        if not isinstance(spec, dict):
            raise McpConfigError(f"server {key!r}: expected an object")
        url = spec.get("url") or spec.get("baseUrl") or ""
        cfg = ServerConfig(
            name=sanitize_name(str(key)),
            command=str(spec.get("command") or "") if not url else "",
            args=_str_list(spec.get("args")),
            env=_str_dict(spec.get("env")),
            cwd=spec.get("cwd") if isinstance(spec.get("cwd"), str) else None,
            url=str(url),
            headers=_str_dict(spec.get("headers")),
            enabled=not bool(spec.get("disabled")) and spec.get("isActive", True) is not False,
        )
        if isinstance(spec.get("timeout"), int | float) and 1 <= spec["timeout"] <= 3600:
            cfg.timeout_s = float(spec["timeout"])
        cfg.check()
        out.append(cfg)
    return out


# --- tool names offered to the model ----------------------------------------------------

MAX_TOOL_NAME = 64


def tool_alias(server: str, tool: str, taken: Iterable[str] = ()) -> str:
    """``server__tool`` as the OpenAI name rules allow (1-64 of ``[A-Za-z0-9_-]``).

    Names that had to be changed or cut get a short hash of the original, so two
    tools never end up with the same name; ``taken`` names are avoided too.
    """
    raw = f"{server}__{tool}"
    clean = _TOOL_NAME_BAD.sub("_", raw)
    used = set(taken)
    if clean == raw and len(clean) <= MAX_TOOL_NAME and clean not in used:
        return clean
    digest = hashlib.sha1(raw.encode("utf-8", "surrogatepass")).hexdigest()
    for size in (6, 10, 16, 40):
        name = f"{clean[: MAX_TOOL_NAME - size - 1]}_{digest[:size]}"
        if name not in used:
            return name
    raise McpConfigError(f"no free name for tool {tool!r} of {server}")  # pragma: no cover


def conversation_servers(params: dict[str, Any] | None) -> list[str]:
    """The MCP servers a conversation's parameters choose."""
    value = (params or {}).get(CONVERSATION_PARAM)
    return [str(v) for v in value] if isinstance(value, list) else []
