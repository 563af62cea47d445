"""Themes: readable palettes, icons and check boxes that follow a switch, one text size."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialogButtonBox,
    QLabel,
    QStyle,
    QTableWidget,
    QWidget,
)

from chatdesk.core.settings import DEFAULTS
from chatdesk.ui.theme import COLOURS, apply_appearance, contrast
from tests.unit.ui.harness import Harness

# Every text colour on every surface it is drawn on (sidebar, conversation, composer
# card, hover and selected rows, buttons, tooltips).
TEXT_PAIRS = (
    [("fg", bg) for bg in ("base", "window", "soft", "hover", "accent_soft", "button", "alt")]
    + [
        ("muted", "base"),
        ("muted", "window"),
        ("muted", "soft"),
        ("muted", "card"),
        ("muted", "hover"),
        ("accent_fg", "accent"),
        ("accent_fg", "accent_hover"),
        ("link", "base"),
        ("link", "window"),
        ("tooltip_fg", "tooltip"),
    ]
    + [(kind, bg) for kind in ("error", "warning", "success") for bg in ("base", "window")]
)


@pytest.mark.parametrize("dark", [False, True])
def test_text_contrast_is_at_least_4_5(dark: bool) -> None:
    c = COLOURS[dark]
    low = [
        (fg, bg, round(contrast(c[fg], c[bg]), 2))
        for fg, bg in TEXT_PAIRS
        if contrast(c[fg], c[bg]) < 4.5
    ]
    assert not low
    # Disabled text is clearly fainter than enabled text on the same surface.
    assert contrast(c["disabled"], c["base"]) < contrast(c["muted"], c["base"]) - 1.5


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def _ink(image: QImage) -> list[QColor]:
    """The colours of the clearly painted pixels of a transparent pixmap."""
    out = []
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if c.alpha() > 200:
                out.append(c)
    return out


def test_theme_switch_keeps_the_header_icon_visible(harness: Harness) -> None:
    window = harness.window
    label = window.findChild(QLabel, "model-unlisted")  # an icon label of the header
    assert label is not None
    for theme in ("light", "dark", "light", "dark"):
        apply_appearance(dict(DEFAULTS) | {"theme": theme})
        dark = theme == "dark"
        ink = _ink(label.pixmap().toImage())
        assert ink, "the icon is empty"
        want = QColor(COLOURS[dark]["fg"])
        # Drawn in the foreground of the theme now in force, so it stands out from the bar.
        assert max(abs(c.lightness() - want.lightness()) for c in ink) < 40
        bar = COLOURS[dark]["window"]
        assert contrast(ink[0].name(), bar) > 4.5


def test_unchecked_check_box_is_visible_in_dark(qapp: QApplication) -> None:
    apply_appearance({"theme": "dark"})
    box = QCheckBox("x")
    box.resize(box.sizeHint())
    image = box.grab().toImage()
    bg = QColor(COLOURS[True]["window"])
    # The indicator's outline differs clearly from the window around it.
    brightest = max(
        image.pixelColor(x, y).lightness()
        for y in range(image.height())
        for x in range(min(image.width(), 16))
    )
    assert brightest - bg.lightness() > 60


@pytest.mark.parametrize("dark", [False, True])
def test_a_checked_box_is_the_accent_with_a_white_tick(qapp: QApplication, dark: bool) -> None:
    """Checked and unchecked boxes have one size and shape; the tick shows on the accent
    (Fusion's own checked box was square and, in dark, nearly invisible)."""
    apply_appearance({"theme": "dark" if dark else "light"})
    box = QCheckBox("x")
    box.resize(box.sizeHint())
    unchecked = box.grab().toImage()
    box.setChecked(True)
    checked = box.grab().toImage()
    accent = QColor(COLOURS[dark]["accent"])

    def near(c: QColor, ref: QColor) -> bool:
        return (
            abs(c.red() - ref.red()) + abs(c.green() - ref.green()) + abs(c.blue() - ref.blue())
            < 40
        )

    width = min(16, checked.width())
    filled = [
        (x, y)
        for y in range(checked.height())
        for x in range(width)
        if near(checked.pixelColor(x, y), accent)
    ]
    assert len(filled) > 40  # the box is filled with the accent
    xs, ys = [x for x, _ in filled], [y for _, y in filled]
    inside = [
        checked.pixelColor(x, y)
        for y in range(min(ys), max(ys) + 1)
        for x in range(min(xs), max(xs) + 1)
    ]
    assert sum(c.lightness() > 200 for c in inside) > 4  # and carries a white tick
    assert unchecked.size() == checked.size()


def test_first_start_uses_the_text_size_settings_shows(qapp: QApplication) -> None:
    qapp.setFont(QFont(qapp.font().family(), 8))
    apply_appearance({})
    assert qapp.font().pointSize() == DEFAULTS["font_size"]


def test_dialogs_use_the_window_font(qapp: QApplication) -> None:
    # A platform's per-class font (item views) made tables in dialogs larger.
    qapp.setFont(QFont(qapp.font().family(), 15), "QAbstractItemView")
    apply_appearance({"font_size": 11})
    table = QTableWidget(1, 1)
    assert table.font().pointSize() == 11 == QWidget().font().pointSize()


def test_header_keeps_its_height_after_settings_ok(harness: Harness) -> None:
    window = harness.window
    QApplication.processEvents()
    before = window.header.sizeHint().height(), window.composer.sizeHint().height()
    harness.desk.settings_ctl.apply_settings(dict(DEFAULTS) | harness.desk.services.settings())
    QApplication.processEvents()
    after = window.header.sizeHint().height(), window.composer.sizeHint().height()
    assert after == before


def test_dialog_buttons_have_no_stock_icons(qapp: QApplication) -> None:
    apply_appearance({"theme": "light"})
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    hint = box.style().styleHint(QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons, None, box)
    assert not hint
    assert all(b.icon().isNull() for b in box.buttons())


def test_system_switch_is_followed_when_the_setting_is_system(qapp: QApplication) -> None:
    hints = QGuiApplication.styleHints()
    apply_appearance({"theme": "system"})
    # What the platform sends when the desktop switches (offscreen cannot switch itself).
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert qapp.property("chatdesk_dark") is True
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert qapp.property("chatdesk_dark") is False
    # An explicit choice is kept whatever the system does.
    apply_appearance({"theme": "dark"})
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert qapp.property("chatdesk_dark") is True


def test_icon_label_size(qapp: QApplication) -> None:
    from chatdesk.ui.icons import IconLabel

    label = IconLabel("flame", 16)
    assert label.pixmap().size() == QSize(16, 16)


def test_mcp_button_is_not_in_the_ok_cancel_row(qapp: QApplication) -> None:
    from chatdesk.ui.settings import SettingsDialog

    dialog = SettingsDialog()
    assert dialog.mcp_button not in dialog.button_box.buttons()
    assert dialog.mcp_button.text()


def test_shortcut_names_are_not_cut_off(harness: Harness) -> None:
    from chatdesk.ui.about import ShortcutsDialog

    dialog = ShortcutsDialog(harness.window)
    dialog.show()
    QApplication.processEvents()
    table = dialog.table
    metrics = table.fontMetrics()
    longest = max(
        metrics.horizontalAdvance(table.item(r, 0).text()) for r in range(table.rowCount())
    )
    assert table.columnWidth(0) >= longest
    keys = max(metrics.horizontalAdvance(table.item(r, 1).text()) for r in range(table.rowCount()))
    assert table.columnWidth(1) >= keys
    dialog.close()
