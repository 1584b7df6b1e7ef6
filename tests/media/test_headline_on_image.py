"""Words printed on the user's own picture: same size, same pixels outside the band, the words readable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def test_headline_on_a_user_photo_keeps_it(tmp_path: Path) -> None:
    from PIL import Image, ImageChops, ImageDraw

    from genloom import api

    photo = tmp_path / "house.jpg"
    img = Image.new("RGB", (640, 420), (90, 160, 220))
    ImageDraw.Draw(img).rectangle([100, 60, 300, 200], fill=(240, 200, 40))
    img.save(photo, quality=95)
    out = api.create("image", "", params={"base_image": str(photo), "headline": "Grand Opening"})
    with Image.open(out.paths[0]) as made, Image.open(photo) as original:
        assert made.size == (640, 420)
        top = (0, 0, 640, int(420 * 0.6))  # above the band the picture is untouched
        diff = ImageChops.difference(made.convert("RGB").crop(top), original.convert("RGB").crop(top))
        assert max(hi for _, hi in diff.getextrema()) <= 2
    if shutil.which("tesseract"):
        from genloom.testing.checks import printed_recall, printed_text

        assert printed_recall("Grand Opening", printed_text(out.paths[0])) == 1.0


def test_base_image_needs_words_and_a_picture(tmp_path: Path) -> None:
    from genloom import api
    from genloom.errors import InvalidInput

    text = tmp_path / "x.png"
    text.write_text("not a picture")
    with pytest.raises(InvalidInput, match="headline"):
        api.create("image", "", params={"base_image": str(text)})
    with pytest.raises(InvalidInput, match="Cannot open base_image"):
        api.create("image", "", params={"base_image": str(text), "headline": "Hi"})
