"""genloom's own composer model (trained on the music21 Bach chorales), as a ``music`` backend.

The committed model lives at ``genloom/music/bach_composer.npz``;
``scripts/train_music.py`` rebuilds it. A retrained file elsewhere can be
registered with ``genloom models add my_composer.npz``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from genloom.models.card import Kind, ModelCard

CARD = ModelCard(
    id="bach-composer",
    name="genloom composer (nine genres + Bach chorales)",
    kind=Kind.music,
    default_for=[Kind.music],
    tasks=["compose"],
    backend="bach-composer",
    size_bytes=400_000,
    license="Apache-2.0 (trained on public-domain music from music21's corpus)",
    source="genloom (scripts/train_music.py over music21's Bach chorales; scripts/train_songs.py over its "
           "Nottingham, O'Neill, Ryan's and Essen folk tunes)",
    description="Songs in pop, rock, lo-fi, EDM, ambient, cinematic, jazz, folk and chorale styles: melody, "
                "rhythm and chord statistics learned from folk tunes and Bach chorales, genre grooves, bass "
                "lines and forms; MIDI out, rendered with FluidSynth.",
    aliases=["bach", "default-music"],
)


def _path(card: ModelCard) -> Path:
    from genloom.music.train import default_model_path

    return Path(card.path) if card.path else default_model_path()


def status(card: ModelCard) -> str:
    if importlib.util.find_spec("mido") is None:
        return "missing"
    return "installed" if _path(card).exists() else "missing"


def detect(path: Path) -> ModelCard | None:
    if path.suffix != ".npz" or not path.is_file():
        return None
    import numpy as np

    try:
        with np.load(path) as data:
            if not {"tokens", "trigrams", "bigrams", "version"} <= set(data.files):
                return None
    except (OSError, ValueError):
        return None
    return CARD.model_copy(update={"id": f"composer-{path.stem}".lower(), "name": f"composer {path.stem}",
                                   "path": str(path), "default_for": [], "aliases": [],
                                   "source": f"local: {path}", "size_bytes": path.stat().st_size})


def factory(card: ModelCard) -> object:
    from genloom.music.compose import Composer

    return Composer(card, _path(card))
