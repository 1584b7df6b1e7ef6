"""WAV/FLAC/OGG/MP3 encoding, decoding, labels, resampling and click-free joins (no models)."""

from __future__ import annotations

import io

import numpy as np
import pytest

from genloom.audio import dsp, wav
from genloom.audio.label import read_wav_label, sidecar_path, write_sidecar
from genloom.errors import InvalidInput

from .conftest import dominant_freq, tone


def test_wav_roundtrip_carries_label_in_info_chunk() -> None:
    x = tone(440, 0.5, 16000)
    data = wav.wav_bytes(x, 16000, {"model": "m", "voice": "v", "seed": 3})
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    # The INFO chunk sits before the samples, so a stream carries it from the first bytes.
    assert data.index(b"LIST") < data.index(b"data")
    label = read_wav_label(data)
    assert label is not None
    assert label["ai_generated"] is True and label["model"] == "m" and label["seed"] == 3
    y, rate = wav.decode(data)
    assert rate == 16000 and y.size == x.size
    assert np.max(np.abs(y - x)) < 1e-3


def test_stereo_wav_roundtrip() -> None:
    left, right = tone(440, 0.2, 22050), tone(660, 0.2, 22050)
    data = wav.wav_bytes(np.stack([left, right], axis=1), 22050)
    import soundfile as sf

    y, rate = sf.read(io.BytesIO(data), dtype="float32")
    assert y.shape == (left.size, 2) and rate == 22050
    assert abs(dominant_freq(y[:, 1], rate) - 660) < 10


def test_streamed_header_with_unknown_length_decodes() -> None:
    x = tone(300, 0.3, 24000)
    stream = wav.wav_header(24000, None, {"model": "m"}) + wav.pcm16(x)
    y, rate = wav.decode(stream)
    assert rate == 24000 and y.size == x.size


@pytest.mark.parametrize("fmt", ["flac", "ogg", "mp3"])
def test_compressed_formats_decode_and_keep_label(fmt: str) -> None:
    x = tone(440, 1.0, 24000)
    data, mime = wav.encode(x, 24000, fmt, {"model": "hibari"})
    assert mime == wav.FORMATS[fmt]
    y, rate = wav.decode(data)
    assert rate == 24000
    assert abs(dominant_freq(y, rate) - 440) < 10
    import soundfile as sf

    comment = sf.SoundFile(io.BytesIO(data)).comment
    assert comment and '"ai_generated":true' in comment


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="Unsupported audio format"):
        wav.encode(tone(440, 0.1, 8000), 8000, "aiff")


@pytest.mark.parametrize("payload", [b"", b"not audio at all" * 50, b"RIFF\0\0\0\0WAVEfmt "])
def test_decode_rejects_non_audio(payload: bytes) -> None:
    with pytest.raises(InvalidInput):
        wav.decode(payload)


def test_decode_missing_file_and_directory(tmp_path) -> None:
    with pytest.raises(InvalidInput, match="No such file"):
        wav.decode(tmp_path / "nope.wav")
    with pytest.raises(InvalidInput, match="directory"):
        wav.decode(tmp_path)


def test_resample_keeps_frequency_and_removes_aliases() -> None:
    x = tone(440, 1.0, 24000)
    y = dsp.resample(x, 24000, 16000)
    assert y.size == 16000
    assert abs(dominant_freq(y, 16000) - 440) < 2
    # 10 kHz is above the 8 kHz Nyquist of 16 kHz audio: it must vanish, not fold to 6 kHz.
    high = dsp.resample(tone(10000, 1.0, 24000), 24000, 16000)
    assert np.sqrt(np.mean(high[200:-200] ** 2)) < 0.01
    up = dsp.resample(tone(1000, 0.5, 22050), 22050, 44100)
    assert up.size == 22050 and abs(dominant_freq(up, 44100) - 1000) < 3


def test_join_has_no_clicks_where_a_hard_cut_would() -> None:
    rate = 24000
    # Clips that stop mid-waveform: a plain concatenation jumps by ~1.0 at each seam.
    a = np.full(2400, 0.6, np.float32)
    b = np.full(2400, -0.6, np.float32)
    hard = np.concatenate([a, b])
    assert dsp.max_jump(hard) > 1.0
    joined = dsp.join([a, b], rate, gap_s=0.05)
    assert dsp.max_jump(joined) < 0.01
    assert joined.size == a.size + b.size + int(0.05 * rate)
    assert joined[0] == 0 and joined[-1] == 0


def test_sidecar(tmp_path) -> None:
    target = tmp_path / "out.wav"
    target.write_bytes(b"x")
    path = write_sidecar(target, {"model": "hibari", "seed": 1})
    assert path == sidecar_path(target) and path.name == "out.wav.json"
    import json

    data = json.loads(path.read_text())
    assert data["ai_generated"] is True and data["file"] == "out.wav" and data["seed"] == 1
