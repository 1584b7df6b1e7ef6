"""A video's spoken line and a listed set of photos, end to end through ``genloom run`` on the real generators.

What is measured is the delivered file: the words Whisper hears in the video's
sound, its length, and which photos are on screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from genloom.testing import checks

from .test_inputs_e2e import delivered, genloom_run

pytestmark = pytest.mark.e2e

LINE = "Fresh oranges are half price on Saturday morning."


def test_a_line_a_speaker_says_in_a_video_is_heard_in_it(tmp_path: Path) -> None:
    code, data, err = genloom_run(tmp_path, f'A quick video in which a cheerful woman says "{LINE}"')
    assert code == 0, err
    video = delivered(data, "video", (".mp4",))
    assert checks.word_recall(LINE, checks.spoken_text(video)) >= 0.7
    speech = next(s for s in data["steps"] if s["kind"] == "speech")
    assert checks.seconds(video) >= checks.seconds(speech["paths"][0]) - 0.05  # never cut mid-word


def test_every_photo_of_a_listed_set_is_shown(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    names = ["red.png", "green.png", "blue.png"]
    for i, (name, colour) in enumerate(zip(names, ((210, 40, 40), (40, 190, 70), (40, 70, 210)), strict=True)):
        img = Image.new("RGB", (320, 240), colour)
        ImageDraw.Draw(img).rectangle([20 + 90 * i, 60, 110 + 90 * i, 180], fill=(245, 245, 245))
        img.save(tmp_path / name)
    code, data, err = genloom_run(tmp_path, "Put red.png, green.png, and blue.png in a 6-second slideshow.")
    assert code == 0, err
    video = delivered(data, "video", (".mp4",))
    assert all(checks.frame_matches(video, [tmp_path / n for n in names]))
    assert checks.seconds(video) == pytest.approx(6, abs=0.6)
