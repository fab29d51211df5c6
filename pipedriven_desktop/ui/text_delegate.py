"""Text cells of the contact table, painted with one question to the model per cell.

A search repaints every visible cell on each keystroke. The standard delegate asks the
model about seven roles per cell (each a call from C++ into Python) and lays its text out
anew every time; here a cell asks for its text once, straight from the model's rows, and
draws it as a ``QStaticText`` laid out once per text and width. The look is the
standard one: the style's item background (selection included, no focus frame), the
palette's text colour, the style's text margin, elided on the right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QStaticText, QTransform
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem, QWidget

from pipedriven_desktop.ui.table_delegates import RowDelegate

_Index = QModelIndex | QPersistentModelIndex
_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_SELECTED = QStyle.StateFlag.State_Selected
_ENABLED = QStyle.StateFlag.State_Enabled
_ACTIVE = QStyle.StateFlag.State_Active
_ELIDE = Qt.TextElideMode.ElideRight
_TEXT = QPalette.ColorRole.Text
_HIGHLIGHTED = QPalette.ColorRole.HighlightedText
_NORMAL = QPalette.ColorGroup.Normal
_INACTIVE = QPalette.ColorGroup.Inactive
_DISABLED = QPalette.ColorGroup.Disabled
#: Laid-out texts kept (a few screens' worth of cells); the cache starts over when full.
TEXT_CACHE_SIZE = 4000


class TextCellDelegate(RowDelegate):
    """Plain text cells; ``text_of(row, column)`` gives a cell's text (None or "": empty).

    What depends on the view's font, palette and style is worked out once and kept until
    ``forget`` (the view calls it when one of them changes).
    """

    def __init__(
        self, text_of: Callable[[int, int], str | None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._text_of = text_of
        #: (text, width) -> the text elided to the width and laid out, and its top offset
        self._texts: dict[tuple[str, int], tuple[QStaticText, float]] = {}
        #: the text colour for each state a cell is painted in
        self._colors: dict[object, QColor] = {}
        self._style: QStyle | None = None
        self._margin = 0

    def forget(self) -> None:
        """The font, palette or style changed: lay out and look up again."""
        self._texts.clear()
        self._colors.clear()
        self._style = None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        widget = option.widget
        self._look(widget).drawPrimitive(_PANEL, option, painter, widget)
        rect = option.rect
        cell = (index.column(), rect.left(), rect.width())
        self.paint_texts(painter, option, index.row(), (cell,), rect.top(), rect.height())

    def _look(self, widget: QWidget | None) -> QStyle:
        style = self._style
        if style is None:
            style = self._style = widget.style() if widget is not None else QApplication.style()
            # as QCommonStyle places an item's text
            self._margin = (
                style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
            )
        return style

    def paint_texts(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        row: int,
        cells: Iterable[tuple[int, int, int]],
        top: int,
        height: int,
    ) -> None:
        """The texts of ``row``'s ``cells`` ((column, left edge, width) each, ``height``
        high from ``top``) alone, over their background already painted: the colour and
        font are looked up once for the row (see ``table_rows``). ``option`` gives the state,
        font and palette."""
        self._look(option.widget)
        margin = self._margin
        state = option.state
        color = self._colors.get(state)
        if color is None:
            color = self._colors[state] = _text_color(option)
        texts = self._texts
        ready = False
        for column, left, width in cells:
            text = self._text_of(row, column)
            if not text:
                continue
            inner = width - 2 * margin
            laid_out = texts.get((text, inner))
            if laid_out is None:
                laid_out = self._lay_out(option, text, inner, height)
            if not ready:
                painter.setFont(option.font)
                painter.setPen(color)
                ready = True
            static, offset = laid_out
            painter.drawStaticText(QPointF(left + margin, top + offset), static)

    def _lay_out(
        self, option: QStyleOptionViewItem, text: str, width: int, height: int
    ) -> tuple[QStaticText, float]:
        static = QStaticText(option.fontMetrics.elidedText(text, _ELIDE, width))
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.prepare(QTransform(), option.font)
        if len(self._texts) >= TEXT_CACHE_SIZE:
            self._texts.clear()
        laid_out = (static, (height - static.size().height()) / 2)
        self._texts[(text, width)] = laid_out
        return laid_out


def _text_color(option: QStyleOptionViewItem) -> QColor:
    """The colour QCommonStyle gives an item's text in this state."""
    state = option.state
    group = _NORMAL if state & _ENABLED else _DISABLED
    if group == _NORMAL and not state & _ACTIVE:
        group = _INACTIVE
    return option.palette.color(group, _HIGHLIGHTED if state & _SELECTED else _TEXT)
