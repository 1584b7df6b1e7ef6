"""hibari-tts: the default English voice (Kokoro-distilled, 7.9 MB ONNX, 24 kHz).

Only the "heart" voice ships inside the package; hibari fetches its other
voices from the network on first use, which cannot work offline. Those voices
are accepted only when their file is already in hibari's cache, and otherwise
fail with a message saying where the file must go.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from typing import Any

from genloom.errors import BackendUnavailable, InvalidInput, WeightsMissing
from genloom.models.card import Kind, ModelCard

HEART_F0 = 190.0  # median F0 in Hz, measured by genloom.audio.pitch over several sentences

CARD = ModelCard(
    id="hibari",
    name="hibari-tts 0.2.1 (voice: heart)",
    kind=Kind.speech,
    default_for=[Kind.speech],
    tasks=["speak"],
    backend="hibari-tts",
    size_bytes=7_936_868,
    license="Apache-2.0",
    source="pypi: hibari-tts==0.2.1 (Kokoro-82M af_heart distilled)",
    description="Default voice: American English, female, 24 kHz, ~50x real time on one core.",
    aliases=["heart", "hibari-heart", "default-speech", "tts-1", "tts-1-hd"],
    options={"voices": ["heart", "fenrir", "emma", "fable", "kore"], "default_voice": "heart",
             "bundled_voices": ["heart"], "sample_rate": 24000,
             # Kokoro's af_heart, am_fenrir, bf_emma, bm_fable, af_kore; heart's F0 measured by
             # tests/audio/test_voices.py on its own output.
             "traits": {
                 "heart": {"gender": "female", "accent": "us", "tone": ["warm", "calm"], "languages": ["en"],
                           "f0_hz": HEART_F0},
                 "fenrir": {"gender": "male", "accent": "us", "tone": ["energetic"], "languages": ["en"]},
                 "emma": {"gender": "female", "accent": "uk", "tone": ["calm"], "languages": ["en"]},
                 "fable": {"gender": "male", "accent": "uk", "tone": ["expressive"], "languages": ["en"]},
                 "kore": {"gender": "female", "accent": "us", "tone": ["serious"], "languages": ["en"]},
             },
             "install_hints": {v: f"copy the hibari voice file for '{v}' into hibari's voice cache "
                                  f"('genloom speak --voice {v}' prints where)" for v in ("fenrir", "emma", "fable", "kore")}},
)


def status(card: ModelCard) -> str:
    return "installed" if importlib.util.find_spec("hibari") is not None else "missing"


# Loading a voice (ONNX session + lexicons) takes ~0.5-2 s: engines are shared per
# process, so reloading the registry does not pay it again.
_ENGINES: dict[tuple[str, str, int], Any] = {}
_ENGINES_LOCK = threading.Lock()
# hibari's stream keeps per-call state on the engine: one synthesis at a time.
_SYNTH_LOCK = threading.Lock()


class HibariSpeech:
    """Loaded hibari voices, one ONNX session each, created on first use."""

    def __init__(self, card: ModelCard, threads: int = 1):
        try:
            import hibari
        except ImportError:
            raise BackendUnavailable("The hibari voice needs the hibari-tts package",
                                     hint="pip install 'genloom[audio]'") from None
        self.card = card
        self.sample_rate: int = int(hibari.SAMPLE_RATE)
        self.default_voice: str = card.options.get("default_voice", "heart")
        self.voices: list[str] = list(card.options.get("voices", ["heart"]))
        self.threads = threads
        self._engines: dict[str, Any] = {}
        self._lock = _SYNTH_LOCK

    def engine(self, voice: str | None = None) -> Any:
        voice = voice or self.default_voice
        if voice not in self.voices:
            raise InvalidInput(f"Unknown voice {voice!r} for model {self.card.id}",
                               hint=f"voices: {', '.join(self.voices)}; see 'genloom speak --list-voices'",
                               param="voice")
        engine = self._engines.get(voice)
        if engine is not None:
            return engine
        with _ENGINES_LOCK:
            from hibari import Hibari
            from hibari.voices import cache_dir, voice_path

            try:
                path = voice_path(voice, download_missing=False)
            except FileNotFoundError as exc:
                raise WeightsMissing(
                    f"hibari voice {voice!r} is not installed (only 'heart' ships in the package)",
                    hint=f"copy its ONNX file to {exc.args[0] if exc.args else cache_dir()}, or use voice 'heart'",
                    param="voice") from None
            key = (voice, str(path), self.threads)
            engine = _ENGINES.get(key)
            if engine is None:
                engine = _ENGINES[key] = Hibari(voice=voice, model=path, threads=self.threads)
            self._engines[voice] = engine
        return engine

    def check_voice(self, voice: str) -> None:
        self.engine(voice)

    def synth(self, sentence: str, *, voice: str | None = None, speed: float = 1.0,
              seed: int | None = None) -> Any:
        """One sentence to float32 samples at :attr:`sample_rate`."""
        import numpy as np

        engine = self.engine(voice)
        with self._lock:
            parts = list(engine.stream(sentence, speed=speed, seed=seed))
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)

    def synth_stream(self, sentences: list[str], **kw: Any) -> Iterator[Any]:
        for sentence in sentences:
            yield self.synth(sentence, **kw)


def factory(card: ModelCard) -> HibariSpeech:
    # One ONNX thread: the model is tiny and hibari's signal processing is single-threaded, so a
    # second thread only adds contention (measured RTF 0.029 with 1 thread vs 0.082 with 2 on a
    # busy 2-core machine). hibari's "fast" extra (scipy FFT) roughly halves the rest.
    return HibariSpeech(card, threads=int(card.options.get("threads", 1)))
