"""The "New prompt-set run" dialog: prompts, 2-4 model columns, judge, concurrency.

It parses nothing and prices nothing itself: every change asks the controller's
``check`` callable, which answers with the parse error (naming the line) or with
what the run will ask and cost; Start stays disabled until the check passes, so a
bad file never sends anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

MIN_COLUMNS, MAX_COLUMNS = 2, 4
LABELS = "ABCD"
MAX_CONCURRENCY = 64


@dataclass(slots=True)
class ColumnChoice:
    """One model column as chosen: ``provider`` None is the window's server."""

    model: str
    provider: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class RunDraft:
    """What the dialog holds: prompts from ``path`` when set, else from ``text``."""

    name: str
    text: str
    path: str | None
    columns: list[ColumnChoice]
    judge: str | None
    concurrency: int


@dataclass(slots=True, frozen=True)
class CheckResult:
    """The controller's answer: ``ok`` enables Start; ``text`` is shown either way."""

    ok: bool
    text: str


class _ColumnRow(QWidget):
    """One column: its letter, the model (typed or chosen) and its parameters."""

    def __init__(self, dialog: NewRunDialog, choice: ColumnChoice) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.provider = choice.provider
        self.params = dict(choice.params)
        self.label = QLabel()
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model.addItems(dialog.models)
        self.model.setCurrentText(choice.model)
        self.model.setMinimumContentsLength(18)
        self.model.currentTextChanged.connect(lambda _t: dialog.changed())
        self.params_button = QPushButton(self.tr("Parameters…"))
        self.params_button.clicked.connect(self.edit_params)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(lambda: dialog.remove_column(self))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.model, 1)
        layout.addWidget(self.params_button)
        layout.addWidget(self.remove_button)

    def set_letter(self, letter: str) -> None:
        self.label.setText(letter)
        self.model.setAccessibleName(self.tr("Model of column %1").replace("%1", letter))
        self.params_button.setAccessibleName(
            self.tr("Parameters of column %1").replace("%1", letter)
        )
        self.remove_button.setAccessibleName(self.tr("Remove column %1").replace("%1", letter))

    def choice(self) -> ColumnChoice:
        return ColumnChoice(self.model.currentText().strip(), self.provider, dict(self.params))

    def edit_params(self) -> None:
        from chatdesk.ui.comparecolumn import ColumnParamsDialog

        dialog = ColumnParamsDialog(
            self.label.text(),
            self.params,
            self,
            providers=self.dialog.providers,
            provider=self.provider,
        )
        if dialog.exec():
            self.params = dialog.params()
            self.provider = dialog.provider()
            self.dialog.changed()


