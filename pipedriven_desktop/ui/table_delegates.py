"""Delegates for the contact table: plain rows without a focus box, a centred checkbox.

The table selects whole rows, so the per-cell focus rectangle only adds noise; the
campaign checkbox sits centred in its column and toggles on a click anywhere in the cell.
It is drawn here, from the palette's text and highlight colours, because the style's own
box all but vanishes on a dark palette.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

_Index = QModelIndex | QPersistentModelIndex
_HAS_FOCUS = QStyle.StateFlag.State_HasFocus
_WITHOUT_FOCUS = ~QStyle.StateFlag.State_HasFocus
_SELECTED = QStyle.StateFlag.State_Selected
_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_CHECK_ROLE = Qt.ItemDataRole.CheckStateRole
_CHECKED = Qt.CheckState.Checked
#: Drawn images are kept per look; a palette or size change adds a few, never many.
PIXMAP_CACHE_SIZE = 64


class PixmapCache:
    """Images of cells that look the same whenever their inputs do (box, warmness bar).

    A table repaints its visible cells on every keystroke of a search; drawing each box
    or bar once per look and blitting it after keeps that paint cheap.
    """

    def __init__(self) -> None:
        self._images: dict[tuple[object, ...], QPixmap] = {}

    def get(self, key: tuple[object, ...]) -> QPixmap | None:
        return self._images.get(key)

    def put(self, key: tuple[object, ...], image: QPixmap) -> None:
        if len(self._images) >= PIXMAP_CACHE_SIZE:
            self._images.clear()
        self._images[key] = image


def palette_key(palette: QPalette) -> tuple[int, int]:
    """What identifies a palette's colours as a cell reads them (contents and colour group)."""
    return palette.cacheKey(), palette.currentColorGroup().value


def blank_pixmap(width: float, height: float, ratio: float) -> QPixmap:
    image = QPixmap(max(1, round(width * ratio)), max(1, round(height * ratio)))
    image.setDevicePixelRatio(ratio)
    image.fill(Qt.GlobalColor.transparent)
    return image


class RowDelegate(QStyledItemDelegate):
    """The standard look, minus the focus rectangle of the current cell, with air around it."""

    def __init__(self, parent: QObject | None = None, *, vertical_padding: int = 0) -> None:
        super().__init__(parent)
        self._padding = vertical_padding

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:
        super().initStyleOption(option, index)
        if option.state & _HAS_FOCUS:
            option.state &= _WITHOUT_FOCUS

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), hint.height() + 2 * self._padding)


def paint_check(
    painter: QPainter, rect: QRectF, checked: bool, palette: QPalette, selected: bool
) -> None:
    """A rounded box with a clear outline; filled with the highlight colour and ticked when on.

    On a selected row the box takes the selection's text colour, so it stays visible
    against the highlight.
    """
    text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
    text = palette.color(text_role)
    outline = QColor(text)
    outline.setAlphaF(0.85 if selected else 0.6)
    box = rect.adjusted(1, 1, -1, -1)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if checked:
        fill = text if selected else palette.color(QPalette.ColorRole.Highlight)
        tick = (
            palette.color(QPalette.ColorRole.Highlight)
            if selected
            else palette.color(QPalette.ColorRole.HighlightedText)
        )
        painter.setPen(QPen(fill, 1.2))
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 3, 3)
        path = QPainterPath(QPointF(box.left() + box.width() * 0.22, box.center().y()))
        path.lineTo(box.left() + box.width() * 0.42, box.bottom() - box.height() * 0.25)
        path.lineTo(box.right() - box.width() * 0.2, box.top() + box.height() * 0.25)
        pen = QPen(tick, max(1.6, box.width() / 7))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
    else:
        painter.setPen(QPen(outline, 1.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box, 3, 3)
    painter.restore()


class CampaignDelegate(RowDelegate):
    """A centred check box; a left click anywhere in the cell toggles it."""

    def __init__(self, parent: QObject | None = None, *, vertical_padding: int = 0) -> None:
        super().__init__(parent, vertical_padding=vertical_padding)
        self._boxes = PixmapCache()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        # The cell shows no text, icon or focus frame: its background, then the box (drawn
        # once per look), so a repaint asks the model one question per cell.
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(_PANEL, option, painter, widget)
        self.paint_box(painter, option, index.data(_CHECK_ROLE) == _CHECKED)

    def paint_box(self, painter: QPainter, option: QStyleOptionViewItem, checked: bool) -> None:
        """The box alone, over a background already painted (see ``table_rows``)."""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        selected = bool(option.state & _SELECTED)
        size = max(14, style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, option, widget) + 2)
        ratio = painter.device().devicePixelRatioF()
        key = (size, checked, selected, ratio, *palette_key(option.palette))
        image = self._boxes.get(key)
        if image is None:
            image = blank_pixmap(size, size, ratio)
            image_painter = QPainter(image)
            paint_check(image_painter, QRectF(0, 0, size, size), checked, option.palette, selected)
            image_painter.end()
            self._boxes.put(key, image)
        box = QRectF(0, 0, size, size)
        box.moveCenter(QRectF(option.rect).center())
        painter.drawPixmap(box.topLeft(), image)

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        if not index.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return False
        if event.type() == QEvent.Type.MouseButtonRelease:
            if not isinstance(event, QMouseEvent) or event.button() != Qt.MouseButton.LeftButton:
                return False
            if not option.rect.contains(event.position().toPoint()):
                return False
            checked = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
            new_state = Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked
            return model.setData(index, new_state, Qt.ItemDataRole.CheckStateRole)
        return False
