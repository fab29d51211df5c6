"""The contact table's rows painted in one pass, as the view and its delegates paint them.

A search repaints every visible cell on each keystroke. ``QTableView`` paints cell by cell:
for each it asks the style for the row's background and calls the cell's delegate, a call
from C++ into Python with a style option, a painter and an index converted each time, about
10 ms of a keystroke for a screen of rows. Here one Python loop walks the rows in view:
a row's background is asked for once (and not at all where it is plain), and each cell's
content is drawn by its delegate's own drawing code (``paint_text``, ``paint_box``,
``paint_bar``) from the model's row, with one style option reused throughout. The pixels
are the same as the per-cell paint (tests/ui/test_table_rows.py compares them).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QStyle,
    QStyleOptionViewItem,
    QTableView,
)

from pipedriven_desktop.ui.contact_table_model import ContactTableModel
from pipedriven_desktop.ui.table_delegates import CampaignDelegate
from pipedriven_desktop.ui.text_delegate import TextCellDelegate
from pipedriven_desktop.ui.warmness_delegate import WarmnessDelegate

__all__ = ["paint_rows"]

_ROW = QStyle.PrimitiveElement.PE_PanelItemViewRow
_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_SELECTED = QStyle.StateFlag.State_Selected
_ENABLED = QStyle.StateFlag.State_Enabled
_ALTERNATE = QStyleOptionViewItem.ViewItemFeature.Alternate
_PLAIN = QStyleOptionViewItem.ViewItemFeature.None_


def paint_rows(view: QTableView, model: ContactTableModel, painter: QPainter, area: QRect) -> None:
    """Paint the cells of ``view`` that meet ``area`` (viewport coordinates), as
    ``QTableView.paintEvent`` would with the view's delegates (no grid, no spans)."""
    rows = model.rowCount()
    if rows == 0:
        return
    first = view.rowAt(area.top())
    if first < 0:
        return
    last = view.rowAt(area.bottom())
    last = rows - 1 if last < 0 else last
    columns = _columns_in(view, area)
    if not columns:
        return
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    state = option.state
    if state & _ENABLED:  # as the view gives each (enabled) cell its palette
        palette = option.palette
        palette.setCurrentColorGroup(QPalette.ColorGroup.Normal)
        option.palette = palette
    style = view.style()
    selection = view.selectionModel()
    any_selected = selection is not None and selection.hasSelection()
    alternate = view.alternatingRowColors()
    left = columns[0][1]
    right = columns[-1][1] + columns[-1][2]
    text_delegate = view.itemDelegate()
    texts = [
        (column, x, width)
        for column, x, width, delegate in columns
        if isinstance(delegate, TextCellDelegate) and delegate is text_delegate
    ]
    others = [cell for cell in columns if cell[:3] not in texts]
    root = QModelIndex()
    for number in range(first, last + 1):
        top = view.rowViewportPosition(number)
        height = view.rowHeight(number)
        selected = any_selected and selection.isRowSelected(number, root)
        option.state = state | _SELECTED if selected else state
        option.features = _ALTERNATE if alternate and number & 1 else _PLAIN
        if selected or option.features == _ALTERNATE:
            # the row's background: the same fill in every cell, so one for the row
            option.rect = QRect(left, top, right - left, height)
            style.drawPrimitive(_ROW, option, painter, view)
        if selected:  # the item's own panel draws only for a selected cell
            for _column, x, width, _delegate in columns:
                option.rect = QRect(x, top, width, height)
                style.drawPrimitive(_PANEL, option, painter, view)
        row = model.row(number)
        for column, x, width, delegate in others:
            option.rect = QRect(x, top, width, height)
            if isinstance(delegate, CampaignDelegate) and row is not None:
                delegate.paint_box(painter, option, row.added_to_campaign)
            elif isinstance(delegate, WarmnessDelegate) and row is not None:
                delegate.paint_bar(painter, option, row.warmness_score, row.score_move)
            elif row is not None:
                delegate.paint(painter, option, model.index(number, column))
        if texts and isinstance(text_delegate, TextCellDelegate):
            text_delegate.paint_texts(painter, option, number, texts, top, height)


def _columns_in(view: QTableView, area: QRect) -> list[tuple[int, int, int, QAbstractItemDelegate]]:
    """(column, left edge, width, delegate) of each shown column meeting ``area``."""
    shown = []
    fallback = view.itemDelegate()
    for column in range(view.model().columnCount()):
        if view.isColumnHidden(column):
            continue
        x = view.columnViewportPosition(column)
        width = view.columnWidth(column)
        if width <= 0 or x + width <= area.left() or x > area.right():
            continue
        shown.append((column, x, width, view.itemDelegateForColumn(column) or fallback))
    return shown
