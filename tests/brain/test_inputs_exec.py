"""The executor with the user's files and chained durations, on fake generators that make real WAVs.

The fakes measure nothing themselves: speech lasts words / 2.5 / speed seconds, music lasts the
seconds it is asked for, so the tests see exactly what the executor asked each generator for.
"""

from __future__ import annotations

import io
import math
import struct
import sys
import types
import wave
from pathlib import Path
from typing import Any

import pytest

from genloom.brain import execute
from genloom.brain.graph import Plan, Step
from genloom.inputs import type_file

CALLS: list[dict[str, Any]] = []


def wav(seconds: float, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(3000 * math.sin(i / 5))) for i in range(int(seconds * rate))))
    return buf.getvalue()


def _record(kind: str, prompt: str, params: dict[str, Any], data: bytes, mime: str, ext: str, **kw: Any) -> Any:
    from genloom.api import Result, record_files

    CALLS.append({"kind": kind, "prompt": prompt, "params": dict(params)})
    gid, ids, paths = record_files(kind=kind, task=f"fake-{kind}", model_id=f"fake-{kind}", prompt=prompt,
                                   params={}, parent_ids=kw.get("parent_ids"), run_id=kw.get("run_id"),
                                   files=[{"data": data, "mime": mime, "ext": ext}])
    return Result(kind=kind, generation_id=gid, model_id=f"fake-{kind}", asset_ids=ids, paths=paths)


def fake_speech(prompt: str, *, params: dict[str, Any], **kw: Any) -> Any:
    seconds = len(prompt.split()) / 2.5 / float(params.get("speed") or 1.0)
    return _record("speech", prompt, params, wav(seconds), "audio/wav", ".wav", **kw)


def fake_music(prompt: str, *, params: dict[str, Any], **kw: Any) -> Any:
    return _record("music", prompt, params, wav(float(params.get("seconds") or 15)), "audio/wav", ".wav", **kw)


def fake_video(prompt: str, *, params: dict[str, Any], **kw: Any) -> Any:
    return _record("video", prompt, params, b"not really a video", "video/mp4", ".mp4", **kw)


def fake_image(prompt: str, *, params: dict[str, Any], **kw: Any) -> Any:
    return _record("image", prompt, params, b"png?", "image/png", ".png", **kw)


def fake_transcript(prompt: str, *, params: dict[str, Any], **kw: Any) -> Any:
    from genloom.api import Result

    assert Path(prompt).is_file(), "the transcriber gets a real audio file"
    CALLS.append({"kind": "transcript", "prompt": prompt, "params": dict(params)})
    return Result(kind="transcript", generation_id=None, model_id="fake-stt",
                  text="the launch moves to march and priya owns billing")


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch, fake_model: Any) -> Any:
    from genloom import api

    module = types.ModuleType("genloom_test_input_fakes")
    for name, fn in (("speech", fake_speech), ("music", fake_music), ("video", fake_video),
                     ("image", fake_image), ("transcript", fake_transcript)):
        setattr(module, name, fn)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(api, "RUNNERS", {**api.RUNNERS, **{k: f"{module.__name__}:{k}" for k in (
        "speech", "music", "video", "image", "transcript")}})
    CALLS.clear()
    return fake_model


def calls(kind: str) -> list[dict[str, Any]]:
    return [c for c in CALLS if c["kind"] == kind]


def test_video_without_asked_length_lasts_its_narration_and_music_waits(fakes: Any) -> None:
    words = " ".join(["word"] * 15)  # 6 seconds of speech
    p = Plan(request="a narrated video", deliverables=["video"], steps=[
        Step(id="voice", kind="speech", task="voice", instruction="narrate", prompt=words, deliverable=False),
        Step(id="bed", kind="music", task="bed", instruction="calm music", prompt="calm", deliverable=False),
        Step(id="video", kind="video", task="video", instruction="the video", prompt="a video",
             inputs=["voice", "bed"]),
    ])
    result = execute(p, use_llm=False)
    assert result.ok, [r.error for r in result.steps]
    (music,) = calls("music")
    (video,) = calls("video")
    assert music["params"]["seconds"] == pytest.approx(6.5, abs=0.05)  # the narration, plus a breath
    assert video["params"]["seconds"] == pytest.approx(6.5, abs=0.05)
    assert video["params"]["narration_text"] == words
    assert Path(video["params"]["narration_audio"]).is_file() and Path(video["params"]["music_audio"]).is_file()


def test_narration_too_long_for_the_asked_video_is_spoken_faster(fakes: Any) -> None:
    words = " ".join(["word"] * 30)  # 12 s at normal speed; the video is 10 s
    p = Plan(request="a 10-second video", deliverables=["video"], steps=[
        Step(id="voice", kind="speech", task="voice", instruction="narrate", prompt=words, deliverable=False),
        Step(id="video", kind="video", task="video", instruction="v", prompt="v", inputs=["voice"],
             params={"seconds": 10}),
    ])
    result = execute(p, use_llm=False)
    assert result.ok
    first, second = calls("speech")
    assert "speed" not in first["params"] and 1.2 <= second["params"]["speed"] <= 1.35
    assert calls("video")[0]["params"]["seconds"] == 10


