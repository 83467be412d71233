"""The automatic photo checks on real photographs made shaky, soft, noisy or badly lit."""

import io
import json

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from skimage import data

from workshop.photos import checks

# --- test pictures: scikit-image's shipped photographs, degraded here -------------------------


def photo(name: str = "astronaut", long_side: int = 1024) -> Image.Image:
    pixels = getattr(data, name)()
    image = Image.fromarray(pixels).convert("RGB")
    scale = long_side / max(image.size)
    size = (round(image.width * scale), round(image.height * scale))
    return image.resize(size, Image.Resampling.LANCZOS)


def motion_blur(image: Image.Image, share: float = 0.02) -> Image.Image:
    """The camera moved diagonally by `share` of the long side while the shutter was open."""
    pixels = np.asarray(image, dtype=np.float32)
    length = max(2, round(share * max(image.size)))
    padded = np.pad(pixels, ((0, length), (0, length), (0, 0)), mode="edge")
    h, w = pixels.shape[:2]
    total = sum(padded[k : k + h, k // 2 : k // 2 + w] for k in range(length))
    return Image.fromarray((total / length).round().astype(np.uint8))


def defocus(image: Image.Image, share: float = 0.006) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(share * max(image.size)))


def noisy(image: Image.Image, sigma: float = 12.0, seed: int = 1) -> Image.Image:
    """Dim-light grain: mostly brightness, some colour."""
    pixels = np.asarray(image, dtype=np.float32)
    rng = np.random.default_rng(seed)
    grain = rng.normal(0, sigma, pixels.shape[:2] + (1,)) + rng.normal(0, sigma / 2, pixels.shape)
    return Image.fromarray(np.clip(pixels + grain, 0, 255).round().astype(np.uint8))


def subject_mask(image: Image.Image, feather: float = 0.03) -> Image.Image:
    """An ellipse over the middle of the frame, where the subject stands."""
    w, h = image.size
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).ellipse((w * 0.22, h * 0.12, w * 0.78, h * 0.95), fill=255)
    return mask.filter(ImageFilter.GaussianBlur(feather * max(w, h)))


def shallow_depth_of_field(image: Image.Image) -> Image.Image:
    """Sharp subject, background softened as by a wide-open lens."""
    background = image.filter(ImageFilter.GaussianBlur(0.012 * max(image.size)))
    return Image.composite(image, background, subject_mask(image))


def exposed(image: Image.Image, gain: float, lift: float = 0.0) -> Image.Image:
    table = [
        round(min(1.0, (i / 255) ** 2.2 * gain + lift) ** (1 / 2.2) * 255) for i in range(256)
    ]
    return image.point(table * len(image.getbands()))


def backlit(image: Image.Image) -> Image.Image:
    return Image.composite(
        exposed(image, 0.06), exposed(image, 6.0, lift=0.3), subject_mask(image, 0.01)
    )


def as_jpeg(image: Image.Image, exif: Image.Exif | None = None) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif if exif is not None else b"")
    buffer.seek(0)
    return Image.open(buffer)


def steadiness(image: Image.Image) -> dict:
    return checks.analyse(image, original_size=image.size)["steadiness"]


def light(image: Image.Image) -> dict:
    return checks.analyse(image, original_size=image.size)["light"]


# --- steadiness ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["astronaut", "camera", "coffee", "rocket"])
def test_a_sharp_photo_is_steady(name):
    result = steadiness(as_jpeg(photo(name)))
    assert result["verdict"] == "ok"
    assert result["score"] > 0.5
    assert result["lesson"] == "steadiness"


@pytest.mark.parametrize("name", ["astronaut", "camera", "coffee", "rocket"])
def test_camera_movement_is_shaky(name):
    result = steadiness(as_jpeg(motion_blur(photo(name))))
    assert result["verdict"] == "shaky"
    assert result["score"] < 0.5
    assert "both hands" in result["message"]


def test_an_out_of_focus_photo_is_caught_too():
    assert steadiness(as_jpeg(defocus(photo("coffee"))))["verdict"] == "shaky"


