"""``create("video", ...)``: pictures, voice, music and captions on one timeline, encoded, labelled, stored.

:func:`run_video` is the ``api.create`` runner: it checks the request, builds
the components (a speaker, a music composer, a painter for the stills) and
hands them to :func:`make_video`, whose numbered steps each do one thing.
The components are passed in, so a test or another caller can give its own;
none of them records anything: the video is one generation, and the voice,
music and stills models it used are in its record.

Params (see :class:`genloom.video.request.VideoRequest` and docs/media.md):
``seconds``, ``width``/``height``/``size``/``aspect``/``format``, ``captions``,
``music``, ``shots``, ``images``, ``clip``, ``name``/``headline`` (+ ``cta``/``subline``),
``narration`` (text, or True to read the prompt), ``narration_audio`` (+ ``narration_text``),
``music_audio``, ``voice``, ``speed``, ``fps``, ``mode``, ``motion``, ``transition``, ``seed``,
``style`` and the contract's music settings (genre, tempo, key, mode major/minor, instruments, drums, mood).
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genloom.api import Progress, Result, record_files
from genloom.errors import GenloomError, InvalidInput
from genloom.video import cards, timeline
from genloom.video.narration import Cue, Narration, Speaker, speak_with_genloom
from genloom.video.pictures import Animator, Painter, animator_for, painter_for
from genloom.video.request import VideoRequest
from genloom.video.soundtrack import Composer, compose_with_genloom

MAX_SPEEDUP = 1.35  # a voice read faster than this to fit a length sounds rushed: lengthen the video instead
PHOTO_MARGIN = 0.02  # a user's photo is fitted whole inside this margin of the frame ...
PHOTO_PAN = 0.03  # ... and pans by less than it (half of 3 % each way), so no edge ever leaves the frame
FIT_MARGIN_S = 0.5  # a voice fitted into an asked length keeps this much silence around it


@dataclass
class Components:
    """What a video is made with; :func:`run_video` passes genloom's own, tests pass fakes."""

    speaker: Speaker
    composer: Composer
    painter: Painter
    animator: Animator | None = None  # None: no animated scenes, shots only


@dataclass
class Made:
    """A finished video in a work directory, and what went into it."""

    path: Path
    seconds: float
    frames: int
    mode: str
    cues: list[Cue]
    meta: dict[str, Any] = field(default_factory=dict)


def run_video(prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
              parent_ids: list[str] | None, run_id: str | None, progress: Progress | None) -> Result:
    # 1. Check inputs: every param and the output path, before any work.
    request = VideoRequest.from_params(prompt, params, output)
    if output is not None and Path(output).is_dir():
        raise InvalidInput(f"{output} is a directory", hint="give a file name such as out.mp4", param="output")
    video_id, stills_model = _resolve_models(model)
    # 2. The components.
    parts = Components(speak_with_genloom, compose_with_genloom, painter_for(stills_model, request.image_params),
                       animator_for(stills_model, request.image_params))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="genloom-video-") as work:
        # 3. Make it.
        made = make_video(request, parts, Path(work), video_id=video_id, progress=progress)
        # 4. Record one generation (the video, its captions) and write the outputs.
        return _record_and_export(request, made, video_id, output, parent_ids, run_id,
                                  (time.perf_counter() - started) * 1000)


