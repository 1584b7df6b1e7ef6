"""Resource-aware model choice: the best installed model that fits this machine.

Each candidate gets a quality score (1-10, curated in the catalogue) and a
speed class on the device it would run on here (GPU when one is present and
the model fits in its memory, else CPU). ``prefer`` weighs them:

* ``fast``: fastest first, quality breaks ties;
* ``best``: highest quality first, speed breaks ties;
* ``balanced`` (default): quality + speed score (fast 3, medium 2, slow 1).

Models that do not fit in memory are never chosen while one that fits
exists; cards with ``options["auto_default"] = False`` are never chosen. Models outside the catalogue (added by path, plugins) get a neutral
quality and a speed class guessed from their size.

The planner calls :func:`choose` with the user's ``--fast``/``--best``;
:func:`pick_default` is the hook :meth:`Registry.default_card` uses so that a
model the user pulled takes over its kind without configuration
(``GENLOOM_PREFER`` sets the preference there).
"""

from __future__ import annotations

import os
from typing import Literal

from genloom.catalog import SPEED_SCORE, Entry, Machine, fits, load_catalog, machine, speed_on
from genloom.errors import InvalidInput, ModelNotFound
from genloom.models.card import Kind, ModelCard

Prefer = Literal["balanced", "fast", "best"]
PREFERENCES = ("balanced", "fast", "best")
UNKNOWN_QUALITY = 4


def _prefer(prefer: str | None) -> str:
    value = (prefer or os.environ.get("GENLOOM_PREFER") or "balanced").lower()
    if value not in PREFERENCES:
        raise InvalidInput(f"Unknown preference {value!r}", hint=f"one of {', '.join(PREFERENCES)}", param="prefer")
    return value


def _entries() -> dict[str, Entry]:
    try:
        return {e.id: e for e in load_catalog().models}
    except InvalidInput:
        return {}


def _profile(card: ModelCard, entries: dict[str, Entry], m: Machine) -> tuple[int, int, bool]:
    """(quality, speed score, fits) of a card on machine ``m``."""
    item: Entry | ModelCard = entries.get(card.id, card)
    if isinstance(item, ModelCard) and "quality" not in card.options:
        size = card.size_bytes or 0
        speed = "fast" if size < 500e6 else "medium" if size < 2.5e9 else "slow"
        return UNKNOWN_QUALITY, SPEED_SCORE[speed], fits(card, m)
    quality = item.quality if isinstance(item, Entry) else int(card.options["quality"])
    return quality, SPEED_SCORE.get(speed_on(item, m), 2), fits(item, m)


def _key(prefer: str, kind: Kind, quality: int, speed: int, card: ModelCard) -> tuple[float, ...]:
    native = 1 if card.kind == kind else 0
    if prefer == "fast":
        return (speed, native, quality)
    if prefer == "best":
        return (quality, native, speed)
    return (quality + speed, native, quality)


def ranked(kind: Kind | str, prefer: str | None = None, cards: list[ModelCard] | None = None,
           m: Machine | None = None) -> list[ModelCard]:
    """Installed (or assemble-on-first-use) cards for ``kind``, best first; those that fit come first."""
    from genloom.models.registry import get_registry

    kind = Kind(kind)
    pref = _prefer(prefer)
    m = m or machine()
    entries = _entries()
    pool = cards if cards is not None else get_registry().cards(kind)
    scored = []
    for order, card in enumerate(pool):
        if card.options.get("auto_default") is False:
            continue  # only used when named (its kind's runner cannot drive it)
        st = card.installed_status()
        if st not in ("installed", "installable"):
            continue
        quality, speed, ok = _profile(card, entries, m)
        key = (int(ok), *_key(pref, kind, quality, speed, card), int(st == "installed"), -order)
        scored.append((key, card))
    scored.sort(key=lambda kc: kc[0], reverse=True)
    return [c for _, c in scored]


def choose(kind: Kind | str, prefer: str | None = None) -> ModelCard:
    """The model genloom should use for ``kind`` on this machine."""
    best = ranked(kind, prefer)
    if not best:
        raise ModelNotFound(f"No installed model can make {Kind(kind).value!r} output",
                            hint="'genloom models --available' lists models to pull")
    return best[0]


def better_available(kind: Kind | str, prefer: str | None = None) -> Entry | None:
    """A catalogue model, not installed yet, that fits and beats the current choice."""
    from genloom.catalog.pull import status

    kind = Kind(kind)
    pref = _prefer(prefer)
    m = machine()
    entries = _entries()
    try:
        current = choose(kind, pref)
        cq, cs, _ = _profile(current, entries, m)
        current_key = _key(pref, kind, cq, cs, current)[:1]
    except ModelNotFound:
        current_key = (0,)
    best: tuple[tuple[float, ...], Entry] | None = None
    for e in entries.values():
        if not e.serves(kind) or not fits(e, m) or e.options.get("auto_default") is False:
            continue
        if status(e) == "installed":
            continue
        probe = e.card()
        key = _key(pref, kind, e.quality, SPEED_SCORE[speed_on(e, m)], probe)
        if key[:1] > current_key and (best is None or key > best[0]):
            best = (key, e)
    return best[1] if best else None


def pick_default(kind: Kind | str, cards: list[ModelCard]) -> ModelCard | None:
    """Hook for :meth:`Registry.default_card`: decide only once the user pulled a model of this kind."""
    if not any(c.options.get("catalog") and c.path for c in cards):
        return None
    best = ranked(kind, cards=cards)
    return best[0] if best else None