def test_narration_that_cannot_fit_makes_the_video_longer_not_cut(fakes: Any) -> None:
    words = " ".join(["word"] * 50)  # 20 s; even 1.35x is ~14.8 s > 10 s
    p = Plan(request="a 10-second video", deliverables=["video"], steps=[
        Step(id="voice", kind="speech", task="voice", instruction="narrate", prompt=words, deliverable=False),
        Step(id="video", kind="video", task="video", instruction="v", prompt="v", inputs=["voice"],
             params={"seconds": 10}),
    ])
    result = execute(p, use_llm=False)
    video = calls("video")[0]["params"]
    assert video["seconds"] > 14.5
    assert "every word" in (result.result("voice").error or "")
    assert "instead of 10.0 s" in (result.result("video").error or "")


def test_clip_sets_the_length_of_its_music_and_is_kept(fakes: Any, tmp_path: Path) -> None:
    clip = tmp_path / "demo.mp4"
    _mp4(clip, 3.0)
    f = type_file(clip, named_as="demo.mp4")
    p = Plan(request="put calm music under demo.mp4", deliverables=["video"], inputs=[f], steps=[
        Step(id="bed", kind="music", task="bed", instruction="calm music", prompt="calm", deliverable=False),
        Step(id="video", kind="video", task="video", instruction="v", prompt="v", inputs=["in1", "bed"],
             operation="add-music"),
    ])
    result = execute(p, use_llm=False)
    assert result.ok, [r.error for r in result.steps]
    assert calls("music")[0]["params"]["seconds"] == pytest.approx(3.0, abs=0.15)
    video = calls("video")[0]["params"]
    assert video["clip"] == f.path and "images" not in video and "seconds" not in video


def test_text_step_works_only_from_its_file(fakes: Any, tmp_path: Path) -> None:
    notes = tmp_path / "report.txt"
    notes.write_text("Revenue was 4.2 million euros. The Lyon store opened in May.")
    fakes.enqueue("Revenue reached 4.2 million euros and the Lyon store opened.")
    p = Plan(request="summarize report.txt", deliverables=["text"], inputs=[type_file(notes)], steps=[
        Step(id="summary", kind="text", task="summary", instruction="Summarize report.txt in one sentence.",
             inputs=["in1"], operation="summarize"),
    ])
    result = execute(p, use_llm=True)
    assert result.ok, result.steps[0].error
    messages, _ = fakes.history[-1]
    system, user = messages[0].content, messages[-1].content
    assert "never invent" in system
    assert "Revenue was 4.2 million euros. The Lyon store opened in May." in user
    assert "Summarize report.txt in one sentence." in user and "Do not add facts" in user


def test_audio_input_is_transcribed_before_the_summary(fakes: Any, tmp_path: Path) -> None:
    audio = tmp_path / "standup.wav"
    audio.write_bytes(wav(1.0))
    fakes.enqueue("The launch moves to March; Priya owns billing.")
    p = Plan(request="summarize standup.wav", deliverables=["text"], inputs=[type_file(audio)], steps=[
        Step(id="summary", kind="text", task="summary", instruction="Summarize the meeting.", inputs=["in1"],
             params={"operation": "summarize", "input_files": []}),
    ])
    result = execute(p, use_llm=True)
    assert result.ok, result.steps[0].error
    assert calls("transcript")
    assert "priya owns billing" in fakes.history[-1][0][-1].content


def test_planner_may_put_inputs_and_operation_in_params(fakes: Any, tmp_path: Path) -> None:
    chapter = tmp_path / "chapter1.txt"
    chapter.write_text("The keeper climbed the steps.\n\nHe lit the lamp at seven.")
    p = Plan(request="narrate chapter1.txt", deliverables=["speech"], inputs=[type_file(chapter)], steps=[
        Step(id="narration", kind="speech", task="narration", instruction="Narrate chapter1.txt",
             params={"input_files": ["in1"], "operation": "narrate"}),
    ])
    result = execute(p, use_llm=True)
    assert result.ok, result.steps[0].error
    (speech,) = calls("speech")
    # Spoken verbatim: the file's words, not a script about it; nothing but real params reach the generator.
    assert speech["prompt"] == "The keeper climbed the steps.\n\nHe lit the lamp at seven."
    assert speech["params"] == {"verbatim": True}
    assert not fakes.history  # no LLM call: nothing was rewritten


