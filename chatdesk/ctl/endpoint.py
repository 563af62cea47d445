"""Which server the window talks to: provider choice, the key it needs, the model list.

A service shared by the chat pane, the compare view and the settings (not a pane of
its own): the header's model pill and its list show what it decided.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from chatdesk.core.chat.recent import recent_models, remember_model
from chatdesk.core.errors import ValidationError
from chatdesk.core.keys import KeyringProblem
from chatdesk.core.services import (
    DEFAULT_MODEL,
    Endpoint,
    SetupError,
    builtin_model_list,
    fetch_models,
    provider_cache_key,
    resolve_endpoint,
    server_from_ref,
    server_label,
    server_ref,
)
from chatdesk.core.urls import is_local_url, same_base_url, url_host, url_identity

if TYPE_CHECKING:
    from chatdesk.ctl.services import Services
    from chatdesk.ui.mainwindow import MainWindow
    from chatdesk.ui.modelmenu import ProviderModels


class EndpointService(QObject):
    """The window's server: chosen by provider or by this run's ``--base-url``.

    Signals:
        models_loaded(str): the model list arrived (its source: server, cache, builtin).
    """

    models_loaded = Signal(str)

    def __init__(
        self,
        window: MainWindow,
        services: Services,
        *,
        base_url: str | None = None,
        provider: str | None = None,
        model: str | None = None,
    ) -> None:
        super().__init__(services)
        self.window = window
        self.services = services
        self._override_base_url = base_url
        self._override_provider = provider
        self._run_base_url = base_url  # a --base-url server stays on the provider list
        self.override_model = model
        self._endpoint: Endpoint | None = None
        window.provider_chosen.connect(self.choose_provider)
        window.set_model_catalogue(self.catalogue)

    @property
    def endpoint(self) -> Endpoint | None:
        return self._endpoint

    @property
    def provider_override(self) -> str | None:
        return self._override_provider

    def use(self, base_url: str | None, provider: str | None) -> None:
        """Talk to this server from now on (another start's ``--base-url``/``--provider``)."""
        self._override_base_url = base_url
        self._override_provider = provider
        self.reload_endpoint()
        self.refresh_models()

    def reload_endpoint(self) -> None:
        """(Re)resolve the chosen server; show the key panel when no key."""
        services = self.services
        try:
            self._endpoint = resolve_endpoint(
                services.store,
                services.keys,
                provider=self._override_provider,
                base_url=self._override_base_url,
            )
        except (SetupError, ValidationError, KeyringProblem) as exc:
            self._endpoint = None
            services.set_status(str(exc))
            self.window.show_key_panel(True)
            return
        if self._endpoint.name is None:
            # A --base-url run: a key given in the key panel for this server (this session,
            # then the keyring, which is only loaded when the environment has no key).
            ident = self.url_identity()
            session = services.keys.session_key(ident)
            if session:
                self._endpoint.api_key, self._endpoint.key_source = session, "session"
            elif not self._endpoint.api_key:
                key, source = services.keys.resolve(ident, self._endpoint.base_url)
                if key:
                    self._endpoint.api_key, self._endpoint.key_source = key, source
        self.window.show_key_panel(not self._endpoint.api_key)
        self.show_server()
        self.refresh_providers()
        current = self.override_model or self.window.model_picker.current()
        if not current:
            self.window.model_picker.set_current(self._endpoint.default_model or DEFAULT_MODEL)

    def show_server(self) -> None:
        """The status line names the server the window talks to."""
        if self._endpoint is not None:
            # The host, not the URL: the status is in the header, which shows no address.
            url = self._endpoint.base_url
            # Named as the header's pill names it ("Zero", not the key "zero").
            named = self._endpoint.name
            name = (self.window.provider_label(named) if named else url_host(url)) or url
            self.services.set_status(self.tr("Server: %1").replace("%1", name))

    # --- providers at hand -------------------------------------------------------------

    def refresh_providers(self) -> None:
        """The toolbar's provider list, with the one in use selected."""
        url = self._run_base_url if self._run_base_url else None
        current = self._endpoint.name if self._endpoint is not None else None
        rows = self.services.store.list_providers()
        urls = {p.name: p.base_url for p in rows}
        self.window.set_providers([p.name for p in rows], current, url, urls)

    def catalogue(self) -> list[ProviderModels]:
        """Every provider's models as far as known without asking (the cached list, the
        models used last, its default), for the header's list of all models."""
        from chatdesk.ui.modelmenu import ProviderModels

        store = self.services.store
        table = store.get_setting("recent_models", {})
        out = []
        for row in store.list_providers():
            key = provider_cache_key(row.name)
            cached = store.cached_models(key) or []
            models = [str(m.get("id") or "") for m in cached if isinstance(m, dict)]
            if row.default_model and row.default_model not in models:
                models.append(row.default_model)
            out.append(ProviderModels(row.name, "", models, recent_models(table, key)))
        return out

    def choose_provider(self, name: str) -> None:
        """The user picked a provider ("" = this run's --base-url server) for this chat."""
        services = self.services
        if services.running.any():
            services.set_status(self.tr("Wait for the answer to finish or stop it first."))
            self.refresh_providers()
            return
        if not self.switch_provider(name):
            return
        conv_id = services.shown_conversation
        if conv_id is not None and self._endpoint is not None:
            services.store.update_conversation(conv_id, provider=server_ref(self._endpoint))
        default = self._endpoint.default_model if self._endpoint else None
        if default:  # the new server's own default, unless the user types another
            self.window.model_picker.set_current(default)
            if conv_id is not None:
                services.store.update_conversation(conv_id, model=default)
        self.refresh_models()

    def switch_provider(self, name: str) -> bool:
        """Talk to ``name`` from now on (the window's endpoint); False if it is unknown."""
        if name and self.services.store.get_provider(name) is None:
            self.services.set_status(self.tr("No provider named %1.").replace("%1", name))
            self.refresh_providers()
            return False
        if not name and not self._run_base_url:
            return False
        self._override_provider = name or None
        self._override_base_url = None if name else self._run_base_url
        self.reload_endpoint()
        return True

    def follow(self, ref: str | None) -> None:
        """Talk to the server a conversation remembers (``ref``: a provider's name or
        ``url:`` + base URL) when this window can: a provider that still exists, or
        this run's ``--base-url`` server when it is that URL. A URL this window has
        no way to reach (a chat begun in a terminal with ``--base-url``) is named in
        the status bar with where new messages go, never silently swapped."""
        current = self._endpoint
        in_use = (current.name if current is not None else None) or ""
        wanted, url = server_from_ref(ref)
        if wanted:
            known = self.services.store.get_provider(wanted) is not None
        elif url is not None and self._run_base_url:
            known = same_base_url(url, self._run_base_url)
        else:
            known = self.has_run_server() and url is None
        if (wanted or "") != in_use and known and self.switch_provider(wanted or ""):
            self.refresh_models()
            return
        here = self._endpoint
        if url is not None and not known and here is not None:
            if not same_base_url(url, here.base_url):
                self.services.set_status(
                    self.tr(
                        "This chat was with %1, which this window is not using; "
                        "new messages go to %2."
                    )
                    .replace("%1", url_host(url) or url)
                    .replace("%2", server_label(here.name, here.base_url))
                )

    def has_run_server(self) -> bool:
        """Whether this run was started with ``--base-url`` (a server with no provider)."""
        return bool(self._run_base_url)

    # --- models ------------------------------------------------------------------------

    def _recent_key(self) -> str:
        return self._endpoint.cache_key if self._endpoint is not None else ""

    def recent_models(self) -> list[str]:
        """The models last used with the current server, newest first."""
        table = self.services.store.get_setting("recent_models", {})
        return recent_models(table, self._recent_key())

    def remember_model(self, model: str) -> None:
        store = self.services.store
        table = store.get_setting("recent_models", {})
        store.set_setting("recent_models", remember_model(table, self._recent_key(), model))

    def current_model(self) -> str:
        return (
            self.window.model_picker.current()
            or (self._endpoint.default_model if self._endpoint else None)
            or DEFAULT_MODEL
        )

    @property
    def client(self) -> Any:
        """The pooled HTTP client for the current endpoint (None when it cannot be made)."""
        if self._endpoint is None:
            return None
        try:
            return self.services.pool.get(self._endpoint)
        except ValidationError as exc:  # a malformed key or proxy URL
            self.services.set_status(self.tr("Check the settings: %1").replace("%1", str(exc)))
            return None

    def url_identity(self) -> str:
        """The keyring entry of a --base-url server."""
        return url_identity(self._override_base_url or "")

    def key_owner(self) -> str:
        """Where the key panel's key belongs: the provider, or the --base-url server."""
        if self._override_base_url and not self._override_provider:
            return self.url_identity()
        if self._endpoint and self._endpoint.name:
            return self._endpoint.name
        return str(self.services.store.get_setting("default_provider") or "zero")

    def refresh_models(self) -> None:
        """The model list in the background; without a key for a remote server, the cached
        or built-in list at once (the server would refuse, and no HTTP stack is loaded)."""
        if self._endpoint is None:
            return
        if not self._endpoint.api_key and not is_local_url(self._endpoint.base_url):
            self._show_models_without_asking()
            return
        if self.client is None:
            return
        self.services.spawn(self._load_models())

    def _show_models_without_asking(self) -> None:
        assert self._endpoint is not None
        cached = self.services.store.cached_models(self._endpoint.cache_key)
        self.window.model_picker.set_models(
            cached or builtin_model_list(), recent=self.recent_models()
        )
        source = "cache" if cached else "builtin"
        self.window.model_picker.set_source(
            self.tr("Cached model list (no API key yet)")
            if cached
            else self.tr("Built-in model list (no API key yet)")
        )
        self.models_loaded.emit(source)

    async def _load_models(self) -> None:
        assert self._endpoint is not None
        client = self.client
        if client is None:
            return
        async with self.services.pool.leased(client):
            models, source, _err = await fetch_models(
                client, self.services.store, self._endpoint.cache_key
            )
        self.window.model_picker.set_models(models, recent=self.recent_models())
        labels = {
            "server": self.tr("Models from the server"),
            "cache": self.tr("Cached model list (server unreachable)"),
            "builtin": self.tr("Built-in model list (server unreachable)"),
        }
        self.window.model_picker.set_source(labels.get(source, source))
        self.models_loaded.emit(source)