def test_grain_from_dim_light_is_not_mistaken_for_shake():
    assert steadiness(as_jpeg(noisy(photo("astronaut"))))["verdict"] == "ok"


@pytest.mark.parametrize("sigma", [4, 12])
@pytest.mark.parametrize("name", ["astronaut", "camera", "coffee", "rocket"])
def test_grain_does_not_hide_shake(name, sigma):
    grainy = noisy(motion_blur(photo(name)), sigma=sigma)
    assert steadiness(as_jpeg(grainy))["verdict"] == "shaky"


def test_a_sharp_subject_in_front_of_a_soft_background_is_steady():
    image = photo("astronaut")
    soft = shallow_depth_of_field(image)
    assert steadiness(as_jpeg(soft))["verdict"] == "ok"
    # The background alone, blurred all over, would be called shaky: the subject saves it.
    assert steadiness(as_jpeg(image.filter(ImageFilter.GaussianBlur(12))))["verdict"] == "shaky"


@pytest.mark.parametrize("blurred", [False, True])
def test_the_verdict_does_not_depend_on_the_photos_size(blurred):
    small = photo("coffee", 600)
    if blurred:
        small = motion_blur(small)
    big = small.resize((small.width * 5, small.height * 5), Image.Resampling.LANCZOS)
    small_result, big_result = steadiness(as_jpeg(small)), steadiness(as_jpeg(big))
    assert small_result["verdict"] == big_result["verdict"] == ("shaky" if blurred else "ok")
    assert abs(small_result["score"] - big_result["score"]) < 0.15


def test_a_real_camera_shaken_photo_is_shaky():
    clock = Image.fromarray(data.clock())  # scikit-image's clock: the camera really moved
    result = checks.analyse(clock, original_size=clock.size)["steadiness"]
    assert result["verdict"] == "shaky"


def test_a_plain_picture_is_unsure_and_says_what_to_look_at():
    plain = Image.new("RGB", (800, 600), (120, 140, 160))
    result = steadiness(plain)
    assert result["verdict"] == "unsure"
    assert result["score"] is None
    assert "zoom in" in result["message"].lower()


def small_subject(name: str, across: int = 360) -> Image.Image:
    """A 6 MP picture whose only sharp part is a disc `across` px wide cut from the photo at
    its own size (about a tenth of the width, as a flower or a face in a phone photo); the
    rest is the same photo enlarged and thrown far out of focus."""
    sharp = Image.fromarray(getattr(data, name)()).convert("RGB")
    canvas = sharp.resize((3000, 2000), Image.Resampling.BICUBIC).filter(
        ImageFilter.GaussianBlur(30))
    r = across // 2
    cx, cy = sharp.width // 2, sharp.height // 2
    subject = sharp.crop((cx - r, cy - r, cx + r, cy + r))
    mask = Image.new("L", subject.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, 2 * r - 1, 2 * r - 1), fill=255)
    canvas.paste(subject, (1700, 600), mask.filter(ImageFilter.GaussianBlur(2)))
    return canvas


def fog(image: Image.Image, veil: float = 0.9) -> Image.Image:
    """Thick mist: an even pale veil over nearly all of the contrast."""
    return Image.blend(image, Image.new("RGB", image.size, (205, 208, 212)), veil)


@pytest.mark.parametrize("name", ["astronaut", "coffee", "chelsea", "rocket"])
def test_a_small_sharp_subject_on_a_soft_background_is_steady(name):
    picture = small_subject(name)  # the subject is 120 px across at the analysis size
    assert steadiness(as_jpeg(picture))["verdict"] == "ok"
    assert steadiness(as_jpeg(motion_blur(picture)))["verdict"] == "shaky"


@pytest.mark.parametrize("name", ["astronaut", "rocket"])
def test_fog_is_unsure_never_shaky(name):
    result = steadiness(as_jpeg(fog(photo(name))))
    assert result["verdict"] == "unsure"
    assert "could not check" in result["message"]
    assert steadiness(as_jpeg(fog(motion_blur(photo(name)))))["verdict"] == "unsure"


