"""Kokoro-82M voices on onnxruntime, through the ``kokoro-onnx`` package.

A Kokoro install is an ONNX graph plus voice style vectors. Both layouts in
the wild work: a ``voices-*.bin``/``.npz`` archive (kokoro-onnx releases), or
a ``voices/`` directory of raw float32 ``NAME.bin`` files (the
``onnx-community/Kokoro-82M-v1.0-ONNX`` repo, which ``genloom pull
kokoro-82m`` fetches); the latter is packed once into ``voices.npz`` beside
the model. Text is phonemized with espeak-ng (bundled by ``espeakng-loader``),
so everything runs offline. Same interface as the other voices:
``synth(sentence, voice=, speed=, seed=) -> float32`` at 24 kHz.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from genloom.backends.loading import dir_size, loading, needs
from genloom.errors import CorruptWeights, InvalidInput, WeightsMissing
from genloom.models.card import Kind, ModelCard

SAMPLE_RATE = 24000
STYLE_DIM = 256
# Kokoro voice names start with a language letter.
LANGS = {"a": "en-us", "b": "en-gb", "e": "es", "f": "fr-fr", "h": "hi", "i": "it", "j": "ja", "p": "pt-br",
         "z": "cmn"}


def _paths(card: ModelCard) -> tuple[Path, Path]:
    if not card.path:
        raise WeightsMissing(f"Kokoro model {card.id!r} has no files", hint=f"genloom pull {card.id}")
    root = Path(card.path)
    if root.is_file():
        model = root
        root = root.parent
    else:
        model = root / card.options.get("model_file", "model.onnx")
    voices = root / card.options.get("voices", "voices")
    return model, voices


def status(card: ModelCard) -> str:
    try:
        model, voices = _paths(card)
    except WeightsMissing:
        return "missing"
    return "installed" if model.exists() and voices.exists() else "missing"


def detect(path: Path) -> ModelCard | None:
    """A directory with one ``.onnx`` graph and a ``voices`` dir or ``voices*.npz/.bin`` archive."""
    if not path.is_dir():
        return None
    graphs = sorted(path.rglob("*.onnx"))
    voices = [p for p in path.iterdir() if p.name == "voices" and p.is_dir()] + sorted(path.glob("voices*.*"))
    if len(graphs) != 1 or not voices or (path / "config.json").exists():
        return None
    return ModelCard(id=path.name.lower(), name=f"Kokoro ({path.name})", kind=Kind.speech, tasks=["speak"],
                     backend="kokoro-onnx", size_bytes=dir_size(path), license="Apache-2.0", source=f"local directory {path}",
                     path=str(path), options={"model_file": str(graphs[0].relative_to(path)),
                                              "voices": voices[0].name})


def pack_voices(voices_dir: Path) -> Path:
    """Pack raw float32 ``NAME.bin`` style files into one ``voices.npz`` (atomic, once)."""
    import numpy as np

    target = voices_dir.parent / "voices.npz"
    files = sorted(voices_dir.glob("*.bin")) + sorted(voices_dir.glob("*.npy"))
    if not files:
        raise WeightsMissing(f"No voice files in {voices_dir}", hint="pull the model again")
    if target.exists() and target.stat().st_mtime >= max(f.stat().st_mtime for f in files):
        return target
    arrays = {}
    for f in files:
        data = np.load(f) if f.suffix == ".npy" else np.fromfile(f, dtype="<f4")
        if data.size % STYLE_DIM:
            raise CorruptWeights(f"Voice file {f.name} is not a whole number of {STYLE_DIM}-d style vectors")
        arrays[f.stem] = data.reshape(-1, 1, STYLE_DIM).astype(np.float32)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".voices.", suffix=".npz")
    with os.fdopen(fd, "wb") as fh:
        fh.write(buf.getvalue())
    from genloom.store.files import publish

    publish(tmp, target)  # private while written, then readable like any file in the models cache
    return target


class KokoroSpeech:
    sample_rate = SAMPLE_RATE

    def __init__(self, card: ModelCard):
        with needs("Kokoro", "the kokoro-onnx package", "pip install 'genloom[catalog]'"):
            from kokoro_onnx import Kokoro
        model, voices = _paths(card)
        for p in (model, voices):
            if not p.exists():
                raise WeightsMissing(f"Kokoro file {p} is missing", hint=f"genloom pull {card.id}")
        archive = pack_voices(voices) if voices.is_dir() else voices
        # onnxruntime and numpy raise their own exception types for bad files.
        with loading("Kokoro", model, corrupt=(Exception,)):
            self.engine = Kokoro(str(model), str(archive))
        self.card = card
        self.voices: list[str] = sorted(self.engine.get_voices())
        wanted = card.options.get("voice")
        self.default_voice = wanted if wanted in self.voices else self.voices[0]
        self._lock = threading.Lock()

    def synth(self, sentence: str, *, voice: str | None = None, speed: float = 1.0, seed: int | None = None) -> Any:
        import numpy as np

        voice = voice or self.default_voice
        if voice not in self.voices:
            raise InvalidInput(f"Unknown voice {voice!r} for model {self.card.id}",
                               hint=f"voices: {', '.join(self.voices[:12])}", param="voice")
        if not 0.5 <= speed <= 2.0:
            raise InvalidInput(f"Kokoro speed must be between 0.5 and 2.0, got {speed}", param="speed")
        if not sentence.strip():
            return np.zeros(0, np.float32)
        lang = self.card.options.get("language") or LANGS.get(voice[:1], "en-us")
        with self._lock:
            try:
                samples, _ = self.engine.create(sentence, voice=voice, speed=speed, lang=lang)
            except ValueError as exc:  # e.g. no phoneme of the text is in the model's vocabulary
                raise InvalidInput(f"Kokoro cannot speak {sentence[:40]!r}: {exc}", param="input") from exc
        return np.asarray(samples, dtype=np.float32).reshape(-1)

    def synth_stream(self, sentences: list[str], **kw: Any) -> Iterator[Any]:
        for sentence in sentences:
            yield self.synth(sentence, **kw)


def factory(card: ModelCard) -> KokoroSpeech:
    return KokoroSpeech(card)
