"""Encoding and decoding audio: WAV written by hand, everything else via libsndfile.

WAV is written here rather than by a library so that the AI label goes in a
RIFF ``LIST/INFO`` chunk *before* the samples: a streamed file then carries
its label in the very first bytes sent. The other formats (FLAC, OGG Vorbis,
MP3) go through ``soundfile`` with the label in their comment tag.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genloom.errors import BackendUnavailable, InvalidInput

if TYPE_CHECKING:
    import numpy as np

FORMATS: dict[str, str] = {
    "wav": "audio/wav",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
}
# libsndfile's name and sample encoding for each compressed format.
_SF_FORMATS = {"flac": ("FLAC", "PCM_16"), "ogg": ("OGG", "VORBIS"), "mp3": ("MP3", "MPEG_LAYER_III")}
# Streams have no known length: 0xFFFFFFFF is what players and ffmpeg expect.
_UNKNOWN = 0xFFFFFFFF


def check_format(fmt: str) -> str:
    fmt = (fmt or "wav").lower().lstrip(".")
    if fmt == "mpeg":
        fmt = "mp3"
    if fmt not in FORMATS:
        raise InvalidInput(f"Unsupported audio format {fmt!r}", hint=f"one of {', '.join(FORMATS)}", param="format")
    return fmt


def format_for_path(path: Path | None, default: str = "wav") -> str:
    """The format implied by an output file's extension (``.wav`` when there is none)."""
    if path is None or not Path(path).suffix:
        return default
    return check_format(Path(path).suffix)


