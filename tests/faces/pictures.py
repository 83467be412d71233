"""Pictures with and without faces, from the photographs scikit-image ships."""

import io

import numpy as np
from PIL import Image
from skimage import data

# Where the astronaut's face is in scikit-image's picture (512 × 512), as fractions.
ASTRONAUT_FACE = (0.35, 0.11, 0.18, 0.24)


def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


def landscape() -> Image.Image:
    """A rocket on its launch pad under the sky: no one in it."""
    return Image.fromarray(data.rocket())


def two_people() -> Image.Image:
    """The astronaut twice, side by side: two faces."""
    one = astronaut()
    both = Image.new("RGB", (one.width * 2, one.height))
    both.paste(one, (0, 0))
    both.paste(one.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (one.width, 0))
    return both


def jpeg(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92)
    return out.getvalue()


def laplacian_variance(picture: Image.Image) -> float:
    """How much fine detail a picture holds: a heavy blur leaves little."""
    grey = np.asarray(picture.convert("L"), dtype=np.float64)
    lap = (4 * grey[1:-1, 1:-1] - grey[:-2, 1:-1] - grey[2:, 1:-1]
           - grey[1:-1, :-2] - grey[1:-1, 2:])
    return float(lap.var())


def crop(data: bytes, face) -> Image.Image:
    """The face's box (fractions, as stored) cut from a JPEG of any size."""
    picture = Image.open(io.BytesIO(data))
    width, height = picture.size
    return picture.crop((round(face.x * width), round(face.y * height),
                         round((face.x + face.w) * width), round((face.y + face.h) * height)))
