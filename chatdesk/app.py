"""Start-up and wiring of the window (the only place that builds the whole object graph).

Order matters for speed: the window is shown first; the Markdown engine warm-up and
the model list request run after the first paint, so nothing at start waits on the
network or on heavy imports.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from chatdesk.qtfeature import skip_feature_scan

skip_feature_scan()  # before the window's modules are imported (see chatdesk/qtfeature.py)

from chatdesk.paths import i18n_dir  # noqa: E402
from chatdesk.ui.theme import apply_appearance  # noqa: E402

if TYPE_CHECKING:
    from chatdesk.ctl.chat import ChatController
    from chatdesk.ctl.compare import CompareController
    from chatdesk.ctl.convlistctl import ConversationListController
    from chatdesk.ctl.endpoint import EndpointService
    from chatdesk.ctl.history import HistoryController
    from chatdesk.ctl.mcpctl import McpController
    from chatdesk.ctl.runs import RunController
    from chatdesk.ctl.services import Services
    from chatdesk.ctl.settingsctl import SettingsController
    from chatdesk.single import InstanceGuard
    from chatdesk.store import Store
    from chatdesk.ui.mainwindow import MainWindow
    from chatdesk.ui.notify import Notifier


def _system_language() -> str:
    return "zh_CN" if QLocale.system().name().startswith("zh") else "en"


def install_translations(app: QApplication, language: str) -> list[QTranslator]:
    """Load our .qm and Qt's own for Simplified Chinese; English needs none."""
    if not language.startswith("zh"):
        return []
    translators = []
    ours = QTranslator(app)
    if ours.load(str(i18n_dir() / "chatdesk_zh_CN.qm")):
        app.installTranslator(ours)
        translators.append(ours)
    qt = QTranslator(app)
    if qt.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        translators.append(qt)
    gaps = _QtGaps(app)  # installed last: asked first, answers only its few strings
    app.installTranslator(gaps)
    translators.append(gaps)
    return translators