def pcm16(samples: np.ndarray) -> bytes:
    """Float samples in [-1, 1] as little-endian 16-bit PCM (clipped, rounded)."""
    import numpy as np

    x = np.asarray(samples, dtype=np.float32)
    return np.round(np.clip(x, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def info_chunk(tags: dict[str, str]) -> bytes:
    """A RIFF ``LIST/INFO`` chunk: 4-letter ids (``ICMT``, ``ISFT``, ...) to text."""
    body = b"INFO"
    for key, value in tags.items():
        if len(key) != 4 or not value:
            continue
        data = value.encode("utf-8") + b"\0"
        body += key.encode("ascii") + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")
    return b"LIST" + struct.pack("<I", len(body)) + body


def label_tags(meta: dict[str, Any] | None) -> dict[str, str]:
    from genloom.audio.label import label_comment

    meta = meta or {}
    tags = {"ISFT": "genloom", "ICMT": label_comment(meta), "IGNR": "AI-generated"}
    if meta.get("title"):
        tags["INAM"] = str(meta["title"])[:200]
    return tags


def wav_header(sample_rate: int, n_samples: int | None = None, meta: dict[str, Any] | None = None,
               channels: int = 1) -> bytes:
    """RIFF/WAVE header for 16-bit PCM; ``n_samples=None`` marks a stream of unknown length."""
    fmt = struct.pack("<HHIIHH", 1, channels, sample_rate, sample_rate * 2 * channels, 2 * channels, 16)
    info = info_chunk(label_tags(meta))
    head = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + info
    if n_samples is None:
        return b"RIFF" + struct.pack("<I", _UNKNOWN) + head + b"data" + struct.pack("<I", _UNKNOWN)
    data_len = n_samples * 2 * channels
    return b"RIFF" + struct.pack("<I", len(head) + 8 + data_len) + head + b"data" + struct.pack("<I", data_len)


def wav_bytes(samples: np.ndarray, sample_rate: int, meta: dict[str, Any] | None = None) -> bytes:
    """A complete 16-bit WAV file carrying the AI label; ``samples`` is (n,) mono or (n, channels)."""
    channels = samples.shape[1] if samples.ndim == 2 else 1
    pcm = pcm16(samples)  # row-major (n, channels) is already interleaved
    return wav_header(sample_rate, len(pcm) // (2 * channels), meta, channels) + pcm


def read_wav_info(data: bytes) -> dict[str, str]:
    """The ``LIST/INFO`` entries of a WAV file (empty dict when there are none)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return {}
    out: dict[str, str] = {}
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"data":
            break
        if cid == b"LIST" and data[pos + 8:pos + 12] == b"INFO":
            sub, end = pos + 12, min(len(data), pos + 8 + size)
            while sub + 8 <= end:
                key, n = data[sub:sub + 4], struct.unpack("<I", data[sub + 4:sub + 8])[0]
                out[key.decode("ascii", "replace")] = data[sub + 8:sub + 8 + n].rstrip(b"\0").decode("utf-8", "replace")
                sub += 8 + n + (n % 2)
        pos += 8 + size + (size % 2)
    return out


def encode(samples: np.ndarray, sample_rate: int, fmt: str = "wav",
           meta: dict[str, Any] | None = None) -> tuple[bytes, str]:
    """Encode float samples, (n,) or (n, channels); returns (file bytes, mime type)."""
    fmt = check_format(fmt)
    if fmt == "wav":
        return wav_bytes(samples, sample_rate, meta), FORMATS["wav"]
    try:
        import soundfile as sf
    except ImportError:  # pragma: no cover - soundfile is a dependency of the audio extra
        raise BackendUnavailable(f"Writing {fmt} needs the soundfile package",
                                 hint="pip install 'genloom[audio]', or ask for wav") from None
    import numpy as np

    from genloom.audio.label import label_comment

    major, subtype = _SF_FORMATS[fmt]
    if fmt == "mp3" and sample_rate not in (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000):
        raise InvalidInput(f"MP3 cannot store {sample_rate} Hz audio", hint="resample or ask for wav", param="format")
    buf = io.BytesIO()
    try:
        channels = samples.shape[1] if samples.ndim == 2 else 1
        with sf.SoundFile(buf, "w", samplerate=sample_rate, channels=channels, format=major, subtype=subtype) as f:
            # Tags must be set before the first samples for Vorbis/ID3.
            for attr, value in (("software", "genloom"), ("comment", label_comment(meta)),
                                ("genre", "AI-generated"), ("title", (meta or {}).get("title"))):
                if value:
                    try:
                        setattr(f, attr, str(value)[:1000])
                    except (RuntimeError, AttributeError):  # format without that tag
                        pass
            f.write(np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0))
    except (RuntimeError, sf.LibsndfileError) as exc:  # libsndfile built without that codec
        raise BackendUnavailable(f"This libsndfile cannot write {fmt}: {exc}", hint="ask for wav or flac") from None
    return buf.getvalue(), FORMATS[fmt]


def decode(source: str | Path | bytes) -> tuple[np.ndarray, int]:
    """Any audio file (path or bytes) as mono float32 samples and their rate.

    Raises InvalidInput naming the problem for missing, empty, corrupt or
    non-audio input rather than letting a codec error escape.
    """
    import numpy as np

    name = "input"
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        path = Path(source).expanduser()
        name = str(path)
        if not path.exists():
            raise InvalidInput(f"No such file: {path}", param="file")
        if path.is_dir():
            raise InvalidInput(f"{path} is a directory, not an audio file", param="file")
        data = path.read_bytes()
    if not data:
        raise InvalidInput(f"{name} is empty", hint="pass a WAV, FLAC, OGG or MP3 file", param="file")
    try:
        import soundfile as sf

        try:
            samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
        except (RuntimeError, sf.LibsndfileError, TypeError, ValueError) as exc:
            samples = None
            # A streamed WAV (unknown length) trips libsndfile; our reader handles it.
            if data[:4] == b"RIFF":
                samples, rate = _read_pcm_wav(data, name)
                return samples, rate
            reason = str(exc).split(": ", 1)[-1].rstrip(".").lower() or "unknown format"
            raise InvalidInput(f"{name} is not a readable audio file ({reason})",
                               hint="pass a WAV, FLAC, OGG or MP3 file", param="file") from None
    except ImportError:  # pragma: no cover - minimal install: plain WAV only
        return _read_pcm_wav(data, name)
    if samples.size == 0:
        raise InvalidInput(f"{name} contains no audio samples", param="file")
    mono = samples.mean(axis=1) if samples.shape[1] > 1 else samples[:, 0]
    return np.ascontiguousarray(mono, dtype=np.float32), int(rate)


def _read_pcm_wav(data: bytes, name: str) -> tuple[np.ndarray, int]:
    """16-bit PCM WAV, tolerating the 0xFFFFFFFF sizes of a stream."""
    import numpy as np

    bad = InvalidInput(f"{name} is not a readable audio file", hint="pass a 16-bit PCM WAV file", param="file")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise bad
    pos, rate, channels, bits = 12, 0, 0, 0
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt " and size >= 16:
            tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[pos + 8:pos + 24])
            if tag != 1 or bits != 16:
                raise bad
        elif cid == b"data":
            if not rate or not channels:
                raise bad
            body = data[pos + 8:] if size == _UNKNOWN else data[pos + 8:pos + 8 + size]
            body = body[: len(body) // (2 * channels) * 2 * channels]
            pcm = np.frombuffer(body, dtype="<i2").astype(np.float32) / 32768.0
            if pcm.size == 0:
                raise InvalidInput(f"{name} contains no audio samples", param="file")
            return pcm.reshape(-1, channels).mean(axis=1).astype(np.float32), rate
        pos += 8 + size + (size % 2)
    raise bad
