"""Render the app icon from resources/pipedriven-desktop.svg into every file that needs it.

    .venv/bin/python packaging/render_icons.py

Writes (all committed; run again after editing the SVG):

- resources/icons/pipedriven-desktop-<N>.png for N in 16 32 48 64 128 256 512
  (the hicolor sizes that packaging/install-desktop.sh installs);
- resources/pipedriven-desktop.ico  (Windows: 16-256, PNG-compressed entries);
- resources/pipedriven-desktop.icns (macOS: 16-512 plus @2x, PNG-compressed entries);
- pipedriven_desktop/resources/icon.svg and icon-256.png (the window icon at run time).

Uses only PySide6 (QtSvg's QSvgRenderer painting into a QImage), offscreen.
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "pipedriven-desktop.svg"
ICONS = ROOT / "resources" / "icons"
PACKAGE_RESOURCES = ROOT / "pipedriven_desktop" / "resources"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data: https://en.wikipedia.org/wiki/Apple_Icon_Image_format
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),  # 512@2x
    (b"ic11", 32),  # 16@2x
    (b"ic12", 64),  # 32@2x
    (b"ic13", 256),  # 128@2x
    (b"ic14", 512),  # 256@2x
)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise RuntimeError(f"PNG encoding failed: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico whose entries are PNG streams (supported since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    directory, blobs = b"", b""
    for size, blob in sorted(pngs.items()):
        dim = 0 if size >= 256 else size  # 0 means 256
        directory += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    return header + directory + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    # QPainter on a QImage wants a Gui application (fonts, image plugins) to exist.
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"error: cannot read {SVG}", file=sys.stderr)
        return 1
    sizes = sorted(set(PNG_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES})
    pngs = {size: png_bytes(render(renderer, size)) for size in sizes}

    ICONS.mkdir(parents=True, exist_ok=True)
    for size in PNG_SIZES:
        (ICONS / f"pipedriven-desktop-{size}.png").write_bytes(pngs[size])
    (ROOT / "resources" / "pipedriven-desktop.ico").write_bytes(
        ico({size: pngs[size] for size in ICO_SIZES})
    )
    (ROOT / "resources" / "pipedriven-desktop.icns").write_bytes(icns(pngs))
    PACKAGE_RESOURCES.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, PACKAGE_RESOURCES / "icon.svg")
    (PACKAGE_RESOURCES / "icon-256.png").write_bytes(pngs[256])
    print(f"rendered {SVG.name}: PNG {', '.join(map(str, PNG_SIZES))}; .ico; .icns; package icon")
    return 0 if app is not None else 1


if __name__ == "__main__":
    sys.exit(main())
