"""Automatic photo checks: resolution, steadiness, light and digital zoom, in plain words."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

# Every measurement is made on a copy this long on its long side, whatever the upload's
# size, so a verdict means the same for a 1 MP and a 24 MP photo (blur is judged as a share
# of the picture, as a viewer sees it). Callers may decode JPEGs reduced to about this size.
ANALYSIS_LONG_SIDE = 1024

PRINT_READY_MEGAPIXELS = 5.0
# 200 dots per inch still looks sharp in the hand; labs ask 300 but few eyes see it.
PRINT_DPI = 200
CM_PER_INCH = 2.54

# Steadiness: the blur (edge width in pixels at ANALYSIS_LONG_SIDE, in the sharpest part
# of the picture) above which a photo is called shaky. It is what bench/steadiness_eval.py's
# rule picks on its real photographs, rounded: the lowest that calls at most 4 % of the sharp
# ones shaky, because telling someone off for a good photo costs more than missing a slightly
# soft one. The bench prints the figures for this very value.
SHAKY_ABOVE = 4.2

EXIF_IFD = 0x8769
DIGITAL_ZOOM_RATIO = 0xA404

MESSAGES = {
    "print_ready": "Plenty of detail – good enough to enlarge, up to about {w} × {h} cm.",
    "small": (
        "Fine for a phone screen and the gallery. For a big print, set the camera to its "
        "largest picture size next time."
    ),
    "steady": "Sharp and steady – well done.",
    "steady_unsure": (
        "There is not much fine detail here, so we could not check it for shake. Zoom in on "
        "the part that matters to you: are its edges crisp?"
    ),
    "shaky": (
        "This one looks a little blurred, like the camera moved. Next time, hold the phone "
        "with both hands and breathe out as you press."
    ),
    "light_ok": "Good light – everything is clear to see.",
    "underexposed": (
        "This one came out quite dark. Next time, find more light – face a window or step "
        "outside."
    ),
    "backlit": (
        "The bright light behind your subject made them dark. Next time, turn so the light "
        "is behind you, or tap your subject on the screen before you press."
    ),
    "blown_highlights": (
        "Some parts came out plain white. Next time, step into the shade, or tap the "
        "brightest part on the screen before you press."
    ),
    "zoomed": (
        "You zoomed in with the phone. Walking closer instead gives a sharper picture."
    ),
}


def analyse(
    image: Image.Image, *, original_size: tuple[int, int], exif: Image.Exif | None = None
) -> dict[str, Any]:
    """Check one photo; the result is JSON-serialisable and holds one entry per check.

    image: already turned upright, mode RGB or L, at any size (often a reduced JPEG decode).
    original_size: (width, height) of the full, upright original. exif: the original's EXIF.
    """
    colour = analysis_copy(image)
    return {
        "resolution": check_resolution(original_size),
        "steadiness": check_steadiness(analysis_gray(colour)),
        "light": check_light(np.asarray(colour)),
        "distance": check_distance(exif),
    }


def analysis_copy(image: Image.Image) -> Image.Image:
    """The picture resized so its long side is ANALYSIS_LONG_SIDE, in RGB or L."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    scale = ANALYSIS_LONG_SIDE / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if size != image.size:
        image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return image


def analysis_gray(image: Image.Image) -> np.ndarray:
    """Brightness as floats in 0..1, resized so the long side is ANALYSIS_LONG_SIDE."""
    return np.asarray(analysis_copy(image).convert("L"), dtype=np.float32) * np.float32(1 / 255)


# --- resolution ---------------------------------------------------------------------------


def check_resolution(original_size: tuple[int, int]) -> dict[str, Any]:
    width, height = original_size
    megapixels = width * height / 1e6
    print_cm = [int(width / PRINT_DPI * CM_PER_INCH), int(height / PRINT_DPI * CM_PER_INCH)]
    if megapixels >= PRINT_READY_MEGAPIXELS:
        verdict = "ok"
        message = MESSAGES["print_ready"].format(w=print_cm[0], h=print_cm[1])
    else:
        verdict, message = "low", MESSAGES["small"]
    return {
        "verdict": verdict,
        "score": round(min(1.0, megapixels / PRINT_READY_MEGAPIXELS), 2),
        "megapixels": round(megapixels, 1),
        "print_size_cm": print_cm,
        "message": message,
        "lesson": None,
    }