def make_video(request: VideoRequest, parts: Components, workdir: Path, *, video_id: str = "genloom-video",
               progress: Progress | None = None) -> Made:
    """The video for ``request`` in ``workdir``; the numbered steps below each do one thing."""
    from genloom.video.encode import probe

    notes = list(request.notes)
    seed = request.seed if request.seed is not None else secrets.randbelow(2**31)
    clip_info = probe(request.clip) if request.clip else None
    if clip_info is not None and not clip_info.get("video"):
        raise InvalidInput(f"{request.clip} has no picture", hint="give a video file as clip", param="clip")
    # 1. The voice, when there is one, with each sentence's timing.
    request = _with_voice(request, notes)
    narration = _narration(request, parts.speaker, seed)
    # 2. The length: asked, the clip's own, or the narration's plus a tail; a voice too long is read faster.
    seconds = timeline.length(request.seconds, narration.seconds if narration else None,
                              clip_info["duration"] if clip_info else None,
                              pictures=len(request.images) + len(shot_descriptions(request)))
    narration, seconds = _fit_voice(request, parts.speaker, narration, seconds, seed, notes, clip_info is not None)
    voice_at = min(timeline.LEAD_S, max(0.0, (seconds - narration.seconds) / 2)) if narration else 0.0
    sentences = narration.shifted(voice_at) if narration else []
    # 3. The captions: narration sentences in readable pieces.
    from genloom.video.captions import max_words_for, pieces

    cues = pieces(sentences, max_words_for(tuple(clip_info["size"]) if clip_info else request.size))
    if request.captions and not cues:
        notes.append("no captions: the narration's words are unknown" if narration else "no captions: no narration")
    # 4. The sound: voice, music (asked, or a bed when nothing is said), a clip's own sound; music ducked under the voice.
    audio, sound_meta = _soundtrack(request, parts.composer, narration, voice_at, seconds, seed, clip_info,
                                    workdir, notes)
    # 5. The picture and 6. encoding.
    label_extra = {"kind": "video", "seconds": round(seconds, 3)}
    if clip_info is not None and request.size_asked and tuple(clip_info["size"]) != request.size:
        notes.append(f"the clip keeps its own size {clip_info['size'][0]}x{clip_info['size'][1]}")
    if request.clip is not None:
        made = _clip_video(request, clip_info, cues if request.captions else [], audio, seconds, workdir,
                           video_id, label_extra, progress)
    else:
        made = _drawn_video(request, parts.painter, parts.animator, seconds, sentences,
                            cues if request.captions else [], audio, seed, workdir, video_id, label_extra, progress)
    made.cues = cues
    made.meta.update({"notes": notes, "seed": seed, "audio": audio is not None, **sound_meta,
                      "narration_seconds": round(narration.seconds, 3) if narration else None,
                      "narration_starts": round(voice_at, 3) if narration else None,
                      "captions": bool(request.captions and cues)})
    return made


# -- 1. narration ------------------------------------------------------------------
def _with_voice(request: VideoRequest, notes: list[str]) -> VideoRequest:
    """The request with the installed voice that best fits its voice traits and language, when none is named."""
    if not request.narration or request.voice is not None or not (request.voice_traits or request.language):
        return request
    from genloom.audio.voices import resolve

    voice, reason = resolve(request.voice_traits, request.language)
    if reason.startswith("no installed voice"):
        notes.append(reason)
    return dataclasses.replace(request, voice=voice)


def _narration(request: VideoRequest, speaker: Speaker, seed: int, speed: float | None = None) -> Narration | None:
    from genloom.video.narration import from_file

    if request.narration_audio is not None:
        return from_file(request.narration_audio, request.narration_text)
    if request.narration:
        return speaker(request.narration, request.voice, speed or request.speed, seed)
    return None


def _fit_voice(request: VideoRequest, speaker: Speaker, narration: Narration | None, seconds: float, seed: int,
               notes: list[str], is_clip: bool) -> tuple[Narration | None, float]:
    """Never cut the voice: read it a little faster, or make the video longer (a clip's length is fixed)."""
    if narration is None or narration.seconds <= seconds - FIT_MARGIN_S:
        return narration, seconds
    speed = request.speed or 1.0
    # Pauses do not speed up with the words, so one try may fall short: a second try corrects by what it measured.
    for _ in range(2):
        ratio = narration.seconds / max(seconds - FIT_MARGIN_S, 0.1)
        if not (request.narration and request.narration_audio is None) or speed * ratio > MAX_SPEEDUP:
            break
        speed *= ratio * 1.02
        narration = _narration(request, speaker, seed, speed=speed)
        assert narration is not None
        if narration.seconds <= seconds - FIT_MARGIN_S:
            notes.append(f"narration read {speed:.2f}x as fast to fit {seconds:g} s")
            return narration, seconds
    if is_clip and narration.seconds <= seconds:
        return narration, seconds  # a clip's length is the user's: the voice may fill it to the end
    longer = round(narration.seconds + timeline.LEAD_S + FIT_MARGIN_S, 2)
    notes.append(f"video made {longer:g} s long instead of {seconds:g} s so the narration is not cut"
                 + (" (the clip's last frame is held)" if is_clip else ""))
    return narration, longer