def test_through_a_lighter_mist_shake_is_still_judged():
    assert steadiness(as_jpeg(fog(photo("astronaut"), 0.8)))["verdict"] == "ok"
    assert steadiness(as_jpeg(fog(motion_blur(photo("astronaut")), 0.8)))["verdict"] == "shaky"


# --- light --------------------------------------------------------------------------------


def test_a_well_lit_photo_is_ok():
    result = light(photo("chelsea"))
    assert (result["verdict"], result["reason"]) == ("ok", None)
    assert result["score"] > 0.5


def test_an_underexposed_photo_is_dark():
    result = light(exposed(photo("coffee"), 0.07))
    assert (result["verdict"], result["reason"]) == ("dark", "underexposed")
    assert result["score"] < 0.5
    assert result["lesson"] == "light"


def test_an_overexposed_photo_is_bright():
    result = light(exposed(photo("astronaut"), 5.0))
    assert (result["verdict"], result["reason"]) == ("bright", "blown_highlights")


def yellow_flower() -> Image.Image:
    """A yellow subject filling the frame, burnt out in red and green but not in blue."""
    image = photo("chelsea")  # an orange-brown cat: mostly red and green already
    return image.point([min(255, round(i * 2.6)) for i in range(256)] * 2
                       + [round(i * 0.5) for i in range(256)])


def test_a_yellow_flower_blown_out_in_red_and_green_is_bright():
    flower = yellow_flower()
    grey = np.asarray(flower.convert("L"))
    assert np.mean(grey >= 250) < 0.02  # the grey brightness alone never reaches white
    result = light(as_jpeg(flower))
    assert (result["verdict"], result["reason"]) == ("bright", "blown_highlights")
    assert steadiness(as_jpeg(motion_blur(flower)))["verdict"] == "shaky"


