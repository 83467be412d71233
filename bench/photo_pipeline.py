"""Speed and memory of the photo upload pipeline against a plain Pillow decode of the same JPEG.

Run with `.venv/bin/python bench/photo_pipeline.py` (or `make bench`), about a minute. The
large JPEGs are two phone-like 24 MP files it makes and the real photographs of 12 MP and
more from bench/real_photos.py, each at its own size.
Timings are medians of interleaved repeats, so a noisy machine slows every contender alike.
OpenCV and scikit-image are development dependencies, needed only here.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import real_photos
from PIL import Image

from workshop.photos import checks, imaging

REPEATS = 7
MAX_PIXELS = 100_000_000

GOAL_CHECKS = 0.8  # checks alone, median over the large JPEGs, as a multiple of a full decode
GOAL_CHECKS_ANY = 1.5  # ...and on any one of them
GOAL_PROCESS = 2.5  # the whole upload processing, likewise (median)
LARGE_MP = 12  # real photographs this big or bigger join the made 24 MP files
GOAL_MEMORY_MB = 250  # peak memory growth for one 24 MP upload

GPS = {1: "N", 2: (53.0, 28.0, 49.32), 3: "W", 4: (2.0, 14.0, 42.6), 6: 38.0}


def make_photo(path: Path, size: tuple[int, int], seed: int) -> None:
    """A phone-like JPEG: a real photograph enlarged, with real fine texture and sensor noise.

    Enlarging alone leaves a smooth picture that compresses to a fraction of a phone's file
    size and decodes unrealistically fast; the texture and noise bring both to phone levels.
    """
    from skimage import data

    width, height = size
    base = Image.fromarray(data.rocket() if width * 2 == height * 3 else data.coffee())
    crop_width = min(base.width, round(base.height * width / height))
    crop_height = min(base.height, round(base.width * height / width))
    left, top = (base.width - crop_width) // 2, (base.height - crop_height) // 2
    base = base.crop((left, top, left + crop_width, top + crop_height))
    picture = np.asarray(base.resize(size, Image.Resampling.BICUBIC), dtype=np.int16)

    rng = np.random.default_rng(seed)
    gravel = np.asarray(data.gravel(), dtype=np.int16) - 128
    reps = (-(-height // gravel.shape[0]), -(-width // gravel.shape[1]))
    texture = np.tile(gravel, reps)[:height, :width] // 3
    noise = rng.normal(0.0, 4.0, (height, width, 1)).astype(np.int16)
    picture = picture + texture[:, :, None] + noise
    image = Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8))

    exif = Image.Exif()
    exif[0x010F] = "Phonemaker"
    exif[0x0110] = "Pocket 24"
    exif[0x0112] = 1
    exif.get_ifd(0x8825).update(GPS)
    exif.get_ifd(0x8769)[0x829A] = 1 / 120  # exposure time
    image.save(path, "JPEG", quality=95, exif=exif.tobytes())


def pillow_full_decode(path: Path) -> None:
    with Image.open(path) as image:
        image.load()  # a YCbCr JPEG decodes straight to RGB
        if image.mode != "RGB":
            image.convert("RGB")


def pillow_reduced_decode(path: Path) -> None:
    """The least any check can decode: libjpeg's scaled decode to the analysis size. It
    skips most of the inverse DCT but must still read every coefficient of the file, and
    that reading is most of a decode for high-quality and progressive JPEGs."""
    with Image.open(path) as image:
        scale = checks.ANALYSIS_LONG_SIDE / max(image.size)
        image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
        image.load()


def opencv_reference(path: Path) -> float:
    import cv2

    colour = cv2.imread(str(path), cv2.IMREAD_COLOR)
    grey = cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def our_checks(path: Path) -> None:
    imaging.check_file(path, max_pixels=MAX_PIXELS)


def our_processing(path: Path) -> None:
    hashlib.sha256(path.read_bytes()).hexdigest()
    imaging.process(path, max_pixels=MAX_PIXELS)


CONTENDERS: dict[str, Callable[[Path], object]] = {
    "Pillow full decode (open + load, RGB)": pillow_full_decode,
    "Pillow reduced decode (draft to 1024 px)": pillow_reduced_decode,
    "OpenCV imread + grey Laplacian var": opencv_reference,
    "ours: checks alone (check_file)": our_checks,
    "ours: whole upload (process + sha256)": our_processing,
}


def time_all(path: Path) -> dict[str, float]:
    """Median seconds per contender, taking turns each round."""
    for contender in CONTENDERS.values():
        contender(path)  # warm caches and lazy imports
    times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    for _ in range(REPEATS):
        for name, contender in CONTENDERS.items():
            start = time.perf_counter()
            contender(path)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


# Run in a fresh interpreter: imports first, then one job. Linux's VmHWM is the peak resident
# size; writing 5 to clear_refs resets it to the present size, so the peak after the job is
# the job's own. (ru_maxrss would not do: a child started by fork and exec inherits the
# parent's peak in it.)
MEMORY_PROBE = """
import hashlib, json, sys
from pathlib import Path
from PIL import Image
from workshop.photos import checks, imaging

def status_mb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024

