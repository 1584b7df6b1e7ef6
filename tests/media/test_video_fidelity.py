"""Videos match the request: length, shape, shots on sentence boundaries, captions, sound, the user's own media.

Every test reads the delivered file (its length, frames, sound, the .srt beside it), never the plan.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from video_fakes import (
    COLOURS,
    ColourPainter,
    FakeSpeaker,
    audio_of,
    fake_animator,
    fake_composer,
    frames_of,
    tone_speech,
    write_tone_wav,
)

from genloom.api import create
from genloom.errors import InvalidInput
from genloom.video import encode
from genloom.video.captions import parse_srt
from genloom.video.request import VideoRequest
from genloom.video.runner import PHOTO_MARGIN, Components, make_video
from genloom.video.timeline import LEAD_S, TAIL_S

STORY = "Fresh bread every morning. We bake it before sunrise. Come and taste the difference today."


def _make(tmp_path: Path, prompt: str, params: dict, speaker: FakeSpeaker | None = None,
          painter: ColourPainter | None = None):
    parts = Components(speaker or FakeSpeaker(), fake_composer, painter or ColourPainter(), fake_animator)
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    made = make_video(VideoRequest.from_params(prompt, params), parts, work)
    return made, encode.probe(made.path)


def _speech_seconds(text: str) -> float:
    from video_fakes import split

    samples, _ = tone_speech(split(text))
    return samples.size / 16000


def test_length_is_the_narration_plus_a_short_tail(tmp_path):
    made, info = _make(tmp_path, "a bakery promo", {"narration": STORY, "size": "96x64", "fps": 8})
    expected = LEAD_S + _speech_seconds(STORY) + TAIL_S
    assert abs(info["duration"] - expected) <= 0.5
    assert info["audio"]


def test_asked_seconds_are_kept(tmp_path):
    made, info = _make(tmp_path, "a bakery promo", {"narration": "Fresh bread.", "seconds": 7, "size": "96x64",
                                                    "fps": 8})
    assert abs(info["duration"] - 7) <= 0.2


def test_narration_longer_than_asked_is_read_faster_not_cut(tmp_path):
    speaker = FakeSpeaker()
    natural = _speech_seconds(STORY)
    asked = natural / 1.15 + 0.5
    made, info = _make(tmp_path, "x", {"narration": STORY, "seconds": asked, "size": "64x64", "fps": 6}, speaker)
    assert speaker.calls[-1][1] > 1.1  # spoken again, faster
    assert abs(info["duration"] - asked) <= 0.2
    heard = np.abs(audio_of(made.path)) > 0.05
    last_sound = np.flatnonzero(heard)[-1] / 8000
    assert last_sound < info["duration"] - 0.05  # the voice ends inside the video


def test_narration_file_too_long_for_asked_length_lengthens_the_video(tmp_path):
    voice, spans = write_tone_wav(tmp_path / "voice.wav", ["one two three four five six", "seven eight nine ten"])
    made, info = _make(tmp_path, "x", {"narration_audio": str(voice), "seconds": 2, "size": "64x64", "fps": 6})
    assert info["duration"] >= spans[-1][1] + LEAD_S
    assert any("not cut" in n for n in made.meta["notes"])


@pytest.mark.parametrize(("params", "size"), [
    ({"format": "instagram-reel"}, (1080, 1920)),
    ({"format": "tiktok"}, (1080, 1920)),
    ({"format": "youtube"}, (1920, 1080)),
    ({"aspect": "9:16"}, (1080, 1920)),
    ({"aspect": "1:1"}, (1080, 1080)),
    ({"aspect": "16:9", "width": 640}, (640, 360)),
    ({"width": 320, "height": 240}, (320, 240)),
])
def test_sizes_from_platform_aspect_and_pixels(params, size):
    assert VideoRequest.from_params("x", params).size == size


def test_vertical_reel_is_delivered_at_1080x1920_with_captions(tmp_path):
    made, info = _make(tmp_path, "a reel", {"format": "instagram-reel", "narration": "Hello there. Goodbye now.",
                                            "fps": 2})
    assert info["size"] == (1080, 1920)
    assert made.meta["captions"] is True


def _caption_ink(frame: np.ndarray) -> int:
    """White caption pixels on a flat colour: bright in all three channels."""
    return int((frame.min(axis=2) > 200).sum())


def test_captions_are_burned_in_by_default_on_vertical_and_can_be_turned_off(tmp_path):
    params = {"aspect": "9:16", "width": 216, "narration": "Hello there friend. Goodbye now.", "shots": ["a"],
              "fps": 6}
    on, _ = _make(tmp_path, "x", params)
    off, _ = _make(tmp_path, "x", {**params, "captions": False})
    f_on, fps = frames_of(on.path)
    f_off, _ = frames_of(off.path)
    t = (on.cues[0].start + on.cues[0].end) / 2
    i = int(t * fps)
    lower = slice(int(384 * 0.25), 384)
    # The painter's white corner square is at the top: white below it is caption text.
    assert _caption_ink(f_on[i][lower]) > 30
    assert _caption_ink(f_off[i][lower]) == 0


def test_srt_is_written_beside_the_video_and_timed_to_the_voice(tmp_path, outdir):
    sentences = ["Fresh bread every morning.", "Come and taste it today."]
    voice, spans = write_tone_wav(tmp_path / "voice.wav", sentences)
    out = outdir / "promo.mp4"
    result = create("video", "a bakery promo", params={"narration_audio": str(voice), "narration_text": " ".join(sentences),
                                                       "size": "96x64", "fps": 6, "shots": ["bread", "door"],
                                                       "music": False},
                    output=out)
    srt_path = out.with_suffix(".srt")
    assert result.paths == [out, srt_path]
    cues = parse_srt(srt_path.read_text())
    assert [c.text for c in cues] == sentences
    starts = result.meta["narration_starts"]
    for cue, (a, b) in zip(cues, spans, strict=True):
        assert abs(cue.start - (a + starts)) < 0.08 and abs(cue.end - (b + starts)) < 0.08
    assert encode.probe(out)["audio"]


def _colour_index(frame: np.ndarray) -> int:
    mean = frame.reshape(-1, 3).mean(axis=0)
    return int(np.argmin([np.abs(mean - np.array(c)).sum() for c in COLOURS]))


def test_one_still_per_shot_and_cuts_fall_on_sentence_boundaries(tmp_path):
    painter = ColourPainter()
    text = "One two three four. Five six. Seven eight nine ten eleven twelve."
    made, info = _make(tmp_path, "x", {"narration": text, "shots": ["bakery at dawn", "bread", "smiling baker"],
                                       "size": "64x64", "fps": 10, "transition": 0}, painter=painter)
    assert painter.calls == [["bakery at dawn", "bread", "smiling baker"]]
    frames, fps = frames_of(made.path)
    sentences = made.cues
    # Each sentence is spoken over its own shot: the shot on screen mid-sentence follows the sentence order.
    assert [_colour_index(frames[int((c.start + c.end) / 2 * fps)]) for c in sentences] == [0, 1, 2]
    pauses = [(a.end + b.start) / 2 for a, b in zip(sentences, sentences[1:], strict=False)]
    for cut in made.meta["cuts"]:
        assert min(abs(cut - p) for p in pauses) < 0.05


def test_no_narration_gets_a_music_bed(tmp_path):
    made, info = _make(tmp_path, "a calm lake", {"shots": ["lake", "hills"], "size": "64x64", "fps": 6,
                                                 "seconds": 3})
    assert info["audio"]
    assert np.sqrt(np.mean(audio_of(made.path) ** 2)) > 0.05
    assert made.meta["music"]["model"] == "fake-music"


def test_music_is_ducked_under_the_voice(tmp_path):
    voice, spans = write_tone_wav(tmp_path / "voice.wav", ["one two three four five six seven eight"])
    made, info = _make(tmp_path, "x", {"narration_audio": str(voice), "music": True, "size": "64x64", "fps": 6,
                                       "seconds": 6})
    sound = audio_of(made.path)
    start = made.meta["narration_starts"]
    a, b = spans[0]
    during = sound[int((start + a + 0.5) * 8000):int((start + b - 0.5) * 8000)]
    after = sound[int((start + b + 0.8) * 8000):int((info["duration"] - 1.6) * 8000)]

    def level_at(x: np.ndarray, hz: float) -> float:
        spec = np.abs(np.fft.rfft(x * np.hanning(x.size)))
        return float(spec[int(hz * x.size / 8000)])

    # The music (330 Hz) is much quieter while the voice (220 Hz) speaks than after it.
    assert level_at(during, 330) / during.size < 0.4 * level_at(after, 330) / after.size


def _photo(path: Path, size: tuple[int, int], seed: int) -> Path:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 255, size=(6, 8, 3), dtype=np.uint8)
    Image.fromarray(blocks).resize(size, Image.Resampling.NEAREST).save(path)
    return path


def test_every_user_photo_is_shown_for_a_fair_share(tmp_path):
    from genloom.video.pictures import fit_whole

    photos = [_photo(tmp_path / f"p{i}.png", s, i) for i, s in enumerate([(400, 300), (300, 400), (500, 500)])]
    made, info = _make(tmp_path, "our trip", {"images": [str(p) for p in photos], "seconds": 6, "size": "96x160",
                                              "fps": 8, "transition": 0.3})
    frames, fps = frames_of(made.path)
    refs = [np.asarray(fit_whole(Image.open(p).convert("RGB"), (96, 160), margin=PHOTO_MARGIN), dtype=np.float32)
            for p in photos]

    def small(x: np.ndarray) -> np.ndarray:  # 1/4 size: the slow pan's few pixels of drift do not count
        return np.asarray(Image.fromarray(x.astype(np.uint8)).resize((24, 40), Image.Resampling.BOX), np.float32)

    refs = [small(r) for r in refs]

    def similarity(frame: np.ndarray, ref: np.ndarray) -> float:
        a, b = small(frame).ravel(), ref.ravel()
        return float(np.corrcoef(a - a.mean(), b - b.mean())[0, 1])

    best = [int(np.argmax([similarity(f, r) for r in refs])) for f in frames]
    for i in range(3):
        top = max(similarity(f, refs[i]) for f in frames)
        assert top > 0.9, f"photo {i} never clearly on screen ({top:.2f})"
        share = best.count(i) / len(frames)
        assert 0.25 <= share <= 0.42, f"photo {i} on screen {share:.0%} of the time"


def _user_clip(path: Path, seconds: float = 3.0, fps: int = 10, size: tuple[int, int] = (160, 96)) -> Path:
    from genloom.image.label import label_dict

    def gen():
        for i in range(int(seconds * fps)):
            f = np.zeros((size[1], size[0], 3), np.uint8)
            f[:, (i * 4) % size[0]:(i * 4) % size[0] + 12] = (250, 250, 0)
            f[..., 2] = 80
            yield f

    encode.write_mp4(path, gen(), size, fps, label_dict(model="user", prompt="clip", seed=0))
    return path


def test_voiceover_on_a_user_clip_keeps_its_picture_and_length(tmp_path):
    clip = _user_clip(tmp_path / "mine.mp4")
    voice, _ = write_tone_wav(tmp_path / "voice.wav", ["one two three four"])
    made, info = _make(tmp_path, "my clip", {"clip": str(clip), "narration_audio": str(voice), "music": True})
    source = encode.probe(clip)
    assert info["size"] == source["size"] and abs(info["duration"] - source["duration"]) < 0.1
    assert info["audio"]
    ours, _ = frames_of(made.path)
    theirs, _ = frames_of(clip)
    assert len(ours) == len(theirs) and all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True))


def test_narration_longer_than_a_clip_holds_its_last_frame(tmp_path):
    clip = _user_clip(tmp_path / "mine.mp4", seconds=1.0)
    voice, spans = write_tone_wav(tmp_path / "voice.wav", ["one two three four five six seven"])
    made, info = _make(tmp_path, "my clip", {"clip": str(clip), "narration_audio": str(voice)})
    assert info["duration"] >= spans[-1][1] + 0.2  # every word heard
    ours, fps = frames_of(made.path)
    theirs, _ = frames_of(clip)
    # The clip plays as it was (re-encoded: nearly equal), then its last frame stays on screen.
    assert all(np.abs(a - b).mean() < 4 for a, b in zip(ours, theirs, strict=False))
    assert np.abs(ours[-1] - theirs[-1]).mean() < 4
    assert any("last frame is held" in n for n in made.meta["notes"])


@pytest.mark.skipif(not Path("/usr/bin/tesseract").exists(), reason="needs Debian tesseract-ocr")
def test_title_and_end_cards_carry_the_name(tmp_path):
    import subprocess

    made, info = _make(tmp_path, "a bakery promo", {"name": "Crumb Bakery", "cta": "Open every day", "seconds": 6,
                                                    "shots": ["bread"], "size": "640x360", "fps": 4})
    frames, fps = frames_of(made.path)

    def ocr(frame: np.ndarray) -> str:
        png = tmp_path / "f.png"
        Image.fromarray(frame.astype(np.uint8)).save(png)
        return subprocess.run(["tesseract", str(png), "-"], capture_output=True, text=True).stdout.lower()

    assert "crumb bakery" in ocr(frames[int(0.8 * fps)])
    last = ocr(frames[-1])
    assert "crumb bakery" in last and "open every day" in last


def test_clip_and_images_together_are_refused(tmp_path):
    clip = _user_clip(tmp_path / "mine.mp4", seconds=1.0)
    photo = _photo(tmp_path / "p.png", (64, 64), 1)
    with pytest.raises(InvalidInput) as err:
        VideoRequest.from_params("x", {"clip": str(clip), "images": [str(photo)]})
    assert err.value.param == "clip"


def test_contract_music_settings_reach_the_composer(tmp_path):
    seen = {}

    def composer(prompt, seconds, settings, seed):
        seen.update(settings)
        return fake_composer(prompt, seconds, settings, seed)

    parts = Components(FakeSpeaker(), composer, ColourPainter(), fake_animator)
    request = VideoRequest.from_params("x", {"genre": "jazz", "tempo": 96, "mode": "minor", "music": True,
                                             "size": "64x64", "fps": 4, "seconds": 2, "shots": ["a"]})
    make_video(request, parts, tmp_path)
    assert seen == {"genre": "jazz", "tempo": 96, "mode": "minor"}


@pytest.mark.e2e
def test_real_voice_sets_the_length_and_the_captions(outdir):
    """The bundled voice (hibari): the video lasts the narration plus the tail, and the .srt follows the voice."""
    pytest.importorskip("hibari")
    out = outdir / "reel.mp4"
    text = "Meet Crumb, the bakery on the corner. Every loaf is shaped by hand. Come by this weekend."
    result = create("video", "a bakery promo", params={"narration": text, "format": "instagram-reel", "fps": 2,
                                                       "shots": ["bread", "hands", "a door"], "seed": 1},
                    output=out)
    info = encode.probe(out)
    assert abs(info["duration"] - (LEAD_S + result.meta["narration_seconds"] + TAIL_S)) <= 0.5
    cues = parse_srt(out.with_suffix(".srt").read_text())
    assert [c.text for c in cues] == ["Meet Crumb, the bakery on the corner.", "Every loaf is shaped by hand.",
                                      "Come by this weekend."]
    # Each caption covers its sentence: the voice is loud inside the cues and quiet in the gaps between them.
    sound = audio_of(out)
    inside = np.concatenate([sound[int(c.start * 8000):int(c.end * 8000)] for c in cues])
    gaps = np.concatenate([sound[int(a.end * 8000) + 400:int(b.start * 8000) - 400] for a, b in zip(cues, cues[1:], strict=False)])
    assert np.sqrt(np.mean(inside ** 2)) > 4 * np.sqrt(np.mean(gaps ** 2) + 1e-12)


def test_without_a_shot_list_the_narration_is_one(tmp_path):
    painter = ColourPainter()
    sentences = ["Our ovens start long before the sun comes up.", "Every loaf is shaped by hand, one at a time.",
                 "Come by on Saturday and taste the difference."]
    made, _ = _make(tmp_path, "x", {"narration": " ".join(sentences), "size": "64x64", "fps": 6}, painter=painter)
    assert painter.calls == [[f"{s} (x)" for s in sentences]]  # about 3 s a sentence: one shot each, with the topic
    assert made.mode == "slideshow" and made.meta["shots"] == 3


def test_voice_traits_choose_the_narrator(tmp_path, monkeypatch):
    from genloom.audio import voices

    asked = []
    monkeypatch.setattr(voices, "resolve", lambda traits, language=None, model=None: (
        asked.append((traits, language)) or ("joe", "joe (male, low) has male, low")))
    speaker = FakeSpeaker()
    chosen = []

    def speak(text, voice, speed, seed):
        chosen.append(voice)
        return speaker(text, voice, speed, seed)

    parts = Components(speak, fake_composer, ColourPainter(), fake_animator)
    request = VideoRequest.from_params("x", {"narration": "Hello there. Bye now.", "size": "64x64", "fps": 2,
                                             "voice_traits": {"gender": "male", "pitch": "low"}, "language": "en"})
    make_video(request, parts, tmp_path)
    assert asked == [({"gender": "male", "pitch": "low"}, "en")] and chosen == ["joe"]


@pytest.mark.parametrize(("text", "runs"), [
    ("Spokes and Co fixes any bike in a day.", ["Spokes and Co fixes", "any bike in a day."]),
    ("Every morning we bake, and every evening we give the rest away.",
     ["Every morning we bake,", "and every evening we give the rest away."]),
    ("Short one.", ["Short one."]),
])
def test_long_sentences_are_captioned_in_even_pieces_at_clause_marks(text, runs):
    from genloom.video.captions import pieces
    from genloom.video.narration import Cue

    got = pieces([Cue(1.0, 4.0, text)], max_words=8)
    assert [c.text for c in got] == runs
    assert got[0].start == 1.0 and got[-1].end == 4.0
    assert all(a.end == b.start for a, b in zip(got, got[1:], strict=False))


@pytest.mark.skipif(not Path("/usr/bin/tesseract").exists(), reason="needs Debian tesseract-ocr")
def test_captions_on_the_end_card_stay_clear_of_the_name(tmp_path):
    import subprocess

    text = "Fresh bread every single morning. Come and visit our bakery soon."
    made, info = _make(tmp_path, "x", {"name": "Crumb Bakery", "narration": text, "seconds": 5.2, "shots": ["a"],
                                       "aspect": "9:16", "width": 540, "fps": 4})
    frames, fps = frames_of(made.path)
    on_card = [c for c in made.cues if c.end > info["duration"] - 2.0]
    assert on_card  # the last words are spoken over the end card
    frame = frames[int((max(on_card[-1].start, info["duration"] - 1.8)) * fps)]
    png = tmp_path / "end.png"
    Image.fromarray(frame.astype(np.uint8)).save(png)
    read = subprocess.run(["tesseract", str(png), "-"], capture_output=True, text=True).stdout.lower()
    assert "crumb" in read and "bakery" in read
    assert on_card[-1].text.split()[-1].strip(".").lower() in read


def test_with_nothing_to_say_each_photo_gets_three_seconds(tmp_path):
    photos = [_photo(tmp_path / f"p{i}.png", (80, 60), i) for i in range(4)]
    made, info = _make(tmp_path, "our trip", {"images": [str(p) for p in photos], "size": "64x64", "fps": 4})
    assert abs(info["duration"] - 12.0) <= 0.3 and info["audio"]  # 4 x 3 s, with a music bed
