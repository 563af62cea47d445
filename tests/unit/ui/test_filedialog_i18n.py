"""The file dialog is wholly Chinese in 简体中文 (issue 11: it was half English)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

pytestmark = pytest.mark.ui


def test_file_dialog_labels_are_translated(qapp: QApplication) -> None:
    from chatdesk.app import install_translations

    translators = install_translations(qapp, "zh_CN")
    try:
        dialog = QFileDialog(None, "导入")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        labels = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
        assert labels, "the widget-based dialog has its labels"
        for text in labels:
            assert not any(word in text for word in ("Look in", "Files of", "File name")), text
        assert dialog.labelText(QFileDialog.DialogLabel.LookIn) == "查找范围(&L)："
        folder = QCoreApplication.translate(
            "QAbstractFileIconProvider", "Folder", "All other platforms"
        )
        assert folder == "文件夹"
        # Strings the gap-filler does not know still come from Qt's own catalogue.
        assert QCoreApplication.translate("QFileDialog", "Detail View") == "详情视图"
        dialog.deleteLater()
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
    assert QCoreApplication.translate("QFileDialog", "&Look in:") == "&Look in:"