# -- 4. sound ----------------------------------------------------------------------
def _soundtrack(request: VideoRequest, composer: Composer, narration: Narration | None, voice_at: float,
                seconds: float, seed: int, clip_info: dict[str, Any] | None, workdir: Path,
                notes: list[str]) -> tuple[Path | None, dict[str, Any]]:
    from genloom.video import soundtrack as st

    if request.container == "gif":
        if narration is not None or request.music:
            notes.append("GIF has no sound: narration and music left out (write .mp4 to keep them)")
        return None, {}
    meta: dict[str, Any] = {}
    beds = []
    clip_sound = clip_info is not None and clip_info.get("audio")
    if clip_sound:
        beds.append(st.decode(request.clip)[0])  # the clip's own sound stays, under the voice
    wants_music = request.music if request.music is not None else (
        request.music_audio is not None or (narration is None and not clip_sound))
    if wants_music:
        if request.music_audio is not None:
            beds.append(st.decode(request.music_audio)[0])
            meta["music"] = {"file": str(request.music_audio)}
        else:
            try:
                music = composer(request.prompt, seconds, request.music_params, seed)
            except GenloomError as exc:
                if request.music:  # asked for: its failure is the request's failure
                    raise
                notes.append(f"no music bed: {exc}")
            else:
                beds.append(st.as_stereo(music.samples, music.sample_rate))
                meta["music"] = music.provenance
    voice = st.as_stereo(narration.samples, narration.sample_rate) if narration else None
    if narration is not None:
        meta["narration"] = narration.provenance
    if voice is None and not beds:
        return None, meta
    return st.write_wav(st.mix(seconds, voice, voice_at, beds), workdir / "soundtrack.wav"), meta


# -- 5. picture --------------------------------------------------------------------
# "Shot 2 (4-8s): a close-up of bread": the shot list genloom's planner writes (brain.prompts.render).
_SHOT_LINE = re.compile(r"Shot \d+\s*(?:\([^)]*\))?\s*:\s*(.+?)(?=\s*Shot \d+\s*(?:\([^)]*\))?\s*:|$)", re.S)


def shot_descriptions(request: VideoRequest) -> list[str]:
    """The shots: the ``shots`` param, else a shot list in the prompt ("Shot 1 (0-4s): ..." or "a; b; c")."""
    if request.shots:
        return request.shots
    listed = [m.group(1).strip(" .") for m in _SHOT_LINE.finditer(request.prompt)]
    if len(listed) > 1:
        return listed
    parts = [p.strip(" .") for p in request.prompt.split(";") if p.strip(" .")]
    return parts if len(parts) > 1 else []


def narrated_shots(sentences: list[Cue], seconds: float, topic: str = "", per_shot_s: float = 3.0) -> list[str]:
    """With no shot list, the narration is one: its sentences, in order, grouped into shots of about
    ``per_shot_s`` each (at least two), so each picture shows what is being said over it.

    Each shot also names the video's topic: a sentence alone can mislead the art ("Stretch out."
    draws a dizzy face; "Stretch out. (a yoga studio promo)" draws a yoga pose).
    """
    if len(sentences) < 2:
        return []
    k = min(len(sentences), max(2, round(seconds / per_shot_s)))
    groups = [sentences[round(i * len(sentences) / k):round((i + 1) * len(sentences) / k)] for i in range(k)]
    context = f" ({' '.join(topic.split())[:100]})" if topic.strip() else ""
    return [" ".join(c.text for c in g) + context for g in groups if g]


@dataclass
class Pictures:
    """What is on screen, piece by piece, and where the pictures came from."""

    mode: str  # animate | slideshow
    pieces: list[timeline.Piece]
    first: Any  # the first picture (its colour tints the end card)
    model_id: str
    credits: list[dict[str, str]] = field(default_factory=list)
    motion: str | None = None


