"""Run a plan: independent steps in parallel, dependent ones in order, failures kept per step.

Each step goes through :func:`genloom.api.create`, so it is recorded like any
other generation; its ``parent_ids`` are the generations it was made from
(the steps it reads, and the LLM call that wrote its prompt), and its
``run_id`` is the run's id. When the run ends a root generation with that id
is recorded whose parents are the deliverables, so
``genloom log show RUN_ID --tree`` prints the whole provenance graph.

Threads: language-model work (text/code steps, prompt writing) is serialised
on :data:`genloom.brain.llm.LLM_LOCK` (llama.cpp already uses every core);
speech, music, image and video steps run beside it.

Inputs and durations (docs/brain.md, "Inputs"): a step may read the user's
files (``plan.inputs``, ids like ``in1``) as well as earlier steps. Text steps
get the file's words (audio and video are transcribed first) and are told to
add nothing; a narration speaks a text file verbatim; a video keeps a user's
clip or shows every user image. Durations chain: the narration is written to
fit the video (the asked seconds, or the clip's length), a video with no asked
length lasts as long as its narration, music is made as long as the video,
and a narration that comes out too long is spoken faster rather than cut.

Text length (:mod:`genloom.brain.length`): a text step with a word target (stated
words, or a script sized to its speech) states it in its prompt, is continued
while too short and ends at a whole sentence when too long.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from genloom.brain import beds, sources
from genloom.brain.graph import Plan, RunResult, Step, StepResult
from genloom.brain.length import WordTarget, count_words, fit
from genloom.brain.llm import LLM_LOCK
from genloom.brain.prompts import write_prompt
from genloom.brain.spec import InputFile
from genloom.errors import GenloomError, InvalidInput

log = logging.getLogger(__name__)
Event = dict[str, Any]
# Room after the last spoken word before a video ends.
TAIL_SECONDS = 0.5
# The fastest a too-long narration is sped up to fit (beyond it, the video grows instead).
MAX_FIT_SPEED = 1.35
OnEvent = Callable[[Event], None]

CODE_EXT = {"python": ".py", "py": ".py", "javascript": ".js", "js": ".js", "typescript": ".ts", "html": ".html",
            "css": ".css", "bash": ".sh", "sh": ".sh", "shell": ".sh", "sql": ".sql", "rust": ".rs", "go": ".go",
            "java": ".java", "c": ".c", "cpp": ".cpp", "c++": ".cpp", "svg": ".svg", "xml": ".svg", "json": ".json",
            "yaml": ".yaml", "yml": ".yaml", "dockerfile": ".dockerfile", "ruby": ".rb", "php": ".php"}


def _whole_sentences(text: str) -> str:
    """Drop the unfinished sentence a length-capped reply ends with (keep it if it is all there is)."""
    cut = max(text.rfind(p) for p in (". ", "! ", "? ", ".\n", "!\n", "?\n"))
    end = text.rstrip()
    if end.endswith((".", "!", "?")):
        return end
    return text[:cut + 1].rstrip() if cut > 0 else text


def _unquote(text: str) -> str:
    """Small models wrap a headline or script in quotes; the deliverable is the words."""
    t = text.strip()
    if len(t) > 1 and t[0] == t[-1] and t[0] in "\"'“" and t.count(t[0]) == 2:
        return t[1:-1].strip()
    if len(t) > 1 and t[0] == "“" and t[-1] == "”":
        return t[1:-1].strip()
    return t


class Cancelled(Exception):
    pass


# What the text runner takes (genloom.text: sampling options and task fields); other spec keys
# (seconds, language) become words of the prompt.
TEXT_PARAMS = frozenset({"task", "system", "tone", "length", "context", "temperature", "top_p", "top_k", "min_p",
                         "max_tokens", "stop", "seed", "repeat_penalty", "frequency_penalty", "presence_penalty",
                         "json_schema", "json_object", "grammar"})


def _text_request(step: Step, prompt: str, params: dict[str, Any], *, grounded: bool,
                  target: WordTarget | None = None) -> tuple[str, dict[str, Any]]:
    """A text/code step's prompt and runner params: spec settings the runner has no key for become words.

    A word target is stated in the prompt (unless it already names the number) and sizes the reply.
    """
    extra = []
    language = params.get("language")
    if language and language != "en" and not grounded and step.kind == "text":
        extra.append(f"Write it in {sources.language_name(str(language))}.")
    if target is not None and not grounded and step.kind == "text" and not target.stated_in(prompt):
        extra.append(target.ask())
    kept = {k: v for k, v in params.items() if k in TEXT_PARAMS}
    if target is not None and not grounded and step.kind == "text":
        kept["max_tokens"] = target.max_tokens()
    if grounded:
        kept["language"] = language  # the grounded writer reads it for translations
        kept = {k: v for k, v in kept.items() if v is not None}
    return (prompt + ("\n" + " ".join(extra) if extra else "")), kept


def _normalise(step: Step, files: dict[str, InputFile]) -> None:
    """Accept a planner that put input ids and the operation in params: move them to the step's fields."""
    named = step.params.pop("input_files", None) or []
    for ref in named:
        if ref not in files:
            raise InvalidInput(f"Step {step.id!r} uses input {ref!r}, which the plan does not have", param="inputs")
        if ref not in step.inputs:
            step.inputs.append(ref)
    operation = step.params.pop("operation", None)
    if operation and not step.operation:
        step.operation = str(operation)


