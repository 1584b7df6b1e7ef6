"""The ``whisper`` backend: two engines behind one backend name.

- CTranslate2 (faster-whisper, int8): the embedded models and any converted
  directory; see :mod:`genloom.backends.whisper_ct2`. Cards with
  ``options["engine"] == "ctranslate2"`` (or a directory holding ``model.bin``)
  load there.
- Hugging Face transformers: ``WhisperForConditionalGeneration`` and its
  ``WhisperProcessor`` from a local directory (``genloom pull whisper-tiny``, or
  ``genloom models add DIR`` for any checkpoint saved with ``save_pretrained``).
  Audio longer than Whisper's 30-second window is transcribed window by window.

Both share the transcribers' interface: ``transcribe_pcm(16 kHz mono int16 bytes) -> str``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from genloom import config
from genloom.backends.loading import dir_size, hf_config, loading, model_dir, needs
from genloom.errors import InvalidInput
from genloom.models.card import Kind, ModelCard

SAMPLE_RATE = 16000
WINDOW_S = 30


def _is_whisper_dir(path: Path) -> dict[str, Any] | None:
    return hf_config(path, "whisper")


def _is_ct2(card: ModelCard) -> bool:
    from genloom.backends.whisper_ct2 import is_ct2_dir

    return card.options.get("engine") == "ctranslate2" or bool(card.path and is_ct2_dir(Path(card.path)))


def status(card: ModelCard) -> str:
    if _is_ct2(card):
        from genloom.backends import whisper_ct2

        return whisper_ct2.status(card)
    if not card.path:
        return "missing"
    return "installed" if _is_whisper_dir(Path(card.path)) else "missing"


def detect(path: Path) -> ModelCard | None:
    from genloom.backends import whisper_ct2

    if whisper_ct2.is_ct2_dir(path):
        return whisper_ct2.detect(path)
    data = _is_whisper_dir(path)
    if data is None:
        return None
    return ModelCard(id=path.name.lower(), name=f"Whisper ({path.name})", kind=Kind.transcript,
                     tasks=["transcribe"], backend="whisper", size_bytes=dir_size(path), license="see model card",
                     source=f"local directory {path}", path=str(path))


class WhisperTranscriber:
    sample_rate = SAMPLE_RATE

    def __init__(self, card: ModelCard):
        with needs("Whisper", "torch and transformers", "pip install 'genloom[transformers]'"):
            import torch
            from transformers import AutoProcessor, WhisperForConditionalGeneration
        path = model_dir(card, "Whisper")
        if _is_whisper_dir(path) is None:
            raise InvalidInput(f"{path} is not a Whisper model directory (config.json model_type != whisper)")
        torch.set_num_threads(config.default_threads())
        with loading("Whisper", path):
            self.processor = AutoProcessor.from_pretrained(path)
            self.model = WhisperForConditionalGeneration.from_pretrained(path)
        self.model.eval()
        self.torch = torch
        self.card = card
        self._lock = threading.Lock()

    def transcribe_samples(self, samples: Any, *, language: str | None = None, lm_text: str | None = None,
                           progress: Any = None) -> str:
        import numpy as np

        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        if samples.size == 0:
            return ""
        window = WINDOW_S * SAMPLE_RATE
        starts = list(range(0, samples.size, window))
        language = language or self.card.options.get("language")
        kwargs: dict[str, Any] = {}
        if language and getattr(self.model.generation_config, "is_multilingual", False):
            kwargs.update(language=language, task="transcribe")
        room = int(self.model.config.max_target_positions) - 4  # start, language, task, no-timestamps
        if lm_text and hasattr(self.processor, "get_prompt_ids"):
            # Whisper's "previous text" prompt biases it towards the expected words.
            prompt = self.processor.get_prompt_ids(lm_text[-200:])
            if len(prompt) < room // 2:
                kwargs["prompt_ids"] = self.torch.tensor(prompt)
                room -= len(prompt)
        kwargs["max_new_tokens"] = max(1, min(int(self.card.options.get("max_new_tokens", 220)), room))
        texts = []
        with self._lock, self.torch.no_grad():
            for i, start in enumerate(starts):
                chunk = samples[start:start + window]
                feats = self.processor(chunk, sampling_rate=SAMPLE_RATE, return_tensors="pt").input_features
                ids = self.model.generate(feats, **kwargs)
                text = self.processor.batch_decode(ids, skip_special_tokens=True)[0]
                if lm_text and text.lstrip().startswith(lm_text[-200:].strip()):
                    text = text.lstrip()[len(lm_text[-200:].strip()):]
                texts.append(text.strip())
                if progress:
                    progress((i + 1) / len(starts), "transcribing")
        return " ".join(t for t in texts if t)

    def transcribe_pcm(self, pcm: bytes, lm_text: str | None = None, progress: Any = None) -> str:
        """16 kHz mono 16-bit PCM to text."""
        import numpy as np

        if len(pcm) % 2:
            raise InvalidInput("PCM audio must be 16-bit: got an odd number of bytes")
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        return self.transcribe_samples(samples, lm_text=lm_text, progress=progress)


def factory(card: ModelCard) -> Any:
    if _is_ct2(card):
        from genloom.backends.whisper_ct2 import FasterWhisper

        return FasterWhisper(card)
    return WhisperTranscriber(card)
