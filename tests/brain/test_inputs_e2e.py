"""Real requests on the user's files, end to end through ``genloom run`` on the real generators.

The delivered files are measured with the same checkers as bench/fidelity.py
(genloom.testing.checks): lengths, words spoken, frames shown.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from genloom.cli import cli
from genloom.testing import checks

pytestmark = pytest.mark.e2e

NOTICE = "The library will close early on Friday at four o'clock. Please return borrowed laptops by noon."


def genloom_run(tmp_path: Path, request: str, *inputs: str, llm: bool = False) -> tuple[int, dict[str, Any], str]:
    args = ["run", request, "-o", str(tmp_path / "out"), "--json", *(a for i in inputs for a in ("-i", i))]
    if not llm:
        args.append("--no-llm")
    cwd = os.getcwd()
    os.chdir(tmp_path)  # names in the request are found relative to the working directory
    try:
        res = CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    data = json.loads(res.stdout) if res.stdout.strip().startswith("{") else {}
    return res.exit_code, data, res.stderr


def delivered(data: dict[str, Any], kind: str, suffixes: tuple[str, ...]) -> Path:
    for step in data["steps"]:
        if step["kind"] == kind and step["status"] == "ok":
            for p in step["paths"]:
                if Path(p).suffix in suffixes:
                    return Path(p)
    raise AssertionError(f"no {kind} delivered: {[(s['step_id'], s['status'], s['error']) for s in data['steps']]}")


def speak(path: Path, text: str) -> Path:
    from genloom import api

    path.write_bytes(Path(api.create("speech", text, params={}).paths[0]).read_bytes())
    return path


def test_narrate_a_text_file_speaks_its_words(tmp_path: Path) -> None:
    (tmp_path / "notice.txt").write_text(NOTICE)
    code, data, err = genloom_run(tmp_path, "Narrate notice.txt.")
    assert code == 0, err
    audio = delivered(data, "speech", (".wav",))
    assert checks.word_recall(NOTICE, checks.spoken_text(audio)) >= 0.8
    assert 4 < checks.seconds(audio) < 15


def test_transcribe_a_recording_typed_by_content(tmp_path: Path) -> None:
    # A WAV named .txt, passed with -i: its content makes it audio.
    speak(tmp_path / "recording.txt", NOTICE)
    code, data, err = genloom_run(tmp_path, "Transcribe this recording.", "recording.txt")
    assert code == 0, err
    assert data["plan"]["inputs"][0]["kind"] == "audio"
    text = " ".join(s.get("text") or "" for s in data["steps"] if s["status"] == "ok")
    assert checks.word_recall("library close early Friday laptops noon", text) >= 0.6, text


def test_slideshow_shows_every_user_image(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    names = []
    for i, colour in enumerate(((220, 40, 40), (40, 200, 60), (40, 60, 220))):
        img = Image.new("RGB", (320, 240), colour)
        ImageDraw.Draw(img).ellipse([40 + 60 * i, 40, 160 + 60 * i, 160], fill=(250, 250, 250))
        names.append(f"photo{i}.png")
        img.save(tmp_path / names[-1])
    code, data, err = genloom_run(tmp_path, "A 6-second slideshow video of these photos.", *names)
    assert code == 0, err
    video = delivered(data, "video", (".mp4",))
    assert all(checks.frame_matches(video, [tmp_path / n for n in names]))
    assert checks.seconds(video) == pytest.approx(6, abs=0.6)


def test_a_slideshow_of_user_photos_shows_only_them_for_the_asked_length(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    names = []
    for i, colour in enumerate(((200, 60, 30), (30, 90, 200))):
        img = Image.new("RGB", (320, 240), colour)
        ImageDraw.Draw(img).rectangle([30 + 120 * i, 50, 150 + 120 * i, 190], fill=(245, 245, 245))
        names.append(f"shot{i}.png")
        img.save(tmp_path / names[-1])
    # With the LLM: it would write a shot list for the video, whose drawn stills must not take the photos' time.
    code, data, err = genloom_run(tmp_path, "A 12-second slideshow of these photos.", *names, llm=True)
    assert code == 0, err
    video = delivered(data, "video", (".mp4",))
    assert checks.seconds(video) == pytest.approx(12, abs=0.6)
    # Crossfades mix two photos for a moment; everything else on screen is one of them.
    assert checks.frames_showing(video, [tmp_path / n for n in names]) >= 0.85


def test_summary_uses_only_the_file(tmp_path: Path) -> None:
    report = ("Alder Bikes quarterly report. Revenue was 4.2 million euros. The Lyon store opened in May "
              "and sold 640 bikes in its first month.")
    (tmp_path / "report.txt").write_text(report)
    code, data, err = genloom_run(tmp_path, "Summarize report.txt in one sentence.", llm=True)
    assert code == 0, err
    text = " ".join(s.get("text") or "" for s in data["steps"] if s["kind"] == "text")
    assert checks.word_recall("Lyon revenue", text) >= 0.5, text
    import re

    invented = set(re.findall(r"\d+(?:\.\d+)?", text)) - set(re.findall(r"\d+(?:\.\d+)?", report))
    assert not invented, text


def test_missing_and_unreadable_inputs_stop_before_anything_runs(tmp_path: Path) -> None:
    code, data, err = genloom_run(tmp_path, "Summarize minutes.wav.")
    assert code == 1 and "minutes.wav does not exist" in err and not data
    (tmp_path / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk" + bytes(range(256)) * 4)
    code, data, err = genloom_run(tmp_path, "Transcribe it.", "broken.wav")
    assert code == 1 and "broken.wav" in err and "no decodable sound" in err


def test_music_under_a_clip_keeps_its_length_and_picture(tmp_path: Path) -> None:
    import subprocess

    from genloom.video.encode import ffmpeg_exe

    clip = tmp_path / "demo.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=12:duration=4",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip)], check=True, timeout=60)
    still = tmp_path / "still.png"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-ss", "1", "-i", str(clip), "-frames:v", "1", str(still)],
                   check=True, timeout=60)
    code, data, err = genloom_run(tmp_path, "Put calm music under demo.mp4.")
    assert code == 0, err
    assert data["plan"]["deliverables"] == ["video"]
    video = delivered(data, "video", (".mp4",))
    assert checks.seconds(video) == pytest.approx(4.0, abs=0.3)
    assert checks.frame_matches(video, [still]) == [True]
    import numpy as np

    assert float(np.sqrt(np.mean(np.square(checks._samples(video))))) > 0.005  # the music is there