def _fill(template: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` placeholders that name known values; leave other braces alone."""
    return re.sub(r"\{([A-Za-z][\w-]*)\}", lambda m: values.get(m.group(1), m.group(0)), template)


class _Run:
    def __init__(self, plan: Plan, output_dir: Path | None, on_event: OnEvent | None,
                 cancel: threading.Event | None, use_llm: bool, ray_address: str | None = None,
                 done: dict[str, StepResult] | None = None, run_id: str | None = None, label: bool = True):
        from genloom.distributed import get_runner
        from genloom.store.db import new_id

        # Same call signature in-process or on Ray, so the graph runs identically on both.
        self.create = get_runner(ray_address)

        self.plan = plan
        self.output_dir = output_dir
        self.on_event = on_event
        self.cancel = cancel or threading.Event()
        self.use_llm = use_llm
        self.label = label  # False: text and code files delivered bare (--no-label)
        self.run_id = run_id or new_id("gen_")
        # Steps finished by an earlier, interrupted attempt: never run again,
        # their outputs feed the steps that read them.
        step_ids = {s.id for s in plan.steps}
        self.done = {sid: r for sid, r in (done or {}).items() if sid in step_ids and r.status == "ok"}
        self.results: dict[str, StepResult] = dict(self.done)
        self.lock = threading.Lock()
        self.files = {f.id: f for f in plan.inputs}
        for s in plan.steps:
            _normalise(s, self.files)
        # Who reads each step: a narration is sized to the video that uses it.
        self.readers: dict[str, list[Step]] = {s.id: [] for s in plan.steps}
        for s in plan.steps:
            for ref in s.inputs:
                if ref in self.readers:
                    self.readers[ref].append(s)
        self.waits = self._duration_waits()
        self._scratch: Path | None = None

    def emit(self, event: Event) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event({"run_id": self.run_id, **event})
        except Exception:  # a broken display must not stop the run; the failure is logged, not hidden
            log.exception("progress display failed on a %s event", event.get("type"))

    def scratch(self) -> Path:
        if self._scratch is None:
            self._scratch = sources.scratch_dir()
        return self._scratch

    # -- durations ----------------------------------------------------------------
    def _user_files(self, step: Step, *kinds: str) -> list[InputFile]:
        return [self.files[r] for r in step.inputs if r in self.files and (not kinds or self.files[r].kind in kinds)]

    def _video_target(self, video: Step) -> float | None:
        """How long a video will be, when known before it is made: asked, else its clip's length."""
        if video.params.get("seconds"):
            return float(video.params["seconds"])
        clips = self._user_files(video, "video")
        if clips and clips[0].seconds:
            return float(clips[0].seconds)
        return None

    def target_seconds(self, step: Step) -> float | None:
        """The length a speech or music step must have: asked, else that of the video it is made for."""
        if beds.bed_ids(self.plan, step):
            return beds.voice_seconds(step)  # the asked length is the whole track's, bed included
        voice = beds.carrier(self.plan, step) if step.kind == "music" else None
        if voice is not None:
            return beds.bed_seconds(voice, self._words_to_say(voice))
        if step.params.get("seconds"):
            return float(step.params["seconds"])
        for reader in self.readers.get(step.id, []):
            if reader.kind == "video":
                target = self._video_target(reader)
                if target:
                    return target
        # A voiceover for the user's clip that the planner linked to the clip itself.
        clips = self._user_files(step, "video")
        if step.kind in ("speech", "music") and clips and clips[0].seconds and step.operation != "transcribe":
            return float(clips[0].seconds)
        return None

    def _duration_waits(self) -> dict[str, list[str]]:
        """Music for a video whose length comes from its narration waits for that narration."""
        waits: dict[str, list[str]] = {}
        for video in self.plan.steps:
            if video.kind != "video" or self._video_target(video):
                continue
            speech = [r for r in video.inputs if r in self.readers and self.plan.step(r).kind == "speech"]
            for r in video.inputs:
                if r in self.readers and self.plan.step(r).kind in ("music", "sound") \
                        and not self.plan.step(r).params.get("seconds"):
                    waits.setdefault(r, []).extend(speech)
        for voice in self.plan.steps:
            if voice.params.get("seconds"):
                continue
            # A bed for a voice of no asked length is sized from its words: it waits for its script.
            scripts = [r for r in voice.inputs if r in self.readers and self.plan.step(r).kind == "text"]
            for bed in beds.bed_ids(self.plan, voice):
                waits.setdefault(bed, []).extend(scripts)
        return waits

    def _words_to_say(self, speech: Step) -> int | None:
        """How many words ``speech`` will say, when known before it speaks: its own words, script or text file."""
        if speech.prompt:
            return len(speech.prompt.split())
        from genloom.inputs import read_text

        with self.lock:
            texts = [r.text or "" for i in speech.inputs if (r := self.results.get(i)) is not None and r.kind == "text"]
        texts += [read_text(f) for f in self._user_files(speech, "text", "code")]
        return sum(len(t.split()) for t in texts) or None

    def _audio_seconds_of(self, step_ids: list[str], kind: str) -> float | None:
        with self.lock:
            results = [self.results.get(s) for s in step_ids]
        for r in results:
            if r is not None and r.status == "ok" and r.kind == kind:
                path = self._playable(r, "audio/")
                if path is not None:
                    return sources.media_seconds(path)
        return None

    def _playable(self, r: StepResult, prefix: str) -> Path | None:
        """The stored file of a step result whose mime starts with ``prefix`` (not the composer's MIDI)."""
        from genloom.store.db import get_store

        store = get_store()
        for asset_id in r.asset_ids:
            asset = store.asset(asset_id)
            if asset["mime"].startswith(prefix) and "midi" not in asset["mime"]:
                return Path(store.asset_path(asset))
        return None

    # -- one step ---------------------------------------------------------------
    def _prompt(self, step: Step, parents: dict[str, str], parent_ids: list[str],
                duration: float | None = None) -> tuple[str, list[str], str | None]:
        """The generator's prompt, the LLM generations that wrote it, and a note when the LLM could not."""
        values = {"request": self.plan.request, "topic": self.plan.topic or self.plan.request, **parents}
        if step.prompt:
            return _fill(step.prompt, values), [], None
        instruction = _fill(step.instruction, values)
        if step.kind in ("text", "code"):
            if not parents:
                return instruction, [], None
            context = "\n\n".join(f"{k}:\n{v}" for k, v in parents.items() if v)
            return f"{instruction}\n\nUse this:\n{context}", [], None
        if step.kind == "video" and (self._user_files(step, "image") or self._user_files(step, "video")):
            # The user's photos or clip are the pictures: a written shot list would add drawn stills
            # that take their screen time.
            return instruction, [], None
        headline = _fill(str(step.params["headline"]), values) if step.params.get("headline") else None
        written = write_prompt(step.kind, instruction, parents, duration=duration or step.params.get("seconds"),
                               parent_ids=parent_ids or None, run_id=self.run_id, use_llm=self.use_llm,
                               headline=headline)
        step.prompt_by = written.by  # type: ignore[assignment]
        return written.prompt, [written.generation_id] if written.generation_id else [], written.note

    def _media_inputs(self, step: Step) -> dict[str, Any]:
        """Files a video is made from: the user's clip and images, then earlier steps' stills, voice, music."""
        found: dict[str, list[str]] = {"image": [], "speech": [], "music": []}
        with self.lock:
            inputs = [self.results.get(ref) for ref in step.inputs if ref in self.readers]
        for r in inputs:
            if r is None or r.status != "ok" or r.kind not in found:
                continue
            path = self._playable(r, "image/" if r.kind == "image" else "audio/")
            if path is not None:
                found[r.kind].append(str(path))
        params: dict[str, Any] = {}
        clips = self._user_files(step, "video")
        # Every image the user gave is shown, in the order given, before any generated still.
        images = [f.path for f in self._user_files(step, "image")] + found["image"]
        if clips:  # the user's clip is the picture; generated stills would replace it
            params["clip"] = clips[0].path
        elif images:
            params["images"] = images
        if found["speech"]:
            params["narration_audio"] = found["speech"][0]
            speech = next((r for r in inputs if r is not None and r.status == "ok" and r.kind == "speech"), None)
            if speech is not None and speech.prompt:
                params["narration_text"] = speech.prompt  # the words, for captions
        if found["music"]:
            params["music_audio"] = found["music"][0]
        return params

    def _source_text(self, step: Step, parent_ids: list[str]) -> tuple[str, list[str]]:
        """The words a step works from: its text files, and its audio/video files transcribed."""
        from genloom.inputs import read_text

        texts: list[str] = []
        ids: list[str] = []
        for f in self._user_files(step):
            if f.kind in ("text", "code"):
                texts.append(read_text(f))
            elif f.kind in ("audio", "video"):
                out = self.create("transcript", str(sources.transcribable(f, self.scratch())), model=None,
                                  params={}, parent_ids=parent_ids or None, run_id=self.run_id)
                if not (out.text or "").strip():
                    raise InvalidInput(f"No speech was recognised in {f.named_as or f.path}",
                                       hint="check that the file holds spoken words", param="inputs")
                texts.append(out.text or "")
                if out.generation_id:
                    ids.append(out.generation_id)
            else:
                raise InvalidInput(f"Input {f.named_as or f.path} is an image; a {step.kind} step reads words",
                                   param="inputs")
        return "\n\n".join(t.strip() for t in texts if t.strip()), ids

    def _grounded_text(self, step: Step, source: str, kw: dict[str, Any]) -> Any:
        """A summary, translation or other text made only from ``source`` (long sources in parts)."""
        instruction = _fill(step.prompt or step.instruction, {"request": self.plan.request,
                                                             "topic": self.plan.topic or ""})
        language = kw["params"].get("language") or step.params.get("language")
        operation = step.operation or ("translate" if language and language != "en" and
                                       "translat" in instruction.lower() else None)
        params = {k: v for k, v in kw["params"].items() if k in TEXT_PARAMS}
        params["system"] = sources.GROUNDED_SYSTEM
        params.setdefault("temperature", 0.2)
        parts = sources.chunks(source)
        outs = []
        for part in parts:
            if operation == "translate":
                params["max_tokens"] = max(int(params.get("max_tokens") or 0), int(len(part) / 2) + 64)
            with LLM_LOCK:
                outs.append(self.create(step.kind, sources.grounded_prompt(instruction, part, operation, language),
                                        **{**kw, "params": dict(params)}))
        if len(outs) == 1 or operation == "translate":
            out = outs[-1]
            out.text = "\n\n".join((o.text or "").strip() for o in outs)
            return out
        # A long source: the parts' results are combined by one more grounded pass.
        joined = "\n\n".join((o.text or "").strip() for o in outs)
        with LLM_LOCK:
            return self.create(step.kind, sources.grounded_prompt(instruction, joined, operation, language),
                               **{**kw, "params": dict(params),
                                  "parent_ids": [o.generation_id for o in outs if o.generation_id] or None})

    def _transcript_source(self, step: Step) -> Path:
        files = self._user_files(step, "audio", "video")
        if files:
            return sources.transcribable(files[0], self.scratch())
        with self.lock:
            results = [self.results.get(r) for r in step.inputs if r in self.readers]
        for r in results:
            if r is not None and r.status == "ok":
                audio = self._playable(r, "audio/")
                if audio is not None:
                    return audio
                video = self._playable(r, "video/")
                if video is not None:
                    return sources.extract_audio(video, self.scratch())
        raise InvalidInput(f"Step {step.id!r} transcribes, but it reads no audio or video",
                           hint="pass an audio or video file with -i", param="inputs")

    def run_step(self, index: int, step: Step) -> StepResult:
        t0 = time.perf_counter()
        self.emit({"type": "step_started", "step_id": step.id, "kind": step.kind, "progress": 0.0,
                   "message": f"{step.kind}: {step.task}"})
        result = StepResult(step_id=step.id, kind=step.kind, status="ok", model=step.model)
        try:
            self._run_step(index, step, result)
        except Cancelled:
            result.status, result.error = "cancelled", "cancelled before it finished"
        except GenloomError as exc:
            result.status, result.error = "failed", str(exc)
        except Exception as exc:  # a bug in one generator must not sink the others; it is reported, with its type
            log.exception("step %s failed", step.id)
            result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
        result.seconds = round(time.perf_counter() - t0, 3)
        with self.lock:
            self.results[step.id] = result
        if result.status == "ok":
            self.emit({"type": "step_finished", "step_id": step.id, "progress": 1.0,
                       "message": ", ".join(result.paths) or (result.text or "")[:80], "result": result.model_dump()})
        else:
            self.emit({"type": "step_failed", "step_id": step.id, "progress": 1.0, "message": result.error or "",
                       "result": result.model_dump()})
        return result

    def _run_step(self, index: int, step: Step, result: StepResult) -> None:
        create = self.create
        parents: dict[str, str] = {}
        parent_ids: list[str] = []
        missing = []
        notes: list[str] = []
        bed_ids = beds.bed_ids(self.plan, step)
        with self.lock:
            for ref in step.inputs:
                if ref not in self.readers or ref in bed_ids:  # "request", a user file, or music to mix in later
                    continue
                r = self.results.get(ref)
                if r is None or r.status != "ok":
                    missing.append(ref)
                    continue
                parents[ref] = r.text or r.prompt or ""
                if r.generation_id:
                    parent_ids.append(r.generation_id)

        def progress(fraction: float, message: str = "") -> None:
            if self.cancel.is_set():
                raise Cancelled("cancelled")
            self.emit({"type": "step_progress", "step_id": step.id, "progress": float(fraction),
                       "message": message})

        if self.cancel.is_set():
            raise Cancelled("cancelled")
        if step.blocked:
            raise InvalidInput(step.blocked)
        if missing and not parents and not self._user_files(step) and step.kind in ("speech", "transcript"):
            # A narration of a script that failed would speak the instruction instead: say why, make nothing.
            raise GenloomError(f"not made: it needs {', '.join(missing)}, which failed")
        # "{STEP_ID}" in a param (a headline another step writes) is that step's output.
        values = {"request": self.plan.request, "topic": self.plan.topic or self.plan.request, **parents}
        params = {k: _fill(v, values) if isinstance(v, str) else v for k, v in step.params.items()}
        target = self.target_seconds(step) if step.kind in ("speech", "music", "sound") else None
        text_files = self._user_files(step, "text", "code")
        grounded_source = ""
        writer_ids: list[str] = []
        if step.kind == "transcript":
            prompt = str(self._transcript_source(step))
            params = {}  # the recogniser takes only the file
        elif step.kind in ("text", "code") and self._user_files(step):
            grounded_source, writer_ids = self._source_text(step, parent_ids)
            prompt = grounded_source
        elif step.kind in ("text", "code") and parents and (step.operation or self._reads_transcript(step)):
            # Working on a transcript (or with an operation on an earlier text): only from those words.
            grounded_source = "\n\n".join(v for v in parents.values() if v)
            prompt = grounded_source
        elif step.kind == "speech" and text_files and step.operation not in ("voiceover",):
            # Narrating a file: its words, exactly, never a rewrite.
            from genloom.inputs import read_text

            prompt = "\n\n".join(read_text(f).strip() for f in text_files)
            params["verbatim"] = True
            step.prompt_by = "user"
        else:
            # A narration is written a little shorter than its video, so it is never cut.
            duration = (target * 0.85 if self._for_video(step) else target) if target else None
            prompt, writer_ids, note = self._prompt(step, parents, parent_ids, duration)
            if note:
                notes.append(note)
        words_target = self.word_target(step, params)
        task_prompt = prompt  # what was asked, without the length line: continuations restate it
        if step.kind in ("text", "code"):
            prompt, params = _text_request(step, prompt, params, grounded=bool(grounded_source), target=words_target)
        if target and step.kind in ("music", "sound") and not params.get("seconds"):
            params["seconds"] = round(target, 2)
        if bed_ids:
            params.pop("music", None)  # the bed is mixed in here, after the voice is made
            if target:
                params["seconds"] = round(target, 2)  # the voice's share of the asked track
        if step.kind in ("music", "sound") and not params.get("seconds") and step.id in self.waits:
            narration = self._audio_seconds_of(self.waits[step.id], "speech")
            if narration:
                params["seconds"] = round(narration + TAIL_SECONDS, 2)
        if step.kind == "video":
            params = {**self._media_inputs(step), **params}
            name = self.plan.spec.name if self.plan.spec is not None else None
            if self._user_files(step, "video", "image"):
                # The user's clip or photos are the pictures: no title cards over them, and no
                # painting style for stills that will not be painted.
                params.pop("name", None)
                params.pop("style", None)
            elif name and not params.get("name"):
                params["name"] = name  # title and end cards
            notes += self._fit_video(step, params)
        if step.kind == "image":
            bases = self._user_files(step, "image")
            if bases:
                params["base_image"] = bases[0].path
        result.prompt = prompt
        self.emit({"type": "step_progress", "step_id": step.id, "progress": 0.05, "message": "generating"})
        model = step.model
        if step.kind == "speech" and params.get("voice_traits") and not params.get("voice"):
            # The planner's model is the default engine; the voice the traits ask for may live in
            # another one (a low male voice is Piper's, not Hibari's): the speech runner chooses both.
            model = None
        kw: dict[str, Any] = dict(model=model, params=params, parent_ids=parent_ids + writer_ids or None,
                                  run_id=self.run_id, progress=progress)
        if grounded_source:
            out = self._grounded_text(step, grounded_source, kw)
        elif step.kind in ("text", "code"):
            with LLM_LOCK:
                out = create(step.kind, prompt, **kw)
        else:
            out = create(step.kind, prompt, **kw)
        if step.kind == "speech" and target:
            out, note, result.prompt = self._fit_speech(step, prompt, out, target, kw)
            if note:
                notes.append(note)
        if bed_ids:
            out, note = self._over_bed(step, bed_ids, out, result.prompt or prompt)
            if note:
                notes.append(note)
        result.generation_id = out.generation_id
        result.model = out.model_id
        result.text = out.text if step.kind != "code" else (out.meta.get("code") or out.text)
        if step.kind == "text" and result.text:
            result.text = _unquote(result.text)
            if out.meta.get("finish_reason") == "length":
                result.text = _whole_sentences(result.text)
            if words_target is not None:
                fitted = fit(result.text, words_target,
                             None if grounded_source else self._continuer(task_prompt, out, kw),
                             what="script" if step.task == "script" else step.kind)
                result.text = fitted.text
                if fitted.note:
                    notes.append(fitted.note)
        result.asset_ids = list(out.asset_ids)
        result.paths = [str(p) for p in self._export(step, out, result.text)]
        if missing:
            notes.append(f"made without input(s) {', '.join(missing)}, which failed")
        if notes:
            result.error = "; ".join(notes)

    def _over_bed(self, step: Step, bed_ids: list[str], voice: Any, words: str) -> tuple[Any, str | None]:
        """The voice mixed over its music bed: one track, recorded with both as parents."""
        with self.lock:
            bed = self.results.get(bed_ids[0])
        music = self._playable(bed, "audio/") if bed is not None and bed.status == "ok" else None
        if music is None or not voice.paths:
            return voice, f"no music under the voice: the music step {bed_ids[0]} failed"
        seconds = step.params.get("seconds")
        mixed = beds.mix_over_bed(voice, words, music, bed.generation_id if bed else None,
                                  seconds=float(seconds) if seconds else None, scratch=self.scratch(),
                                  run_id=self.run_id)
        return mixed, None

    def _spoken_words(self, step: Step) -> int | None:
        """How many words a script must hold: its speech's length (or that speech's video's) at 2.5 words/s."""
        for reader in self.readers.get(step.id, []):
            if reader.kind == "speech":
                target = self.target_seconds(reader)
                if target:
                    return sources.words_for(target) if self._for_video(reader) else int(target * 2.5)
        return None

    def word_target(self, step: Step, params: dict[str, Any]) -> WordTarget | None:
        """A text step's length: the words the request stated, else those of the speech that reads it."""
        if step.kind != "text":
            return None
        if params.get("words"):
            # A list's words are per item ("three taglines, under 8 words"): params "n" is its length.
            return WordTarget(int(params["words"]), params.get("words_bound") or "about", int(params.get("n") or 1))
        spoken = self._spoken_words(step)
        if spoken:
            return WordTarget(spoken, "about")
        if params.get("seconds"):  # a text that is itself timed: read aloud in that many seconds
            return WordTarget(sources.words_for(float(params["seconds"])), "about")
        return None

    def _continuer(self, task: str, first: Any, kw: dict[str, Any]) -> Callable[[str, int], str]:
        """Asks the LLM for the next words of a too-short text (genloom.brain.length.fit appends them).

        Continuing beats writing again: a small model that stopped after three sentences stops
        there again when asked for the whole text, but it does write the next few sentences.
        """
        def more(text: str, missing: int) -> str:
            ask = (f"{task.strip()}\n\nThe text so far ({count_words(text)} words):\n\"\"\"\n{text.strip()}\n\"\"\"\n\n"
                   f"It is too short. Write the next {missing} words or so: new sentences that follow on from its "
                   "last sentence, on the same subject and in the same style. Do not repeat or restart it, "
                   "no title, no preamble. Output only the new sentences.")
            params = {**kw["params"], "max_tokens": WordTarget(missing).max_tokens()}
            parents = [g for g in [*(kw.get("parent_ids") or []), first.generation_id] if g]
            with LLM_LOCK:
                out = self.create("text", ask, **{**kw, "params": params, "parent_ids": parents or None})
            return out.text or ""
        return more

    def _reads_transcript(self, step: Step) -> bool:
        return any(self.plan.step(r).kind == "transcript" for r in step.inputs if r in self.readers)

    def _for_video(self, step: Step) -> bool:
        return any(r.kind == "video" for r in self.readers.get(step.id, []))

    def _fit_speech(self, step: Step, prompt: str, out: Any, target: float,
                    kw: dict[str, Any]) -> tuple[Any, str | None, str]:
        """Bring a narration to its asked length by its speaking rate, never by cutting it.

        Too long: spoken faster (up to MAX_FIT_SPEED). Too short, when the length was asked
        for the speech itself (not a video that may run on): spoken slower (down to 0.85x).
        """
        if not out.paths or step.params.get("speed"):
            return out, None, prompt
        seconds = sources.media_seconds(Path(out.paths[0]))
        if seconds > target + 0.05:
            speed = min(MAX_FIT_SPEED, seconds / max(0.5, target - 0.2))
        elif not self._for_video(step) and seconds < 0.85 * target:
            speed = max(0.85, seconds / target)
        else:
            return out, None, prompt
        again = self.create("speech", prompt, **{**kw, "params": {**kw["params"], "speed": round(speed, 3)}})
        now = sources.media_seconds(Path(again.paths[0])) if again.paths else seconds
        if now > target + 0.05 and not kw["params"].get("verbatim"):
            # A written script still too long at the fastest natural rate: its last whole sentences
            # go (never a word cut), so the video keeps its asked length. The user's own words never go.
            shorter = sources.fit_sentences(prompt, target / now)
            if shorter and shorter != prompt:
                again = self.create("speech", shorter, **{**kw, "params": {**kw["params"], "speed": round(speed, 3)}})
                now = sources.media_seconds(Path(again.paths[0])) if again.paths else now
                prompt = shorter
        if now > target + 0.05:
            return again, (f"the narration lasts {now:.1f} s, longer than the {target:.1f} s asked; "
                           "the video keeps every word" if self._for_video(step) else
                           f"the speech lasts {now:.1f} s, longer than the {target:.1f} s asked: every word is kept"), prompt
        return again, None, prompt

    def _fit_video(self, step: Step, params: dict[str, Any]) -> list[str]:
        """A video's length: asked, else its clip's, else its narration's; never shorter than its narration.

        A user's clip keeps its own length: the narration was written and spoken to fit it (the
        video runner says so, with the fix, if it still does not).
        """
        notes: list[str] = []
        if params.get("clip") is not None or not params.get("narration_audio"):
            return notes
        narration = sources.media_seconds(Path(params["narration_audio"]))
        asked = params.get("seconds")
        if not asked:
            params["seconds"] = round(narration + TAIL_SECONDS, 2)
        elif narration > float(asked) + 0.05:
            # Nothing is cut mid-word: the video grows to hold the whole narration.
            params["seconds"] = round(narration + TAIL_SECONDS, 2)
            notes.append(f"the video lasts {params['seconds']:.1f} s instead of {float(asked):.1f} s: "
                         "its narration is that long")
        return notes

    def _export(self, step: Step, out: Any, text: str | None = None) -> list[Path]:
        """Copy a deliverable's output into ``output_dir`` (atomically); return where results are.

        Intermediates (a script written only to be spoken, a bed mixed under a voice) stay in the
        asset store, with their provenance: the folder holds what the user asked for, numbered in
        the order of the deliverables.
        """
        paths = [Path(p) for p in out.paths]
        if self.output_dir is None or not step.deliverable:
            return paths
        index = [s.id for s in self.plan.steps if s.deliverable].index(step.id)
        from genloom.store.db import get_store
        from genloom.store.files import atomic_copy
        from genloom.text.label import deliver

        self.output_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{index + 1:02d}-{step.id}"
        if step.kind in ("text", "code", "transcript") and not paths:
            if step.kind == "code":
                ext = CODE_EXT.get(str(out.meta.get("language") or "").lower(), ".txt")
                body = out.meta.get("code") or out.text or ""
            elif step.kind == "transcript":
                ext, body = ".txt", (out.text or "").strip() + "\n"
            else:
                ext, body = ".md", text if text is not None else _unquote(out.text or "")
            target = self.output_dir / f"{stem}{ext}"
            deliver(target, body, model=out.model_id, generation_id=out.generation_id, label=self.label)
            return [target]
        copied: list[Path] = []
        for i, src in enumerate(paths):
            # A song's WAV and MIDI are 02-song.wav and 02-song.mid; only files of one type are numbered.
            clash = any(c.suffix == src.suffix for c in copied)
            target = self.output_dir / f"{stem}{f'-{i + 1}' if clash else ''}{src.suffix}"
            atomic_copy(src, target)
            if out.generation_id:
                get_store().record_delivery(target, out.generation_id,
                                            asset_id=out.asset_ids[i] if i < len(out.asset_ids) else None)
            copied.append(target)
        return copied

    # -- the graph --------------------------------------------------------------
    def run(self, max_workers: int) -> RunResult:
        t0 = time.perf_counter()
        steps = list(self.plan.steps)
        index = {s.id: i for i, s in enumerate(steps)}
        pending = {s.id: s for s in steps if s.id not in self.done}
        running: dict[Future[StepResult], str] = {}
        for sid, done in self.done.items():
            self.emit({"type": "step_finished", "step_id": sid, "progress": 1.0, "resumed": True,
                       "message": "finished before the restart", "result": done.model_dump()})
        with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="genloom-step") as pool:
            while pending or running:
                if self.cancel.is_set():
                    for sid in list(pending):
                        self.results[sid] = StepResult(step_id=sid, kind=pending[sid].kind, status="cancelled",
                                                       error="cancelled before it started")
                        self.emit({"type": "step_failed", "step_id": sid, "progress": 0.0,
                                   "message": "cancelled", "result": self.results[sid].model_dump()})
                    pending.clear()
                # A step is ready when every step it reads (or waits for) has finished, well or not.
                for sid, step in list(pending.items()):
                    reads = [i for i in [*step.inputs, *self.waits.get(sid, [])] if i in self.readers]
                    if all(i in self.results for i in reads):
                        del pending[sid]
                        running[pool.submit(self.run_step, index[sid], step)] = sid
                if not running:
                    break
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for fut in done:
                    running.pop(fut)
                    fut.result()  # run_step records every failure itself; anything else is a bug to surface
        ordered = [self.results[s.id] for s in steps if s.id in self.results]
        result = RunResult(run_id=self.run_id, plan=self.plan, steps=ordered,
                           output_dir=str(self.output_dir) if self.output_dir else None,
                           seconds=round(time.perf_counter() - t0, 3))
        self._record_root(result)
        if self._scratch is not None:
            import shutil

            shutil.rmtree(self._scratch, ignore_errors=True)
        self.emit({"type": "run_finished", "step_id": None, "progress": 1.0,
                   "message": f"{sum(r.status == 'ok' for r in ordered)}/{len(steps)} steps ok",
                   "result": result.model_dump(mode="json")})
        return result

    def _record_root(self, result: RunResult) -> None:
        """The run's own generation: parents are the deliverables, so --tree shows the whole graph."""
        from genloom.store.db import get_store

        deliverable = {s.id for s in self.plan.steps if s.deliverable}
        parents = [r.generation_id for r in result.steps if r.generation_id and r.step_id in deliverable]
        if self.done:
            # A resumed run may have died after recording itself: record it once.
            from genloom.errors import NotFound

            try:
                get_store().generation(self.run_id)
                return
            except NotFound:
                pass
        summary = {"run_id": self.run_id, "deliverables": self.plan.deliverables,
                   "steps": [{"id": r.step_id, "kind": r.kind, "status": r.status, "generation_id": r.generation_id,
                              "paths": r.paths, "error": r.error} for r in result.steps]}
        try:
            get_store().record_generation(
                generation_id=self.run_id, kind="text", task="run", model_id="genloom-brain",
                prompt=self.plan.request, output=json.dumps(summary, indent=2), parent_ids=parents or None,
                params={"steps": len(self.plan.steps)}, duration_ms=result.seconds * 1000,
                extra={"plan": self.plan.model_dump(mode="json")},
            )
        except (GenloomError, OSError) as exc:  # the outputs exist already; say the record failed, keep them
            self.plan.notes.append(f"could not record the run: {exc}")


def check_inputs(plan: Plan) -> None:
    """Every input file is still there and readable, before anything runs (InvalidInput otherwise)."""
    for f in plan.inputs:
        path = Path(f.path)
        if not path.is_file():
            raise InvalidInput(f"Input file {f.named_as or f.path} does not exist any more",
                               hint=f"looked for {path}", param="inputs")
        try:
            with path.open("rb") as fh:
                fh.read(1)
        except OSError as exc:
            raise InvalidInput(f"Input file {f.named_as or f.path} cannot be read ({exc.strerror or exc})",
                               param="inputs") from None


def execute(plan: Plan, *, output_dir: Path | None = None, on_event: OnEvent | None = None,
            cancel: threading.Event | None = None, use_llm: bool = True, max_workers: int | None = None,
            ray_address: str | None = None, done: dict[str, StepResult] | None = None,
            run_id: str | None = None, label: bool = True) -> RunResult:
    """Run ``plan``; every step's outcome is in the result, failed ones with their error.

    Resuming an interrupted run: ``done`` maps step ids to the ``ok`` results of
    steps that already finished (they are not run again; their outputs feed
    the steps that read them, and a ``step_finished`` event with
    ``"resumed": true`` is emitted for each), and ``run_id`` is the run's id
    from the first attempt, so every generation of the run shares one id.

    Text and code files written to ``output_dir`` carry the AI label
    (:mod:`genloom.text.label`) unless ``label`` is False.
    """
    from genloom.config import default_threads

    # One more worker than cores: one thread mostly waits on the LLM lock while media steps run.
    workers = max_workers or max(2, min(4, default_threads() + 1))
    check_inputs(plan)
    return _Run(plan, Path(output_dir) if output_dir else None, on_event, cancel, use_llm,
                ray_address, done=done, run_id=run_id, label=label).run(workers)
