"""Opening uploads safely: what is refused and why, and what the display copies keep and lose."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms, JpegImagePlugin

from tests.photos import images
from workshop.photos import checks, imaging

MAX_PIXELS = 100_000_000
# Words a participant should never have to read.
JARGON = re.compile(
    r"pillow|\bpil\b|decod|error|exception|bytes|mime|exif|codec|bomb|truncat|pixel|header",
    re.IGNORECASE,
)


def save(tmp_path: Path, data: bytes, name: str = "photo.jpg") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def process(tmp_path: Path, data: bytes, name: str = "photo.jpg", **options) -> imaging.Processed:
    return imaging.process(save(tmp_path, data, name), max_pixels=MAX_PIXELS, **options)


def refusal(
    tmp_path: Path, data: bytes, name: str = "photo.jpg", *, max_pixels: int = MAX_PIXELS
) -> imaging.Refused:
    """The Refused both entry points raise for data; they must agree."""
    path = save(tmp_path, data, name)
    with pytest.raises(imaging.Refused) as processing:
        imaging.process(path, max_pixels=max_pixels)
    with pytest.raises(imaging.Refused) as checking:
        imaging.check_file(path, max_pixels=max_pixels)
    assert checking.value.code == processing.value.code
    assert_plain(processing.value.message)
    return processing.value


def assert_plain(message: str) -> None:
    assert message and str(message) == message
    assert not JARGON.search(message), message
    assert len(re.findall(r"[.!?](\s|$)", message)) <= 2, message
    assert len(message) < 160, message


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def copies(processed: imaging.Processed) -> list[Image.Image]:
    return [opened(processed.large), opened(processed.thumb)]


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    b = b.convert(a.mode).resize(a.size, Image.Resampling.BOX)
    return float(np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).mean())


def colour_at(image: Image.Image, x: float, y: float) -> tuple[int, ...]:
    return image.convert("RGB").getpixel((int(x * (image.width - 1)), int(y * (image.height - 1))))


def near(colour: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


# Refused, each with its reason


def test_refused_carries_a_code_and_a_plain_message():
    refused = imaging.Refused("empty")
    assert refused.code == "empty"
    assert str(refused) == refused.message
    assert_plain(refused.message)
    custom = imaging.Refused("empty", "Nothing arrived. Please try again.")
    assert custom.message == "Nothing arrived. Please try again."


def test_an_empty_file_is_refused(tmp_path):
    assert refusal(tmp_path, b"").code == "empty"


@pytest.mark.parametrize("size", [(640, 480), (2400, 1800)], ids=["whole", "scaled-decode"])
def test_a_truncated_jpeg_is_refused_even_when_decoded_at_a_reduced_scale(tmp_path, size):
    assert refusal(tmp_path, images.truncated_jpeg(size)).code == "truncated"


def test_a_truncated_png_is_refused(tmp_path):
    data = images.png()
    assert refusal(tmp_path, data[: len(data) // 2], "photo.png").code == "truncated"


def test_a_jpeg_cut_off_in_its_header_is_refused(tmp_path):
    assert refusal(tmp_path, images.jpeg()[:300]).code in ("truncated", "damaged")


def test_a_damaged_webp_is_refused(tmp_path):
    data = images.webp()
    assert refusal(tmp_path, data[: len(data) // 2], "photo.webp").code in (
        "truncated", "damaged")


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (images.text, "not_an_image"),
        (images.html, "not_an_image"),
        (images.php, "not_an_image"),
        (images.svg, "unsupported_format"),
    ],
    ids=["text", "html", "php", "svg"],
)
def test_text_named_like_a_photo_is_refused(tmp_path, make, code):
    refused = refusal(tmp_path, make(), "holiday.jpg")
    assert refused.code == code
    assert "JPEG, PNG, WebP or HEIC" in refused.message


@pytest.mark.parametrize(
    ("make", "name"),
    [(images.tiff, "TIFF"), (images.bmp, "BMP"), (lambda: images.gif(animated=False), "GIF")],
    ids=["tiff", "bmp", "still-gif"],
)
def test_image_formats_we_do_not_take_are_refused_by_name(tmp_path, make, name):
    refused = refusal(tmp_path, make(), "photo.jpg")
    assert refused.code == "unsupported_format"
    assert name in refused.message


def test_a_video_is_refused_as_a_video(tmp_path):
    movie = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    assert refusal(tmp_path, movie, "clip.heic").code == "video"


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (images.gif, "moving.gif"),
        (lambda: images.webp(animated=True), "moving.webp"),
        (lambda: images.png(animated=True), "moving.png"),
    ],
    ids=["gif", "webp", "apng"],
)
def test_moving_pictures_are_refused_kindly(tmp_path, make, name):
    refused = refusal(tmp_path, make(), name)
    assert refused.code == "animated"
    assert "still photo" in refused.message


def test_a_png_bomb_is_refused_before_it_is_decoded(tmp_path):
    assert refusal(tmp_path, images.png_bomb(), "bomb.png").code == "too_many_pixels"


def test_the_pixel_limit_is_ours_and_read_from_the_header(tmp_path):
    # 121 MP: past Pillow's warning threshold but short of its own refusal, so only our
    # limit (and not a DecompressionBombWarning, an error in this test run) turns it down.
    assert refusal(tmp_path, images.png_bomb(11_000), "bomb.png").code == "too_many_pixels"
    refused = refusal(tmp_path, images.jpeg((640, 480)), max_pixels=640 * 480 - 1)
    assert refused.code == "too_many_pixels"


def test_pillows_own_limit_neither_blocks_what_we_allow_nor_is_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 200_000)  # warns above, refuses above 2x
    filters = list(warnings.filters)
    processed = process(tmp_path, images.jpeg((640, 480)))
    assert (processed.width, processed.height) == (640, 480)
    assert Image.MAX_IMAGE_PIXELS == 200_000
    assert warnings.filters == filters

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    assert refusal(tmp_path, images.jpeg((640, 480))).code == "too_many_pixels"


# Accepted, and made right


def test_a_jpeg_with_a_script_glued_on_is_accepted_and_the_script_dropped(tmp_path):
    processed = process(tmp_path, images.polyglot_jpeg())
    assert processed.format == "JPEG"
    for data in (processed.large, processed.thumb):
        lowered = data.lower()
        assert b"<script" not in lowered
        assert b"<?php" not in lowered
    for copy in copies(processed):
        assert "comment" not in copy.info


def test_a_cmyk_jpeg_becomes_rgb_with_the_plain_conversion(tmp_path):
    processed = process(tmp_path, images.cmyk_jpeg())
    large = opened(processed.large)
    assert large.mode == "RGB"
    assert "icc_profile" not in large.info
    assert mean_difference(large, images.scene((320, 240))) < 8


def test_a_cmyk_jpeg_with_a_profile_is_converted_to_srgb_through_it(tmp_path):
    processed = process(tmp_path, images.cmyk_jpeg(icc=True))
    large = opened(processed.large)
    assert large.mode == "RGB"
    profile = ImageCms.ImageCmsProfile(io.BytesIO(large.info["icc_profile"]))
    assert profile.profile.xcolor_space.strip() == "RGB"
    assert "sRGB" in ImageCms.getProfileDescription(profile)
    # The test profile is coarse (two grid points an ink), so the colours are only close.
    assert mean_difference(large, images.scene((320, 240))) < 25


def test_a_16_bit_png_is_scaled_to_8_bits_not_clipped_to_white(tmp_path):
    processed = process(tmp_path, images.png(mode="I;16"), "photo.png")
    large = opened(processed.large)
    assert large.mode == "L"
    expected = images.scene().convert("L")
    assert mean_difference(large, expected) < 4
    assert np.asarray(large).mean() < 200


@pytest.mark.parametrize(
    ("data", "name", "mode"),
    [
        (lambda: images.png(mode="RGBA"), "photo.png", "RGB"),
        (lambda: images.png(mode="LA"), "photo.png", "L"),
        (lambda: images.webp(mode="RGBA", lossless=True), "photo.webp", "RGB"),
    ],
    ids=["png-rgba", "png-la", "webp-rgba"],
)
def test_a_transparent_picture_is_put_on_white(tmp_path, data, name, mode):
    processed = process(tmp_path, data(), name)
    large = opened(processed.large)
    assert large.mode == mode
    assert near(colour_at(large, 0.5, 0.5), (255, 255, 255), 8)  # the transparent hole
    assert near(colour_at(large, 0.0, 0.0), colour_at(images.scene().convert(mode), 0.0, 0.0))


def test_a_grey_jpeg_stays_grey(tmp_path):
    large = opened(process(tmp_path, images.jpeg(mode="L")).large)
    assert large.mode == "L"
    assert mean_difference(large, images.scene().convert("L")) < 4


def test_a_palette_png_becomes_rgb(tmp_path):
    large = opened(process(tmp_path, images.png(mode="P"), "photo.png").large)
    assert large.mode == "RGB"
    assert mean_difference(large, images.scene()) < 12


def test_a_multi_picture_jpeg_from_a_phone_is_an_ordinary_jpeg(tmp_path):
    processed = process(tmp_path, images.mpo())
    assert (processed.format, processed.mime_type) == ("JPEG", "image/jpeg")
    assert (processed.width, processed.height) == (640, 480)
    assert all(not copy.getexif() for copy in copies(processed))


def test_a_heic_from_an_iphone_round_trips(tmp_path):
    processed = process(tmp_path, images.heic(gps=True, orientation=6), "IMG_0001.HEIC")
    assert (processed.format, processed.mime_type) == ("HEIF", "image/heif")
    assert (processed.width, processed.height) == (320, 240)
    large = opened(processed.large)
    assert large.format == "JPEG"
    assert large.size == (320, 240)
    assert not large.getexif()
    assert near(colour_at(large, 0.0, 0.0), images.TOP_LEFT_COLOUR)
    assert near(colour_at(large, 1.0, 1.0), images.BOTTOM_RIGHT_COLOUR)


def test_a_webp_is_accepted_and_stripped(tmp_path):
    processed = process(tmp_path, images.webp(gps=True, icc=True, xmp=True), "photo.webp")
    assert (processed.format, processed.mime_type) == ("WEBP", "image/webp")
    for copy in copies(processed):
        assert copy.format == "JPEG"
        assert not copy.getexif()
        assert "xmp" not in copy.info
        assert copy.info["icc_profile"] == images.srgb_icc()


# Metadata: the display copies keep the colours and nothing else


def test_the_copies_lose_gps_exif_xmp_and_comments_but_keep_the_colour_profile(tmp_path):
    profile = images.other_rgb_icc()
    original = images.jpeg(
        (2000, 1500), gps=True, comment="Taken at Oak House", xmp=True, icc_profile=profile,
        digital_zoom=2.0,
    )
    assert opened(original).getexif().get_ifd(images.GPS_IFD)  # the test means something
    processed = process(tmp_path, original)
    for data, copy in zip((processed.large, processed.thumb), copies(processed), strict=True):
        assert not copy.getexif()
        assert not copy.getexif().get_ifd(images.GPS_IFD)
        assert b"Exif\x00\x00" not in data
        assert b"ns.adobe.com/xap" not in data and "xmp" not in copy.info
        assert "comment" not in copy.info and b"Oak House" not in data
        assert copy.info["icc_profile"] == profile
    # The checks still read the original's EXIF before it was left behind.
    assert processed.checks["distance"]["verdict"] == "digital_zoom"


def test_png_text_chunks_and_exif_are_left_behind(tmp_path):
    original = images.png(gps=True, icc=True, text={"Author": "Jo Bloggs", "Comment": "Oak House"})
    processed = process(tmp_path, original, "photo.png")
    for data, copy in zip((processed.large, processed.thumb), copies(processed), strict=True):
        assert not copy.getexif()
        assert b"Jo Bloggs" not in data and b"Oak House" not in data
        assert set(copy.info) <= {"icc_profile", "jfif", "jfif_version", "jfif_unit",
                                  "jfif_density", "dpi"}
        assert copy.info["icc_profile"] == images.srgb_icc()


# Orientation, size and speed


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_the_exif_orientation_is_applied_to_copies_checks_and_reported_size(
    tmp_path, monkeypatch, orientation
):
    seen: list[tuple[int, int]] = []
    analyse = checks.analyse

    def spy(image, **options):
        seen.append(image.size)
        return analyse(image, **options)

    monkeypatch.setattr(checks, "analyse", spy)
    data = images.jpeg((640, 480), orientation=orientation)
    stored = opened(data)
    if orientation != 3:
        assert stored.size == (480, 640)  # stored sideways, as a phone held upright does

    processed = process(tmp_path, data)
    result = imaging.check_file(tmp_path / "photo.jpg", max_pixels=MAX_PIXELS)
    assert (processed.width, processed.height) == (640, 480)
    assert (result["width"], result["height"]) == (640, 480)
    assert all(width > height for width, height in seen) and len(seen) == 2
    for copy in copies(processed):
        assert copy.width > copy.height
        assert near(colour_at(copy, 0.0, 0.0), images.TOP_LEFT_COLOUR)
        assert near(colour_at(copy, 1.0, 1.0), images.BOTTOM_RIGHT_COLOUR)


def test_the_orientation_of_a_png_is_applied_too(tmp_path):
    processed = process(tmp_path, images.png(orientation=6), "photo.png")
    assert (processed.width, processed.height) == (640, 480)
    large = opened(processed.large)
    assert large.size == (640, 480)
    assert near(colour_at(large, 0.0, 0.0), images.TOP_LEFT_COLOUR)


@pytest.mark.parametrize(
    ("size", "large", "thumb"),
    [((300, 200), (300, 200), (300, 200)), ((1000, 750), (1000, 750), (400, 300)),
     ((2000, 1500), (1600, 1200), (400, 300)), ((1200, 1800), (1067, 1600), (267, 400))],
)
def test_copies_are_scaled_down_to_their_long_side_and_never_up(tmp_path, size, large, thumb):
    processed = process(tmp_path, images.jpeg(size))
    assert opened(processed.large).size == large
    assert opened(processed.thumb).size == thumb
    assert processed.megapixels == round(size[0] * size[1] / 1e6, 2)


def test_a_big_jpeg_is_decoded_at_a_reduced_scale(tmp_path, monkeypatch):
    scales: list[float] = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        full_width = self.size[0]
        result = draft(self, mode, size)
        scales.append(full_width / self.size[0])
        return result

    def smallest_scale(long_side: int, target: int) -> int:
        return max(s for s in (1, 2, 4, 8) if -(-long_side // s) >= target)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    path = save(tmp_path, images.jpeg((4096, 3072)))
    processed = imaging.process(path, max_pixels=MAX_PIXELS)
    imaging.check_file(path, max_pixels=MAX_PIXELS)
    assert scales == [
        smallest_scale(4096, imaging.LARGE_LONG_SIDE),
        smallest_scale(4096, checks.ANALYSIS_LONG_SIDE),
    ]
    assert scales[0] == 2
    assert opened(processed.large).size == (1600, 1200)


def test_check_file_agrees_with_process(tmp_path):
    path = save(tmp_path, images.jpeg((2400, 1800), digital_zoom=1.5))
    result = imaging.check_file(path, max_pixels=MAX_PIXELS)
    processed = imaging.process(path, max_pixels=MAX_PIXELS)
    assert set(result) == {"width", "height", "megapixels", "checks"}
    assert (result["width"], result["height"], result["megapixels"]) == (2400, 1800, 4.32)
    assert set(result["checks"]) == {"resolution", "steadiness", "light", "distance"}
    for name, found in result["checks"].items():
        assert found["verdict"] == processed.checks[name]["verdict"]
        if "score" in found:
            assert found["score"] == pytest.approx(processed.checks[name]["score"], abs=0.05)
