"""The warmness cell: the score beside a short bar that runs from cold blue to hot red.

The ramp is the only fixed colour in the app; everything else comes from the palette,
so the cell reads the same in a light or a dark theme.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from pipedriven_desktop.domain.warmness import SCORE_MAX, WarmnessBand
from pipedriven_desktop.ui.table_delegates import PixmapCache, blank_pixmap, palette_key

#: (score, colour) stops. Cold scores are blues, warm ones ambers, hot ones run to red;
#: the step between 3 and 4 marks the change of band.
RAMP: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (0.0, (37, 99, 235)),
    (3.0, (96, 165, 250)),
    (4.0, (234, 179, 8)),
    (7.0, (234, 108, 26)),
    (10.0, (211, 40, 40)),
)

BAR_WIDTH = 56
BAR_HEIGHT = 6
TEXT_WIDTH = 22
PADDING = 8
#: Room for the weekly move after the bar: "▲2", "▼10".
MOVE_WIDTH = 26

_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_SELECTED = QStyle.StateFlag.State_Selected
#: The contact table model's answer for a warmness cell, (score, how far it moved this
#: week; 0: it did not): one question per cell.
WARMNESS_CELL_ROLE = Qt.ItemDataRole.UserRole + 3


def warmness_color(score: float) -> QColor:
    """The ramp colour for a score (clamped to 0..10), linearly between the stops."""
    score = max(0.0, min(float(SCORE_MAX), float(score)))
    for (low, low_rgb), (high, high_rgb) in itertools.pairwise(RAMP):
        if score <= high:
            t = (score - low) / (high - low)
            r, g, b = (round(a + (c - a) * t) for a, c in zip(low_rgb, high_rgb, strict=True))
            return QColor(r, g, b)
    return QColor(*RAMP[-1][1])


def paint_move(
    painter: QPainter, rect: QRectF, move: int, palette: QPalette, *, selected: bool = False
) -> None:
    """The weekly move after the bar: a warmer arrow up, a colder one down, and how far."""
    if move == 0:
        return
    painter.save()
    if selected:
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
    else:
        painter.setPen(warmness_color(SCORE_MAX if move > 0 else 0))
    arrow = "\u25b2" if move > 0 else "\u25bc"
    painter.drawText(
        rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), f"{arrow}{abs(move)}"
    )
    painter.restore()


def band_name(score: int) -> str:
    return WarmnessBand.of(score).name.lower()


def paint_warmness(
    painter: QPainter, rect: QRectF, score: int, palette: QPalette, *, selected: bool = False
) -> None:
    """Draw the score and its bar inside ``rect`` (shared by the table and the detail pane)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
    text_rect = QRectF(rect.left(), rect.top(), TEXT_WIDTH, rect.height())
    painter.setPen(palette.color(text_role))
    painter.drawText(
        text_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), str(score)
    )
    bar_left = text_rect.right() + PADDING
    bar_width = min(float(BAR_WIDTH), max(0.0, rect.right() - bar_left))
    if bar_width > 0:
        track = QRectF(bar_left, rect.center().y() - BAR_HEIGHT / 2, bar_width, BAR_HEIGHT)
        radius = BAR_HEIGHT / 2
        track_color = QColor(palette.color(text_role))
        track_color.setAlphaF(0.14)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track_color)
        painter.drawRoundedRect(track, radius, radius)
        filled = track.adjusted(0, 0, -track.width() * (1 - max(score, 0) / SCORE_MAX), 0)
        if score > 0:
            filled.setWidth(max(filled.width(), BAR_HEIGHT))
            painter.setBrush(warmness_color(score))
            painter.drawRoundedRect(filled, radius, radius)
    painter.restore()


class WarmnessDelegate(QStyledItemDelegate):
    """Paints the warmness column from the model's (score, weekly move) answer."""

    WIDTH = TEXT_WIDTH + BAR_WIDTH + MOVE_WIDTH + 3 * PADDING

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cells = PixmapCache()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        # Background (selection included, never a focus frame), then the score and bar,
        # drawn once per look and reused: a repaint asks the model one question per cell.
        widget = option.widget
        if widget is not None:
            widget.style().drawPrimitive(_PANEL, option, painter, widget)
        answer = index.data(WARMNESS_CELL_ROLE)
        if isinstance(answer, tuple):
            self.paint_bar(painter, option, *answer)

    def paint_bar(
        self, painter: QPainter, option: QStyleOptionViewItem, score: int, move: int
    ) -> None:
        """The score, its bar and the weekly move alone, over a background already painted
        (see ``table_rows``)."""
        cell = option.rect
        selected = bool(option.state & _SELECTED)
        ratio = painter.device().devicePixelRatioF()
        key = (
            score,
            move,
            selected,
            cell.width(),
            cell.height(),
            ratio,
            *palette_key(option.palette),
        )
        image = self._cells.get(key)
        if image is None:
            image = blank_pixmap(cell.width(), cell.height(), ratio)
            image_painter = QPainter(image)
            image_painter.setFont(option.font)
            rect = QRectF(0, 0, cell.width(), cell.height()).adjusted(PADDING / 2, 0, -PADDING, 0)
            bar_rect = rect.adjusted(0, 0, -MOVE_WIDTH, 0)
            paint_warmness(image_painter, bar_rect, score, option.palette, selected=selected)
            bar_end = min(bar_rect.left() + TEXT_WIDTH + PADDING + BAR_WIDTH, bar_rect.right())
            move_rect = QRectF(bar_end + PADDING / 2, 0, MOVE_WIDTH, cell.height())
            paint_move(image_painter, move_rect, move, option.palette, selected=selected)
            image_painter.end()
            self._cells.put(key, image)
        painter.drawPixmap(cell.topLeft(), image)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        base = super().sizeHint(option, index)
        return QSize(self.WIDTH, base.height())