def test_a_single_strong_colour_is_not_burnt_out():
    red = photo("coffee").point([min(255, i * 3) for i in range(256)]
                                + [i // 3 for i in range(256)] * 2)
    assert light(red)["verdict"] != "bright"


def night_street(image: Image.Image) -> Image.Image:
    """The scene at night: everything dark but a row of lamps."""
    night = exposed(image, 0.04)
    draw = ImageDraw.Draw(night)
    w, h = night.size
    for x in (0.15, 0.35, 0.55, 0.75):
        draw.ellipse((w * x, h * 0.2, w * x + w * 0.025, h * 0.2 + w * 0.025), fill=(255, 246, 220))
    return night


def test_a_night_scene_with_lamps_is_not_dark():
    result = light(as_jpeg(night_street(photo("coffee"))))
    assert result["verdict"] == "ok"
    assert steadiness(as_jpeg(night_street(photo("coffee"))))["verdict"] == "ok"
    assert steadiness(as_jpeg(motion_blur(night_street(photo("coffee")))))["verdict"] == "shaky"
    # The same scene with the lamps off is simply too dark.
    assert light(as_jpeg(exposed(photo("coffee"), 0.04)))["verdict"] == "dark"


def test_a_subject_against_a_bright_sky_is_dark_and_backlit():
    result = light(backlit(photo("camera")))
    assert (result["verdict"], result["reason"]) == ("dark", "backlit")
    assert "behind" in result["message"]


# --- resolution and distance --------------------------------------------------------------


def test_a_12_megapixel_photo_is_ready_to_print_big():
    result = checks.analyse(photo(), original_size=(4000, 3000))["resolution"]
    assert result["verdict"] == "ok"
    assert result["megapixels"] == 12.0
    assert result["print_size_cm"] == [50, 38]  # at 200 dots per inch
    assert "50 × 38 cm" in result["message"]


def test_a_small_photo_is_low_but_fine_for_a_screen():
    result = checks.analyse(photo(), original_size=(1000, 750))["resolution"]
    assert result["verdict"] == "low"
    assert result["score"] < 1
    assert "screen" in result["message"]


def test_digital_zoom_is_read_from_the_photos_exif():
    exif = Image.Exif()
    exif.get_ifd(checks.EXIF_IFD)[checks.DIGITAL_ZOOM_RATIO] = 2.0
    upload = as_jpeg(photo(), exif)
    result = checks.analyse(upload, original_size=upload.size, exif=upload.getexif())
    assert result["distance"]["verdict"] == "digital_zoom"
    assert result["distance"]["zoom"] == 2.0
    assert "closer" in result["distance"]["message"]


@pytest.mark.parametrize("zoom", [None, 1.0, 0.0])
def test_without_digital_zoom_distance_is_unknown(zoom):
    exif = Image.Exif()
    if zoom is not None:
        exif.get_ifd(checks.EXIF_IFD)[checks.DIGITAL_ZOOM_RATIO] = zoom
    result = checks.analyse(photo(), original_size=(4000, 3000), exif=exif)["distance"]
    assert result["verdict"] == "unknown"
    assert checks.analyse(photo(), original_size=(4000, 3000))["distance"]["zoom"] is None


# --- the contract -------------------------------------------------------------------------


def test_the_result_is_json_with_the_agreed_keys():
    result = checks.analyse(photo("camera").convert("L"), original_size=(4000, 3000))
    assert json.loads(json.dumps(result)) == result
    assert set(result) == {"resolution", "steadiness", "light", "distance"}
    assert set(result["resolution"]) == {
        "verdict", "score", "megapixels", "print_size_cm", "message", "lesson"
    }
    assert set(result["steadiness"]) == {"verdict", "score", "message", "lesson"}
    assert set(result["light"]) == {"verdict", "score", "reason", "message", "lesson"}
    assert set(result["distance"]) == {"verdict", "zoom", "message", "lesson"}
    for check in ("resolution", "steadiness", "light"):
        assert 0.0 <= result[check]["score"] <= 1.0
    assert result["steadiness"]["verdict"] in {"ok", "shaky", "unsure"}


@pytest.mark.parametrize("size", [(1, 1), (3000, 2), (40, 30)])
def test_odd_sizes_do_not_break_the_checks(size):
    result = checks.analyse(Image.new("RGB", size, (90, 90, 90)), original_size=size)
    assert result["steadiness"]["verdict"] == "unsure"
    assert result["light"]["verdict"] == "ok"


@pytest.mark.parametrize("rounds", [2, 10])
def test_the_smoothing_is_the_binomial_blur_on_both_axes_in_any_number_of_goes(rounds):
    """measure_blur smooths in two goes when the picture is grainy and takes the width
    added by the smoothing back out, so the smoothing must be exactly the binomial blur."""
    grain = np.random.default_rng(3).random((60, 80), dtype=np.float32)
    kernel = np.array([1.0])
    for _ in range(rounds):
        kernel = np.convolve(kernel, [0.25, 0.5, 0.25])
    down = np.apply_along_axis(np.convolve, 0, grain, kernel, mode="valid")
    expected = np.apply_along_axis(np.convolve, 1, down, kernel, mode="valid")

    np.testing.assert_allclose(checks._smooth(grain, rounds), expected, atol=1e-5)
    in_two_goes = checks._smooth(checks._smooth(grain, 2), rounds - 2)
    np.testing.assert_allclose(in_two_goes, expected, atol=1e-5)


@pytest.mark.parametrize("count", [1, 2, 7, 1000])
def test_the_light_checks_percentiles_from_counts_are_numpys(count):
    """The light check reads levels off a histogram of the 8-bit values, which must give
    what numpy's percentile gives on the values themselves, ties and all."""
    values = np.random.default_rng(count).integers(0, 256, count, dtype=np.uint8)
    values[: count // 3] = 17  # many equal values
    counts = checks._cumulative_counts(values)
    for q in (0, 5, 50, 95, 100):
        expected = np.percentile(values.astype(np.float64) / 255, q)
        assert checks._percentile(counts, q) == pytest.approx(expected, abs=1e-9)
