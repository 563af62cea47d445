"""The main window: conversation list, header row, message view and composer.

Only layout and widget state live here; every action is a signal that the
controller (``chatdesk.controller``) turns into store and client calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from chatdesk.store.rows import ConversationRow

if TYPE_CHECKING:
    from chatdesk.ui.compareview import CompareView
    from chatdesk.ui.findbar import FindBar
    from chatdesk.ui.keypanel import KeyPanel
    from chatdesk.ui.modelmenu import ModelMenu, ProviderModels
    from chatdesk.ui.params import ParamsPanel, TemperatureControl
    from chatdesk.ui.runview import RunView
from chatdesk.ui.composer import Composer
from chatdesk.ui.convlist import ConversationList
from chatdesk.ui.elided import ElidedLabel
from chatdesk.ui.emptystate import EmptyState
from chatdesk.ui.header import ChatHeader
from chatdesk.ui.icons import icon
from chatdesk.ui.messagemodel import MessageListModel
from chatdesk.ui.messageview import MessageView
from chatdesk.ui.modelpicker import ModelPicker
from chatdesk.ui.windowparts import Pages, PromptEdit


class MainWindow(QMainWindow):
    """The ChatDesk window.

    Signals:
        settings_requested(): the user opened Settings.
        system_prompt_changed(str): the system prompt editor was edited (debounced by focus-out).
        preset_save_requested(): save the window's prompt, model and parameters as an assistant.
        preset_chosen(str): start a new chat with the assistant of this name.
        assistants_requested(): open the assistants manager.
        provider_chosen(str): the user chose a provider ("" = this run's --base-url server).
        title_renamed(int, str): the header's title was edited (conversation id, title).
        closing(): the window is about to close (flush pending work).
    """

    settings_requested = Signal()
    search_requested = Signal(str)
    export_requested = Signal(str)
    import_requested = Signal()
    backup_requested = Signal()
    restore_requested = Signal()
    system_prompt_changed = Signal(str)
    preset_save_requested = Signal()
    preset_chosen = Signal(str)
    assistants_requested = Signal()
    compare_requested = Signal()
    provider_chosen = Signal(str)
    title_renamed = Signal(int, str)
    regenerate_last_requested = Signal()
    copy_last_requested = Signal()
    leaderboard_requested = Signal()
    run_requested = Signal()
    runs_requested = Signal()
    closing = Signal()

    def __init__(
        self,
        model: MessageListModel,
        fetch_conversations: Callable[[int, int, str | None], list[ConversationRow]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("ChatDesk")
        self.resize(1180, 780)
        self._dark = False

        # Left: conversations.  Centre: messages over the composer (or the key panel).
        self.conversations = ConversationList(fetch_conversations)
        self.message_model = model
        self.message_view = MessageView(model)
        self.message_view.setAccessibleName(self.tr("Messages"))
        self.composer = Composer()
        # A new chat shows what will answer and a few ways to start (over the empty view,
        # which stays in the tab order).
        self.empty_state = EmptyState(self.message_view)
        self.empty_state.suggestion_chosen.connect(self._on_suggestion)
        self.message_view.installEventFilter(self)
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self._update_empty_state)
        self._key_panel: KeyPanel | None = None  # built on first use (after the first paint)
        self._compare_view: CompareView | None = None  # built on first use
        self._run_view: RunView | None = None  # built on first use

        chat_page = QWidget()
        chat_layout = QVBoxLayout(chat_page)
        chat_layout.setContentsMargins(0, 0, 0, 0)
        chat_layout.setSpacing(0)
        self._chat_layout = chat_layout
        self._find_bar: FindBar | None = None  # built on first use (after the first paint)
        # The composer sizes itself (one line empty, up to a third of the window), so the
        # messages take the rest: no splitter handle to fight it.
        chat_layout.addWidget(self.message_view, 1)
        chat_layout.addWidget(self.composer)

        self.centre = Pages()
        self.centre.addWidget(chat_page)

        # Under the conversations: the prompt-set runs, matching the sidebar's filter
        # (shown once there is a run; the controller fills in its text).
        self.runs_button = QPushButton()
        self.runs_button.setObjectName("sidebar-runs")
        self.runs_button.setFlat(True)
        self.runs_button.setAccessibleName(self.tr("Prompt-set runs"))
        self.runs_button.clicked.connect(self.runs_requested)
        self.runs_button.hide()
        sidebar_layout = self.conversations.layout()
        if sidebar_layout is not None:
            sidebar_layout.addWidget(self.runs_button)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.addWidget(self.conversations)
        centre_box = QWidget()  # the header row (below) over the pages
        self._centre_layout = QVBoxLayout(centre_box)
        self._centre_layout.setContentsMargins(0, 0, 0, 0)
        self._centre_layout.setSpacing(0)
        self._centre_layout.addWidget(self.centre, 1)
        self.main_splitter.addWidget(centre_box)
        self.main_splitter.setStretchFactor(1, 1)
        self.main_splitter.setSizes([260, 920])
        self.main_splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.main_splitter)

        # Above the conversation: its title, the provider-and-model pill, the status line
        # and icon buttons (issue 18). Every action stays visible at 800x600 in English and
        # Chinese; no server address in the row (it is in the pill's tooltip). The
        # temperature is in the Parameters drawer (``temperature``).
        self.params_action = QAction(icon("settings"), self.tr("Parameters"), self)
        self.params_action.setToolTip(self.tr("Parameters and system prompt (Ctrl+P)"))
        self.params_action.setCheckable(True)
        self.params_action.setShortcut(QKeySequence("Ctrl+P"))
        self.addAction(self.params_action)  # the shortcut, and listed in Shortcuts
        self.compare_action = QAction(icon("split-horizontal"), self.tr("Compare"), self)
        self.compare_action.setToolTip(
            self.tr("Compare 2 to 4 models side by side on one prompt (Ctrl+Shift+N)")
        )
        self.compare_action.setCheckable(True)
        self.compare_action.triggered.connect(self._on_compare_action)
        self.header = ChatHeader(self.params_action, self.compare_action)
        self.header.title.renamed.connect(self.title_renamed)
        self.header.pill.clicked.connect(self.open_model_menu)
        self._centre_layout.insertWidget(0, self.header)
        # Tab goes from the sidebar to the header, then the messages: as on screen (built
        # after the messages, the row would come last).
        self._tab_before_messages(self.header.tab_stops())
        # The status line: one muted line under the pages, on every page and beside the
        # drawer (in the header row it was squeezed to nothing at 800 px); long text is
        # elided, whole in its tooltip.
        self.status_label = ElidedLabel(max_hint=2000)
        self.status_label.setObjectName("status-label")
        self.status_label.setProperty("muted", True)
        self._centre_layout.addWidget(self.status_label)
        # The model in use and its rules (typed ids kept, unlisted ids marked, vendor
        # groups) live in the picker; the pill and its list are its face, so the box
        # itself is not shown.
        self.model_picker = ModelPicker(self)
        self.model_picker.hide()
        self.model_picker.model_changed.connect(lambda m: self.empty_state.set_context(model=m))
        self.model_picker.state_changed.connect(self._refresh_pill)
        self._providers: list[str] = []
        self._provider = ""  # the provider in use ("" = this run's --base-url server)
        self._provider_urls: dict[str, str] = {}
        self._catalogue: Callable[[], list[ProviderModels]] = list
        self._model_menu: ModelMenu | None = None  # built on first use
        self.empty_state.set_source(
            lambda: (self.model_picker.current(), self.provider_label(self._provider))
        )
        self.presets_menu = self.header.more_menu.addMenu(icon("bookmark"), self.tr("Assistants"))
        self.set_presets([])
        self.header.more_menu.addSeparator()
        settings_action = QAction(icon("settings-gear"), self.tr("Settings"), self)
        settings_action.setToolTip(self.tr("Settings (Ctrl+,)"))
        settings_action.setShortcut(QKeySequence("Ctrl+,"))
        settings_action.triggered.connect(self.settings_requested)
        self.header.more_menu.addAction(settings_action)  # and in Edit (its shortcut)
        self._refresh_pill()

        # Right: the parameters panel with the system prompt on top.
        self.params_dock = QDockWidget(self.tr("Parameters"), self)
        self.params_dock.setObjectName("params-dock")
        dock_body = QWidget()
        dock_layout = QVBoxLayout(dock_body)
        dock_layout.addWidget(QLabel(self.tr("System prompt")))
        self.system_prompt = PromptEdit()
        self.system_prompt.setAccessibleName(self.tr("System prompt"))
        self.system_prompt.setPlaceholderText(self.tr("You are a helpful assistant."))
        self.system_prompt.setMaximumHeight(120)
        self.system_prompt.editing_finished.connect(
            lambda: self.system_prompt_changed.emit(self.system_prompt.toPlainText())
        )
        dock_layout.addWidget(self.system_prompt)
        self._dock_layout = dock_layout
        self._params_panel: ParamsPanel | None = None  # built on first use
        self.params_dock.setWidget(dock_body)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.params_dock)
        self.params_dock.hide()
        self._list_hidden_for_params = False
        self.params_action.toggled.connect(self._show_params)
        self.params_dock.visibilityChanged.connect(self.params_action.setChecked)

        self._build_menus(settings_action)
        self.conversations.filter_edit().returnPressed.connect(
            lambda: self.search_requested.emit(self.conversations.filter_edit().text())
        )
        self.conversations.new_requested.connect(lambda: self.set_assistant(""))
        self._update_empty_state()
        stop_action = QAction(self, shortcut=QKeySequence(Qt.Key.Key_Escape))
        stop_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        stop_action.triggered.connect(self._on_escape)
        self.addAction(stop_action)

    def _build_menus(self, settings_action: QAction) -> None:
        """File and Edit menus: history in and out, search, find."""
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        new_action = file_menu.addAction(self.tr("New chat"))
        new_action.setShortcut(QKeySequence.StandardKey.New)
        new_action.triggered.connect(self.conversations.new_requested)
        new_compare = file_menu.addAction(self.tr("New comparison"))
        new_compare.setShortcut(QKeySequence("Ctrl+Shift+N"))
        new_compare.triggered.connect(self.compare_requested)
        new_run = file_menu.addAction(self.tr("New prompt-set run…"))
        new_run.setShortcut(QKeySequence("Ctrl+Shift+B"))
        new_run.triggered.connect(self.run_requested)
        runs = file_menu.addAction(self.tr("Prompt-set runs"))
        runs.setShortcut(QKeySequence("Ctrl+Shift+U"))
        runs.triggered.connect(self.runs_requested)
        board = file_menu.addAction(self.tr("Model leaderboard…"))
        board.triggered.connect(self.leaderboard_requested)
        file_menu.addSeparator()
        export_one = file_menu.addAction(self.tr("Export conversation…"))
        export_one.setShortcut(QKeySequence("Ctrl+E"))
        export_one.triggered.connect(lambda: self.export_requested.emit("current"))
        export_all = file_menu.addAction(self.tr("Export all conversations…"))
        export_all.triggered.connect(lambda: self.export_requested.emit("all"))
        import_action = file_menu.addAction(self.tr("Import…"))
        import_action.setShortcut(QKeySequence("Ctrl+I"))
        import_action.triggered.connect(self.import_requested)
        file_menu.addSeparator()
        backup = file_menu.addAction(self.tr("Back up now"))
        backup.triggered.connect(self.backup_requested)
        restore = file_menu.addAction(self.tr("Restore from a backup…"))
        restore.triggered.connect(self.restore_requested)
        file_menu.addSeparator()
        quit_action = file_menu.addAction(self.tr("Quit"))
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)

        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        search = edit_menu.addAction(self.tr("Search all conversations…"))
        search.setShortcut(QKeySequence("Ctrl+K"))
        search.triggered.connect(lambda: self.search_requested.emit(""))
        find = edit_menu.addAction(self.tr("Find in conversation…"))
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: self.find_bar.open_with(""))
        edit_menu.addSeparator()
        regenerate = edit_menu.addAction(self.tr("Regenerate last answer"))
        regenerate.setShortcut(QKeySequence("Ctrl+Shift+R"))
        regenerate.triggered.connect(self.regenerate_last_requested)
        copy_last = edit_menu.addAction(self.tr("Copy last answer"))
        copy_last.setShortcut(QKeySequence("Ctrl+Shift+C"))
        copy_last.triggered.connect(self.copy_last_requested)
        edit_last = edit_menu.addAction(self.tr("Edit last message (Up in an empty box)"))
        edit_last.triggered.connect(self.composer.edit_last_requested)
        edit_menu.addSeparator()
        edit_menu.addAction(settings_action)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.sidebar_action = view_menu.addAction(self.tr("Show sidebar"))
        self.sidebar_action.setCheckable(True)
        self.sidebar_action.setChecked(True)
        self.sidebar_action.setShortcut(QKeySequence("Ctrl+B"))
        self.sidebar_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.sidebar_action.toggled.connect(self.set_sidebar_visible)

    # --- state the controller sets ---------------------------------------------------

    @property
    def key_panel(self) -> KeyPanel:
        """The first-run key panel (built when first needed: not before the first paint)."""
        if self._key_panel is None:
            from chatdesk.ui.keypanel import KeyPanel

            self._key_panel = KeyPanel()
            self.centre.addWidget(self._key_panel)
        return self._key_panel

    @property
    def find_bar(self) -> FindBar:
        """The Ctrl+F bar over the messages, hidden until opened (built on first use, which
        the controllers' wiring is: after the first paint)."""
        if self._find_bar is None:
            from chatdesk.ui.findbar import FindBar

            bar = FindBar()
            bar.hide()
            self._chat_layout.insertWidget(0, bar)
            # Tab order as when the bar was built with the window: its controls come right
            # before the messages (a widget added later would come last).
            # The focus chain is a ring, so None (typed, never seen) only ends a walk early.
            stops: list[QWidget] = []
            widget = bar.nextInFocusChain()
            while widget is not None and bar.isAncestorOf(widget):
                if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                    stops.append(widget)
                widget = widget.nextInFocusChain()
            self._tab_before_messages(stops)
            self._find_bar = bar
        return self._find_bar

    def _tab_before_messages(self, stops: list[QWidget]) -> None:
        """Put ``stops`` in the Tab order right before the messages, as they sit on screen
        (a widget built later would otherwise come last in the focus chain)."""
        previous = self.message_view.previousInFocusChain()
        while (
            previous is not None
            and previous is not self
            and not previous.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            previous = previous.previousInFocusChain()
        if previous is not None:
            for stop in stops:
                QWidget.setTabOrder(previous, stop)
                previous = stop

    @property
    def params_panel(self) -> ParamsPanel:
        """Every request field (built when first needed: not before the first paint)."""
        if self._params_panel is None:
            from chatdesk.ui.params import ParamsPanel

            self._params_panel = ParamsPanel()
            # The drawer's narrowest row is the temperature: a shorter slider and an icon
            # Reset let it open unclipped beside a readable conversation at 800x600.
            temperature = self._params_panel.temperature
            temperature.slider.setMinimumWidth(80)
            temperature.reset_button.setIcon(icon("discard"))
            if not temperature.reset_button.icon().isNull():
                temperature.reset_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            self._dock_layout.addWidget(self._params_panel, 1)
        return self._params_panel

    # The conversation keeps at least this width when the Parameters drawer opens. At the
    # text size Settings shows (11 pt) the drawer needs ~475 px, so at 800 px wide this
    # is what is left: ~40 characters a line, with the sidebar stepped aside.
    READABLE_WIDTH = 300

    def params_width(self) -> int:
        """The dock width at which every field of the Parameters panel shows unclipped."""
        from PySide6.QtWidgets import QScrollArea

        panel = self.params_panel
        scroll = panel.findChild(QScrollArea)
        inner = scroll.widget() if scroll is not None else None
        need = max(panel.minimumSizeHint().width(), self.system_prompt.minimumSizeHint().width())
        if scroll is not None and inner is not None:
            bar_width = scroll.verticalScrollBar().sizeHint().width()
            need = max(need, inner.sizeHint().width() + bar_width)
        margins = self._dock_layout.contentsMargins()
        return need + margins.left() + margins.right() + 4

    def set_sidebar_visible(self, visible: bool) -> None:
        """Ctrl+B: hide or show the conversation list (the conversation takes the room)."""
        self._list_hidden_for_params = False
        if self.sidebar_action.isChecked() != visible:
            self.sidebar_action.setChecked(visible)  # comes back here through toggled
            return
        focused = QApplication.focusWidget()  # None while another application is active
        had_focus = focused is not None and self.conversations.isAncestorOf(focused)
        self.conversations.setVisible(visible)
        if had_focus and not visible:
            self.composer.focus_input()

    def _show_params(self, show: bool) -> None:
        """Open or close the Parameters drawer at the width its fields need.

        When the window is too narrow for the list, a readable conversation and the
        drawer, the conversation list steps aside until the drawer closes (it squeezed
        the list to "..." and clipped the fields before).
        """
        if not show:
            self.params_dock.setVisible(False)
            self.centre.setMinimumWidth(0)
            if self._list_hidden_for_params:
                self._list_hidden_for_params = False
                self.conversations.show()
            return
        need = self.params_width()
        box = self.centre.parentWidget()  # the pages under the header row
        readable = max(self.READABLE_WIDTH, (box or self.centre).minimumSizeHint().width())
        room = self.width() - need - readable
        if self.conversations.isVisible() and room < self.conversations.width():
            self.conversations.hide()
            self._list_hidden_for_params = True
        # The layout pass after showing shares the width out again and took ~30 px of
        # the conversation's for the drawer: a minimum keeps them.
        self.centre.setMinimumWidth(self.READABLE_WIDTH)
        self.params_dock.setVisible(True)
        self.resizeDocks([self.params_dock], [need], Qt.Orientation.Horizontal)

    @property
    def compare_view(self) -> CompareView:
        """The compare page (built when first needed)."""
        if self._compare_view is None:
            from chatdesk.ui.compareview import CompareView

            self._compare_view = CompareView(self.message_model.image_loader)
            self.centre.addWidget(self._compare_view)
            self._compare_view.set_dark(self._dark)
        return self._compare_view

    @property
    def run_view(self) -> RunView:
        """The prompt-set run page (built when first needed)."""
        if self._run_view is None:
            from chatdesk.ui.runview import RunView

            self._run_view = RunView()
            self.centre.addWidget(self._run_view)
        return self._run_view

    def showing_runs(self) -> bool:
        """Whether the run page is the one on screen."""
        return self._run_view is not None and self.centre.currentWidget() is self._run_view

    def show_runs(self) -> None:
        """Switch the centre to the run page (the chat or compare page comes back with
        :meth:`show_compare`)."""
        self.centre.setCurrentWidget(self.run_view)
        self.compare_action.setChecked(False)
        self.params_action.setVisible(False)
        self.header.set_chat_tools_visible(False)

    def comparing(self) -> bool:
        """Whether the compare page is the one on screen."""
        return self._compare_view is not None and self.centre.currentWidget() is self._compare_view

    def show_compare(self, show: bool) -> None:
        """Switch the centre between the chat and the compare page."""
        if show:
            self.centre.setCurrentWidget(self.compare_view)
        else:
            self.centre.setCurrentIndex(0)
        self.compare_action.setChecked(show)
        self.params_action.setVisible(not show)
        self.header.set_chat_tools_visible(not show)
        if not show:
            self._refresh_pill()

    def _on_compare_action(self, checked: bool) -> None:
        if checked:
            self.compare_requested.emit()
        else:
            self.show_compare(False)
            self.conversations.new_requested.emit()

    def set_dark(self, dark: bool) -> None:
        """Theme switch (called by chatdesk.app.apply_appearance on every top-level window)."""
        self._dark = dark
        self.message_view.set_dark(dark)
        if self._compare_view is not None:
            self._compare_view.set_dark(dark)

    def show_key_panel(self, show: bool) -> None:
        """First run without a key: the friendly panel replaces the chat."""
        if show:
            self.centre.setCurrentWidget(self.key_panel)
        else:
            self.centre.setCurrentIndex(0)

    def set_providers(
        self,
        names: list[str],
        current: str | None,
        url: str | None = None,
        urls: dict[str, str] | None = None,
    ) -> None:
        """The configured providers; ``url``: the --base-url server of this run, if any;
        ``urls``: each provider's base URL (shown in the pill's tooltip, masked)."""
        self._providers = ([""] if url else []) + list(names)
        self._provider_urls = dict(urls or {})
        if url:
            self._provider_urls[""] = url
        wanted = current or ""
        self._provider = wanted if wanted in self._providers else (self._providers or [""])[0]
        self._refresh_pill()

    def current_provider(self) -> str:
        """The provider in use ("" = this run's --base-url server)."""
        return self._provider

    def providers(self) -> list[str]:
        return list(self._providers)

    def provider_label(self, key: str) -> str:
        """How the header names a provider: its name (a lower-case one capitalised), or
        the host of a --base-url server; never a whole URL."""
        if key:
            return key[:1].upper() + key[1:] if key.islower() else key
        url = QUrl(self._provider_urls.get("", ""))
        port = url.port()
        return url.host() + (f":{port}" if port > 0 else "") if url.host() else ""

    def set_model_catalogue(self, catalogue: Callable[[], list[ProviderModels]]) -> None:
        """Where the model list finds the other providers' models (asked when it opens)."""
        self._catalogue = catalogue

    def _refresh_pill(self) -> None:
        """The pill, its tooltip, the "not listed" mark and the new-chat page follow the
        model picker (its ``state_changed``) and the provider in use."""
        from chatdesk.core.urls import mask_credentials

        picker = self.model_picker
        label = self.provider_label(self._provider)
        pill = self.header.pill
        pill.set_parts(label, picker.current())
        lines = []
        if label:
            lines.append(self.tr("Provider: %1").replace("%1", label))
        url = self._provider_urls.get(self._provider)
        if url:
            lines.append(self.tr("Server: %1").replace("%1", mask_credentials(url)))
        lines.append(picker.toolTip())
        pill.setToolTip("\n".join(lines))
        unlisted = picker.unlisted() and not self.comparing()
        if unlisted != self.header.unlisted_mark.isVisible():
            self.header.unlisted_mark.setVisible(unlisted)
        self.empty_state.refresh()  # the new-chat page names the same model

    @property
    def model_menu(self) -> ModelMenu:
        """The pill's list (built on first use: nothing of it at start-up)."""
        if self._model_menu is None:
            from chatdesk.ui.modelmenu import ModelMenu

            self._model_menu = ModelMenu(self)
            self._model_menu.chosen.connect(self._on_model_chosen)
        return self._model_menu

    def model_sections(self) -> list[ProviderModels]:
        """The list's sections: the provider in use (as the picker has it), then the others."""
        from chatdesk.ui.modelmenu import ProviderModels
        from chatdesk.ui.modelpicker import RECENT

        groups = self.model_picker.groups()
        recent = groups.pop(RECENT, [])
        listed = [m for ids in groups.values() for m in ids]
        current = self.model_picker.current()
        if current and current not in listed and current not in recent:
            recent.insert(0, current)  # a typed id in use is listed too
        key = self._provider
        known = self._catalogue()
        if not listed:  # the list is still loading: what is known of it meanwhile
            for other in known:
                if other.key == key:
                    listed = other.models
                    recent = list(dict.fromkeys([*recent, *other.recent]))
        sections = [ProviderModels(key, self.provider_label(key), listed, recent, current=True)]
        for other in known:
            if other.key != key and other.key in self._providers:
                other.label = other.label or self.provider_label(other.key)
                other.current = False
                sections.append(other)
        return sections

    def open_model_menu(self) -> None:
        self.model_menu.open_for(
            self.model_sections(), self.model_picker.current(), self.header.pill
        )

    def _on_model_chosen(self, provider: str, model_id: str) -> None:
        """A model of another provider switches the provider first (the controller may
        refuse, while an answer streams: then nothing changes)."""
        if provider != self._provider:
            self.provider_chosen.emit(provider)
            if provider != self._provider:
                return
        self.model_picker.commit(model_id)
        self.header.pill.setFocus(Qt.FocusReason.PopupFocusReason)

    def set_title(self, conversation_id: int | None, title: str) -> None:
        """The header's title (a new chat: its placeholder, not editable)."""
        self.header.title.set_title(conversation_id, title or self.tr("New chat"))

    @property
    def temperature(self) -> TemperatureControl:
        """The temperature control: the Parameters drawer's (the header has none)."""
        return self.params_panel.temperature

    # --- the new-chat page ----------------------------------------------------------------

    def set_assistant(self, name: str) -> None:
        """The assistant this new chat was started from ('' for none): shown on the page."""
        self.empty_state.set_context(assistant=name)

    def _update_empty_state(self) -> None:
        empty = self.message_model.rowCount() == 0
        if empty:
            self.empty_state.refresh()
            self.empty_state.setGeometry(self.message_view.rect())
        self.empty_state.setVisible(empty)

    def _on_suggestion(self, text: str) -> None:
        self.composer.set_text(text)
        self.composer.focus_input()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.message_view and event.type() == QEvent.Type.Resize:
            self.empty_state.setGeometry(self.message_view.rect())
        return super().eventFilter(watched, event)

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def set_system_prompt(self, text: str) -> None:
        self.system_prompt.setPlainText(text)

    def set_presets(self, names: list[str]) -> None:
        """The assistants menu: save, manage, then one "New chat" per assistant."""
        self.presets_menu.clear()
        save = self.presets_menu.addAction(self.tr("Save current as assistant…"))
        save.triggered.connect(self.preset_save_requested)
        manage = self.presets_menu.addAction(self.tr("Manage assistants…"))
        manage.triggered.connect(self.assistants_requested)
        if names:
            self.presets_menu.addSeparator()
        for name in names:
            action = self.presets_menu.addAction(self.tr("New chat: %1").replace("%1", name))
            action.triggered.connect(lambda _=False, n=name: self.preset_chosen.emit(n))

    def save_layout(self) -> dict[str, str]:
        """Window geometry and splitter positions, for the settings file."""
        return {
            "geometry": bytes(self.saveGeometry().toBase64().data()).decode("ascii"),
            "state": bytes(self.saveState().toBase64().data()).decode("ascii"),
            "main_splitter": bytes(self.main_splitter.saveState().toBase64().data()).decode(
                "ascii"
            ),
        }

    def restore_layout(self, saved: dict[str, str]) -> None:
        def raw(key: str) -> QByteArray | None:
            value = saved.get(key)
            return QByteArray.fromBase64(value.encode("ascii")) if value else None

        if (geometry := raw("geometry")) is not None:
            self.restoreGeometry(geometry)
        if (state := raw("state")) is not None:
            self.restoreState(state)
        if (main := raw("main_splitter")) is not None:
            self.main_splitter.restoreState(main)

    def _on_escape(self) -> None:
        """Esc stops what is streaming on screen (every column of a comparison)."""
        if self.comparing():
            if self.compare_view.composer.is_busy():
                self.compare_view.composer.stop_requested.emit()
        elif self.composer.is_busy():
            self.composer.stop_requested.emit()
        elif self.composer.editing() is not None:
            self.composer.cancel_edit()  # leave editing; the draft comes back

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.closing.emit()
        super().closeEvent(event)
