"""Photo-like pictures drawn with Pillow at seed time, so the demo shows images without committing any.

Soft shapes over a gradient, with a photo's grain: they weigh, once compressed, about what a photograph of
the same size does, which is what the page weight budget and Lighthouse measure.
"""

import io
import random

from django.core.files.images import ImageFile
from PIL import Image, ImageDraw, ImageFilter


def photo_like_jpeg(seed, width=1600, height=1000, quality=85):
    """A JPEG of `width` × `height` pixels, the same for the same seed."""
    rng = random.Random(seed)
    top = tuple(rng.randrange(40, 220) for _ in range(3))
    bottom = tuple(rng.randrange(20, 200) for _ in range(3))
    # A vertical gradient, drawn small and enlarged: sky to ground.
    gradient = Image.new("RGB", (1, 64))
    for y in range(64):
        gradient.putpixel((0, y), tuple(round(t + (b - t) * y / 63) for t, b in zip(top, bottom, strict=True)))
    picture = gradient.resize((width, height), Image.Resampling.BICUBIC)
    # Blurred shapes stand for people, desks and screens.
    shapes = Image.new("RGB", (width, height))
    mask = Image.new("L", (width, height), 0)
    draw, draw_mask = ImageDraw.Draw(shapes), ImageDraw.Draw(mask)
    for _ in range(14):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 12, width // 3), rng.randrange(height // 12, height // 2)
        box = (x - w // 2, y - h // 2, x + w // 2, y + h // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.choice((draw.ellipse, draw.rectangle))
        shape(box, fill=colour)
        (draw_mask.ellipse if shape == draw.ellipse else draw_mask.rectangle)(box, fill=rng.randrange(120, 230))
    blur = ImageFilter.GaussianBlur(max(width, height) / 300)
    picture.paste(shapes.filter(blur), mask=mask.filter(blur))
    # Texture at a few scales (walls, clothes, foliage) survives resizing, as a real photograph's detail does;
    # the finest grain is a camera's noise.
    for divisor, strength in ((8, 0.18), (3, 0.16), (1, 0.08)):
        size = (max(1, width // divisor), max(1, height // divisor))
        texture = Image.merge("RGB", [Image.effect_noise(size, 64) for _ in range(3)])
        picture = Image.blend(picture, texture.resize((width, height), Image.Resampling.BICUBIC), strength)
    output = io.BytesIO()
    picture.save(output, "JPEG", quality=quality)
    return output.getvalue()


def photo_like_image_file(seed, name, width=1600, height=1000):
    """The picture as a file Wagtail's Image model accepts."""
    return ImageFile(io.BytesIO(photo_like_jpeg(seed, width, height)), name=name)
