"""The documents a message view draws and the resources they may show.

Documents and dialogs resolve only our own resources (rendered math, image thumbnails
loaded through the model's image loader) and never fetch anything from the network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QMimeData,
    QRect,
    QRectF,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QImage, QPainter, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from chatdesk.store.rows import MessageRow
from chatdesk.ui import render
from chatdesk.ui.breaks import ZWSP, breakable
from chatdesk.ui.messagemodel import ImageLoader

__all__ = [
    "Doc",
    "SafeBrowser",
    "TextDialog",
    "Thumbnails",
    "anchor_rect",
    "doc_links",
    "math_image",
]

# Rendered formula images, keyed by name (content-addressed): shared by every view on
# purpose, they never change once made.
_MATH_IMAGES: dict[str, QImage] = {}


def math_image(name: str) -> QImage:
    """The image of a rendered formula (``math:...`` resource), made once."""
    img = _MATH_IMAGES.get(name)
    if img is None:
        svg = render.MATH_SVGS.get(name)
        w, h = render.MATH_SIZES.get(name, (1.0, 1.0))
        scale = 2.0
        img = QImage(
            max(1, round(w * scale)),
            max(1, round(h * scale)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        img.fill(Qt.GlobalColor.transparent)
        if svg:
            # Here, not at import: QtSvg (its module and library) need not load with an
            # idle window that shows no formula.
            from PySide6.QtSvg import QSvgRenderer

            p = QPainter(img)
            QSvgRenderer(QByteArray(svg)).render(p)
            p.end()
        img.setDevicePixelRatio(scale)
        _MATH_IMAGES[name] = img
    return img


class Doc(QTextDocument):
    """A document that resolves only our own resources and never fetches anything."""

    def __init__(self, resolve: Callable[[str], QImage | None]) -> None:
        super().__init__()
        self._resolve = resolve
        self.setUndoRedoEnabled(False)
        self.setDocumentMargin(0)
        # Code blocks the view frames itself (see messageitem.code_frames); None: not
        # measured at this width yet, () when the document has none.
        self.frames: tuple[tuple[QRectF, float, str, str], ...] | None = ()
        # Horizontal offsets of code blocks wider than the column (see codescroll).
        self.hx: dict[int, float] = {}

    def loadResource(self, type_: int, name: QUrl | str) -> Any:  # noqa: N802 (Qt override)
        url = name.toString() if isinstance(name, QUrl) else name
        if url.startswith("math:"):
            return math_image(url)
        if url.startswith("img:"):
            img = self._resolve(url[4:])
            if img is not None:
                return img
        return QImage()  # remote or unknown: nothing is loaded


class SafeBrowser(QTextBrowser):
    """QTextBrowser that shows our math/thumbnail resources and loads nothing else."""

    def __init__(self, thumb: Callable[[str], QImage | None], parent: QWidget) -> None:
        super().__init__(parent)
        self._thumb = thumb
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )

    def loadResource(self, type_: int, name: QUrl | str) -> Any:  # noqa: N802
        url = name.toString() if isinstance(name, QUrl) else name
        if url.startswith("math:"):
            return math_image(url)
        if url.startswith("img:"):
            return self._thumb(url[4:]) or QImage()
        return QImage()

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802
        """A copied selection without the break opportunities added for display."""
        data = QMimeData()
        data.setText(self.textCursor().selection().toPlainText().replace(ZWSP, ""))
        return data


class Thumbnails:
    """Image thumbnails of one view, loaded once through the model's image loader."""

    SIZE = (240, 160)  # the largest thumbnail, in pixels (an immutable constant)

    def __init__(self, loader: Callable[[], ImageLoader | None]) -> None:
        self._loader = loader
        self._cache: dict[str, QImage | None] = {}

    def __call__(self, image_hash: str) -> QImage | None:
        if image_hash in self._cache:
            return self._cache[image_hash]
        img = None
        loader = self._loader()
        if loader is not None:
            try:
                got = loader(image_hash)
            except Exception:  # a broken image must not break the view
                got = None
            if got:
                q = QImage.fromData(got[0])
                if not q.isNull():
                    img = q.scaled(
                        QSize(*self.SIZE),
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
        self._cache[image_hash] = img
        return img


class TextDialog(QDialog):
    """A read-only, selectable view of one message; link clicks come out as hrefs."""

    link_clicked = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        row: MessageRow,
        dark: bool,
        thumb: Callable[[str], QImage | None],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(QCoreApplication.translate("MessageView", "Message"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        browser = SafeBrowser(thumb, self)
        browser.setOpenLinks(False)
        browser.anchorClicked.connect(lambda url: self.link_clicked.emit(url.toString()))
        if row.role == "assistant":
            browser.setHtml(breakable(render.render_markdown(row.content, dark).html))
        else:
            browser.setPlainText(row.content)
        lay.addWidget(browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(720, 560)


def doc_links(doc: QTextDocument) -> list[str]:
    """The links of a document in reading order, each once (the keyboard's stops)."""
    out: list[str] = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                href = fmt.anchorHref()
                if href and href not in out:
                    out.append(href)
            it += 1
        block = block.next()
    return out


def anchor_rect(doc: QTextDocument, href: str) -> QRect | None:
    """Rectangle of the first fragment linking to ``href``, in document coordinates."""
    doc.documentLayout()  # make sure the document is laid out
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            fmt = frag.charFormat()
            if fmt.isAnchor() and fmt.anchorHref() == href:
                bl = block.layout()
                rel = frag.position() - block.position()
                line = bl.lineForTextPosition(rel)
                x1 = line.cursorToX(rel)[0]  # type: ignore[index]  # stubs: object
                x2 = line.cursorToX(rel + frag.length())[0]  # type: ignore[index]
                br = doc.documentLayout().blockBoundingRect(block)  # cells: absolute
                return QRect(
                    int(br.x() + x1),
                    int(br.y() + line.y()),
                    max(1, int(x2 - x1)),
                    int(line.height()),
                )
            it += 1
        block = block.next()
    return None