class _QtGaps(QTranslator):
    """Qt 6 file-dialog strings that the qtbase_zh_CN.qm shipped with PySide6 lacks (it
    predates them): without these the file dialog was half English in 简体中文."""

    TEXT = {
        ("QFileDialog", "&Look in:"): "查找范围(&L)：",
        ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
        ("QFileDialog", "&Open"): "打开(&O)",
        ("QFileDialog", "&Save"): "保存(&S)",
        ("QAbstractFileIconProvider", "Folder"): "文件夹",
        ("QAbstractFileIconProvider", "File"): "文件",
        ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
        ("QAbstractFileIconProvider", "Drive"): "驱动器",
    }

    def translate(  # noqa: D102 (Qt override)
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        return self.TEXT.get((context, source))  # None: not ours, ask the next translator

    def isEmpty(self) -> bool:  # noqa: N802 (Qt override)
        return False


@dataclass(slots=True)
class WindowParts:
    """What :func:`build_window` made besides the window: the store the conversation list
    reads (a restore swaps it) and the Help menu (kept alive with the window)."""

    store: Store
    help: object = None


@dataclass(slots=True, eq=False)
class Desk:
    """The window's controllers and what they share: the composition root, built by
    :func:`wire`. Controllers know :class:`~chatdesk.ctl.services.Services` and the
    endpoint, never each other; the few requests between them are connected here."""

    window: MainWindow
    services: Services
    endpoint: EndpointService
    chat: ChatController
    conversations: ConversationListController
    history: HistoryController
    settings_ctl: SettingsController
    compare: CompareController
    mcp: McpController
    notifier: Notifier
    runs: RunController

    def start(self) -> None:
        """After the first paint: server, conversation list, last conversation, models."""
        self.chat.start()

    @property
    def busy(self) -> bool:
        """Anything running (the chat's answer, a comparison, a prompt-set run)."""
        return self.services.running.any(background=True)

    async def aclose(self) -> None:
        """Stop everything and close every client and MCP server process."""
        await self.runs.aclose()  # the run is saved as stopped: Resume finishes it
        await self.compare.aclose()
        await self.chat.aclose()
        await self.mcp.aclose()  # every MCP server process ends with the window
        await self.services.aclose()


def build_window(store: Store) -> tuple[MainWindow, WindowParts]:
    """The window alone (no asyncio, no HTTP): what must be on screen first."""
    from chatdesk.core.services import ensure_default_provider
    from chatdesk.ui.mainwindow import MainWindow
    from chatdesk.ui.messagemodel import MessageListModel

    ensure_default_provider(store)
    settings = store.get_setting("app_settings", {}) or {}
    apply_appearance(settings)
    model = MessageListModel(image_loader=store.get_image)
    # The list reads through ``parts.store`` (a restore swaps the store).
    parts = WindowParts(store)
    window = MainWindow(
        model,
        lambda offset, limit, title_filter: parts.store.list_conversations(
            limit=limit, offset=offset, title_filter=title_filter
        ),
    )
    window.composer.set_send_key(str(settings.get("send_key", "enter")))
    app = QApplication.instance()
    window.set_dark(bool(app.property("chatdesk_dark")) if app else False)
    from chatdesk.ui.helpmenu import add_help_menu

    parts.help = add_help_menu(window)
    return window, parts


def wire(
    window: MainWindow, store: Store, parts: WindowParts, args: argparse.Namespace | None
) -> Desk:
    """The controllers behind the window (asyncio, client, keys, history, settings)."""
    from chatdesk.core.keys import KeyStore
    from chatdesk.ctl.chat import ChatController
    from chatdesk.ctl.compare import CompareController
    from chatdesk.ctl.convlistctl import ConversationListController
    from chatdesk.ctl.endpoint import EndpointService
    from chatdesk.ctl.history import HistoryController
    from chatdesk.ctl.mcpctl import McpController
    from chatdesk.ctl.runs import RunController
    from chatdesk.ctl.services import Services
    from chatdesk.ctl.settingsctl import SettingsController

    services = Services(store, KeyStore(), window.set_status, window)

    def store_replaced(new: Store) -> None:
        parts.store = new  # first: the controllers reload the list from the new store

    services.store_replaced.connect(store_replaced)
    endpoint = EndpointService(
        window,
        services,
        base_url=getattr(args, "base_url", None),
        provider=getattr(args, "provider", None),
        model=getattr(args, "model", None),
    )
    mcp = McpController(window, services)  # MCP tool servers (issue 9)
    chat = ChatController(window, services, endpoint, mcp)
    conversations = ConversationListController(window, services)
    conversations.deleting.connect(chat.forget)
    chat.title_updated.connect(lambda conv_id, _title: conversations.show_title(conv_id))
    history = HistoryController(window, services)
    settings_ctl = SettingsController(window, services, endpoint, mcp)
    compare = CompareController(window, services, endpoint, mcp)
    services.running.register("compare", lambda: compare.busy)
    services.add_opener(lambda conv_id: _open_comparison(compare, conv_id))
    window.closing.connect(compare.stop_all)
    notifier = wire_notifications(window, services, chat, compare)
    runs = RunController(window, services, endpoint)  # prompt-set runs (issue 19)
    return Desk(
        window,
        services,
        endpoint,
        chat,
        conversations,
        history,
        settings_ctl,
        compare,
        mcp,
        notifier,
        runs,
    )


def _open_comparison(compare: CompareController, conversation_id: int) -> bool:
    """A comparison opens in the compare view (True), any other conversation in the chat."""
    if not compare.owns(conversation_id):
        return False
    compare.open(conversation_id)
    return True


def wire_notifications(
    window: MainWindow, services: Services, chat: ChatController, compare: CompareController
) -> Notifier:
    """Desktop notification and taskbar alert when an answer or a comparison ends while
    the window is in the background (Settings > Appearance turns notifications off)."""
    from chatdesk.ui.notify import Notifier

    notifier = Notifier(window, lambda: bool(services.settings().get("notify", True)))

    def chat_done(status: str) -> None:
        outcome = chat.last_outcome
        duration = getattr(outcome, "duration_ms", None)
        notifier.exchange_finished(status, duration, chat.current_model())

    def compare_done() -> None:
        comparison = compare.comparison
        if comparison is None or comparison.names_hidden():
            notifier.comparison_finished([])  # blind: the notice names no model
        else:
            notifier.comparison_finished(comparison.models())

    chat.exchange_finished.connect(chat_done)
    compare.turn_finished.connect(compare_done)
    return notifier


def build(
    args: argparse.Namespace | None = None,
    store: Store | None = None,
) -> tuple[Store, MainWindow, Desk]:
    """Create store, window and controllers (used by the end-to-end tests and benchmarks)."""
    from chatdesk.core.services import open_store

    if store is None:
        store = open_store()
    window, parts = build_window(store)
    desk = wire(window, store, parts, args)
    return store, window, desk


def run_warm_up(interval_ms: int = 30) -> None:
    """Pay the renderer's first-use costs in small idle steps after the first paint."""
    from chatdesk.ui.render import warm_up_steps

    steps = warm_up_steps()

    def step() -> None:
        if steps:
            steps.pop(0)()
            QTimer.singleShot(interval_ms, step)
        else:
            drop_source_cache()  # the Markdown engine's and Pygments' modules were read

    QTimer.singleShot(interval_ms, step)


def warm_up_when_needed(window: MainWindow) -> None:
    """Run :func:`run_warm_up` once Markdown is about to be needed, not at start.

    The Markdown engine, Pygments and a lexer hold ~7 MiB: an idle window that shows no
    answer need not (issue 11, idle memory). Typing a message, or any message shown
    (a conversation opened), starts the warm-up; both leave it seconds before an answer.
    """
    started: list[bool] = []

    def start(*_: object) -> None:
        if not started:
            started.append(True)
            run_warm_up()

    window.composer.editor().textChanged.connect(start)
    model = window.message_model
    model.rowsInserted.connect(start)
    model.modelReset.connect(lambda: start() if model.rowCount() else None)
    if model.rowCount():
        start()


def install_gc_pacer(app: QApplication, busy: Callable[[], bool] | None = None) -> QTimer:
    """Run Python's cyclic GC from a timer, in small steps, never mid-stream.

    WORKAROUND: an automatic collection that starts inside a QObject's own timer
    callback can free that object while Qt is still dispatching to it (a segfault seen
    in the tests), so automatic collection is off. Young generations are collected
    every second (a few ms); a full collection (60-90 ms with long answers open) waits
    until nothing streams, at most once a minute. Call :func:`freeze_startup_objects`
    once the window is up, so the objects made at start are never scanned again.
    """
    import gc
    import time

    gc.disable()
    last_full = [time.monotonic()]

    def step() -> None:
        now = time.monotonic()
        if now - last_full[0] >= 60 and not (busy and busy()):
            gc.collect()
            last_full[0] = now
        else:
            gc.collect(1)

    timer = QTimer(app)
    timer.setInterval(1000)
    timer.timeout.connect(step)
    timer.start()
    return timer


def freeze_startup_objects() -> None:
    """Move everything alive now out of the collector's reach (start-up objects stay)."""
    import gc

    drop_source_cache()
    gc.collect()
    gc.freeze()


def drop_source_cache() -> None:
    """Forget the source text of the modules imported so far.

    WORKAROUND: once PySide6 is loaded, shiboken reads the whole source of every module
    imported after it (``inspect.getsource``, to see whether it uses PySide's
    ``__feature__`` switches), and :mod:`linecache` keeps it: ~270 files, 4 MiB of text
    and 2.4 MiB of idle memory in the window. It is only a cache: a traceback reads again
    what it shows.
    """
    import linecache

    linecache.clearcache()


def _cannot_start(app: QApplication, reason: str) -> None:
    """One readable line on the terminal and a message box; never a traceback."""
    from PySide6.QtWidgets import QMessageBox

    sys.stderr.write(f"chatdesk: {reason}\n")
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        QMessageBox.critical(None, app.translate("ChatDesk", "ChatDesk cannot start"), reason)


def _widget_application() -> QApplication:
    """The process's QApplication (made here unless a test or a tool made one already)."""
    existing = QApplication.instance()
    if existing is None:
        return QApplication(sys.argv[:1])
    if not isinstance(existing, QApplication):  # a QCoreApplication cannot show windows
        raise RuntimeError("the window needs a QApplication, not a QCoreApplication")
    return existing


def run_app(args: argparse.Namespace) -> int:
    """``chatdesk`` with no subcommand: the window, on a qasync event loop."""
    app = _widget_application()
    app.setApplicationName("ChatDesk")
    app.setOrganizationName("ChatDesk")
    app.setApplicationDisplayName("ChatDesk")
    set_app_icon(app, FIRST_PAINT_ICON_PX)

    from chatdesk.core.services import open_store
    from chatdesk.errors import ChatdeskError

    guard = _take_window_lock(app, args)
    if isinstance(guard, int):  # another window has this data folder: it was told
        return guard
    try:
        opened = open_store()
    except ChatdeskError as exc:  # a data folder that is a file, a damaged history...
        _cannot_start(app, str(exc))
        return 1
    language = (opened.get_setting("app_settings", {}) or {}).get("language") or _system_language()
    install_translations(app, language)

    from chatdesk.ui.render import mathtex

    mathtex.background_math = True
    # The window is shown and painted before asyncio, the client and the controllers
    # are even imported: start-up is what the user sees first.
    store = opened
    window, parts = build_window(store)
    if os.environ.get("CHATDESK_REPORT_STARTUP"):
        _report_startup(window)
    window.show()
    app.processEvents()

    import asyncio

    from chatdesk.eventloop import EventLoop

    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    from chatdesk import crash

    loop.set_exception_handler(crash.asyncio_handler)
    desk = wire(window, store, parts, args)
    if guard is not None:
        # Only now: a later start retries until the window answers (InstanceGuard.hand_over),
        # and the socket and its name's hash need not load before the first paint.
        guard.listen()
        guard.set_handler(lambda request: apply_window_request(desk, request))
    install_gc_pacer(app, lambda: desk.busy)

    def after_first_paint() -> None:
        # First: decoded later, the large sizes left ~1 MiB more idle memory (heap layout).
        set_app_icon(app)  # now with the large sizes too (see FIRST_PAINT_ICON_PX)
        desk.start()
        if getattr(args, "compare", False):
            desk.compare.new_comparison(
                getattr(args, "models", None) or None, getattr(args, "provider", None)
            )
        warm_up_when_needed(window)
        from chatdesk import crash

        try:  # after the first paint: logging.handlers costs ~14 ms to import
            crash.setup_logging()
        except (OSError, ChatdeskError) as exc:
            sys.stderr.write(f"chatdesk: no log file ({exc})\n")
        if not smoke:
            from chatdesk.ui.about import offer_crash_reports

            QTimer.singleShot(500, lambda: offer_crash_reports(window))
        QTimer.singleShot(2000, desk.history.daily_backup)
        QTimer.singleShot(3000, freeze_startup_objects)  # after the warm-up steps
        drop_source_cache()  # what the imports before the first paint and since left

    QTimer.singleShot(0, after_first_paint)

    shot = getattr(args, "screenshot", None)
    smoke = getattr(args, "smoke_test", False)
    smoke_failed: list[bool] = []
    if shot or smoke:

        def grab_and_quit() -> None:
            if shot:
                window.grab().save(shot)
            if smoke:
                from chatdesk import selfcheck

                smoke_failed.append(not selfcheck.report())
            window.close()

        QTimer.singleShot(int(os.environ.get("CHATDESK_SHOT_DELAY_MS", "1500")), grab_and_quit)

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    app.lastWindowClosed.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(desk.aclose())
        loop.run_until_complete(loop.shutdown_asyncgens())
    store.close()
    if guard is not None:
        guard.release()
    return 3 if any(smoke_failed) else 0


def _take_window_lock(app: QApplication, args: argparse.Namespace) -> InstanceGuard | int | None:
    """The single-instance guard of this data folder (locked, not yet listening: see
    :func:`run_app`), or the exit code of a start that handed its options to the window
    already open there. Crash reports are set up here too (they live in the same folder).

    ``None`` when the folder cannot be used: opening the store then says why.
    """
    from chatdesk import crash, paths
    from chatdesk.errors import ChatdeskError
    from chatdesk.single import InstanceGuard, window_request

    try:
        folder = paths.data_dir()
    except ChatdeskError:
        return None
    guard = InstanceGuard(folder, app)
    if not guard.acquire():
        if guard.hand_over(window_request(args)):
            print(f"ChatDesk is already open on {folder}: its window was brought to the front.")
            return 0
        pid = guard.owner_pid()
        sys.stderr.write(
            f"chatdesk: ChatDesk is already open on {folder}"
            + (f" (pid {pid})" if pid else "")
            + " but does not answer. Close that window (or end that process) and try again.\n"
        )
        return 1
    try:
        crash.install()
    except (OSError, ChatdeskError) as exc:
        sys.stderr.write(f"chatdesk: crash reports are off ({exc})\n")
    return guard


def apply_window_request(desk: Desk, request: dict[str, Any]) -> None:
    """Another start's options (see :mod:`chatdesk.single`): raise the window, then switch
    server, start a chat with the model, or open the comparison, as that start asked."""
    from PySide6.QtCore import Qt

    from chatdesk.core.urls import CredentialsInUrlError, reject_credentials

    window = desk.window
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
    base_url = request.get("base_url")
    provider = request.get("provider")
    models = [m for m in request.get("models") or [] if isinstance(m, str) and m.strip()]
    if isinstance(base_url, str) or isinstance(provider, str):
        try:  # the CLI checked it, but anything of this user may write to the socket
            url = reject_credentials(base_url) if isinstance(base_url, str) else None
        except CredentialsInUrlError as exc:
            window.set_status(str(exc))
            return
        desk.endpoint.use(url, provider if isinstance(provider, str) else None)
    if request.get("compare"):
        desk.compare.new_comparison(models or None, desk.endpoint.provider_override)
    elif models:
        desk.endpoint.override_model = models[-1]
        desk.chat.new_conversation()
        window.model_picker.set_current(models[-1])


# The window icon's largest size before the first paint. On X11 every size is decoded and
# sent to the window manager (one _NET_WM_ICON property) when the window is created; the
# 256 and 512 px renderings (1.3 MB of pixels) took ~9 ms of the first paint. They are set
# right after it, so only a view of the icon larger than 128 px could see the difference,
# for a fraction of a second.
FIRST_PAINT_ICON_PX = 128


def set_app_icon(app: QApplication, largest: int | None = None) -> None:
    """The window and taskbar icon (PNG sizes up to ``largest`` px, default all: no SVG
    plugin load at start), and the desktop entry's name so that Wayland shells match the
    window to its launcher icon.

    Each file is added with its size (the renderings are exactly that many pixels square,
    tests/packaging checks it), so Qt need not open them to find out before the first paint.
    """
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from chatdesk.desktop import APP_ID, HICOLOR_SIZES, icon_path

    icon = QIcon()
    for size in HICOLOR_SIZES:
        if largest is None or size <= largest:
            icon.addFile(str(icon_path(size)), QSize(size, size))
    app.setWindowIcon(icon)
    app.setDesktopFileName(APP_ID)


def _report_startup(window: MainWindow) -> None:
    """Benchmarks: print when the first frame is painted and the idle memory after it."""
    import time

    from PySide6.QtCore import QEvent, QObject

    class _FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and not hasattr(self, "done"):
                self.done = True
                print(f"FIRST_PAINT {time.time():.6f}", flush=True)
            return False

    watcher = _FirstPaint(window)
    window.installEventFilter(watcher)

    def memory() -> None:
        rss = 0
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        print(f"IDLE_RSS_KB {rss}", flush=True)
        window.close()

    QTimer.singleShot(int(os.environ.get("CHATDESK_IDLE_MS", "3000")), memory)
