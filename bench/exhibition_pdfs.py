"""Time and memory of an exhibition's prints PDF against plain Pillow decodes of the same
photos.

Run with `.venv/bin/python bench/exhibition_pdfs.py` (or `make bench`), about a minute.
It makes phone-like 12 MP JPEGs with an sRGB profile and GPS in their EXIF, then measures:
one print copy (full decode, upright, profile kept, re-encoded at quality 95) against a
plain full decode of the same file, and the whole prints PDF of PHOTOS photos, its time
against PHOTOS full decodes and its peak memory in a fresh process against the size of
the PDF itself (fpdf2 builds the document in memory).
Timings are medians of interleaved repeats, so a noisy machine slows every contender alike.
"""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from PIL import Image, ImageCms

from workshop.exhibitions import pdf
from workshop.exhibitions.models import PrintSize
from workshop.photos import imaging

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = 8
SIZE = (4000, 3000)  # 12 MP, as most phones take
REPEATS = 3
MAX_PIXELS = 100_000_000
GPS = {1: "N", 2: (53.0, 28.0, 49.32), 3: "W", 4: (2.0, 14.0, 42.6)}


def make_photos(folder: Path) -> list[Path]:
    rng = np.random.default_rng(18)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    paths = []
    for index in range(PHOTOS):
        # Smooth shapes with some grain: compresses like a photograph, not like noise.
        y, x = np.mgrid[0:SIZE[1], 0:SIZE[0]].astype(np.float32)
        base = (np.sin(x / (200 + 40 * index)) + np.cos(y / 170)) * 60 + 128
        grain = rng.normal(0, 6, (SIZE[1], SIZE[0], 1)).astype(np.float32)
        pixels = np.clip(base[..., None] + grain + [[[0, 20, -20]]], 0, 255).astype(np.uint8)
        exif = Image.Exif()
        exif[0x8825] = GPS
        path = folder / f"photo-{index}.jpg"
        Image.fromarray(pixels).save(path, "JPEG", quality=90, icc_profile=icc,
                                     exif=exif.tobytes())
        paths.append(path)
    return paths


def full_decode(path: Path) -> None:
    with Image.open(path) as image:
        image.load()


def print_copy(path: Path) -> bytes:
    """A print copy as photos.services.print_copy makes it, for a photo with no face."""
    picture, icc = imaging.full_picture(path, max_pixels=MAX_PIXELS)
    return imaging.encode_jpeg(picture, icc, quality=imaging.PRINT_QUALITY)


def prints_pdf(paths: list[Path]) -> bytes:
    """The prints PDF as the exhibition makes it, the photos read from these files."""
    by_photo = {}
    entries = []
    for index, path in enumerate(paths):
        photo = SimpleNamespace(id=index, width=SIZE[0], height=SIZE[1])
        by_photo[index] = path
        entries.append(SimpleNamespace(photo=photo))
    exhibition = SimpleNamespace(title="Bench", print_size=PrintSize.LARGE)
    pdf.print_copy = lambda photo: print_copy(by_photo[photo.id])  # type: ignore[assignment]
    return pdf.prints(exhibition, entries)  # type: ignore[arg-type]


def median_seconds(run, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


MEMORY_PROBE = """
import sys
from pathlib import Path
sys.path.insert(0, "bench")
import exhibition_pdfs as bench

def status_mb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024

paths = sorted(Path(sys.argv[1]).glob("photo-*.jpg"))
resident = status_mb("VmRSS")
# The peak a child starts with is its parent's: reset it (Linux) before measuring.
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
if status_mb("VmHWM") > resident + 1:
    sys.exit("could not reset the peak (VmHWM)")
data = bench.prints_pdf(paths)
print(status_mb("VmHWM") - resident, len(data) / 2**20)
"""


def peak_memory_mb(folder: Path) -> tuple[float, float]:
    """Peak memory growth while making the PDF, and the PDF's size, in a fresh process."""
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", MEMORY_PROBE, str(folder)], capture_output=True, text=True,
        check=True, cwd=ROOT).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make_photos(folder)
        decode, copy = [], []
        for path in paths[:3]:
            # Interleaved, so both meet the same load on the machine.
            for _ in range(REPEATS):
                decode.append(median_seconds(lambda p=path: full_decode(p), 1))
                copy.append(median_seconds(lambda p=path: print_copy(p), 1))
        sample = print_copy(paths[0])
        with Image.open(io.BytesIO(sample)) as image:
            kept_profile = bool(image.info.get("icc_profile"))
            no_exif = not image.getexif()
        whole = median_seconds(lambda: prints_pdf(paths), 2)
        decodes = median_seconds(lambda: [full_decode(p) for p in paths], 2)
        memory_mb, pdf_mb = peak_memory_mb(folder)
        originals_mb = sum(p.stat().st_size for p in paths) / 2**20

    print(f"{PHOTOS} photos of {SIZE[0]} x {SIZE[1]} px ({originals_mb:.1f} MB of JPEG), "
          f"prints at up to 30 x 45 cm")
    print(f"one print copy vs a full decode: {statistics.median(copy) * 1000:.0f} ms vs "
          f"{statistics.median(decode) * 1000:.0f} ms, "
          f"x {statistics.median(copy) / statistics.median(decode):.2f}")
    print(f"the prints PDF vs {PHOTOS} full decodes: {whole:.2f} s vs {decodes:.2f} s, "
          f"x {whole / decodes:.2f}")
    print(f"the prints PDF: {pdf_mb:.1f} MB; peak memory growth {memory_mb:.0f} MB, "
          f"x {memory_mb / pdf_mb:.2f} the PDF's size")
    print(f"colour profile kept: {kept_profile}; EXIF (GPS) left behind: {no_exif}")


if __name__ == "__main__":
    main()