# --- steadiness ---------------------------------------------------------------------------
#
# Blur is measured as the width of edges: across each edge, the brightness step divided by
# its steepest slope. That ratio does not depend on how strong the edge is, only on how
# spread out it is. Three things keep it honest on real photos:
# - noise: the picture is smoothed just enough that grain stops looking like detail, and
#   the widths are corrected for that smoothing; faint "edges" made of grain are ignored;
# - a soft background behind a sharp subject: the picture is cut into tiles and judged by
#   its sharpest tiles, so a sharp subject anywhere is enough;
# - camera movement smears only edges that lie across the movement: within a tile, edges
#   are grouped by direction and the tile counts as sharp only if every direction is sharp.

TILE = 64  # px at the analysis size: a small sharp subject still fills a tile or two
PROFILE_HALF = 12  # how far either side of an edge to look for the two sides' levels
PROFILE_STEP = 2
MIN_STEP = 0.08  # brightness step (0..1) below which an edge is too faint to judge
MAX_EDGES = 12000  # a sample is enough and keeps the check fast
NOISE_TARGET = 0.0025  # smooth until grain moves the slope by no more than this
MAX_SMOOTHING = 18  # rounds of [1 2 1]/4, so a Gaussian of sigma 3 at most
EDGE_OVER_NOISE = 5.0
EDGES_PER_GROUP = 6
# Below this many tiles with edges every way, the picture holds too little fine detail to
# judge (fog, sky, night, a plain wall): the verdict is "unsure", which never scolds.
MIN_TILES = 3
FOUR_WAY_TILES = 8
RAYLEIGH_MEDIAN = math.sqrt(2 * math.log(2))
TAN_22_5 = math.tan(math.pi / 8)


def _binomial(rounds: int) -> np.ndarray:
    """[1 2 1]/4 applied `rounds` times: a Gaussian of variance rounds/2 in one kernel."""
    kernel = np.array([1.0])
    for _ in range(rounds):
        kernel = np.convolve(kernel, [0.25, 0.5, 0.25])
    return kernel


def _slope_noise_gain(rounds: int) -> float:
    """How much pixel noise survives in a slope measured after smoothing."""
    kernel = _binomial(rounds)
    slope = np.convolve(kernel, [0.5, 0.0, -0.5])
    return float(np.sqrt(np.sum(slope**2) * np.sum(kernel**2)))


SLOPE_NOISE_GAIN = {n: _slope_noise_gain(n) for n in range(2, MAX_SMOOTHING + 1, 2)}


def _smooth(a: np.ndarray, rounds: int) -> np.ndarray:
    """Binomial smoothing; the result loses `rounds` pixels on every side (no padding).

    OpenCV's separable filter is about seven times faster than the same sums in numpy; the
    padded border it adds is cut away, so only full windows are kept.
    """
    kernel = _binomial(rounds).astype(np.float32)
    r = len(kernel) // 2
    smooth = cv2.sepFilter2D(a, cv2.CV_32F, kernel, kernel, borderType=cv2.BORDER_REPLICATE)
    return smooth[r : a.shape[0] - r, r : a.shape[1] - r]


