"""Clips: animated composed scenes, Ken Burns slideshows, GIF, labels, soundtrack, bad input."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genloom import api
from genloom.api import create
from genloom.errors import InvalidInput
from genloom.video.encode import parse_ffmetadata, probe, read_mp4_label


def test_animated_mp4_is_h264_labelled_and_recorded(outdir):
    from genloom.store.db import get_store

    out = outdir / "ball.mp4"
    result = create("video", "a bouncing basketball", params={"seconds": 2, "fps": 12, "size": "128x96", "seed": 3},
                    output=out)
    assert result.paths == [out]
    info = probe(out)
    assert info["video"] == "h264" and info["size"] == (128, 96)
    assert abs(info["duration"] - 2.0) < 0.2 and info["fps"] == 12
    assert result.meta["mode"] == "animate" and result.meta["motion"] == "bounce"
    label = read_mp4_label(out)
    assert label["ai_generated"] is True and label["model"] == "genloom-video"
    assert label["stills_model"] == "genloom-composer"
    assert any("OpenMoji" in a["attribution"] for a in label["attribution"])
    asset = get_store().asset(result.asset_ids[0])
    assert asset["mime"] == "video/mp4" and asset["meta"]["ai_generated"] is True
    assert get_store().asset_path(asset).read_bytes() == out.read_bytes()


def _frames(path: Path) -> list[np.ndarray]:
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return [np.frombuffer(f, dtype=np.uint8).reshape(h, w, 3).astype(np.int16) for f in reader]


def test_subject_actually_moves(outdir):
    out = outdir / "spin.mp4"
    create("video", "a spinning pizza", params={"seconds": 1, "fps": 10, "size": "128x128", "seed": 1}, output=out)
    frames = _frames(out)
    assert len(frames) == 10
    assert np.abs(frames[0] - frames[5]).mean() > 2


def test_gif_slideshow_of_scenes(outdir):
    out = outdir / "trip.gif"
    result = create("video", "a sunny beach; a jazz night; a sleepy panda",
                    params={"seconds": 3, "fps": 6, "size": "96x96", "seed": 2}, output=out)
    assert result.meta["mode"] == "slideshow" and result.meta["format"] == "gif"
    with Image.open(out) as gif:
        assert gif.n_frames == 18 and gif.size == (96, 96)
        label = json.loads(gif.info["comment"])
        first = np.asarray(gif.convert("RGB"), dtype=np.int16)
        gif.seek(17)
        last = np.asarray(gif.convert("RGB"), dtype=np.int16)
    assert label["ai_generated"] is True
    assert np.abs(first - last).mean() > 10  # a different still at the end


def test_slideshow_from_given_images(outdir, tmp_path):
    stills = []
    for i, colour in enumerate(["red", "blue"]):
        p = tmp_path / f"s{i}.png"
        Image.new("RGB", (200, 150), colour).save(p)
        stills.append(p)
    out = outdir / "s.mp4"
    result = create("video", "two colours", params={"images": stills, "seconds": 2, "fps": 8, "size": "96x64"},
                    output=out)
    assert result.meta["stills_model"] == "files"
    frames = _frames(out)
    assert frames[0][..., 0].mean() > 150 and frames[-1][..., 2].mean() > 150


def test_one_video_request_records_one_generation(outdir, monkeypatch):
    """Narration and music are made inside the video: no hidden speech or music generations are recorded."""
    from video_fakes import FakeSpeaker, fake_composer

    from genloom.store.db import get_store
    from genloom.video import runner

    monkeypatch.setattr(runner, "speak_with_genloom", FakeSpeaker())
    monkeypatch.setattr(runner, "compose_with_genloom", fake_composer)
    out = outdir / "n.mp4"
    result = create("video", "a rocket launch", params={"seconds": 3, "fps": 8, "size": "64x64",
                                                       "narration": "Lift off!", "music": True}, output=out)
    assert result.meta["audio"] is True and probe(out)["audio"]
    kinds = [g["kind"] for g in get_store().generations()]
    assert kinds == ["video"]
    params = get_store().generation(result.generation_id)["params"]
    assert params["narration"]["model"] == "fake-voice" and params["music"]["model"] == "fake-music"


def test_existing_audio_files_are_used_as_they_are(outdir, monkeypatch):
    monkeypatch.delitem(api.RUNNERS, "speech", raising=False)
    monkeypatch.delitem(api.RUNNERS, "music", raising=False)
    tone = outdir / "voice.wav"
    with wave.open(str(tone), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        t = np.arange(16000 * 2) / 16000
        w.writeframes((np.sin(2 * np.pi * 330 * t) * 8000).astype(np.int16).tobytes())
    out = outdir / "kit.mp4"
    result = create("video", "a lamp promo", params={"seconds": 1, "fps": 6, "size": "64x64",
                                                    "narration_audio": str(tone), "music_audio": str(tone)},
                    output=out)
    # No generator was asked for audio (none is installed), yet the clip has sound.
    assert probe(out)["audio"] and not any("skipped" in n for n in result.meta.get("notes", []))


def test_missing_audio_file_is_a_clear_error(outdir):
    with pytest.raises(InvalidInput, match="No such audio file"):
        create("video", "x", params={"seconds": 1, "size": "64x64", "narration_audio": str(outdir / "none.wav")},
               output=outdir / "x.mp4")
    assert not (outdir / "x.mp4").exists()


@pytest.mark.parametrize(("params", "name", "param"), [
    ({"seconds": 0}, "a.mp4", "seconds"),
    ({"seconds": -2}, "a.mp4", "seconds"),
    ({"fps": 0}, "a.mp4", "fps"),
    ({"size": "65x64"}, "a.mp4", "size"),
    ({"size": "0x0"}, "a.mp4", "size"),
    ({"mode": "warp"}, "a.mp4", "mode"),
    ({"motion": "teleport"}, "a.mp4", "motion"),
    ({"colour": "red"}, "a.mp4", "colour"),
    ({}, "a.avi", "output"),
])
def test_bad_input_fails_cleanly(outdir, params, name, param):
    with pytest.raises(InvalidInput) as err:
        create("video", "a cat", params=params, output=outdir / name)
    assert err.value.param == param
    assert list(outdir.iterdir()) == []


def test_empty_prompt(outdir):
    with pytest.raises(InvalidInput):
        create("video", "  ", output=outdir / "a.mp4")
    assert list(outdir.iterdir()) == []


def test_parse_ffmetadata_unescapes():
    text = ";FFMETADATA1\ntitle=a\\=b\\;c\ncomment=line1\\\nline2\n"
    assert parse_ffmetadata(text) == {"title": "a=b;c", "comment": "line1\nline2"}
