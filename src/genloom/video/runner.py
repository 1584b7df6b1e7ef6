"""``create("video", ...)``: stills or an animated scene, timed, encoded, labelled, stored.

Params: ``seconds`` (default 6), ``fps`` (24; GIF 12), ``size`` ("512x512"),
``mode`` (auto | animate | slideshow), ``motion`` (float, bounce, spin, move,
pulse; default from the prompt's verbs), ``style`` (composer style), ``seed``,
``scenes`` (list of prompts, one still each; also ``;``-separated prompt),
``images`` (paths of existing stills to show), ``transition`` (crossfade
seconds), ``narration`` (text, or True to read the prompt), ``music`` (True),
``format`` (mp4 | gif; default from the output suffix), ``narration_audio`` /
``music_audio`` (paths of audio files already made, e.g. by earlier steps of a
plan: used as they are instead of generating new ones).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from genloom.api import Progress, Result, record_files
from genloom.errors import GenloomError, InvalidInput
from genloom.image.request import ImageRequest, check_prompt, parse_size

FORMATS = {".mp4": "mp4", ".gif": "gif"}
MAX_SECONDS = 300.0
MODES = ("auto", "animate", "slideshow")


def _number(params: dict[str, Any], key: str, lo: float, hi: float, default: float) -> float:
    value = params.pop(key, None)
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{key} must be a number, got {value!r}", param=key) from None
    if not lo <= number <= hi:
        raise InvalidInput(f"{key}={value!r} is out of range", hint=f"use {lo:g} to {hi:g}", param=key)
    return number


def split_scenes(prompt: str) -> list[str]:
    parts = [p.strip(" .") for p in re.split(r";|\n+|\bthen\b", prompt) if p.strip(" .")]
    return parts if len(parts) > 1 else [prompt]


def _format_for(output: Path | None, fmt: str | None) -> str:
    if output is not None:
        suffix = Path(output).suffix.lower()
        if suffix not in FORMATS:
            raise InvalidInput(f"Can only write .mp4 or .gif video, not {Path(output).name!r}",
                               hint="name the file *.mp4 or *.gif", param="output")
        return FORMATS[suffix]
    fmt = (fmt or "mp4").lower().lstrip(".")
    if fmt not in FORMATS.values():
        raise InvalidInput(f"Unknown video format {fmt!r}", hint="mp4 or gif", param="format")
    return fmt


def _soundtrack(prompt: str, narration: Any, music: bool, seconds: float, seed: int,
                run_id: str | None, workdir: Path, notes: list[str],
                narration_audio: Path | None = None,
                music_audio: Path | None = None) -> tuple[Path | None, list[str]]:
    """Narration and/or music through the speech and music runners, when they exist."""
    from genloom import api
    from genloom.video.encode import mix_audio

    tracks: list[tuple[Path, float]] = []
    parents: list[str] = []
    # Audio an earlier step already made is used as it is: regenerating it
    # would waste time and give the clip a different voiceover than the kit.
    if narration_audio is not None:
        tracks.append((narration_audio, 1.0))
        narration = None
    if music_audio is not None:
        tracks.append((music_audio, 0.35 if tracks else 0.8))
        music = False
    if narration:
        text = prompt if narration is True else str(narration)
        if "speech" not in api.RUNNERS:
            notes.append("narration skipped: no speech generator is installed")
        else:
            try:
                res = api.create("speech", text, params={}, run_id=run_id)
                tracks.append((Path(res.paths[0]), 1.0))
                parents += [res.generation_id] if res.generation_id else []
            except GenloomError as exc:
                notes.append(f"narration skipped: {exc}")
    if music:
        if "music" not in api.RUNNERS:
            notes.append("music skipped: no music generator is installed")
        else:
            try:
                res = api.create("music", prompt, params={"duration": max(2.0, seconds), "seed": seed},
                                 run_id=run_id)
                tracks.append((Path(res.paths[0]), 0.35 if narration else 0.8))
                parents += [res.generation_id] if res.generation_id else []
            except GenloomError as exc:
                notes.append(f"music skipped: {exc}")
    if not tracks:
        return None, parents
    return mix_audio(tracks, seconds, workdir / "soundtrack.wav"), parents


def _stills(prompts: list[str], request: ImageRequest, model: str | None, base_seed: int) -> tuple[list[Any], list[dict[str, str]]]:
    from genloom.image.runner import load_image_model

    engine = load_image_model(model)
    engine.validate(request)
    stills, credits = [], []
    for i, p in enumerate(prompts):
        req = ImageRequest(**{**request.__dict__, "prompt": p, "n": 1, "seed": (base_seed + i) % 2**32,
                              "size_given": True})
        img = engine.generate(req)[0]
        stills.append(img.image)
        credits += img.attribution
    return stills, credits


def _audio_path(value: Any, param: str) -> Path | None:
    if value in (None, ""):
        return None
    path = Path(str(value))
    if not path.is_file():
        raise InvalidInput(f"No such audio file: {path}", param=param)
    return path


def _load_images(paths: list[Any]) -> list[Any]:
    from PIL import Image, UnidentifiedImageError

    out = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise InvalidInput(f"No such image: {path}", param="images")
        try:
            with Image.open(path) as im:
                out.append(im.convert("RGB"))
        except (UnidentifiedImageError, OSError) as exc:
            raise InvalidInput(f"{path} is not an image Pillow can read", param="images") from exc
    return out


def run_video(prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
              parent_ids: list[str] | None, run_id: str | None, progress: Progress | None) -> Result:
    from genloom.image.label import label_dict
    from genloom.store.files import _fsync_dir
    from genloom.video import encode, frames

    params = dict(params)
    prompt = check_prompt(prompt)
    fmt = _format_for(output, params.pop("format", None))
    seconds = _number(params, "seconds", 0.5, MAX_SECONDS, 6.0)
    fps = int(_number(params, "fps", 1, 60, 24.0 if fmt == "mp4" else 12.0))
    size = parse_size(params.pop("size", "512x512"))
    if size[0] % 2 or size[1] % 2:
        raise InvalidInput(f"Video size {size[0]}x{size[1]} must have even sides (H.264 needs it)",
                           hint=f"use {size[0] + size[0] % 2}x{size[1] + size[1] % 2}", param="size")
    mode = str(params.pop("mode", "auto")).lower()
    if mode not in MODES:
        raise InvalidInput(f"Unknown video mode {mode!r}", hint=f"one of {', '.join(MODES)}", param="mode")
    motion = params.pop("motion", None) or frames.motion_for(prompt)
    if motion not in frames.MOTIONS:
        raise InvalidInput(f"Unknown motion {motion!r}", hint=f"one of {', '.join(frames.MOTIONS)}", param="motion")
    transition = _number(params, "transition", 0.0, 5.0, 0.6)
    narration = params.pop("narration", None)
    music = bool(params.pop("music", False))
    narration_audio = _audio_path(params.pop("narration_audio", None), "narration_audio")
    music_audio = _audio_path(params.pop("music_audio", None), "music_audio")
    images = params.pop("images", None) or []
    scenes = params.pop("scenes", None) or split_scenes(prompt)
    if not isinstance(scenes, list) or not all(isinstance(s, str) and s.strip() for s in scenes):
        raise InvalidInput("scenes must be a list of non-empty prompts", param="scenes")
    image_params = {k: params.pop(k) for k in ("style", "seed", "headline", "negative_prompt", "steps", "guidance",
                                               "scheduler") if k in params}
    if params:
        raise InvalidInput(f"Unknown video parameter(s): {', '.join(sorted(params))}",
                           hint="video takes seconds, fps, size, mode, motion, style, seed, scenes, images, "
                                "transition, narration, music, narration_audio, music_audio, format", param=sorted(params)[0])
    video_id, model = _resolve_models(model)
    request = ImageRequest.from_params(prompt, {**image_params, "size": size})
    seed = request.seeds()[0]
    if output is not None and Path(output).is_dir():
        raise InvalidInput(f"{output} is a directory", hint="give a file name such as out.mp4", param="output")
    n_frames = max(1, round(seconds * fps))
    if mode == "auto":
        mode = "slideshow" if (images or len(scenes) > 1) else "animate"
    started = time.perf_counter()
    credits: list[dict[str, str]] = []
    notes: list[str] = []
    stills_model = "genloom-composer"
    if mode == "animate":
        from genloom.image.composer import ComposerModel
        from genloom.image.runner import load_image_model

        engine = load_image_model(model)
        if not isinstance(engine, ComposerModel):
            raise InvalidInput(f"Model {engine.card.id!r} cannot animate a scene",
                               hint="use mode=slideshow, or the default composer", param="mode")
        stills_model = engine.card.id
        plan, scene = engine.scene(request, seed)
        credits = plan.credits
        sources = [(frames.animate_scene(scene, seconds, motion), seconds)]
        transition = 0.0
    else:
        if images:
            stills = _load_images(images)
            stills_model = "files"
        else:
            prompts = scenes if len(scenes) > 1 else [prompt] * max(2, round(seconds / 3))
            stills, credits = _stills(prompts, request, model, seed)
            from genloom.image.runner import load_image_model

            stills_model = load_image_model(model).card.id
        k = len(stills)
        transition = min(transition, seconds / k / 2)
        per = (seconds + (k - 1) * transition) / k
        sources = [(frames.ken_burns(img, size, per, seed=seed + i), per) for i, img in enumerate(stills)]

    def frame_at(t: float) -> Any:
        step = sources[0][1] - transition
        i = min(len(sources) - 1, int(t / step)) if step > 0 else 0
        fn, dur = sources[i]
        local = t - i * step
        if transition > 0 and i + 1 < len(sources) and local > dur - transition:
            u = (local - (dur - transition)) / transition
            return frames.crossfade(fn(local), sources[i + 1][0](local - step), u)
        return fn(local)

    label = label_dict(model=video_id, stills_model=stills_model, prompt=prompt, seed=seed, attribution=_dedupe(credits), neural=False,
                       kind="video", seconds=seconds, fps=fps)
    out_dir = Path(output).parent if output is not None else None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="genloom-video-") as work:
        workdir = Path(work)
        audio, audio_parents = (None, [])
        has_audio = narration or music or narration_audio or music_audio
        if has_audio and fmt == "mp4":
            audio, audio_parents = _soundtrack(prompt, narration, music, seconds, seed, run_id, workdir, notes,
                                               narration_audio, music_audio)
        elif has_audio:
            notes.append("GIF has no sound: narration/music skipped")
        fd, tmp_name = tempfile.mkstemp(prefix=".genloom-", suffix=f".{fmt}", dir=out_dir or workdir)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            def tick(done: int) -> None:
                if progress and (done % max(1, fps // 2) == 0 or done == n_frames):
                    progress(done / n_frames, f"frame {done}/{n_frames}")

            stream = (frame_at(i / fps) for i in range(n_frames))
            if fmt == "mp4":
                encode.write_mp4(tmp, stream, size, fps, label, audio=audio, progress=tick)
            else:
                encode.write_gif(tmp, stream, fps, label, progress=tick)
            duration = (time.perf_counter() - started) * 1000
            mime = "video/mp4" if fmt == "mp4" else "image/gif"
            gid, asset_ids, stored = record_files(
                kind="video", task=mode, model_id=video_id, prompt=prompt,
                params={"stills_model": stills_model, "seconds": seconds, "fps": fps, "size": f"{size[0]}x{size[1]}", "mode": mode,
                        "motion": motion if mode == "animate" else None, "format": fmt, **image_params},
                files=[{"path": tmp, "mime": mime, "ext": f".{fmt}", "kind": "video",
                        "meta": {"seconds": seconds, "fps": fps, "frames": n_frames, "width": size[0],
                                 "height": size[1], "attribution": _dedupe(credits), "audio": audio is not None}}],
                seed=seed, parent_ids=(parent_ids or []) + audio_parents or None, run_id=run_id,
                duration_ms=duration,
            )
            paths = list(stored)
            if output is not None:
                os.replace(tmp, output)
                _fsync_dir(Path(output).parent)
                paths = [Path(output)]
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    meta = {"seconds": seconds, "fps": fps, "frames": n_frames, "size": list(size), "mode": mode,
            "format": fmt, "attribution": _dedupe(credits), "audio": audio is not None, "notes": notes,
            "duration_ms": round(duration, 1)}
    if mode == "animate":
        meta["motion"] = motion
    meta["stills_model"] = stills_model
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