resident = status_mb("VmRSS")
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
if status_mb("VmHWM") > resident + 1:
    sys.exit("could not reset the peak (VmHWM)")
path = Path(sys.argv[2])
if sys.argv[1] == "process":
    hashlib.sha256(path.read_bytes()).hexdigest()
    imaging.process(path, max_pixels=10**8)
elif sys.argv[1] == "checks":
    imaging.check_file(path, max_pixels=10**8)
else:
    with Image.open(path) as image:
        image.load()
print(json.dumps({"before": resident, "after": status_mb("VmHWM")}))
"""


def peak_memory(job: str, path: Path) -> dict[str, float] | None:
    """Peak and starting resident size in MB, or None where Linux's /proc is not there."""
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", MEMORY_PROBE, job, str(path)],
        capture_output=True, text=True, check=False, cwd=root,
    )
    if result.returncode != 0:
        print(f"memory of {job!r} not measured: {result.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(result.stdout)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def large_jpegs(folder: Path) -> dict[str, Path]:
    """Two made 24 MP phone-like files, then the real photographs of LARGE_MP and more."""
    paths: dict[str, Path] = {}
    for seed, size in enumerate(((6000, 4000), (4000, 6000))):
        path = folder / f"made-{size[0]}x{size[1]}.jpg"
        make_photo(path, size, seed)
        paths[f"made {size[0]}×{size[1]}"] = path
    for name, path in real_photos.fetch().items():
        with Image.open(path) as image:
            if image.width * image.height >= LARGE_MP * 1e6:
                paths[f"{name.split('_')[0]} {image.width}×{image.height}"] = path
    return paths


def main() -> int:
    import cv2
    from PIL import features

    print(__doc__.splitlines()[0])
    print(
        f"Pillow {Image.__version__} (libjpeg-turbo {features.version('libjpeg_turbo')}), "
        f"OpenCV {cv2.__version__} ({cv2.getNumThreads()} threads), numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs; median of {REPEATS} interleaved runs"
    )
    base_name, floor_name, checks_name, process_name = (
        "Pillow full decode (open + load, RGB)", "Pillow reduced decode (draft to 1024 px)",
        "ours: checks alone (check_file)", "ours: whole upload (process + sha256)")
    with tempfile.TemporaryDirectory(prefix="photo-bench-") as folder:
        paths = large_jpegs(Path(folder))
        results = {label: time_all(path) for label, path in paths.items()}
        print()
        print(f"{'':28}" + "".join(f"{name.split(' (')[0][:22]:>24}" for name in CONTENDERS))
        for label, times in results.items():
            base = times[base_name]
            size = f"{label} ({paths[label].stat().st_size / 1e6:.1f} MB)"
            cells = (f"{times[name] * 1000:>9.0f} ms {times[name] / base:>5.2f}× "
                     for name in CONTENDERS)
            print(f"{size:28}" + "".join(cells))
        checks_ratios = [t[checks_name] / t[base_name] for t in results.values()]
        floor_ratios = [t[floor_name] / t[base_name] for t in results.values()]
        process_ratios = [t[process_name] / t[base_name] for t in results.values()]
        memory = {job: peak_memory(job, paths["made 6000×4000"])
                  for job in ("decode", "checks", "process")}

    checks_ratio = statistics.median(checks_ratios)
    process_ratio = statistics.median(process_ratios)
    growth = {job: m["after"] - m["before"] for job, m in memory.items() if m is not None}
    print()
    print(f"Goals, over these {len(results)} large JPEGs:")
    print(f"  checks alone, median <= {GOAL_CHECKS}x a full decode:    "
          f"{checks_ratio:.2f}x  {verdict(checks_ratio <= GOAL_CHECKS)}")
    print(f"    (the reduced decode alone, which any check must do: median "
          f"{statistics.median(floor_ratios):.2f}x)")
    print(f"  checks alone, any one <= {GOAL_CHECKS_ANY}x:                "
          f"{max(checks_ratios):.2f}x  {verdict(max(checks_ratios) <= GOAL_CHECKS_ANY)}")
    print(f"  whole upload, median <= {GOAL_PROCESS}x a full decode:    "
          f"{process_ratio:.2f}x  {verdict(process_ratio <= GOAL_PROCESS)}")
    if "process" not in growth:
        print(f"  peak memory of one upload <= {GOAL_MEMORY_MB} MB:   not measured")
        return 0
    print(f"  peak memory of one 24 MP upload <= {GOAL_MEMORY_MB} MB:   "
          f"{growth['process']:.0f} MB  {verdict(growth['process'] <= GOAL_MEMORY_MB)}")
    print()
    print("Memory: a fresh Python imports Pillow, pillow-heif, numpy and workshop.photos, then")
    print("handles one 24 MP file; growth = peak resident size during the job (Linux VmHWM,")
    print("reset just before it) minus the resident size after the imports.")
    for job, label in (("decode", "Pillow full decode"), ("checks", "checks alone"),
                       ("process", "whole upload")):
        if job not in growth:
            continue
        print(f"  {label:20} +{growth[job]:4.0f} MB  (peak {memory[job]['after']:.0f} MB, "
              f"{memory[job]['before']:.0f} MB before the job)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