def _drawn_video(request: VideoRequest, painter: Painter, animator: Animator | None, seconds: float,
                 sentences: list[Cue], cues: list[Cue], audio: Path | None, seed: int, workdir: Path, video_id: str,
                 label_extra: dict[str, Any], progress: Progress | None) -> Made:
    """Pictures (an animated scene, or stills cut on the narration's pauses), then cards, captions, encoding."""
    from genloom.image.label import label_dict
    from genloom.video import frames

    size = request.size
    shots = shot_descriptions(request)
    if not shots and not request.images and request.mode == "auto":
        shots = narrated_shots(sentences, seconds, topic=request.prompt)
    has_end = bool(request.title) and seconds >= cards.END_MIN_VIDEO_S
    picture_end = seconds - cards.END_S if has_end else seconds
    if request.mode == "animate" or (request.mode == "auto" and not shots and not request.images):
        pics = _animated(request, animator, picture_end, seed)
    else:
        pics = _slides(request, painter, shots, picture_end, sentences, seed)
    if has_end:
        card = cards.end_card(request.title or "", request.end_line, size, cards.tint_of(pics.first))
        pics.pieces.append(timeline.Piece(picture_end, seconds, frames.drift(card, size, cards.END_S, travel=0.02)))
    transition = min(request.transition, min(p.end - p.start for p in pics.pieces) / 2)
    play = timeline.player(pics.pieces, transition)
    at = cards.title_place(drawn=not request.images, captions=bool(cues))
    title = cards.title_overlay(request.title, size, at) if request.title else None
    stream = _decorated((play(i / request.fps) for i in range(_frame_count(seconds, request.fps))),
                        request, size, cues, title, card_from=picture_end if has_end else None)
    credits = _dedupe(pics.credits)
    label = label_dict(model=video_id, stills_model=pics.model_id, prompt=request.prompt, seed=seed,
                       attribution=credits, neural=False, **label_extra)
    path = _encode(stream, request, size, label, audio, seconds, workdir, progress)
    meta = {"stills_model": pics.model_id, "shots": len(pics.pieces) - int(has_end), "attribution": credits,
            "cuts": [round(p.start, 3) for p in pics.pieces[1:]], "end_card": has_end}
    if pics.motion:
        meta["motion"] = pics.motion
    return Made(path, seconds, _frame_count(seconds, request.fps), pics.mode, cues, meta)


def _animated(request: VideoRequest, animator: Animator | None, seconds: float, seed: int) -> Pictures:
    from genloom.video import frames

    if animator is None:
        raise InvalidInput("This video maker cannot animate a scene", hint="give shots, or mode=slideshow",
                           param="mode")
    motion = request.motion or frames.motion_for(request.prompt)
    scene = animator(request.prompt, request.size, seed, seconds, motion)
    return Pictures("animate", [timeline.Piece(0.0, seconds, scene.frame)], scene.first, scene.model_id,
                    list(scene.credits), motion)


def _slides(request: VideoRequest, painter: Painter, shots: list[str], seconds: float, sentences: list[Cue],
            seed: int) -> Pictures:
    """The user's photos, then one drawn still per shot; shots cut on the narration's pauses."""
    from genloom.video import frames
    from genloom.video.pictures import fit_whole, load_photos

    size = request.size
    # (picture, pan travel): photos fitted whole with a margin wider than their pan stay fully visible.
    shown: list[tuple[Any, float]] = [(fit_whole(p, size, margin=PHOTO_MARGIN), PHOTO_PAN)
                                      for p in load_photos(request.images)]
    model_id, credits = "files", []
    if shots or not shown:  # a plan's hero image and its shot list: the image first, then one still per shot
        descriptions = shots or [request.prompt] * max(2, round(seconds / 3.5))
        stills = painter(descriptions, size, seed)
        shown += [(img, 0.1) for img in stills.images]
        model_id = stills.model_id if not request.images else f"files+{stills.model_id}"
        credits = list(stills.credits)
    cuts = timeline.cut_points(len(shown), 0.0, seconds, timeline.pauses(sentences), on_boundaries=not request.images)
    bounds = [0.0, *cuts, seconds]
    pieces = [timeline.Piece(bounds[i], bounds[i + 1],
                             frames.drift(img, size, bounds[i + 1] - bounds[i], seed=seed + i, travel=travel))
              for i, (img, travel) in enumerate(shown)]
    return Pictures("slideshow", pieces, shown[0][0], model_id, credits)