def _slopes(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Twice the slope across and down, and its square, one pixel in from every side."""
    gx = a[1:-1, 2:] - a[1:-1, :-2]
    gy = a[2:, 1:-1] - a[:-2, 1:-1]
    return gx, gy, gx * gx + gy * gy


def _noise(smooth: np.ndarray) -> float:
    """The typical slope where nothing happens, from every third pixel each way.

    Most pixels lie in flat areas, where the slope is just noise (Rayleigh-distributed).
    """
    h, w = smooth.shape
    gx = smooth[1 : h - 1 : 3, 2:w:3] - smooth[1 : h - 1 : 3, 0 : w - 2 : 3]
    gy = smooth[2:h:3, 1 : w - 1 : 3] - smooth[0 : h - 2 : 3, 1 : w - 1 : 3]
    return math.sqrt(float(np.median(gx * gx + gy * gy))) / 2 / RAYLEIGH_MEDIAN


def _edge_centres(
    gx: np.ndarray, gy: np.ndarray, g2: np.ndarray, floor: float, margin: int
) -> np.ndarray:
    """Flat indices of pixels above `floor` where the slope peaks across the edge."""
    w = g2.shape[1]
    candidate = g2 > floor * floor
    candidate[:margin] = candidate[-margin:] = False
    candidate[:, :margin] = candidate[:, -margin:] = False
    flat = np.flatnonzero(candidate)
    all_g2 = g2.ravel()
    sx, sy, c = gx.ravel()[flat], gy.ravel()[flat], all_g2[flat]
    ax, ay = np.abs(sx), np.abs(sy)
    # Neighbours across the edge: left-right, up-down, or one of the two diagonals.
    step = np.full(len(flat), w - 1)
    step[sx * sy > 0] = w + 1
    step[ax <= TAN_22_5 * ay] = w
    step[ay <= TAN_22_5 * ax] = 1
    peak = (c >= all_g2[flat - step]) & (c > all_g2[flat + step])
    return flat[peak]


@dataclass(frozen=True)
class Blur:
    width: float  # px at the analysis size, in the sharpest parts of the picture
    tiles: int  # how many tiles had edges in enough directions to be judged


def measure_blur(gray: np.ndarray) -> Blur | None:
    """The picture's blur in pixels at the analysis size, or None with no detail at all."""
    if min(gray.shape) < 2 * (PROFILE_HALF + MAX_SMOOTHING) + TILE // 2:
        return None  # a sliver: nothing to judge
    rounds = 2
    smooth = _smooth(gray, rounds)
    noise = _noise(smooth) / SLOPE_NOISE_GAIN[rounds]
    more = rounds
    while more < MAX_SMOOTHING and noise * SLOPE_NOISE_GAIN[more] > NOISE_TARGET:
        more += 2
    if more > rounds:
        # Binomial smoothing adds up: the rest of the rounds go on top of the first two.
        smooth = _smooth(smooth, more - rounds)
        rounds = more
    gx, gy, g2 = _slopes(smooth)
    sigma = math.sqrt(rounds / 2)

    floor = 2 * EDGE_OVER_NOISE * noise * SLOPE_NOISE_GAIN[rounds]
    flat = _edge_centres(gx, gy, g2, floor, PROFILE_HALF)
    if len(flat) > MAX_EDGES:
        flat = flat[:: -(-len(flat) // MAX_EDGES)]
    if len(flat) == 0:
        return None
    twice = np.sqrt(g2.ravel()[flat])
    cos, sin = gx.ravel()[flat] / twice, gy.ravel()[flat] / twice
    # Slopes sit one pixel in from the smoothed picture's sides.
    ys, xs = np.divmod(flat, g2.shape[1])
    ys += 1
    xs += 1
    offsets = np.arange(-PROFILE_HALF, PROFILE_HALF + 1, PROFILE_STEP, dtype=np.float32)
    py = np.rint(ys[:, None] + sin[:, None] * offsets).astype(np.intp)
    px = np.rint(xs[:, None] + cos[:, None] * offsets).astype(np.intp)
    profile = smooth[py, px]
    step = profile.max(axis=1) - profile.min(axis=1)
    keep = step > MIN_STEP
    if not keep.any():
        return None
    width = step[keep] / (twice[keep] / 2)
    # A blurred step of spread s is about sqrt(2 pi) s wide; take our own smoothing out.
    width = np.sqrt(np.maximum(width**2 - 2 * math.pi * sigma**2, 0.0))
    direction = np.arctan2(sin[keep], cos[keep]) % math.pi
    group_dir = (np.floor(direction / (math.pi / 4) + 0.5) % 4).astype(np.intp)
    # Tiles are laid on the analysis picture, before smoothing trimmed its sides.
    trim = rounds
    tiles_across = gray.shape[1] // TILE + 1
    tile = ((ys[keep] + trim) // TILE) * tiles_across + (xs[keep] + trim) // TILE
    return _pool(width, tile, group_dir)


def _pool(width: np.ndarray, tile: np.ndarray, direction: np.ndarray) -> Blur:
    """The sharpest tile with edges every way, judged by its blurriest direction: a sharp
    subject anywhere is enough, while a shake leaves no such tile sharp."""
    group = tile * 4 + direction
    order = np.lexsort((width, group))
    groups, start, count = np.unique(group[order], return_index=True, return_counts=True)
    # The sharper quarter of each group: spurious wide readings come from clutter nearby.
    quartile = width[order][start + (count - 1) // 4]
    enough = count >= EDGES_PER_GROUP
    groups, quartile = groups[enough], quartile[enough]
    tiles, index, directions = np.unique(groups // 4, return_inverse=True, return_counts=True)
    worst = np.zeros(len(tiles))
    np.maximum.at(worst, index, quartile)
    # A streak left by a shake can hold sharp edges three ways while the fourth, across the
    # movement, is smeared too faintly to count; a tile with edges all four ways cannot hide
    # it. Where few tiles have them (a small subject, a plain scene), three ways will do.
    every_way = 4 if np.count_nonzero(directions == 4) >= FOUR_WAY_TILES else 3
    worst = worst[directions >= every_way]
    if len(worst) >= MIN_TILES:
        return Blur(float(worst.min()), len(worst))
    # Too few tiles with edges every way (a plain scene): fall back to the whole picture.
    per_direction = [
        np.percentile(width[direction == d], 10) for d in range(4) if (direction == d).sum() >= 40
    ]
    return Blur(float(max(per_direction)) if per_direction else float(np.median(width)),
                len(worst))


def steadiness_verdict(blur: Blur | None) -> str:
    """ok, shaky, or unsure where too little of the picture has detail to judge."""
    if blur is None or blur.tiles < MIN_TILES:
        return "unsure"
    return "ok" if blur.width <= SHAKY_ABOVE else "shaky"


def check_steadiness(gray: np.ndarray) -> dict[str, Any]:
    blur = measure_blur(gray)
    verdict = steadiness_verdict(blur)
    if blur is None or verdict == "unsure":
        # No score either: a number would read as a verdict the check could not reach.
        return _steadiness(verdict, None, MESSAGES["steady_unsure"])
    # 1 when perfectly sharp, 0.5 exactly at the limit, towards 0 as blur grows.
    score = 1.0 / (1.0 + (blur.width / SHAKY_ABOVE) ** 2)
    return _steadiness(verdict, score, MESSAGES["steady" if verdict == "ok" else "shaky"])


def _steadiness(verdict: str, score: float | None, message: str) -> dict[str, Any]:
    return {
        "verdict": verdict,
        "score": None if score is None else round(score, 3),
        "message": message,
        "lesson": "steadiness",
    }


# --- light --------------------------------------------------------------------------------
#
# Each problem gets a strength from 0 to 1 that crosses 0.5 where it becomes worth saying.

DARK_LEVEL = 0.28  # mean of the median and the 95th percentile of brightness
# Burnt out is judged on the second brightest colour of each pixel: a yellow petal blown
# out in red and green has lost its detail while its grey brightness stays below white,
# but one colour at the top alone is only a strong colour (a red bowl, a blue sky).
CLIPPED_LEVEL = 0.98
CLIPPED_SHARE = 0.08  # share of the picture burnt out...
OVER_MEDIAN = 0.5  # ...while most of it is bright too: a lamp or a white wall alone is fine
# A dark picture with real highlights somewhere (a lamp, a window, a sunset) is a low-key
# scene the photographer meant, not an underexposed one, where everything is crowded low.
HIGHLIGHT_LEVEL = 0.9
LOW_KEY_HIGHLIGHTS = 0.002
BACKLIT_BRIGHT_SHARE = 0.10  # share near white around the subject...
BACKLIT_SUBJECT_LEVEL = 0.30  # ...while the middle of the picture is this dark


def _ramp(value: float, at_half: float, span: float) -> float:
    """0..1, rising through 0.5 at `at_half`; span is the distance from 0 to 1."""
    return min(1.0, max(0.0, 0.5 + (value - at_half) / span))


def _share_at_least(values: np.ndarray, level: float) -> float:
    """The share of 8-bit values at or above a level given in 0..1."""
    return np.count_nonzero(values >= math.ceil(level * 255)) / values.size


def _cumulative_counts(values: np.ndarray) -> np.ndarray:
    return np.cumsum(np.bincount(values.ravel(), minlength=256))


def _percentile(cumulative: np.ndarray, q: float) -> float:
    """numpy's (linear) percentile, in 0..1, of the 8-bit values counted in `cumulative`."""
    position = q / 100 * (cumulative[-1] - 1)
    below = int(position)
    lower, upper = np.searchsorted(cumulative, [below, below + 1], side="right")
    return float(lower + (position - below) * (upper - lower)) / 255


def check_light(pixels: np.ndarray) -> dict[str, Any]:
    """pixels: the analysis copy, 8-bit RGB or grey."""
    h, w = pixels.shape[:2]
    if min(h, w) >= 4:
        pixels = cv2.resize(pixels, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    # Counted on 8-bit values, from histograms: exact, and far quicker than sorting floats.
    if pixels.ndim == 3:
        gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
        r, g, b = cv2.split(pixels)
        # The second brightest of three colours is the middle one.
        burnt = cv2.max(cv2.min(r, g), cv2.min(cv2.max(r, g), b))
        brightest = cv2.max(cv2.max(r, g), b)
    else:
        gray = burnt = brightest = pixels
    clipped = _share_at_least(burnt, CLIPPED_LEVEL)
    highlights = _share_at_least(brightest, HIGHLIGHT_LEVEL)
    counts = _cumulative_counts(gray)
    median, p95 = _percentile(counts, 50), _percentile(counts, 95)
    bright = _share_at_least(gray, 0.9)
    h, w = gray.shape
    middle = gray[int(h * 0.2) : max(1, int(h * 0.8)), int(w * 0.25) : max(1, int(w * 0.75))]
    subject = _percentile(_cumulative_counts(middle), 50)

    under = _ramp(-(median + p95) / 2, -DARK_LEVEL, 0.2)
    if highlights >= LOW_KEY_HIGHLIGHTS:
        under = min(under, 0.49)
    over = min(_ramp(clipped, CLIPPED_SHARE, 0.16), _ramp(median, OVER_MEDIAN, 0.3))
    backlit = min(
        _ramp(bright, BACKLIT_BRIGHT_SHARE, 0.2), _ramp(-subject, -BACKLIT_SUBJECT_LEVEL, 0.3)
    )
    if backlit >= 0.5:
        verdict, reason = "dark", "backlit"
    elif over >= 0.5:
        verdict, reason = "bright", "blown_highlights"
    elif under >= 0.5:
        verdict, reason = "dark", "underexposed"
    else:
        verdict, reason = "ok", None
    return {
        "verdict": verdict,
        "score": round(float(1.0 - max(under, over, backlit)), 3),
        "reason": reason,
        "message": MESSAGES[reason or "light_ok"],
        "lesson": "light",
    }


# --- distance -----------------------------------------------------------------------------


def check_distance(exif: Image.Exif | None) -> dict[str, Any]:
    """Only digital zoom can be seen for sure; how close to get is a matter of taste."""
    zoom = None
    if exif is not None:
        value = exif.get_ifd(EXIF_IFD).get(DIGITAL_ZOOM_RATIO)
        try:
            zoom = float(value) if value is not None else None
        except (TypeError, ValueError, ZeroDivisionError):
            zoom = None
        if zoom is not None and not math.isfinite(zoom):
            zoom = None
    if zoom is not None and zoom > 1.0:
        return {
            "verdict": "digital_zoom",
            "zoom": round(zoom, 1),
            "message": MESSAGES["zoomed"],
            "lesson": "distance",
        }
    return {"verdict": "unknown", "zoom": zoom, "message": "", "lesson": "distance"}
