"""The compare view: 2 to 4 columns side by side, one composer, the rule, the vote.

A page of the main window's centre. Layout and widget state only: every action is
a signal the compare controller (``chatdesk.ctl.compare``) turns into core calls.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from chatdesk.store.rows import COLUMN_LABELS as LABELS
from chatdesk.ui import comparestyle
from chatdesk.ui.comparecolumn import CompareColumn
from chatdesk.ui.comparediff import show_pair
from chatdesk.ui.composer import Composer
from chatdesk.ui.elided import ElidedLabel
from chatdesk.ui.icons import icon


class CompareView(QWidget):
    """The compare page.

    Signals:
        add_column_requested(), blind_toggled(bool), sync_toggled(bool),
        diff_toggled(bool, int, int): word diff of two columns on/off,
        vote_cast(str): "A".."D", "tie" or "bad",
        rerun_requested(), leaderboard_requested(), prices_requested().
    Per-column signals are re-emitted with the column index.
    """

    add_column_requested = Signal()
    blind_toggled = Signal(bool)
    sync_toggled = Signal(bool)
    diff_toggled = Signal(bool, int, int)
    vote_cast = Signal(str)
    rerun_requested = Signal()
    leaderboard_requested = Signal()
    prices_requested = Signal()
    column_model_changed = Signal(int, str)
    column_params_requested = Signal(int)
    column_stop_requested = Signal(int)
    column_retry_requested = Signal(int)
    column_remove_requested = Signal(int)
    column_move_requested = Signal(int, int)
    column_carry_toggled = Signal(int, bool)
    column_continue_requested = Signal(int)
    column_action_requested = Signal(int, str, int, object)
    column_tools_opening = Signal(int)
    column_tools_changed = Signal(int, list)
    column_tools_manage_requested = Signal()

    def __init__(self, image_loader: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare-view")
        self.image_loader = image_loader
        self.columns: list[CompareColumn] = []
        self._dark = False
        self._syncing = False

        top = QHBoxLayout()
        top.setContentsMargins(6, 4, 6, 0)
        self.title = ElidedLabel(self.tr("Comparison"), mode=Qt.TextElideMode.ElideRight)
        self.title.setObjectName("compare-title")
        self.title.setStyleSheet("font-weight: 600;")
        # Never squeezed to nothing: in an 800-pixel window it vanished behind the
        # buttons; now it keeps a few words, elided (the whole title in the tooltip).
        self.title.setMinimumWidth(self.TITLE_MIN)
        top.addWidget(self.title, 1)
        self.add_button = QPushButton(self.tr("Column"))  # after its + icon
        self.add_button.setToolTip(self.tr("Add a column (up to 4)"))
        self.add_button.setIcon(icon("add"))
        self.add_button.setAccessibleName(self.tr("Add a column"))
        self.add_button.clicked.connect(self.add_column_requested)
        top.addWidget(self.add_button)
        self.blind_check = QCheckBox(self.tr("Blind"))
        self.blind_check.setToolTip(
            self.tr("Hide the model names and shuffle the columns until you vote")
        )
        self.blind_check.toggled.connect(self.blind_toggled)
        top.addWidget(self.blind_check)
        self._sync_text = self.tr("Sync scrolling")
        self.sync_check = QCheckBox(self._sync_text)
        self.sync_check.setAccessibleName(self._sync_text)
        self.sync_check.setToolTip(self.tr("Scroll every column together"))
        self.sync_check.setChecked(True)
        self.sync_check.toggled.connect(self.sync_toggled)
        top.addWidget(self.sync_check)
        self.diff_check = QCheckBox(self.tr("Word diff"))
        self.diff_check.setToolTip(self.tr("Show the word differences of two columns' answers"))
        self.diff_left = QComboBox()
        self.diff_right = QComboBox()
        self.diff_left.setAccessibleName(self.tr("First column of the diff"))
        self.diff_right.setAccessibleName(self.tr("Second column of the diff"))
        for box in (self.diff_left, self.diff_right):
            box.currentIndexChanged.connect(self._emit_diff)
        self.diff_check.toggled.connect(self._emit_diff)
        top.addWidget(self.diff_check)
        top.addWidget(self.diff_left)
        top.addWidget(self.diff_right)
        self.rerun_button = QPushButton(self.tr("Re-run"))
        self.rerun_button.setToolTip(self.tr("Send this prompt again, to the same or other models"))
        self.rerun_button.setIcon(icon("debug-rerun"))
        self.rerun_button.clicked.connect(self.rerun_requested)
        top.addWidget(self.rerun_button)
        self.prices_button = QPushButton(self.tr("Prices…"))
        self.prices_button.setToolTip(self.tr("Model prices used to show the cost of answers"))
        self.prices_button.setIcon(icon("tag"))
        self.prices_button.clicked.connect(self.prices_requested)
        top.addWidget(self.prices_button)
        self.board_button = QPushButton(self.tr("Leaderboard"))
        self.board_button.setIcon(icon("list-ordered"))
        self.board_button.clicked.connect(self.leaderboard_requested)
        top.addWidget(self.board_button)
        # Below COMPACT_BELOW pixels these show their icons only (the words stay in the
        # tooltips and accessible names), so the view fits an 800-pixel window.
        self._wordy = [
            (b, b.text()) for b in (self.add_button, self.rerun_button, self.prices_button,
                                    self.board_button)
        ]  # fmt: skip
        for button, text in self._wordy:
            button.setAccessibleName(button.accessibleName() or text)
            if not button.toolTip():
                button.setToolTip(text)
        self._compact = False

        # The prompt of the turn on show, once above the columns (not in every column),
        # and under it the rule the next prompt follows.
        self.prompt_card = QFrame()
        self.prompt_card.setObjectName("prompt-card")
        card = QVBoxLayout(self.prompt_card)
        card.setContentsMargins(12, 6, 12, 6)
        card.setSpacing(0)
        self.prompt_label = QLabel()
        self.prompt_label.setObjectName("prompt-text")
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.prompt_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.prompt_label.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.prompt_label.setAccessibleName(self.tr("Prompt"))
        card.addWidget(self.prompt_label)
        self.prompt_card.hide()
        self._prompt = ""

        self.rule = QLabel()
        self.rule.setObjectName("compare-rule")
        self.rule.setWordWrap(True)
        self.rule.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)

        # One row: the question (or the revealed names), elided, then the choices. Its
        # minimum is the buttons' (short: "A", "Tie"... when narrow), never the text's,
        # so four columns in an 800-pixel window do not widen it.
        vote = QHBoxLayout()
        vote.setContentsMargins(10, 4, 6, 4)
        vote.setSpacing(4)
        self.vote_label = ElidedLabel(
            self.tr("Which answer is better?"), mode=Qt.TextElideMode.ElideRight, max_hint=600
        )
        self.vote_label.setObjectName("vote-question")
        vote.addWidget(self.vote_label, 1)
        self.vote_buttons: dict[str, QPushButton] = {}
        self._built_for = 0  # the column count the labels and vote buttons were made for
        self._vote_row = vote
        self._vote_texts: dict[str, tuple[str, str]] = {}  # value: (long, short)
        self.vote_bar = QWidget()
        self.vote_bar.setObjectName("vote-bar")
        self.vote_bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.vote_bar.setLayout(vote)
        vote.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.vote_bar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.vote_bar.hide()

        self.composer = Composer()
        self.composer.setObjectName("compare-composer")
        self.composer.setMaximumHeight(self.COMPOSER_MAX)  # the columns get the height

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        prompt_row = QVBoxLayout()
        prompt_row.setContentsMargins(6, 2, 6, 0)
        prompt_row.setSpacing(2)
        prompt_row.addWidget(self.prompt_card)
        prompt_row.addWidget(self.rule)
        layout.addLayout(prompt_row)
        layout.addWidget(self.splitter, 1)
        vote_row = QHBoxLayout()
        vote_row.setContentsMargins(6, 0, 6, 0)
        vote_row.addWidget(self.vote_bar)
        layout.addLayout(vote_row)
        layout.addWidget(self.composer)
        self.setStyleSheet(comparestyle.style_sheet(False))

    COMPOSER_MAX = 150
    COMPACT_BELOW = 900
    TITLE_MIN = 72  # a few words of the title stay in the narrowest window
    VOTE_SHORT_BELOW = 760  # narrower: the vote buttons say "A", "Tie"... (tooltips say more)
    PROMPT_LINES = 3  # the prompt card shows this many lines at most (all in its tooltip)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """A low window keeps most of its height for the answers (a fifth for the prompt);
        a narrow one shows the top bar's buttons as icons."""
        super().resizeEvent(event)
        tall = max(72, min(self.COMPOSER_MAX, event.size().height() // 5))
        if self.composer.maximumHeight() != tall:
            self.composer.setMaximumHeight(tall)
        compact = event.size().width() < self.COMPACT_BELOW
        if compact != self._compact:
            self._compact = compact
            for button, text in self._wordy:
                button.setText("" if compact else text)
            self.sync_check.setText(self.tr("Sync") if compact else self._sync_text)
        self._fit_vote_buttons(event.size().width())
        if event.size().width() != event.oldSize().width():
            self._fit_prompt()

    # --- columns ------------------------------------------------------------------------

    def set_column_count(self, count: int) -> None:
        """Make exactly ``count`` columns (their content is set by the controller)."""
        while len(self.columns) > count:
            column = self.columns.pop()
            column.setParent(None)
            column.deleteLater()
        while len(self.columns) < count:
            self._add_column()
        # Equal shares, set once: otherwise the splitter shares the width out again each
        # time a column's size hint moves (its state line, its Stop button), and a column
        # one pixel narrower re-wraps every document of its answer while it streams.
        self.splitter.setSizes([1000] * count)
        for i, column in enumerate(self.columns):
            column.set_label(LABELS[i])
        self.add_button.setEnabled(count < 4)
        if count != self._built_for:  # else the same count: the choices stand
            self._built_for = count
            for box in (self.diff_left, self.diff_right):
                box.blockSignals(True)
                box.clear()
                box.addItems(list(LABELS[:count]))
                box.blockSignals(False)
            self._build_vote_buttons(count)
        self.diff_left.setCurrentIndex(0)
        self.diff_right.setCurrentIndex(1 if count > 1 else 0)

    def _add_column(self) -> None:
        i = len(self.columns)
        column = CompareColumn(LABELS[i], self.image_loader)
        column.set_dark(self._dark)
        # Out of step (80, 91, 102, 113 ms): four columns never repaint in one frame.
        column.model.set_flush_interval(80 + 11 * i)
        self.columns.append(column)
        self.splitter.addWidget(column)

        def index() -> int:
            return self.columns.index(column)

        column.model_changed.connect(lambda m: self.column_model_changed.emit(index(), m))
        column.params_requested.connect(lambda: self.column_params_requested.emit(index()))
        column.stop_requested.connect(lambda: self.column_stop_requested.emit(index()))
        column.retry_requested.connect(lambda: self.column_retry_requested.emit(index()))
        column.remove_requested.connect(lambda: self.column_remove_requested.emit(index()))
        column.move_requested.connect(lambda d: self.column_move_requested.emit(index(), d))
        column.carry_toggled.connect(lambda on: self.column_carry_toggled.emit(index(), on))
        column.continue_requested.connect(lambda: self.column_continue_requested.emit(index()))
        column.tools_menu_opening.connect(lambda: self.column_tools_opening.emit(index()))
        column.tools_changed.connect(lambda names: self.column_tools_changed.emit(index(), names))
        column.tools_manage_requested.connect(self.column_tools_manage_requested)
        column.view.action_requested.connect(
            lambda a, mid, arg: self.column_action_requested.emit(index(), str(a), mid, arg)
        )
        column.view.scrolled_fraction.connect(lambda f, src=column: self._on_scrolled(src, f))

    def _on_scrolled(self, source: CompareColumn, fraction: float) -> None:
        if not self.sync_check.isChecked() or self._syncing:
            return
        self._syncing = True
        try:
            for column in self.columns:
                if column is not source:
                    column.view.set_scroll_fraction(fraction)
        finally:
            self._syncing = False

    def set_rule(self, text: str) -> None:
        self.rule.setText(text)

    def set_title(self, text: str) -> None:
        self.title.setText(text)

    def clear_diff(self) -> None:
        """Word diff off (its columns show their answers again)."""
        self.diff_check.setChecked(False)

    def set_prompt(self, text: str) -> None:
        """The current turn's prompt, once above the columns ("" hides the card)."""
        if text == self._prompt:
            return
        self._prompt = text
        self.prompt_card.setVisible(bool(text.strip()))
        self.prompt_label.setToolTip(text if len(text) > 200 else "")
        self._fit_prompt()

    def prompt(self) -> str:
        return self._prompt

    def _fit_prompt(self) -> None:
        """At most PROMPT_LINES lines at the card's width, the rest elided with "…"."""
        text = " ".join(self._prompt[:4000].split())
        width = max(80, self.width() - 40)  # the card's margins and the page's
        metrics = self.prompt_label.fontMetrics()
        room = width * self.PROMPT_LINES - metrics.averageCharWidth() * 6
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(40, room))
        if shown != self.prompt_label.text():
            self.prompt_label.setText(shown)

    def show_carry(self, source: int | None) -> None:
        """The rule at the columns: a chip on the carried column and on those it feeds."""
        for i, column in enumerate(self.columns):
            if source is None or source >= len(self.columns):
                column.set_carry_chip("")
            elif i == source:
                column.set_carry_chip(self.tr("Carried"))
            else:
                column.set_carry_chip(self.tr("Continues from %1").replace("%1", LABELS[source]))

    def show_word_diff(self, left: int, right: int, left_md: str, right_md: str) -> None:
        """The two columns' answers rendered, removed words marked left, added right."""
        a, b = self.columns[left], self.columns[right]
        show_pair(a.diff, b.diff, left_md, right_md, self._dark)
        a.show_diff_page()
        b.show_diff_page()

    def set_editable(self, editable: bool) -> None:
        """Columns can be added, removed, reordered only before the first prompt."""
        self.add_button.setVisible(editable)
        self.blind_check.setEnabled(editable)
        for column in self.columns:
            column.set_editable(editable, can_remove=len(self.columns) > 2)

    def set_blind(self, blind: bool) -> None:
        self.blind_check.blockSignals(True)
        self.blind_check.setChecked(blind)
        self.blind_check.blockSignals(False)

    def set_busy(self, busy: bool) -> None:
        self.composer.set_busy(busy)
        self.rerun_button.setEnabled(not busy)

    # --- votes ----------------------------------------------------------------------------

    def _build_vote_buttons(self, count: int) -> None:
        for button in self.vote_buttons.values():
            button.setParent(None)
            button.deleteLater()
        self.vote_buttons = {}
        if count == 2:
            choices = [
                ("A", self.tr("A is better"), "A"),
                ("B", self.tr("B is better"), "B"),
                ("tie", self.tr("Tie"), self.tr("Tie")),
                ("bad", self.tr("Both are bad"), self.tr("Bad")),
            ]
            self.vote_label.setText(self.tr("Which answer is better?"))
        else:
            choices = [
                (LABELS[i], self.tr("%1 is best").replace("%1", LABELS[i]), LABELS[i])
                for i in range(count)
            ]
            choices += [
                ("tie", self.tr("Tie"), self.tr("Tie")),
                ("bad", self.tr("All are bad"), self.tr("Bad")),
            ]
            self.vote_label.setText(self.tr("Which answer is best?"))
        self._vote_texts = {}
        for value, text, short in choices:
            button = QPushButton(text)
            button.setObjectName("vote-choice")
            button.setProperty("vote", value)
            button.setAccessibleName(text)
            button.setToolTip(text)
            button.clicked.connect(lambda _=False, v=value: self.vote_cast.emit(v))
            self._vote_row.addWidget(button)
            self.vote_buttons[value] = button
            self._vote_texts[value] = (text, short)
        self._vote_short: bool | None = None
        self._fit_vote_buttons(self.width())

    def _fit_vote_buttons(self, width: int) -> None:
        """Short choices ("A", "Tie") in a narrow view: the row stays one row and the
        window never widens for it (the full words stay as tooltips and names)."""
        short = width < self.VOTE_SHORT_BELOW
        if short == getattr(self, "_vote_short", None):
            return
        self._vote_short = short
        for value, button in self.vote_buttons.items():
            long_text, short_text = self._vote_texts[value]
            button.setText(short_text if short else long_text)

    def show_vote(self, show: bool, text: str = "") -> None:
        self.vote_bar.setVisible(show or bool(text))
        for button in self.vote_buttons.values():
            button.setVisible(show)
        if text:
            self.vote_label.setText(text)
        elif show:
            many = len(self.columns) > 2
            self.vote_label.setText(
                self.tr("Which answer is best?") if many else self.tr("Which answer is better?")
            )

    # --- diff -----------------------------------------------------------------------------

    def _emit_diff(self, *_args: object) -> None:
        self.diff_toggled.emit(
            self.diff_check.isChecked(), self.diff_left.currentIndex(),
            self.diff_right.currentIndex(),
        )  # fmt: skip

    def set_dark(self, dark: bool) -> None:
        if dark != self._dark:
            self.setStyleSheet(comparestyle.style_sheet(dark))
        self._dark = dark  # columns added later (a new comparison) take it too
        for column in self.columns:
            column.set_dark(dark)