def _clip_video(request: VideoRequest, info: dict[str, Any], cues: list[Cue], audio: Path | None, seconds: float,
                workdir: Path, video_id: str, label_extra: dict[str, Any], progress: Progress | None) -> Made:
    """The user's clip with new sound: its picture copied untouched, or re-encoded only to draw captions or cards."""
    from genloom.image.label import label_dict
    from genloom.video import encode

    label = label_dict(model=video_id, stills_model="files", prompt=request.prompt, seed=None, **label_extra)
    size = tuple(info["size"])
    fps = info.get("fps") or 25.0
    meta = {"stills_model": "files", "clip": str(request.clip), "clip_picture": "copied", "size": list(size),
            "fps": fps}
    held = seconds > info["duration"] + 0.05  # a narration longer than the clip: its last frame stays
    if not cues and not request.title and request.container == "mp4" and not held:
        path = workdir / "out.mp4"
        encode.remux_with_audio(request.clip, audio, path, label, seconds)
        return Made(path, seconds, round(seconds * fps), "clip", cues, meta)
    meta["clip_picture"] = "re-encoded with captions/cards" if not held else "re-encoded, last frame held"
    at = cards.title_place(drawn=False, captions=bool(cues))
    title = cards.title_overlay(request.title, size, at) if request.title else None
    end = None
    if request.title and seconds >= cards.END_MIN_CLIP_S:
        from PIL import Image

        from genloom.video.captions import overlay_from

        first = next(encode.clip_frames(request.clip))
        card = cards.end_card(request.title, request.end_line, size, cards.tint_of(Image.fromarray(first)))
        end = overlay_from(card.convert("RGBA"), 0, 0)
    stream = _decorated(_hold_last(encode.clip_frames(request.clip)), request, size, cues, title, fps=fps, end=end,
                        seconds=seconds)
    fps_int = max(1, round(fps))
    path = _encode(stream, request, size, label, audio, seconds, workdir, progress, fps=fps_int)
    return Made(path, seconds, round(seconds * fps), "clip", cues, meta)


def _hold_last(frames_in: Iterator[Any]) -> Iterator[Any]:
    """The frames, then the last one again for as long as the consumer takes (it stops at the video's length)."""
    last = None
    for last in frames_in:
        yield last
    while last is not None:
        yield last.copy()


def _decorated(frames_in: Iterator[Any], request: VideoRequest, size: tuple[int, int], cues: list[Cue],
               title: Any, *, fps: float | None = None, end: Any = None, seconds: float = 0.0,
               card_from: float | None = None) -> Iterator[Any]:
    """Frames with the title (fading out), the end card (fading in over a clip) and the caption of the moment.

    From ``card_from`` on (a drawn end card, its name in the middle) captions go low, clear of the name.
    """
    from genloom.video.captions import CaptionStyle, caption_bottom

    drawn = request.clip is None and not request.images
    style = CaptionStyle(size, caption_bottom(size, drawn)) if cues else None
    low = CaptionStyle(size, caption_bottom(size, drawn=False)) if cues and card_from is not None else None
    rate = fps or request.fps
    j = 0
    for i, frame in enumerate(frames_in):
        t = i / rate
        if title is not None and t < cards.TITLE_S:
            frame = title.draw(frame, min(1.0, (cards.TITLE_S - t) / 0.5, (t + 0.15) / 0.3))
        if end is not None and t > seconds - cards.END_S:
            frame = end.draw(frame, min(1.0, (t - (seconds - cards.END_S)) / 0.4) * 0.92)
        while j < len(cues) and cues[j].end <= t:
            j += 1
        if style is not None and j < len(cues) and cues[j].start <= t:
            on_card = low is not None and card_from is not None and t >= card_from
            frame = (low if on_card else style).overlay(cues[j].text).draw(frame)
        yield frame


def _frame_count(seconds: float, fps: int) -> int:
    return max(1, round(seconds * fps))