def test_user_images_for_slideshow_and_headline(fakes: Any, tmp_path: Path) -> None:
    from PIL import Image

    files = []
    for i in range(3):
        path = tmp_path / f"beach{i}.jpg"
        Image.new("RGB", (64, 48), (i * 80, 100, 200)).save(path)
        files.append(type_file(path, input_id=f"in{i + 1}"))
    p = Plan(request="slideshow, and a headline on beach0.jpg", deliverables=["image", "video"], inputs=files,
             steps=[Step(id="show", kind="video", task="show", instruction="v", prompt="v",
                         inputs=["in1", "in2", "in3"], operation="slideshow",
                         params={"name": "Make", "style": "photo"}),
                    Step(id="poster", kind="image", task="poster", instruction="i", prompt="i", inputs=["in1"],
                         params={"headline": "Open House"}, operation="headline-on-image")])
    result = execute(p, use_llm=False)
    assert result.ok, [r.error for r in result.steps]
    video = calls("video")[0]["params"]
    assert video["images"] == [f.path for f in files]
    assert "name" not in video and "style" not in video  # no cards or painting over the user's photos
    image = calls("image")[0]["params"]
    assert image["base_image"] == files[0].path and image["headline"] == "Open House"


def test_narration_of_a_failed_script_is_not_made(fakes: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from genloom.errors import GenerationFailed

    def broken(*a: Any, **k: Any) -> Any:
        raise GenerationFailed("the text model crashed")

    monkeypatch.setattr(fakes, "chat_stream", broken)
    p = Plan(request="a script, read aloud", deliverables=["text", "speech"], steps=[
        Step(id="script", kind="text", task="script", instruction="Write a script", prompt="Write a script"),
        Step(id="voice", kind="speech", task="voice", instruction="Record a voiceover", inputs=["script"]),
    ])
    result = execute(p, use_llm=False)
    assert result.result("script").error == "the text model crashed"
    assert result.result("voice").status == "failed" and "script" in (result.result("voice").error or "")
    assert not calls("speech")  # the instruction is never spoken


def test_missing_input_is_an_error_before_anything_runs(fakes: Any, tmp_path: Path) -> None:
    from genloom.errors import InvalidInput

    audio = tmp_path / "standup.wav"
    audio.write_bytes(wav(0.5))
    p = Plan(request="transcribe standup.wav", deliverables=["transcript"], inputs=[type_file(audio)],
             steps=[Step(id="t", kind="transcript", task="t", instruction="transcribe", inputs=["in1"])])
    audio.unlink()
    with pytest.raises(InvalidInput, match="standup.wav does not exist"):
        execute(p, use_llm=False)
    assert not CALLS


def _mp4(path: Path, seconds: float) -> None:
    import subprocess

    from genloom.video.encode import ffmpeg_exe

    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c=red:s=64x64:r=10:d={seconds}",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True, timeout=60)


def test_a_script_far_too_short_for_its_speech_is_continued(fakes: Any) -> None:
    more = ("Hives on flat roofs pollinate the parks for miles around. Each colony makes honey that tastes of "
            "the streets it flies over, lime trees in June and clover in July. Keepers check the frames every "
            "week and give the bees water on hot days. Come and taste it on Saturday.")
    fakes.enqueue("Welcome to urban beekeeping!", more)
    p = Plan(request="a 20-second voiceover about urban beekeeping", deliverables=["speech"], steps=[
        Step(id="script", kind="text", task="script", instruction="Write a script", deliverable=False,
             prompt="Write a 20-second script about urban beekeeping, about 50 words."),
        Step(id="voice", kind="speech", task="voice", instruction="read it", inputs=["script"],
             params={"seconds": 20}),
    ])
    result = execute(p, use_llm=True)
    assert result.ok, [r.error for r in result.steps]
    # The second call continues the first reply (it is in the prompt) instead of starting over.
    again = fakes.history[-1][0][-1].content
    assert len(fakes.history) == 2 and "Welcome to urban beekeeping!" in again and "next 46 words" in again
    assert calls("speech")[0]["prompt"] == f"Welcome to urban beekeeping! {more}"


def test_a_written_script_too_long_for_a_clip_loses_whole_sentences(fakes: Any, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    _mp4(clip, 4.0)
    script = "We hiked at dawn. The lake was still. Then we climbed the ridge and watched the valley wake up slowly."
    p = Plan(request="add a voiceover to clip.mp4", deliverables=["video"], inputs=[type_file(clip)], steps=[
        Step(id="voice", kind="speech", task="voice", instruction="voiceover", prompt=script, deliverable=False),
        Step(id="video", kind="video", task="video", instruction="v", prompt="v", inputs=["in1", "voice"],
             operation="voiceover"),
    ])
    result = execute(p, use_llm=False)
    assert result.ok, [r.error for r in result.steps]
    spoken = calls("speech")[-1]["prompt"]
    assert spoken == "We hiked at dawn. The lake was still."  # 8 words at 1.35x fit 4 s; no word is cut
    video = calls("video")[0]["params"]
    assert video["narration_text"] == spoken and "seconds" not in video
