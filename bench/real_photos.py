"""Real high-resolution photographs from Debian's packages, fetched once into bench/.cache/.

`apt-get download` and `dpkg -x` bring the two lomiri wallpaper packages; only the real
photographs among their pictures are used (the rest are drawings and gradients), each at
its own size. Run `apt-get update` first on a machine whose package lists are empty.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

PACKAGES = ("lomiri-wallpapers-16.04", "lomiri-wallpapers-20.04")
CACHE = Path(__file__).resolve().parent / ".cache" / "photos"
INSIDE = Path("usr/share/backgrounds")

# Each photograph and the kind of picture it is, which is what makes it easy or hard.
KINDS = {
    "Bridge_by_Sander_Klootwijk": "thin bridge cables across a wide sky: little fine detail",
    "Dragonfly_by_Bolly": "macro: a small dragonfly on a stem, soft leaves all round",
    "Kleiber_by_Lukas_Baubkus": "a bird on a tree trunk, a soft white background",
    "Picture_0B_by_freespace": "a fig in a red bowl on concrete: close-up, strong colour",
    "Picture_1A_by_freespace": "paint brushes: macro, shallow depth of field",
    "Wine_by_Jakkub_Mede": "a room indoors: a drum, a table, a bottle",
    "aitzgorri_by_Aitzol_Berasategi": "landscape: mountains, autumn trees, a meadow",
    "analogpattern_by_Peter_Nerlich": "a textured surface filling the frame",
    "free_by_Peter_Nerlich": "a toy bird under glowing lamps: soft grey, bright highlights",
    "friends_by_Aitzol_Berasategi": "two dogs at a window, wooden boards",
    "greentock_by_Peter_Nerlich": "a wall clock close up: plain surfaces, side light",
    "life_by_Aitzol_Berasategi": "a forest stream and rocks: fine detail everywhere",
    "picosdeeuropa_by_Aitzol_Berasategi": "mountains and clouds: landscape",
    "seeding_by_Clements_Engelhardt": "dandelion seed heads against the sun: backlit macro",
    "sunset_by_Aitzol_Berasategi": "a sunset over hills, the sun in the frame",
}


def fetch() -> dict[str, Path]:
    """Every photograph's path, fetching and unpacking the packages on first use."""
    missing = [name for name in KINDS if not (CACHE / f"{name}.jpg").exists()]
    if missing:
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run(["apt-get", "download", *PACKAGES],  # noqa: S603, S607 - by name
                           cwd=folder, check=True, capture_output=True)
            for deb in Path(folder).glob("*.deb"):
                subprocess.run(["dpkg", "-x", str(deb), folder], check=True)  # noqa: S603, S607
            for name in KINDS:
                (Path(folder) / INSIDE / f"{name}.jpg").rename(CACHE / f"{name}.jpg")
    return {name: CACHE / f"{name}.jpg" for name in KINDS}


if __name__ == "__main__":
    for name, path in fetch().items():
        print(f"{path}  {KINDS[name]}")
