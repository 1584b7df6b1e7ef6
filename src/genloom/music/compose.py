"""``compose(prompt)``: words to a MIDI file and rendered audio; and the ``music`` runner."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genloom.errors import InvalidInput
from genloom.models.card import Kind, ModelCard

if TYPE_CHECKING:
    import numpy as np

    from genloom.api import Result
    from genloom.music.arrange import Arrangement
    from genloom.music.request import Spec

Progress = Callable[[float, str], None]


@dataclass
class Composition:
    spec: Spec
    seed: int
    model_id: str
    midi: bytes
    audio: np.ndarray | None
    sample_rate: int
    engine: str
    n_beats: int
    timings: dict[str, float] = field(default_factory=dict)
    form: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        if self.audio is None:
            return 0.0
        return self.audio.shape[0] / self.sample_rate

    def meta(self, prompt: str | None = None) -> dict[str, Any]:
        spec = {k: v for k, v in self.spec.to_dict().items() if k not in ("roles", "mood_velocity")}
        return {"model": self.model_id, "seed": self.seed, **spec, "render": self.engine,
                "beats": self.n_beats, "form": "".join(self.form), "duration_s": round(self.duration_s, 2),
                "source_text": prompt[:500] if prompt else None}


class Composer:
    """The loaded ``music`` model: the chorale sampler, the song tables, and everything around them."""

    def __init__(self, card: ModelCard, path: Path):
        from genloom.music.model import load_model
        from genloom.music.song_model import load_song_model

        self.card = card
        self.model = load_model(path)
        self.songs = load_song_model()

    def compose(self, prompt: str, params: dict[str, Any] | None = None, *, seed: int | None = None,
                render_audio: bool = True, soundfont: str | None = None, engine: str = "auto",
                progress: Progress | None = None) -> Composition:
        import numpy as np

        from genloom.audio.label import label_comment
        from genloom.music.midi import FADE_DB, write_tracks
        from genloom.music.render import fade_out, fit_length, render
        from genloom.music.request import parse

        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        spec = parse(prompt, params)
        seed = secrets.randbelow(2**31) if seed is None else int(seed)
        if progress:
            progress(0.05, f"composing {spec.genre} in {spec.key_name}, {spec.tempo} bpm")
        rng = np.random.default_rng(seed)
        if spec.genre == "chorale":
            arrangement = self._chorale(spec, rng)
        else:
            from genloom.music.arrange import Arranger
            from genloom.music.genres import GENRES

            arrangement = Arranger(self.songs, GENRES[spec.genre], spec, rng).arrange()
        label = label_comment({"model": self.card.id, "seed": seed, "key": spec.key_name, "tempo": spec.tempo,
                               "genre": spec.genre})
        data = write_tracks(arrangement.tracks, spec, arrangement.end_beat, label, arrangement.fade_from)
        timings["compose_s"] = time.perf_counter() - t0
        audio, rate, used = None, 0, "none"
        if render_audio:
            if progress:
                progress(0.4, "rendering audio")
            t1 = time.perf_counter()
            audio, rate, used = render(data, arrangement.notes, spec.tempo, soundfont=soundfont, engine=engine,
                                       seconds=spec.seconds)
            audio = fit_length(audio, rate, spec.seconds)
            if used == "builtin" and arrangement.fade_from is not None:
                audio = fade_out(audio, rate, arrangement.fade_from * 60.0 / spec.tempo, FADE_DB)
            timings["render_s"] = time.perf_counter() - t1
        if progress:
            progress(1.0, "done")
        return Composition(spec, seed, self.card.id, data, audio, rate, used, round(arrangement.end_beat),
                           timings, [s.label for s in arrangement.sections])

    def _chorale(self, spec: Spec, rng: np.random.Generator) -> Arrangement:
        """Four-part chorale from the Bach model, the final chord held to the exact length."""
        from genloom.music import midi as midi_mod
        from genloom.music.arrange import RELEASE_S, Arrangement, Section, Track, chorale_drums

        total = spec.seconds * spec.tempo / 60.0
        release = RELEASE_S * spec.tempo / 60.0
        target = max(2, int(total - release - 2))
        piece = self.model.sample(spec.mode, target, rng, novelty=spec.novelty, busyness=spec.busyness, tries=16)
        while len(piece.beats) > total - release - 0.75 and target > 2:  # too long: ask for fewer beats
            target -= 2
            piece = self.model.sample(spec.mode, target, rng, novelty=spec.novelty, busyness=spec.busyness, tries=16)
        hold = max(0.75, total - release - len(piece.beats))
        notes = midi_mod.notes(piece, spec, hold=hold)
        names = ("Soprano", "Alto", "Tenor", "Bass")
        tracks = [Track(names[v], v, spec.programs[v], [n for n in notes if n.voice == v]) for v in range(4)]
        if spec.drums:
            tracks.append(chorale_drums(len(piece.beats), spec.velocity))
        return Arrangement(tracks, total, [Section("A", 0, len(piece.beats) // 4)], [])


def load_composer(model: str | None = None) -> Composer:
    from genloom.models.registry import get_registry

    registry = get_registry()
    card = registry.card(model) if model else registry.default_card(Kind.music)
    if not card.serves(Kind.music):
        raise InvalidInput(f"Model {card.id!r} makes {card.kind.value}, not music", param="model")
    return registry.load(card.id)


def compose(prompt: str, model: str | None = None, params: dict[str, Any] | None = None,
            seed: int | None = None, **kw: Any) -> Composition:
    """Compose for ``prompt`` ("a calm piece in D minor, 30 seconds"); see :class:`Composer.compose`."""
    return load_composer(model).compose(prompt, params, seed=seed, **kw)


def run_music(prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
              parent_ids: list[str] | None, run_id: str | None, progress: Progress | None) -> Result:
    """``api.create("music", prompt, params={genre, tempo, key, mode, instruments, drums, mood, seconds
    (or duration), style, seed, midi, format, soundfont, engine, sidecar})``; ``output`` gets the audio and
    the MIDI file is written beside it (``params["midi"]`` names another path for it)."""
    from genloom.api import Result, record_files
    from genloom.audio.label import write_sidecar
    from genloom.audio.output import check_writable, write_output
    from genloom.audio.wav import check_format, encode, format_for_path

    params = dict(params)
    seed = params.pop("seed", None)
    midi_out = params.pop("midi", None)
    soundfont = params.pop("soundfont", None)
    engine = params.pop("engine", "auto")
    sidecar = bool(params.pop("sidecar", False))
    out_is_midi = output is not None and Path(output).suffix.lower() in (".mid", ".midi")
    if midi_out is None and output is not None and not out_is_midi:
        midi_out = Path(output).with_suffix(".mid")  # the score always travels with the audio
    fmt = check_format(params.pop("format", None) or ("wav" if out_is_midi else format_for_path(output)))
    from genloom.music.request import PARAM_KEYS

    known = set(PARAM_KEYS)
    unknown = set(params) - known
    if unknown:
        raise InvalidInput(f"Unknown music parameter(s): {', '.join(sorted(unknown))}",
                           hint=f"music takes {', '.join(sorted(known | {'seed', 'midi', 'format', 'soundfont', 'engine'}))}",
                           param=sorted(unknown)[0])
    if engine not in ("auto", "fluidsynth", "builtin"):
        raise InvalidInput(f"Unknown render engine {engine!r}", hint="auto, fluidsynth or builtin", param="engine")
    if not prompt or not prompt.strip():
        prompt = "a piece of music"
    for path in (output, midi_out):
        if path is not None:
            check_writable(Path(path))
    composer = load_composer(model)
    comp = composer.compose(prompt, params, seed=seed, render_audio=not out_is_midi or fmt != "wav",
                            soundfont=soundfont, engine=engine, progress=progress)
    meta = comp.meta(prompt)
    files: list[dict[str, Any]] = [{"data": comp.midi, "mime": "audio/midi", "ext": ".mid", "meta": meta}]
    audio_bytes = None
    if comp.audio is not None:
        audio_bytes, mime = encode(comp.audio, comp.sample_rate, fmt, meta)
        files.insert(0, {"data": audio_bytes, "mime": mime, "ext": f".{fmt}", "meta": meta})
    record_params = {**{k: v for k, v in comp.spec.to_dict().items() if k not in ("moods", "roles", "mood_velocity")},
                     "format": fmt,
                     "render": comp.engine}
    gid, ids, stored = record_files(
        kind="music", task="compose", model_id=comp.model_id, prompt=prompt, params=record_params, seed=comp.seed,
        parent_ids=parent_ids, run_id=run_id, duration_ms=sum(comp.timings.values()) * 1000, files=files,
    )
    paths: list[Path] = []
    if output is not None:
        body = comp.midi if out_is_midi else audio_bytes
        paths.append(write_output(Path(output), body or b""))
    if midi_out is not None:
        paths.append(write_output(Path(midi_out), comp.midi))
    if sidecar:
        for p in paths:
            write_sidecar(p, {**meta, "generation_id": gid})
    if not paths:
        paths = list(stored)
    return Result(kind="music", generation_id=gid, model_id=comp.model_id, asset_ids=ids, paths=paths,
                  meta={**meta, "format": fmt, "timings": {k: round(v, 3) for k, v in comp.timings.items()},
                        "stored": [str(p) for p in stored]})