def _encode(stream: Iterator[Any], request: VideoRequest, size: tuple[int, int], label: dict[str, Any],
            audio: Path | None, seconds: float, workdir: Path, progress: Progress | None,
            fps: int | None = None) -> Path:
    from genloom.video import encode

    fps = fps or request.fps
    total = _frame_count(seconds, fps)

    def tick(done: int) -> None:
        if progress and (done % max(1, fps // 2) == 0 or done == total):
            progress(done / total, f"frame {done}/{total}")

    frames_out = (f for _, f in zip(range(total), stream, strict=False))
    path = workdir / f"out.{request.container}"
    if request.container == "mp4":
        encode.write_mp4(path, frames_out, size, fps, label, audio=audio, progress=tick)
    else:
        encode.write_gif(path, frames_out, fps, label, progress=tick)
    return path


# -- recording ---------------------------------------------------------------------
def _record_and_export(request: VideoRequest, made: Made, video_id: str, output: Path | None,
                       parent_ids: list[str] | None, run_id: str | None, duration_ms: float) -> Result:
    from genloom.store.files import atomic_copy, atomic_write_bytes
    from genloom.video.captions import srt

    mime = "video/mp4" if request.container == "mp4" else "image/gif"
    w, h = request.size if request.clip is None else made.meta.get("size", request.size)
    fps = made.meta.get("fps", request.fps)  # a clip keeps its own
    file_meta = {"seconds": round(made.seconds, 3), "fps": fps, "frames": made.frames, "width": w,
                 "height": h, "attribution": made.meta.get("attribution", []), "audio": made.meta["audio"]}
    files: list[dict[str, Any]] = [{"path": made.path, "mime": mime, "ext": f".{request.container}", "kind": "video",
                                    "meta": file_meta}]
    srt_text = srt(made.cues) if made.cues else None
    if srt_text:
        files.append({"data": srt_text.encode(), "mime": "application/x-subrip", "ext": ".srt", "kind": "video",
                      "meta": {"captions": len(made.cues)}})
    params = {"seconds": round(made.seconds, 3), "fps": fps, "size": f"{w}x{h}",
              "mode": made.mode, "format": request.container, "captions": made.meta["captions"],
              "title": request.title, "shots": request.shots or None,
              "images": [str(p) for p in request.images] or None, "clip": str(request.clip) if request.clip else None,
              "narration": made.meta.get("narration"), "music": made.meta.get("music"),
              "stills_model": made.meta.get("stills_model"), **request.image_params}
    gid, asset_ids, stored = record_files(
        kind="video", task=made.mode, model_id=video_id, prompt=request.prompt,
        params={k: v for k, v in params.items() if v is not None}, files=files, seed=made.meta["seed"],
        parent_ids=parent_ids or None, run_id=run_id, duration_ms=duration_ms)
    paths = list(stored)
    if output is not None:
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        atomic_copy(made.path, output)
        paths = [output]
        if srt_text:
            atomic_write_bytes(output.with_suffix(".srt"), srt_text.encode())
            paths.append(output.with_suffix(".srt"))
    meta = {"seconds": round(made.seconds, 3), "fps": fps, "frames": made.frames, "size": [w, h],
            "mode": made.mode, "format": request.container, "duration_ms": round(duration_ms, 1), **made.meta}
    return Result(kind="video", generation_id=gid, model_id=video_id, asset_ids=asset_ids, paths=paths, meta=meta)


def _resolve_models(model: str | None) -> tuple[str, str | None]:
    """(video model id, image model for the stills): ``-m`` may name either kind."""
    from genloom.models.card import Kind
    from genloom.models.registry import get_registry

    registry = get_registry()
    if model is None:
        return registry.default_card(Kind.video).id, None
    try:
        card = registry.card(model)
    except GenloomError:
        return registry.default_card(Kind.video).id, model  # a pipeline dir or hub id for the stills
    if card.serves(Kind.video):
        return card.id, None
    return registry.default_card(Kind.video).id, model


def _dedupe(items: list[dict[str, str]]) -> list[dict[str, str]]:
    seen, out = set(), []
    for item in items:
        if item.get("asset") not in seen:
            seen.add(item.get("asset"))
            out.append(item)
    return out
