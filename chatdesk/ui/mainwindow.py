"""The main window: conversation list, message view, composer and the toolbar.

Only layout and widget state live here; every action is a signal that the
controller (``chatdesk.controller``) turns into store and client calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.store.rows import ConversationRow

if TYPE_CHECKING:
    from chatdesk.ui.compareview import CompareView
    from chatdesk.ui.findbar import FindBar
    from chatdesk.ui.keypanel import KeyPanel
    from chatdesk.ui.params import ParamsPanel
    from chatdesk.ui.runview import RunView
from chatdesk.ui.composer import Composer
from chatdesk.ui.convlist import ConversationList
from chatdesk.ui.elided import ElidedLabel
from chatdesk.ui.icons import icon
from chatdesk.ui.messagemodel import MessageListModel
from chatdesk.ui.messageview import MessageView
from chatdesk.ui.modelpicker import ModelPicker
from chatdesk.ui.params import TemperatureControl


class MainWindow(QMainWindow):
    """The ChatDesk window.

    Signals:
        settings_requested(): the user opened Settings.
        system_prompt_changed(str): the system prompt editor was edited (debounced by focus-out).
        preset_save_requested(): save the window's prompt, model and parameters as an assistant.
        preset_chosen(str): start a new chat with the assistant of this name.
        assistants_requested(): open the assistants manager.
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
        self._key_panel: KeyPanel | None = None  # built on first use (after the first paint)
        self._compare_view: CompareView | None = None  # built on first use
        self._run_view: RunView | None = None  # built on first use

        chat_page = QWidget()
        chat_layout = QVBoxLayout(chat_page)
        chat_layout.setContentsMargins(0, 0, 0, 0)
        chat_layout.setSpacing(0)
        self._chat_layout = chat_layout
        self._find_bar: FindBar | None = None  # built on first use (after the first paint)
        self.chat_splitter = QSplitter(Qt.Orientation.Vertical)
        self.chat_splitter.addWidget(self.message_view)
        self.chat_splitter.addWidget(self.composer)
        self.chat_splitter.setStretchFactor(0, 1)
        self.chat_splitter.setStretchFactor(1, 0)
        self.chat_splitter.setSizes([640, 140])
        self.chat_splitter.setChildrenCollapsible(False)
        chat_layout.addWidget(self.chat_splitter)

        self.centre = QStackedWidget()
        self.centre.addWidget(chat_page)

        # Under the conversations: the prompt-set runs, matching the sidebar's filter
        # (shown once there is a run; the controller fills in its text).
        self.runs_button = QPushButton()
        self.runs_button.setObjectName("sidebar-runs")
        self.runs_button.setFlat(True)
        self.runs_button.setAccessibleName(self.tr("Prompt-set runs"))
        self.runs_button.clicked.connect(self.runs_requested)
        self.runs_button.hide()
        self.conversations.layout().addWidget(self.runs_button)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.addWidget(self.conversations)
        self.main_splitter.addWidget(self.centre)
        self.main_splitter.setStretchFactor(1, 1)
        self.main_splitter.setSizes([260, 920])
        self.main_splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.main_splitter)

        # Top: model, temperature, parameters, presets, compare | status, settings.
        # Icon buttons with tooltips (DESIGN.md): every action stays visible at 800x600,
        # in English and Chinese; a long status (the server URL) is elided, never pushing
        # actions behind the toolbar's overflow button.
        bar = QToolBar(self.tr("Chat"))
        bar.setObjectName("chat-toolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.addToolBar(bar)
        self.toolbar = bar
        # The provider (server) of this conversation, then its model.
        self.provider_picker = QComboBox()
        self.provider_picker.setObjectName("provider-picker")
        self.provider_picker.setToolTip(self.tr("Provider: the server this conversation uses"))
        self.provider_picker.setAccessibleName(self.tr("Provider"))
        self.provider_picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.provider_picker.setMinimumContentsLength(6)
        self.provider_picker.setMaximumWidth(150)
        self.provider_picker.activated.connect(self._on_provider_activated)
        bar.addWidget(self.provider_picker)
        self.model_picker = ModelPicker()
        self.model_picker.setToolTip(self.tr("Model"))
        self.model_picker.setMinimumWidth(150)
        self.model_picker.setMaximumWidth(320)
        bar.addWidget(self.model_picker)
        bar.addSeparator()
        temp_icon = QLabel()
        temp_icon.setObjectName("temperature-icon")
        temp_icon.setToolTip(self.tr("Temperature"))
        temp_icon.setPixmap(icon("flame").pixmap(QSize(16, 16)))
        bar.addWidget(temp_icon)
        self.temperature = TemperatureControl(compact=True)
        self.temperature.setMaximumWidth(240)
        reset = self.temperature.reset_button
        reset.setIcon(icon("discard"))
        if not reset.icon().isNull():
            reset.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        bar.addWidget(self.temperature)
        bar.addSeparator()
        self.params_action = QAction(icon("settings"), self.tr("Parameters"), self)
        self.params_action.setToolTip(self.tr("Parameters and system prompt (Ctrl+P)"))
        self.params_action.setCheckable(True)
        self.params_action.setShortcut(QKeySequence("Ctrl+P"))
        bar.addAction(self.params_action)

        self.presets_button = QToolButton()
        self.presets_button.setText(self.tr("Assistants"))
        self.presets_button.setToolTip(self.tr("Assistants: start a chat from a saved prompt"))
        self.presets_button.setIcon(icon("bookmark"))
        self.presets_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.presets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets_menu = QMenu(self.presets_button)
        self.presets_button.setMenu(self.presets_menu)
        bar.addWidget(self.presets_button)
        self.set_presets([])

        self.compare_action = QAction(icon("split-horizontal"), self.tr("Compare"), self)
        self.compare_action.setToolTip(
            self.tr("Compare 2 to 4 models side by side on one prompt (Ctrl+Shift+N)")
        )
        self.compare_action.setCheckable(True)
        self.compare_action.triggered.connect(self._on_compare_action)
        bar.addAction(self.compare_action)
        self._chat_tools = [
            a for a in bar.actions() if a is not self.compare_action and not a.isSeparator()
        ]
        self.status_label = ElidedLabel()  # also the spacer before Settings
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.status_label.setObjectName("status-label")
        bar.addWidget(self.status_label)
        settings_action = QAction(icon("settings-gear"), self.tr("Settings"), self)
        settings_action.setToolTip(self.tr("Settings (Ctrl+,)"))
        settings_action.setShortcut(QKeySequence("Ctrl+,"))
        settings_action.triggered.connect(self.settings_requested)
        bar.addAction(settings_action)
        for action in bar.actions():  # accessible names for the icon-only buttons
            button = bar.widgetForAction(action)
            if button is not None and action.text():
                button.setAccessibleName(action.text().replace("&", ""))
        self.presets_button.setAccessibleName(self.tr("Assistants"))

        # Right: the parameters panel with the system prompt on top.
        self.params_dock = QDockWidget(self.tr("Parameters"), self)
        self.params_dock.setObjectName("params-dock")
        dock_body = QWidget()
        dock_layout = QVBoxLayout(dock_body)
        dock_layout.addWidget(QLabel(self.tr("System prompt")))
        self.system_prompt = _PromptEdit()
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
            stops = []
            widget = bar.nextInFocusChain()
            while bar.isAncestorOf(widget):
                if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                    stops.append(widget)
                widget = widget.nextInFocusChain()
            previous = self.message_view.previousInFocusChain()
            while previous is not self and not previous.focusPolicy() & Qt.FocusPolicy.TabFocus:
                previous = previous.previousInFocusChain()
            for stop in stops:
                QWidget.setTabOrder(previous, stop)
                previous = stop
            self._find_bar = bar
        return self._find_bar

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

    # The conversation keeps at least this width when the Parameters drawer opens.
    READABLE_WIDTH = 380

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

    def _show_params(self, show: bool) -> None:
        """Open or close the Parameters drawer at the width its fields need.

        When the window is too narrow for the list, a readable conversation and the
        drawer, the conversation list steps aside until the drawer closes (it squeezed
        the list to "..." and clipped the fields before).
        """
        if not show:
            self.params_dock.setVisible(False)
            if self._list_hidden_for_params:
                self._list_hidden_for_params = False
                self.conversations.show()
            return
        need = self.params_width()
        readable = max(self.READABLE_WIDTH, self.centre.minimumSizeHint().width())
        room = self.width() - need - readable
        if self.conversations.isVisible() and room < self.conversations.width():
            self.conversations.hide()
            self._list_hidden_for_params = True
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
        for action in self._chat_tools:
            action.setVisible(False)

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
        for action in self._chat_tools:
            action.setVisible(not show)

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

    def set_providers(self, names: list[str], current: str | None, url: str | None = None) -> None:
        """The configured providers; ``url``: the --base-url server of this run, if any."""
        box = self.provider_picker
        box.blockSignals(True)
        try:
            box.clear()
            if url:
                box.addItem(url, "")
                box.setItemData(0, url, Qt.ItemDataRole.ToolTipRole)
            for name in names:
                box.addItem(name, name)
            index = box.findData(current if current else "")
            box.setCurrentIndex(max(0, index))
        finally:
            box.blockSignals(False)

    def _on_provider_activated(self, index: int) -> None:
        name = self.provider_picker.itemData(index)
        if isinstance(name, str):
            self.provider_chosen.emit(name)

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
            "chat_splitter": bytes(self.chat_splitter.saveState().toBase64().data()).decode(
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
        if (chat := raw("chat_splitter")) is not None:
            self.chat_splitter.restoreState(chat)

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


class _PromptEdit(QPlainTextEdit):
    """A plain text editor that reports when the user leaves it (save on focus-out)."""

    editing_finished = Signal()

    def focusOutEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        super().focusOutEvent(event)  # type: ignore[arg-type]
        if self.document().isModified():
            self.document().setModified(False)
            self.editing_finished.emit()
