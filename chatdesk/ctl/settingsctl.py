"""Settings, providers, keys and assistants: the dialogs around the chat.

Kept apart from the chat controller: none of this runs an exchange. Settings are
read and written as :class:`~chatdesk.core.settings.AppSettings`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from chatdesk.core.chat.extrabody import model_extra_bodies, set_model_extra_bodies
from chatdesk.core.errors import ValidationError
from chatdesk.core.keys import KeyringProblem
from chatdesk.core.services import DEFAULT_MODEL
from chatdesk.core.settings import DEFAULTS, AppSettings, SettingKey
from chatdesk.core.urls import (
    URL_REF,
    CredentialsInUrlError,
    mask_credentials,
    normalized_base_url,
    reject_credentials,
)
from chatdesk.ctl.assistantsctl import AssistantsController
from chatdesk.store.rows import ProviderRow
from chatdesk.ui.theme import apply_appearance

if TYPE_CHECKING:
    from chatdesk.core.keys import KeyStore
    from chatdesk.ctl.endpoint import EndpointService
    from chatdesk.ctl.services import Services, ToolHost
    from chatdesk.store import Store
    from chatdesk.ui.mainwindow import MainWindow


class SettingsController(QObject):
    """Wires the Settings dialog, the first-run key panel and the assistants menu."""

    def __init__(
        self,
        window: MainWindow,
        services: Services,
        endpoint: EndpointService,
        tools: ToolHost | None = None,
    ) -> None:
        super().__init__(services)
        self.services = services
        self.endpoint = endpoint
        self.tools = tools
        self.window = window
        w = self.window
        w.settings_requested.connect(self.open_settings)
        # The first-run test tries the model the window would use, not the server's first.
        w.key_panel.test_requested.connect(
            lambda url, key: services.spawn(
                self.test_connection(
                    url,
                    key,
                    endpoint.current_model(),
                    w.key_panel.show_result,
                    lambda ids: w.key_panel.set_models(ids, endpoint.current_model()),
                )
            )
        )
        w.key_panel.save_requested.connect(self.on_key_saved)
        w.key_panel.use_for_session.connect(self.on_key_for_session)
        # The first-run screen offers the models the toolbar's picker knows (built-in or
        # cached at first, the server's once a key works).
        endpoint.models_loaded.connect(self._offer_models)
        self._offer_models()
        # Assistants (the presets of earlier versions) have a controller of their own.
        self.assistants = AssistantsController(window, services, endpoint)
        self._settings_dialog: Any = None
        self._model_extra: tuple[str, dict[str, Any]] | None = None

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def keys(self) -> KeyStore:
        return self.services.keys

    def language(self) -> str:
        return self.services.language()

    # --- settings ----------------------------------------------------------------------

    def open_settings(self) -> None:
        from chatdesk.ui.settings import SettingsDialog

        dialog = SettingsDialog(self.window)
        dialog.set_settings(dict(DEFAULTS) | self.services.settings())
        providers = self._providers()
        dialog.set_model_extra_bodies(
            {row.name: model_extra_bodies(self.store, row.name) for row, _ in providers}
        )
        dialog.set_providers(providers)
        # Say which server this window really talks to (a --base-url run uses none of
        # the providers listed, whatever their keys).
        endpoint = self.endpoint.endpoint
        if endpoint is not None and endpoint.name is None:
            dialog.show_provider_message(
                True,
                self.tr(
                    "This window talks to %1 (given with --base-url); a provider below is "
                    "used once you pick it in the toolbar."
                ).replace("%1", mask_credentials(endpoint.base_url)),
            )
        elif endpoint is not None:
            dialog.show_provider_message(
                True, self.tr("In use in this window: %1").replace("%1", endpoint.name or "")
            )
        dialog.test_requested.connect(
            lambda name, url, key, model: self.services.spawn(
                self.test_connection(
                    url, key or self._stored_key(name), model, dialog.show_test_result
                )
            )
        )
        dialog.model_extra_saved.connect(self._stash_model_extra)
        dialog.provider_saved.connect(lambda row, key: self.save_provider(dialog, row, key))
        dialog.provider_removed.connect(lambda name: self.remove_provider(dialog, name))
        dialog.settings_changed.connect(self.apply_settings)
        mcp = self.tools  # MCP tool servers (issue 9) have a dialog of their own
        dialog.mcp_requested.connect(lambda: mcp.open_manager(dialog) if mcp else None)
        dialog.setModal(True)
        dialog.show()
        self._settings_dialog = dialog

    def _providers(self) -> list[tuple[ProviderRow, bool]]:
        return [(p, self.keys.has_key(p.name)) for p in self.store.list_providers()]

    def _stored_key(self, name: str) -> str:
        try:
            return self.keys.get(name) or ""
        except KeyringProblem:
            return ""

    def apply_settings(self, settings: dict[str, Any]) -> None:
        checked = AppSettings.from_dict(settings).to_dict()
        self.store.set_setting("app_settings", checked)
        self.services.set_settings(checked)
        apply_appearance(checked)
        self.window.composer.set_send_key(str(checked[SettingKey.SEND_KEY]))
        self.endpoint.reload_endpoint()

    def _stash_model_extra(self, name: str, bodies: dict[str, Any]) -> None:
        """Kept until the provider itself is saved (a refused URL stores neither)."""
        self._model_extra = (name, bodies)

    def save_provider(self, dialog: Any, row: ProviderRow, key: str) -> None:
        pending, self._model_extra = self._model_extra, None
        try:  # a password in the URL is refused before anything stores or echoes it
            row.base_url = normalized_base_url(reject_credentials(row.base_url))
        except (ValidationError, CredentialsInUrlError) as exc:
            dialog.show_provider_message(False, str(exc))
            dialog.set_providers(self._providers())
            return
        self.store.upsert_provider(row)
        if pending is not None and pending[0] == row.name:
            set_model_extra_bodies(self.store, row.name, pending[1])
        if key:
            try:
                self.keys.set(row.name, key)
            except KeyringProblem as exc:
                # Not a connection failure: say what happened to the key, nothing else.
                self.keys.set_for_session(row.name, key)
                dialog.show_provider_message(
                    False,
                    exc.explain(self.language())
                    + "\n"
                    + self.tr("The key is used for this session only."),
                )
        dialog.set_providers(self._providers())
        self.endpoint.reload_endpoint()

    def remove_provider(self, dialog: Any, name: str) -> None:
        self.store.delete_provider(name)
        set_model_extra_bodies(self.store, name, {})
        try:
            self.keys.delete(name)
        except KeyringProblem:
            pass
        dialog.set_providers(self._providers())
        self.endpoint.reload_endpoint()

    # --- first-run key panel -------------------------------------------------------------

    def _offer_models(self, _source: str = "") -> None:
        picker = self.window.model_picker
        self.window.key_panel.set_models(picker.models(), self.endpoint.current_model())

    def on_key_saved(self, base_url: str, key: str) -> None:
        name = self.endpoint.key_owner()
        chosen = self.window.key_panel.model()
        try:
            url = normalized_base_url(reject_credentials(base_url))
        except (ValidationError, CredentialsInUrlError) as exc:
            self.window.key_panel.show_result(False, str(exc))
            return
        if not name.startswith(URL_REF):  # a --base-url run leaves the providers alone
            existing = self.store.get_provider(name)
            self.store.upsert_provider(
                ProviderRow(
                    name=name,
                    base_url=url,
                    default_model=chosen or (existing.default_model if existing else DEFAULT_MODEL),
                )
            )
        try:
            self.keys.set(name, key)
        except KeyringProblem as exc:
            self.window.key_panel.show_keyring_problem(exc.explain(self.language()))
            return
        self.endpoint.reload_endpoint()
        if chosen:
            self.window.model_picker.set_current(chosen)
        self.endpoint.refresh_models()

    def on_key_for_session(self, base_url: str, key: str) -> None:
        self.keys.set_for_session(self.endpoint.key_owner(), key)
        self.endpoint.reload_endpoint()
        self.endpoint.refresh_models()

    async def test_connection(
        self,
        base_url: str,
        key: str,
        model: str,
        report: Callable[[bool, str], None],
        offer: Callable[[list[str]], None] | None = None,
    ) -> None:
        """Try the server; ``offer`` gets its models when it listed them (the first-run
        screen then offers the server's own list, not the built-in one)."""
        from chatdesk.core.diagnose import diagnose

        found: list[str] = []
        ok, text = await diagnose(
            base_url, key or None, model or None, lang=self.language(), found=found
        )
        report(ok, text)
        if found and offer is not None:
            offer(found)
