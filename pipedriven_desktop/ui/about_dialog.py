"""Help → About: the version, where the data and the log live, and the documentation.

The folders are what a salesperson needs when asking for help ("send me the log"), so
they are selectable and open in the file manager with one click.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop import __version__, paths
from pipedriven_desktop.ui.style import heading, muted

LOG_FILE = "pipedriven-desktop.log"
#: The README of a source checkout (``make run``); an installed app has none beside it.
README = Path(__file__).resolve().parents[2] / "README.md"


def documentation_url() -> QUrl | None:
    """Where the documentation is on this computer, if anywhere."""
    return QUrl.fromLocalFile(str(README)) if README.is_file() else None


def _link(path: Path, text: str | None = None) -> str:
    url = QUrl.fromLocalFile(str(path)).toString()
    label = text if text is not None else str(path)
    return f'<a href="{url}">{label.replace("&", "&amp;").replace("<", "&lt;")}</a>'


class AboutDialog(QDialog):
    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Pipedriven Desktop")
        self.setMinimumWidth(520)
        title = QLabel(f"Pipedriven Desktop {__version__}")
        heading(title, 1.4)
        blurb = QLabel(
            "Your Pipedrive contacts on this computer, in the order to work them. "
            "The API token stays in the system keychain."
        )
        blurb.setWordWrap(True)
        muted(blurb)

        log_file = paths.log_dir() / LOG_FILE
        self.data_label = self._path_label(db_path.parent)
        self.log_label = self._path_label(log_file)
        docs = documentation_url()
        self.docs_label = QLabel(
            f'<a href="{docs.toString()}">README.md</a>'
            if docs is not None
            else "See the README of the Pipedriven Desktop project."
        )
        self.docs_label.setObjectName("aboutDocs")
        self.docs_label.setOpenExternalLinks(False)
        self.docs_label.linkActivated.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))

        form = QFormLayout()
        form.addRow("Data folder", self.data_label)
        form.addRow("Log file", self.log_label)
        form.addRow("Documentation", self.docs_label)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(blurb)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _path_label(self, path: Path) -> QLabel:
        label = QLabel(_link(path))
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        label.setOpenExternalLinks(False)
        # The folder the file is in: opening a log file may start an editor nobody expects.
        folder = path if path.suffix == "" else path.parent
        label.linkActivated.connect(
            lambda _url: QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        )
        label.setWordWrap(True)
        return label
