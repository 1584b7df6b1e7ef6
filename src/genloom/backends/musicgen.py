"""MusicGen (text to music audio) through Hugging Face transformers.

Loads ``MusicgenForConditionalGeneration`` and its processor (T5 tokenizer +
EnCodec feature extractor) from a local directory: ``genloom pull
musicgen-small`` or any MusicGen checkpoint saved with ``save_pretrained``
(``genloom models add DIR``).

``generate(prompt, duration=, seed=, guidance=) -> (float32 mono samples,
sample_rate)``; the length in tokens is ``duration x`` the codec's frame rate,
and progress is reported per generated frame.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from genloom import config
from genloom.backends.loading import dir_size, hf_config, loading, model_dir, needs
from genloom.errors import InvalidInput
from genloom.models.card import Kind, ModelCard

MAX_SECONDS = 60.0


def _is_musicgen_dir(path: Path) -> bool:
    return hf_config(path, "musicgen") is not None


def status(card: ModelCard) -> str:
    return "installed" if card.path and _is_musicgen_dir(Path(card.path)) else "missing"


def detect(path: Path) -> ModelCard | None:
    if not (path.is_dir() and _is_musicgen_dir(path)):
        return None
    return ModelCard(id=path.name.lower(), name=f"MusicGen ({path.name})", kind=Kind.music,
                     tasks=["compose"], backend="musicgen", size_bytes=dir_size(path), license="see model card",
                     source=f"local directory {path}", path=str(path))


class MusicGen:
    def __init__(self, card: ModelCard):
        with needs("MusicGen", "torch and transformers", "pip install 'genloom[transformers]'"):
            import torch
            from transformers import AutoProcessor, MusicgenForConditionalGeneration
        path = model_dir(card, "MusicGen")
        if not _is_musicgen_dir(path):
            raise InvalidInput(f"{path} is not a MusicGen model directory (config.json model_type != musicgen)")
        torch.set_num_threads(config.default_threads())
        with loading("MusicGen", path):
            self.processor = AutoProcessor.from_pretrained(path)
            self.model = MusicgenForConditionalGeneration.from_pretrained(path)
        self.model.eval()
        self.torch = torch
        self.card = card
        audio_cfg = self.model.config.audio_encoder
        self.sample_rate = int(audio_cfg.sampling_rate)
        self.frame_rate = float(audio_cfg.frame_rate)
        self._lock = threading.Lock()

    def generate(self, prompt: str, *, duration: float = 8.0, seed: int | None = None, guidance: float = 3.0,
                 temperature: float = 1.0, progress: Callable[[float, str], None] | None = None) -> tuple[Any, int]:
        import numpy as np
        from transformers import LogitsProcessor, LogitsProcessorList

        if not prompt or not prompt.strip():
            raise InvalidInput("The music prompt is empty", hint="describe the music, e.g. 'calm piano, 80 bpm'")
        if not 0 < duration <= MAX_SECONDS:
            raise InvalidInput(f"duration must be between 0 and {MAX_SECONDS:g} seconds, got {duration}",
                               param="duration")
        if temperature <= 0:
            raise InvalidInput(f"temperature must be positive, got {temperature}", param="temperature")
        steps = max(1, round(duration * self.frame_rate))
        torch = self.torch

        class _Steps(LogitsProcessor):
            # Called once per generated frame: the cheapest hook for progress.
            done = 0

            def __call__(self, input_ids: Any, scores: Any) -> Any:
                _Steps.done += 1
                if progress and _Steps.done % 10 == 0:
                    progress(min(1.0, _Steps.done / steps), "generating")
                return scores

        inputs = self.processor(text=[prompt.strip()], padding=True, return_tensors="pt")
        with self._lock, torch.no_grad():
            if seed is not None:
                torch.manual_seed(seed)
            audio = self.model.generate(**inputs, max_new_tokens=steps, do_sample=True, guidance_scale=guidance,
                                        temperature=temperature, logits_processor=LogitsProcessorList([_Steps()]))
        samples = audio[0].float().mean(dim=0).cpu().numpy().astype(np.float32)
        peak = float(np.abs(samples).max()) if samples.size else 0.0
        if peak > 1.0:  # the codec can overshoot: keep the WAV from clipping
            samples /= peak
        if progress:
            progress(1.0, "done")
        return samples, self.sample_rate


    def compose(self, prompt: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        # The music runner (genloom.music.compose) expects a symbolic composer that
        # returns MIDI; MusicGen only makes audio. Say so instead of failing oddly.
        raise InvalidInput(
            f"{self.card.id} makes audio, not the MIDI score 'genloom compose' writes",
            hint="use the built-in composer, or MusicGen from Python: get_model(ID).generate(prompt, duration=8)",
            param="model",
        )


def factory(card: ModelCard) -> MusicGen:
    return MusicGen(card)
