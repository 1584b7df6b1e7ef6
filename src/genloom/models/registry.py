"""The model registry: cards keyed by id, backends keyed by name.

Cards come from plugins (``register_models`` hook, built-ins included) and
from models the user registered by path (``genloom models add``), which are
kept in ``$GENLOOM_HOME/models.json``. Loading is lazy and cached: a card is
cheap, a loaded model is not.
"""

from __future__ import annotations

import difflib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genloom import config
from genloom.errors import InvalidInput, ModelNotFound
from genloom.models.card import Kind, ModelCard

Factory = Callable[[ModelCard], Any]
Detector = Callable[[Path], "ModelCard | None"]
StatusChecker = Callable[[ModelCard], str]


@dataclass
class Backend:
    name: str
    factory: Factory
    detect: Detector | None = None
    status: StatusChecker | None = None
    description: str = ""


class Registry:
    def __init__(self) -> None:
        self._cards: dict[str, ModelCard] = {}
        self._factories: dict[str, Factory] = {}
        self._backends: dict[str, Backend] = {}
        self._aliases: dict[str, str] = {}
        self._loaded: dict[str, Any] = {}
        self._lock = threading.RLock()

    # -- registration -------------------------------------------------
    def register(self, card: ModelCard, factory: Factory | None = None) -> None:
        with self._lock:
            self._cards[card.id] = card
            if factory is not None:
                self._factories[card.id] = factory
            for alias in card.aliases:
                self._aliases.setdefault(alias, card.id)

    def register_backend(
        self,
        name: str,
        factory: Factory,
        *,
        detect: Detector | None = None,
        status: StatusChecker | None = None,
        description: str = "",
    ) -> None:
        self._backends[name] = Backend(name, factory, detect, status, description)

    def status_checker(self, backend: str) -> StatusChecker | None:
        b = self._backends.get(backend)
        return b.status if b else None

    def backends(self) -> list[Backend]:
        return list(self._backends.values())

    # -- lookup -------------------------------------------------------
    def cards(self, kind: Kind | str | None = None) -> list[ModelCard]:
        cards = list(self._cards.values())
        if kind is not None:
            cards = [c for c in cards if c.serves(kind)]
        return cards

    def resolve_id(self, model_id: str) -> str:
        if model_id in self._cards:
            return model_id
        if model_id in self._aliases:
            return self._aliases[model_id]
        if model_id in Kind.__members__:
            return self.default_card(model_id).id
        raise self._not_found(model_id)

    def card(self, model_id: str) -> ModelCard:
        return self._cards[self.resolve_id(model_id)]

    def _not_found(self, model_id: str) -> ModelNotFound:
        names = list(self._cards) + list(self._aliases)
        close = difflib.get_close_matches(model_id, names, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "see 'genloom models' for the list"
        return ModelNotFound(f"Unknown model {model_id!r}", hint=hint, param="model")

    def default_card(self, kind: Kind | str) -> ModelCard:
        kind = Kind(kind)
        env = os.environ.get(f"GENLOOM_DEFAULT_{kind.value.upper()}_MODEL")
        if env:
            return self.card(env)
        candidates = self.cards(kind)
        if not candidates:
            raise ModelNotFound(
                f"No model can make {kind.value!r} output",
                hint="install one or register it with 'genloom models add PATH'",
            )
        # Once the user pulled a catalogue model of this kind, the resource-aware
        # choice (quality, speed, fits in memory) decides.
        from genloom.models.choose import pick_default

        picked = pick_default(kind, candidates)
        if picked is not None:
            return picked
        # A preferred default that can be assembled on first use beats a
        # lesser model that happens to be ready.
        preferred = [c for c in candidates if kind in c.default_for]
        for pool in (preferred, candidates):
            for wanted in ("installed", "installable"):
                for card in pool:
                    if card.installed_status() == wanted:
                        return card
        return (preferred or candidates)[0]

    # -- loading ------------------------------------------------------
    def load(self, model_id: str) -> Any:
        card = self.card(model_id)
        with self._lock:
            model = self._loaded.get(card.id)
            if model is None:
                factory = self._factories.get(card.id)
                if factory is None:
                    backend = self._backends.get(card.backend)
                    if backend is None:
                        raise ModelNotFound(
                            f"Model {card.id!r} needs backend {card.backend!r}, which is not available",
                            hint="install the plugin that provides it",
                        )
                    factory = backend.factory
                model = factory(card)
                self._check_pins(card, model)
                self._loaded[card.id] = model
            return model

    @staticmethod
    def _check_pins(card: ModelCard, model: Any) -> None:
        """An embedded model's files must be the pinned bytes (genloom.models.pins), or it is not used."""
        from genloom.models.pins import PINS, verify

        if card.id not in PINS:
            return
        try:
            verify(card.id)
        except BaseException:
            close = getattr(model, "close", None)
            if callable(close):
                close()
            raise

    def unload(self, model_id: str | None = None) -> None:
        with self._lock:
            ids = [model_id] if model_id else list(self._loaded)
            for mid in ids:
                model = self._loaded.pop(self.resolve_id(mid) if mid not in self._loaded else mid, None)
                close = getattr(model, "close", None)
                if callable(close):
                    close()

    def loaded(self) -> list[str]:
        return list(self._loaded)

    # -- user models --------------------------------------------------
    def detect(self, path: Path) -> ModelCard:
        path = path.expanduser().resolve()
        if not path.exists():
            raise InvalidInput(f"No such file or directory: {path}", param="path")
        for backend in self._backends.values():
            if backend.detect is None:
                continue
            card = backend.detect(path)
            if card is not None:
                return card
        raise InvalidInput(
            f"Don't know how to load {path}",
            hint="expected a .gguf file, a transformers model directory, or another format a backend supports",
            param="path",
        )


_user_file_lock = threading.Lock()


def _user_models_file() -> Path:
    return config.home() / "models.json"


def load_user_cards() -> list[ModelCard]:
    path = _user_models_file()
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path} is not valid JSON: {exc}", hint="fix or delete the file") from exc
    return [ModelCard.model_validate(item) for item in data.get("models", [])]


