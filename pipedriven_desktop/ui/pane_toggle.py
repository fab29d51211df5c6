"""Collapse a splitter's pane with a checkable action, and give it back its width.

The pane's width of 0 is what the splitter saves with its state, so a collapsed pane stays
collapsed at the next start; the action follows the pane, also when it is dragged shut.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QSplitter


class PaneToggle(QObject):
    """``action`` shows or collapses pane ``index`` of ``splitter``; checked while shown."""

    def __init__(
        self, splitter: QSplitter, index: int, text: str, shortcut: str, parent: QObject
    ) -> None:
        super().__init__(parent)
        self._splitter = splitter
        self._index = index
        pane = splitter.widget(index)
        if pane is None:
            raise IndexError(f"the splitter has no pane {index}")
        self._pane = pane
        self._width = 0
        splitter.setCollapsible(index, True)
        self.action = QAction(text, parent)
        self.action.setObjectName("togglePane")
        self.action.setCheckable(True)
        self.action.setChecked(True)
        self.action.setShortcut(QKeySequence(shortcut))
        self.action.toggled.connect(self.set_shown)
        splitter.splitterMoved.connect(lambda _pos, _index: self._sync())
        self._pane.installEventFilter(self)

    def is_shown(self) -> bool:
        return self._splitter.sizes()[self._index] > 0

    def set_shown(self, shown: bool) -> None:
        sizes = self._splitter.sizes()
        current = sizes[self._index]
        neighbour = self._index - 1 if self._index > 0 else self._index + 1
        if shown and current == 0:
            width = self._width or self._pane.sizeHint().width()
            width = min(width, max(0, sizes[neighbour] - self._pane.minimumSizeHint().width()))
            width = max(width, self._pane.minimumWidth())
            sizes[neighbour] -= width
            sizes[self._index] = width
            self._splitter.setSizes(sizes)
        elif not shown and current > 0:
            self._width = current
            sizes[neighbour] += current
            sizes[self._index] = 0
            self._splitter.setSizes(sizes)
        self._sync()

    def toggle(self) -> None:
        self.set_shown(not self.is_shown())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._pane and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._sync()
        return False

    def _sync(self) -> None:
        shown = self.is_shown()
        if self.action.isChecked() != shown:
            self.action.blockSignals(True)
            self.action.setChecked(shown)
            self.action.blockSignals(False)
