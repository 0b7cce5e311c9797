"""Render the SVG icon to PNG in the standard hicolor sizes, and to the Windows and macOS icons.

    python packaging/icons/render.py OUT_DIR
        writes OUT_DIR/hicolor/<n>x<n>/apps/org.cordonproject.Cordon.png for each standard size
    python packaging/icons/render.py --platform-icons [DIR]
        writes DIR/cordon.ico (Windows: the Inno Setup script and the PyInstaller spec name it)
        and DIR/cordon.icns (macOS: the app bundle names it); DIR is packaging/icons by default

Both platform icons hold PNG-compressed images, which Windows Vista and later and macOS 10.7 and
later read; they are written here, not by Qt, because Qt's ICO writer stores a single size.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an .ico entry can name
# The .icns element types whose payload may be PNG, and the pixel size of each.
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
)
APP_ID = "org.cordonproject.Cordon"
HERE = Path(__file__).resolve().parent
SVG = HERE / "cordon.svg"


def _renderer():  # type: ignore[no-untyped-def]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    return renderer


def _image(renderer, size: int):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(size: int, renderer=None) -> bytes:  # type: ignore[no-untyped-def]
    """The icon at ``size`` pixels as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    image = _image(renderer or _renderer(), size)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit(f"could not encode the {size} px icon")
    buffer.close()
    return bytes(data.data())


def render(out_dir: Path) -> list[Path]:
    renderer = _renderer()
    written = []
    for size in SIZES:
        target = out_dir / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png_bytes(size, renderer))
        written.append(target)
    scalable = out_dir / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(SVG.read_bytes())
    return written


def ico(images: dict[int, bytes]) -> bytes:
    """A Windows .ico file of PNG images keyed by size (ICONDIR, ICONDIRENTRYs, then data)."""
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        data = images[size]
        side = 0 if size >= 256 else size  # 0 means 256 in the one-byte width and height
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        blobs.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(blobs)


def icns(images: dict[bytes, bytes]) -> bytes:
    """A macOS .icns file of PNG images keyed by element type ('icns', length, elements)."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in images.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def render_platform_icons(out_dir: Path = HERE) -> list[Path]:
    """Write cordon.ico and cordon.icns into ``out_dir``; returns their paths."""
    renderer = _renderer()
    pngs = {size: png_bytes(size, renderer) for size in {*ICO_SIZES, *(s for _, s in ICNS_TYPES)}}
    out_dir.mkdir(parents=True, exist_ok=True)
    ico_path = out_dir / "cordon.ico"
    ico_path.write_bytes(ico({size: pngs[size] for size in ICO_SIZES}))
    icns_path = out_dir / "cordon.icns"
    icns_path.write_bytes(icns({kind: pngs[size] for kind, size in ICNS_TYPES}))
    return [ico_path, icns_path]


if __name__ == "__main__":
    if len(sys.argv) in (2, 3) and sys.argv[1] == "--platform-icons":
        paths = render_platform_icons(Path(sys.argv[2]) if len(sys.argv) == 3 else HERE)
    elif len(sys.argv) == 2:
        paths = render(Path(sys.argv[1]))
    else:
        raise SystemExit(__doc__)
    for path in paths:
        print(path)
