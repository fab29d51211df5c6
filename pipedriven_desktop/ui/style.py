"""Small presentation helpers shared by the widgets: muted text and heading fonts.

Colours always come from the palette, so the app follows the system's light or dark theme.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget


def muted(widget: QWidget) -> QWidget:
    """Secondary text: the palette's placeholder colour, readable in light and dark themes."""
    widget.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return widget


def scaled_font(widget: QWidget, scale: float = 1.0, weight: QFont.Weight | None = None) -> QFont:
    font = QFont(widget.font())
    if scale != 1.0:
        size = font.pointSizeF()
        if size > 0:
            font.setPointSizeF(size * scale)
        else:
            font.setPixelSize(round(font.pixelSize() * scale))
    if weight is not None:
        font.setWeight(weight)
    return font


def heading(
    widget: QWidget, scale: float = 1.0, weight: QFont.Weight = QFont.Weight.DemiBold
) -> None:
    widget.setFont(scaled_font(widget, scale, weight))


def apply_app_style(app: QApplication) -> None:
    """Fusion with the platform's palette: consistent widgets that still follow dark mode."""
    if any(key.lower() == "fusion" for key in QStyleFactory.keys()):  # noqa: SIM118
        app.setStyle("Fusion")
