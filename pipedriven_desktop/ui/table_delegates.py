"""Delegates for the contact table: plain rows without a focus box, a centred checkbox.

The table selects whole rows, so the per-cell focus rectangle only adds noise; the
campaign checkbox sits centred in its narrow column and toggles on a click anywhere in
the cell.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

_Index = QModelIndex | QPersistentModelIndex
_HAS_FOCUS = QStyle.StateFlag.State_HasFocus
_WITHOUT_FOCUS = ~QStyle.StateFlag.State_HasFocus


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


class CampaignDelegate(RowDelegate):
    """A centred check box; a left click anywhere in the cell toggles it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        check = opt.checkState
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        indicator = QStyleOptionViewItem(opt)
        size = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, opt, widget)
        indicator.rect.setWidth(size)
        indicator.rect.setHeight(size)
        indicator.rect.moveCenter(opt.rect.center())
        indicator.state &= ~(QStyle.StateFlag.State_On | QStyle.StateFlag.State_Off)
        indicator.state |= (
            QStyle.StateFlag.State_On
            if check == Qt.CheckState.Checked
            else QStyle.StateFlag.State_Off
        )
        style.drawPrimitive(
            QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck, indicator, painter, widget
        )

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
