"""Every file the Windows installer script and the macOS bundle (PyInstaller spec) name exists in
the repository, and the platform icons are real multi-size icons made from the SVG."""

from __future__ import annotations

import ast
import re
import struct
import sys
from pathlib import Path, PureWindowsPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
ISS = PACKAGING / "windows" / "cordon.iss"
SPEC = PACKAGING / "pyinstaller" / "cordon.spec"
BUILD_OUTPUT = ROOT / "dist"  # made by `make package`, not kept in the repository

# Directives whose value is a path on the build machine, relative to the script's folder.
ISS_PATH_KEYS = (
    "SetupIconFile",
    "LicenseFile",
    "InfoBeforeFile",
    "InfoAfterFile",
    "WizardImageFile",
    "WizardSmallImageFile",
    "Source",
    "MessagesFile",
)


def _iss_paths() -> list[tuple[str, Path]]:
    found = []
    for line in ISS.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith(";"):
            continue
        for key in ISS_PATH_KEYS:
            for match in re.finditer(rf'(?:^|;\s*){key}\s*[:=]\s*"?([^";]+)"?', line):
                value = match.group(1).strip()
                if value.startswith("compiler:"):  # Inno Setup's own files
                    continue
                relative = PureWindowsPath(value)
                found.append((key, (ISS.parent / Path(*relative.parts)).resolve()))
    return found


def test_inno_setup_script_names_only_files_that_exist() -> None:
    paths = _iss_paths()
    keys = {key for key, _ in paths}
    assert {"SetupIconFile", "Source"} <= keys  # the parser did find them
    for key, path in paths:
        if path.is_relative_to(BUILD_OUTPUT):
            assert path.parent.name == "cordon"  # the PyInstaller one-folder build, dist/cordon/
            continue
        assert path.exists(), f"{ISS.name}: {key} names {path}, which does not exist"


def _spec_icon_names() -> set[str]:
    """The file names the spec joins onto ICON_DIR, for every platform's branch."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.BinOp)
            and isinstance(node.left, ast.Name)
            and node.left.id == "ICON_DIR"
        ):
            continue
        for leaf in ast.walk(node.right):  # skip the platform tests ("win32")
            if isinstance(leaf, ast.Constant) and str(leaf.value).startswith("cordon."):
                names.add(leaf.value)
    return names


def test_pyinstaller_spec_and_macos_bundle_name_only_files_that_exist() -> None:
    text = SPEC.read_text(encoding="utf-8")
    names = _spec_icon_names()
    assert {"cordon.ico", "cordon.icns", "cordon.svg"} <= names
    for name in names:
        assert (PACKAGING / "icons" / name).exists(), f"the spec names icons/{name}"
    for script in re.findall(r'"packaging" / "pyinstaller" / "([^"]+)"', text):
        assert (PACKAGING / "pyinstaller" / script).exists()
    # The bundle identifier is the one the Linux metadata and the icons use.
    assert 'bundle_identifier="org.cordonproject.Cordon"' in text
    assert (PACKAGING / "linux" / "org.cordonproject.Cordon.desktop").exists()
    for path in re.findall(
        r"`(packaging/[^`\s]+)`", (PACKAGING / "macos" / "README.md").read_text()
    ):
        assert (ROOT / path).exists(), f"packaging/macos/README.md names {path}"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _read_ico(data: bytes) -> dict[int, bytes]:
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1) and count > 0
    images = {}
    for index in range(count):
        width, height, _, _, planes, bits, size, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert planes == 1 and bits == 32 and width == height
        blob = data[offset : offset + size]
        assert len(blob) == size
        side = width or 256
        assert _png_size(blob) == (side, side)
        images[side] = blob
    return images


def _read_icns(data: bytes) -> dict[bytes, bytes]:
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    images, at = {}, 8
    while at < len(data):
        kind, length = data[at : at + 4], struct.unpack(">I", data[at + 4 : at + 8])[0]
        images[kind] = data[at + 8 : at + length]
        at += length
    assert at == len(data)
    return images


def test_windows_icon_holds_every_size_up_to_256() -> None:
    images = _read_ico((PACKAGING / "icons" / "cordon.ico").read_bytes())
    assert set(images) == {16, 24, 32, 48, 64, 128, 256}


def test_macos_icon_holds_16_to_1024_pixels() -> None:
    images = _read_icns((PACKAGING / "icons" / "cordon.icns").read_bytes())
    expected = {
        b"icp4": 16,
        b"icp5": 32,
        b"icp6": 64,
        b"ic07": 128,
        b"ic08": 256,
        b"ic09": 512,
        b"ic10": 1024,
    }
    assert {kind: _png_size(blob)[0] for kind, blob in images.items()} == expected


def test_platform_icons_are_rendered_from_the_svg(tmp_path: Path, qapp) -> None:
    """render.py --platform-icons makes both files; Qt reads the .ico back as the icon drawn."""
    sys.path.insert(0, str(PACKAGING / "icons"))
    try:
        import render
    finally:
        sys.path.remove(str(PACKAGING / "icons"))
    ico_path, icns_path = render.render_platform_icons(tmp_path)
    committed = _read_ico((PACKAGING / "icons" / "cordon.ico").read_bytes())
    fresh = _read_ico(ico_path.read_bytes())
    assert set(fresh) == set(committed)
    _read_icns(icns_path.read_bytes())

    from desktop.qt import QtGui

    for side, blob in fresh.items():
        image = QtGui.QImage.fromData(blob)
        assert image.width() == side
        centre = image.pixelColor(side // 2, side // 2)
        assert centre.alpha() > 0  # the emblem was drawn, not a transparent square
    reader = QtGui.QImageReader(str(ico_path))
    if reader.canRead():  # Qt's ICO plug-in, where installed, reads the file itself
        assert reader.imageCount() == len(fresh)


@pytest.mark.parametrize("name", ["cordon.ico", "cordon.icns"])
def test_platform_icons_are_committed(name: str) -> None:
    assert (PACKAGING / "icons" / name).stat().st_size > 1000
