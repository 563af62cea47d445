"""History actions of the window: search, find, export, import, backups.

Kept apart from the chat controller: none of this touches the network. Long work
(import, export of everything, backups) runs in a worker thread with its own SQLite
connection, so the window keeps painting and shows progress.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QProgressDialog

from chatdesk.core.arena.blindsearch import count_hits, search_hits
from chatdesk.errors import ChatdeskError
from chatdesk.store import Store
from chatdesk.store.rows import SearchHit

if TYPE_CHECKING:
    from chatdesk.ctl.services import Services
    from chatdesk.ui.mainwindow import MainWindow

# Beyond this many matches the count stops (a one-letter find in a long history).
MAX_FIND = 9999
EXPORT_FILTERS = "Markdown (*.md);;JSON (*.json);;HTML (*.html)"


def backup_dir() -> Path:
    from chatdesk.paths import data_dir

    return data_dir() / "backups"


class HistoryController(QObject):
    """Wires the search panel, the find bar and the File menu to the history.

    Signals:
        finished(str): a long action ended ("import", "export", "backup", "restore").
    """

    finished = Signal(str)

    def __init__(self, window: MainWindow, services: Services) -> None:
        super().__init__(services)
        self.services = services
        self.window = window
        self._panel: Any = None
        self._matches: list[tuple[int, int]] = []  # (message, occurrence in it)
        self._match_index = 0
        self._find_text = ""
        self.last_message = ""
        self._last_count: tuple[Any, int] | None = None
        w = self.window
        w.search_requested.connect(self.open_search)
        w.export_requested.connect(self.export_dialog)
        w.import_requested.connect(self.import_dialog)
        w.backup_requested.connect(self.backup_now)
        w.restore_requested.connect(self.restore_dialog)
        w.find_bar.find_requested.connect(self.find)
        w.find_bar.next_requested.connect(lambda: self._step(1))
        w.find_bar.previous_requested.connect(lambda: self._step(-1))
        w.find_bar.closed.connect(self._clear_find)

    @property
    def store(self) -> Store:
        return self.services.store

    # --- search ----------------------------------------------------------------------

    def search(self, query: str, filters: dict[str, Any]) -> tuple[list[SearchHit], int]:
        """The search panel's data source (offline, in-process)."""
        common = {
            "model": filters.get("model"),
            "role": filters.get("role"),
            "since": filters.get("since"),
            "until": filters.get("until"),
            "pinned": filters.get("pinned"),
            "comparisons": filters.get("comparisons"),
        }
        offset = int(filters.get("offset", 0))
        hits = search_hits(
            self.store,
            query,
            limit=int(filters.get("limit", 50)),
            offset=offset,
            sort=str(filters.get("sort", "newest")),
            **common,
        )
        if offset == 0 or self._last_count is None or self._last_count[0] != (query, common):
            # Counting is the slow part at a million messages: once per query, capped.
            self._last_count = ((query, common), count_hits(self.store, query, **common))
        return hits, self._last_count[1]

    def _models(self) -> list[str]:
        return self.store.conversation_models()

    def _runs_matching(self, query: str) -> list[tuple[int, str]]:
        """Prompt-set runs whose name, a model or a prompt holds the query."""
        out = []
        for run in self.store.runs.search_runs(query, limit=5):
            models = ", ".join(str(c.get("model") or "?") for c in run.columns)
            name = run.name or self.tr("Run %1").replace("%1", str(run.id))
            out.append((run.id, f"{name} ({models})"))
        return out

    def open_search(self, query: str = "") -> None:
        from chatdesk.ui.searchpanel import SearchPanel

        if self._panel is None:
            self._panel = SearchPanel(
                self.search, self._models, self.window, runs=self._runs_matching
            )
            self._panel.count_cap = self.store.SEARCH_COUNT_CAP
            self._panel.result_activated.connect(self.jump_to)
            self._panel.run_activated.connect(self.services.open_run_requested)
        self._panel.open_with(query)

    def jump_to(self, conversation_id: int, message_id: int, query: str) -> None:
        """Open the conversation on the branch holding the message, marked and in view."""
        row = self.store.get_message(message_id)
        if row is None:
            return
        leaf = self.store.latest_leaf(message_id)
        self.store.update_conversation(conversation_id, current_leaf_id=leaf)
        if self.services.shown_conversation == conversation_id:
            self.services.messages_changed.emit(conversation_id)
        else:
            self.services.show_conversation(conversation_id)
        self.window.conversations.select_conversation(conversation_id)
        from chatdesk.ui.searchpanel import query_terms

        # Mark the first word or "quoted phrase" of the query in the opened message.
        self.window.message_view.highlight(message_id, (query_terms(query) or [""])[0])

    # --- find in conversation ----------------------------------------------------------

    def find(self, text: str) -> None:
        """Count every occurrence (not every message) and show the first."""
        self._find_text = text
        needle = text.casefold()
        rows = self.window.message_model.messages()
        matches: list[tuple[int, int]] = []
        if needle:
            for r in rows:
                count = r.content.casefold().count(needle)
                matches.extend((r.id, n) for n in range(min(count, MAX_FIND - len(matches))))
                if len(matches) >= MAX_FIND:
                    break
        self._matches = matches
        self._match_index = 0
        self.window.find_bar.set_matches(len(self._matches))
        self._show_match()

    def _step(self, delta: int) -> None:
        if not self._matches:
            return
        self._match_index = (self._match_index + delta) % len(self._matches)
        self.window.find_bar.set_current(self._match_index)
        self._show_match()

    def _show_match(self) -> None:
        if self._matches:
            message_id, n = self._matches[self._match_index]
            view = self.window.message_view
            view.highlight(message_id, self._find_text)
            view.scroll_to_match(message_id, self._find_text, n)
        else:
            self._clear_find()

    def _clear_find(self) -> None:
        if self._matches:
            self.window.message_view.highlight(self._matches[0][0], "")
        self._matches = []

    # --- export / import -------------------------------------------------------------

    def export_dialog(self, scope: str) -> None:
        ids: list[int] | None
        compared = self.services.shown_comparison if self.window.comparing() else None
        if scope == "current" and compared is not None:
            from chatdesk.core.arena.compare import names_hidden_in

            ids = [compared]  # the comparison on screen, not the last chat
            if names_hidden_in(self.store, compared) and not self._confirm_reveal():
                return
        elif scope == "current":
            if self.services.shown_conversation is None:
                self._tell(self.tr("Open a conversation to export it."))
                return
            ids = [self.services.shown_conversation]
        else:
            ids = None
            hidden = len(self.store.unvoted_blind_conversations())
            if hidden and not self._confirm_reveal(hidden):
                return
        path, chosen = QFileDialog.getSaveFileName(
            self.window, self.tr("Export"), str(Path.home() / "chatdesk-export.md"), EXPORT_FILTERS
        )
        if path:
            self.export_to(path, ids, _format_of(path, chosen))

    def _confirm_reveal(self, unvoted: int = 0) -> bool:
        """An export names each column's model: before the vote, only if the user says so.

        ``unvoted``: for an export of everything, how many blind comparisons it reveals
        (a backup must name them to be restored whole, so it asks instead of hiding).
        """
        if unvoted:
            text = self.tr(
                "%1 blind comparison(s) have no vote yet. The export names the model of "
                "every column. Export anyway?"
            ).replace("%1", str(unvoted))
        else:
            text = self.tr(
                "You have not voted on this blind comparison yet. The export names the model "
                "of every column. Export anyway?"
            )
        answer = QMessageBox.question(self.window, self.tr("Export a blind comparison"), text)
        return answer == QMessageBox.StandardButton.Yes

    def export_to(self, path: str, ids: list[int] | None, fmt: str) -> asyncio.Task[Any]:
        from chatdesk.core.history.transfer import export_to_file

        def work(store: Store, _progress: Callable[[int, int], None]) -> int:
            return export_to_file(store, ids, fmt, path)

        def done(count: int) -> str:
            return (
                self.tr("Exported %1 conversation(s) to %2.")
                .replace("%1", str(count))
                .replace("%2", path)
            )

        return self._run("export", self.tr("Exporting…"), work, done)

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            self.tr("Import conversations"),
            str(Path.home()),
            self.tr("ChatDesk or ChatGPT export (*.json *.zip)"),
        )
        if path:
            self.import_from(path)

    def import_from(self, path: str) -> asyncio.Task[Any]:
        from chatdesk.core.history.transfer import import_file

        def work(store: Store, progress: Callable[[int, int], None]) -> Any:
            return import_file(store, path, progress=progress)

        def done(result: Any) -> str:
            self.window.conversations.reload()
            return (
                self.tr("Imported %1 conversation(s) with %2 message(s); %3 were already there.")
                .replace("%1", str(result.conversations_added))
                .replace("%2", str(result.messages_added))
                .replace("%3", str(result.conversations_skipped))
            )

        return self._run("import", self.tr("Importing…"), work, done)

    # --- backups ---------------------------------------------------------------------

    def backup_now(self) -> asyncio.Task[Any]:
        from chatdesk.core.history.backup import backup_now

        def work(store: Store, _progress: Callable[[int, int], None]) -> Path:
            return backup_now(store, backup_dir())

        def done(path: Path) -> str:
            return self.tr("Backed up to %1.").replace("%1", str(path))

        return self._run("backup", self.tr("Backing up…"), work, done)

    def daily_backup(self) -> asyncio.Task[Any]:
        """At start-up: one automatic copy a day, the last 7 kept (silent)."""
        from chatdesk.core.history.backup import maybe_daily_backup

        def work(store: Store, _progress: Callable[[int, int], None]) -> Any:
            return maybe_daily_backup(store, backup_dir())

        return self._run("daily-backup", "", work, None)

    def restore_dialog(self) -> None:
        from chatdesk.core.history.backup import list_backups

        backups = list_backups(backup_dir())
        if not backups:
            self._tell(self.tr("There is no backup yet. Use “Back up now” first."))
            return
        names = [p.name for p in backups]
        name, ok = QInputDialog.getItem(
            self.window, self.tr("Restore"), self.tr("Restore the history from:"), names, 0, False
        )
        if not ok:
            return
        answer = QMessageBox.question(
            self.window,
            self.tr("Restore"),
            self.tr("Replace the current history with %1? The current file is kept aside.").replace(
                "%1", name
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore(backups[names.index(name)])

    def restore(self, backup: Path) -> bool:
        """Swap the database for a backup (the live one is kept as *.before-restore)."""
        from chatdesk.core.history.backup import restore_backup
        from chatdesk.paths import database_path

        # An answer, a comparison or a prompt-set run is being written.
        if self.services.running.any(background=True):
            self._tell(self.tr("Wait for the answer to finish first."))
            return False
        path = Path(self.store.path) if self.store.path else database_path()
        self.window.conversations.flush_pending_delete()
        self.services.cancel_background()
        self.store.close()
        ok = True
        try:
            restore_backup(backup, path)
        except ChatdeskError as exc:
            self._tell(str(exc))
            ok = False
        try:
            self.services.replace_store(Store(path))
        except ChatdeskError as exc:  # the file cannot be opened: say so, keep running
            self._tell(str(exc))
            return False
        if ok:
            self.finished.emit("restore")
        return ok

    # --- helpers ---------------------------------------------------------------------

    def _run(
        self,
        name: str,
        label: str,
        work: Callable[[Store, Callable[[int, int], None]], Any],
        done: Callable[[Any], str] | None,
    ) -> asyncio.Task[Any]:
        """Run ``work`` in a thread on its own connection, with a progress dialog."""
        loop = asyncio.get_event_loop()
        dialog: QProgressDialog | None = None
        if label:
            dialog = QProgressDialog(label, "", 0, 0, self.window)
            dialog.setCancelButton(None)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(300)

        def progress(current: int, total: int) -> None:
            def show() -> None:
                if dialog is not None:
                    dialog.setMaximum(max(total, 1))
                    dialog.setValue(current)

            loop.call_soon_threadsafe(show)

        db_path = self.store.path

        def in_thread() -> Any:
            with Store(db_path) as store:
                return work(store, progress)

        async def runner() -> Any:
            try:
                result = await loop.run_in_executor(None, in_thread)
            except ChatdeskError as exc:
                self.last_message = str(exc)
                if label:
                    self._tell(self.last_message)
                return None
            finally:
                if dialog is not None:
                    dialog.close()
            if done is not None:
                self.last_message = done(result)
                self.window.set_status(self.last_message)
            self.finished.emit(name)
            return result

        return asyncio.ensure_future(runner())

    def _tell(self, text: str) -> None:
        self.last_message = text
        self.window.set_status(text)
        if not getattr(self, "quiet", False):
            QMessageBox.information(self.window, "ChatDesk", text)


def _format_of(path: str, chosen_filter: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("md", "json", "html"):
        return suffix
    for fmt in ("json", "html"):
        if fmt.upper() in chosen_filter.upper():
            return fmt
    return "md"
