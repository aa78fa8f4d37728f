"""Uploaded profile photos: what ``prepare_photo`` costs and what it keeps, for the sizes a
mentor sends (a phone photo of 12 Mpx, a 4 Mpx screenshot, a small avatar). Prints figures;
asserts nothing.

    .venv/bin/python bench/photos.py [--runs 5]

Inputs are made here with Pillow (a gradient with grain, so that they do not compress to nothing); the
figures are the median wall time of ``prepare_photo`` and the stored size.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from PIL import Image

from scheduler.catalog import prepare_photo

CASES = (
    ("phone JPEG 4000x3000", (4000, 3000), "JPEG"),
    ("screenshot PNG 2560x1600", (2560, 1600), "PNG"),
    ("avatar WebP 512x512", (512, 512), "WEBP"),
)


def sample(size: tuple[int, int], kind: str) -> bytes:
    """A photo-like picture (a gradient with some grain); a screenshot is flat colour."""
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    if kind == "PNG":
        picture = gradient.quantize(16).convert("RGB")
    else:
        grain = Image.effect_noise(size, 40).convert("RGB")
        picture = Image.blend(gradient, grain, 0.12)
    out = io.BytesIO()
    picture.save(out, format=kind, **({} if kind == "PNG" else {"quality": 85}))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"{'input':28} {'in kB':>8} {'median ms':>10} {'stored kB':>10} {'ratio':>8}")
    for name, size, kind in CASES:
        data = sample(size, kind)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            photo = prepare_photo(data)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:28} {len(data) / 1024:8.0f} {statistics.median(times):10.1f} "
            f"{len(photo.content) / 1024:10.1f} {len(data) / len(photo.content):8.0f}x"
        )


if __name__ == "__main__":
    main()