def save_user_cards(cards: list[ModelCard]) -> None:
    from genloom.store.files import atomic_write_bytes

    payload = {"models": [c.model_dump(mode="json") for c in cards]}
    atomic_write_bytes(_user_models_file(), json.dumps(payload, indent=2).encode())


def add_user_model(path: Path, *, model_id: str | None = None, kind: str | None = None) -> ModelCard:
    registry = get_registry()
    card = registry.detect(path)
    updates: dict[str, Any] = {}
    if model_id:
        updates["id"] = model_id
    if kind:
        try:
            new_kind = Kind(kind)
        except ValueError:
            raise InvalidInput(f"Unknown kind {kind!r}", hint=f"one of {', '.join(k.value for k in Kind)}", param="kind") from None
        updates["kind"] = new_kind
    card = card.model_copy(update=updates)
    with _user_file_lock:
        cards = [c for c in load_user_cards() if c.id != card.id]
        if card.id in registry._cards and card.id not in {c.id for c in load_user_cards()}:
            raise InvalidInput(f"Model id {card.id!r} is already taken by a built-in model", hint="pass --id NAME", param="id")
        cards.append(card)
        save_user_cards(cards)
    registry.register(card)
    return card


def remove_user_model(model_id: str) -> None:
    with _user_file_lock:
        cards = load_user_cards()
        kept = [c for c in cards if c.id != model_id]
        if len(kept) == len(cards):
            raise ModelNotFound(f"No user-registered model {model_id!r}", hint="'genloom models' lists them")
        save_user_cards(kept)
    reset_registry()


_registry: Registry | None = None
_registry_lock = threading.Lock()


def get_registry() -> Registry:
    global _registry
    with _registry_lock:
        if _registry is None:
            from genloom.plugins import get_plugin_manager

            registry = Registry()
            pm = get_plugin_manager()
            pm.hook.register_backends(register=registry.register_backend)
            pm.hook.register_models(register=registry.register)
            for card in load_user_cards():
                registry.register(card)
            _registry = registry
        return _registry


def reset_registry() -> None:
    global _registry
    with _registry_lock:
        if _registry is not None:
            _registry.unload()
        _registry = None


def get_model(model_id: str | None = None, kind: Kind | str = Kind.text) -> Any:
    """The loaded model for ``model_id`` (or the default model of ``kind``)."""
    registry = get_registry()
    card = registry.card(model_id) if model_id else registry.default_card(kind)
    return registry.load(card.id)
