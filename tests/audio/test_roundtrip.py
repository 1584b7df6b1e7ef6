"""The speech round trip: default voice -> PocketSphinx with a language model from the expected text.

It must pass for real speech (WER <= 0.10) and fail for reversed speech and
noise, which shows the check can fail.
"""

from __future__ import annotations

import numpy as np
import pytest

from genloom.audio import speech
from genloom.audio.transcribe import transcribe, word_error_rate
from genloom.audio.wav import decode, wav_bytes
from genloom.errors import InvalidInput

from .conftest import SENTENCES

SPHINX = "pocketsphinx-en-us"  # the round-trip checker: restricted to the expected words

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def spoken() -> bytes:
    data, _ = speech.synthesize(SENTENCES, seed=0)
    return data


def test_wer() -> None:
    assert word_error_rate("a b c d", "a b c d") == 0
    assert word_error_rate("a b c d", "a x c") == 0.5
    assert word_error_rate("Hello, World!", "hello world") == 0
    assert word_error_rate("a b", "") == 1.0


def test_round_trip_default_voice(spoken: bytes) -> None:
    text = transcribe(spoken, model=SPHINX, lm_text=SENTENCES)
    wer = word_error_rate(SENTENCES, text)
    assert wer <= 0.10, (wer, text)


def test_reversed_speech_fails_the_check(spoken: bytes) -> None:
    samples, rate = decode(spoken)
    text = transcribe(wav_bytes(samples[::-1].copy(), rate), model=SPHINX, lm_text=SENTENCES)
    assert word_error_rate(SENTENCES, text) > 0.5, text


def test_noise_fails_the_check() -> None:
    noise = np.random.default_rng(0).normal(0, 0.2, 16000 * 6).astype(np.float32)
    text = transcribe(wav_bytes(noise, 16000), model=SPHINX, lm_text=SENTENCES)
    assert word_error_rate(SENTENCES, text) > 0.9, text


def test_any_rate_and_stereo_input(spoken: bytes) -> None:
    import io

    import soundfile as sf

    from genloom.audio.dsp import resample

    samples, rate = decode(spoken)
    stereo = np.stack([resample(samples, rate, 44100)] * 2, axis=1)
    buf = io.BytesIO()
    sf.write(buf, stereo, 44100, format="FLAC")
    text = transcribe(buf.getvalue(), model=SPHINX, lm_text=SENTENCES)
    assert word_error_rate(SENTENCES, text) <= 0.10, text


def test_runner_records_transcript(spoken: bytes, tmp_path) -> None:
    from genloom import api
    from genloom.store.db import get_store

    path = tmp_path / "speech.wav"
    path.write_bytes(spoken)
    result = api.create("transcript", str(path), model=SPHINX, params={"lm_text": SENTENCES},
                        output=tmp_path / "t.txt")
    assert word_error_rate(SENTENCES, result.text or "") <= 0.10
    assert (tmp_path / "t.txt").read_text().strip() == result.text
    gen = get_store().generation(result.generation_id)
    assert gen["kind"] == "transcript" and gen["output"] == result.text and gen["model_id"] == "pocketsphinx-en-us"


def test_transcribe_bad_input(tmp_path) -> None:
    bad = tmp_path / "x.wav"
    bad.write_bytes(b"this is not a wav file" * 10)
    with pytest.raises(InvalidInput, match="not a readable audio file"):
        transcribe(bad)
    with pytest.raises(InvalidInput, match="No such file"):
        transcribe(tmp_path / "missing.wav")
    with pytest.raises(InvalidInput, match="empty"):
        transcribe(b"")