class NewRunDialog(QDialog):
    """See the module docstring; :meth:`draft` is what Start starts."""

    def __init__(
        self,
        check: Callable[[RunDraft], CheckResult],
        models: list[str],
        providers: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("new-run-dialog")
        self.setWindowTitle(self.tr("New prompt-set run"))
        self._check = check
        self.models = list(models)
        self.providers = list(providers)
        self._path: str | None = None
        self._ok = False

        self.name = QLineEdit()
        self.name.setAccessibleName(self.tr("Name of the run"))
        self.name.setPlaceholderText(self.tr("Named after the file when empty"))
        self.file_button = QPushButton(self.tr("Open file…"))
        self.file_button.setAccessibleName(self.tr("Open a prompt set file"))
        self.file_button.setToolTip(
            self.tr(
                '.jsonl (one object a line with "prompt", optional "id" and "system"), '
                ".txt (one prompt a line) or .csv (a prompt column)"
            )
        )
        self.file_button.clicked.connect(self.choose_file)
        self.file_label = QLabel(self.tr("or type / paste prompts below, one a line"))
        self.prompts = QPlainTextEdit()
        self.prompts.setAccessibleName(self.tr("Prompts, one a line (or JSON lines)"))
        self.prompts.setPlaceholderText(
            self.tr('One prompt a line, or JSON lines: {"prompt": "…", "id": "…"}')
        )
        self.prompts.setTabChangesFocus(True)
        self.prompts.textChanged.connect(self._on_text)

        self._rows: list[_ColumnRow] = []
        self._columns_box = QVBoxLayout()
        self.add_button = QPushButton(self.tr("Add model"))
        self.add_button.clicked.connect(lambda: self.add_column(None))
        self.judge_check = QCheckBox(self.tr("Judge each pair with"))
        self.judge_model = QComboBox()
        self.judge_model.setEditable(True)
        self.judge_model.addItems(self.models)
        self.judge_model.setAccessibleName(self.tr("Judge model"))
        self.judge_model.setEnabled(False)
        self.judge_check.toggled.connect(self.judge_model.setEnabled)
        self.judge_check.toggled.connect(lambda _on: self.changed())
        self.judge_model.currentTextChanged.connect(lambda _t: self.changed())
        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, MAX_CONCURRENCY)
        self.concurrency.setValue(4)
        self.concurrency.setAccessibleName(self.tr("Requests at once"))

        self.check_label = QLabel()
        self.check_label.setObjectName("run-check")
        self.check_label.setWordWrap(True)
        self.check_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.check_label.setAccessibleName(self.tr("What the run will do"))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = self.buttons.addButton(
            self.tr("Start"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self._on_start)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        source = QHBoxLayout()
        source.addWidget(self.file_button)
        source.addWidget(self.file_label, 1)
        form.addRow(self.tr("Prompts"), source)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.prompts, 1)
        layout.addWidget(QLabel(self.tr("Models (2 to 4), each with its own parameters")))
        layout.addLayout(self._columns_box)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        judge = QHBoxLayout()
        judge.addWidget(self.judge_check)
        judge.addWidget(self.judge_model, 1)
        layout.addLayout(judge)
        conc = QFormLayout()
        conc.addRow(self.tr("Requests at once"), self.concurrency)
        layout.addLayout(conc)
        layout.addWidget(self.check_label)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.recheck)
        first = self.models[0] if self.models else ""
        second = self.models[1] if len(self.models) > 1 else first
        self.set_columns([ColumnChoice(first), ColumnChoice(second)])
        self.resize(640, 620)
        self.recheck()

    # --- filling in -----------------------------------------------------------------------

    def set_columns(self, columns: list[ColumnChoice]) -> None:
        for row in list(self._rows):
            self._drop(row)
        for choice in columns[:MAX_COLUMNS]:
            self.add_column(choice)
        while len(self._rows) < MIN_COLUMNS:
            self.add_column(None)

    def add_column(self, choice: ColumnChoice | None) -> None:
        if len(self._rows) >= MAX_COLUMNS:
            return
        if choice is None:
            last = self._rows[-1].choice() if self._rows else ColumnChoice("")
            choice = ColumnChoice(last.model, last.provider, dict(last.params))
        row = _ColumnRow(self, choice)
        self._rows.append(row)
        self._columns_box.addWidget(row)
        self._renumber()
        self.changed()

    def remove_column(self, row: _ColumnRow) -> None:
        if len(self._rows) > MIN_COLUMNS:
            self._drop(row)
            self._renumber()
            self.changed()

    def _drop(self, row: _ColumnRow) -> None:
        self._rows.remove(row)
        self._columns_box.removeWidget(row)
        row.hide()
        row.deleteLater()

    def _renumber(self) -> None:
        for i, row in enumerate(self._rows):
            row.set_letter(LABELS[i])
            row.remove_button.setEnabled(len(self._rows) > MIN_COLUMNS)
        self.add_button.setEnabled(len(self._rows) < MAX_COLUMNS)

    def set_prompts_text(self, text: str) -> None:
        """Typed prompts (a re-run fills them in); a chosen file is forgotten."""
        self._path = None
        self.prompts.setPlainText(text)
        self.file_label.setText(self.tr("or type / paste prompts below, one a line"))

    def set_file(self, path: str) -> None:
        """Prompts from this file (checked at once)."""
        self._path = path
        self.prompts.blockSignals(True)
        self.prompts.clear()
        self.prompts.blockSignals(False)
        self.file_label.setText(path)
        self.file_label.setToolTip(path)
        self.recheck()

    def set_judge(self, model: str | None) -> None:
        self.judge_check.setChecked(bool(model))
        if model:
            self.judge_model.setCurrentText(model)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open a prompt set"),
            "",
            self.tr("Prompt sets (*.jsonl *.ndjson *.txt *.csv);;All files (*)"),
        )
        if path:
            self.set_file(path)

    # --- checking -------------------------------------------------------------------------

    def draft(self) -> RunDraft:
        judge = self.judge_model.currentText().strip() if self.judge_check.isChecked() else None
        return RunDraft(
            name=self.name.text().strip(),
            text=self.prompts.toPlainText(),
            path=self._path,
            columns=[row.choice() for row in self._rows],
            judge=judge or None,
            concurrency=self.concurrency.value(),
        )

    def _on_text(self) -> None:
        if self._path is not None and self.prompts.toPlainText():
            self._path = None  # typing replaces the file
            self.file_label.setText(self.tr("or type / paste prompts below, one a line"))
        self.changed()

    def changed(self) -> None:
        self._ok = False
        self.start_button.setEnabled(False)
        self._timer.start()

    def recheck(self) -> bool:
        """Ask the controller now; Start follows the answer."""
        self._timer.stop()
        result = self._check(self.draft())
        self._ok = result.ok
        self.check_label.setText(result.text)
        self.check_label.setProperty("error", not result.ok)
        self.check_label.setStyleSheet("" if result.ok else "color: #c5221f;")
        self.start_button.setEnabled(result.ok)
        return result.ok

    def ok(self) -> bool:
        return self._ok

    def _on_start(self) -> None:
        if self.recheck():
            self.accept()
