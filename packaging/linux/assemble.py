"""Put the Linux desktop integration beside the PyInstaller folder and make the tarball.

    python packaging/linux/assemble.py dist

dist/cordon/ (from PyInstaller) gains share/applications, share/metainfo, share/icons and
install.sh, and
dist/Cordon-<version>-linux-<arch>.tar.gz holds the whole folder.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
APP_ID = "org.cordonproject.Cordon"


def assemble(dist: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from sync import __version__

    app = dist / "cordon"
    if not (app / "cordon").is_file():
        raise SystemExit(f"{app}/cordon is missing: run PyInstaller first (make package)")
    share = app / "share"
    (share / "applications").mkdir(parents=True, exist_ok=True)
    (share / "metainfo").mkdir(parents=True, exist_ok=True)
    shutil.copy2(HERE / f"{APP_ID}.desktop", share / "applications")
    shutil.copy2(HERE / f"{APP_ID}.metainfo.xml", share / "metainfo")
    shutil.copy2(HERE / "install.sh", app / "install.sh")
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "icons" / "render.py"), str(share / "icons")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tarball = dist / f"Cordon-{__version__}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(app, arcname=f"Cordon-{__version__}")
    return tarball


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(assemble(Path(sys.argv[1])))
