"""Planning: a :class:`RequestSpec` -> a graph of steps, each with a model, a reason and its params.

The planner never reads the request text: :func:`genloom.brain.understand.read`
did, once. Each deliverable becomes one step whose ``params`` are the
deliverable's settings (docs/brain.md, "Step params"); intermediate steps are
added where a product needs words first (a voiceover *about* something gets a
script sized to its duration; a poster with no words given gets a headline).

Chaining puts durations first: a narration is written to fit its video, music
is cut to the video, and a video with no asked length lasts as long as its
narration (the executor measures it). A launch kit's parts share one topic, one
name and one palette.
"""

from __future__ import annotations

import time
from typing import Any

from genloom.brain.graph import Plan, Step
from genloom.brain.spec import Deliverable, InputFile, RequestSpec

MEDIA = ("image", "speech", "music", "sound", "video")
WORDS_PER_SECOND = 2.5
# A narration written for a video fills this share of it: synthetic voices run long, and the
# executor would rather speed a short overrun up than cut a word.
NARRATION_FILL = 0.85
DEFAULT_SPEECH_SECONDS = 15.0


# -- models ------------------------------------------------------------------

def choose_model(kind: str) -> tuple[str | None, str]:
    """The model a step of this kind runs on, and why (or why none can)."""
    from genloom.api import RUNNERS
    from genloom.errors import GenloomError
    from genloom.models.registry import get_registry

    if kind not in RUNNERS:
        return None, f"no {kind} generator is installed in this genloom; this step will be reported as failed"
    try:
        card = get_registry().default_card(kind)
    except GenloomError:  # a generator without registry cards picks its own engine
        return None, f"the {kind} generator picks its built-in engine"
    what = card.name or card.id
    how = "the default" if kind in [k.value for k in card.default_for] else "the first installed"
    also = " (a language model: it writes words, it cannot draw, speak or compose)" if card.kind.value == "text" \
        and kind == "code" else ""
    return card.id, f"{how} {kind} model: {what}, {card.license}{also}"


# -- one look for a kit ------------------------------------------------------

# Named palettes a kit's pictures and video share; one is picked from the subject's name, so the
# same product always gets the same look and every part of its kit matches.
PALETTES = ("warm amber and charcoal", "teal and coral", "navy and gold", "forest green and cream",
            "sunset orange and plum", "sky blue and white", "black and neon lime", "terracotta and sand")


def palette_for(spec: RequestSpec) -> str:
    import zlib

    key = (spec.name or spec.topic or spec.text).lower().encode()
    return PALETTES[zlib.crc32(key) % len(PALETTES)]


def share_one_look(steps: list[Step], spec: RequestSpec) -> None:
    """Pictures and videos of a multi-part plan name one palette, so the kit looks like one thing."""
    visual = [s for s in steps if s.kind in ("image", "video")]
    if len(steps) < 2 or not visual:
        return
    palette = palette_for(spec)
    for s in visual:
        s.instruction = f"{s.instruction} (palette: {palette})"[:4000]


# -- steps -------------------------------------------------------------------

def _slug(text: str, fallback: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    words = [w for w in words if w not in {"a", "an", "the", "some", "short", "my", "our", "me"}]
    return "_".join(words[:3]) or fallback


class _Builder:
    """Builds the steps of one spec: ids, instructions, prompts, params, chaining, order."""

    def __init__(self, spec: RequestSpec) -> None:
        self.spec = spec
        self.steps: list[Step] = []
        self.notes: list[str] = []  # what the installed models cannot do as asked, found while building
        self.by_index: dict[int, Step] = {}
        self.used: set[str] = set()
        self.single = sum(1 for d in spec.deliverables) == 1

    def new_id(self, label: str, kind: str) -> str:
        sid = _slug(label, kind)
        if not sid[0].isalpha():
            sid = f"{kind}_{sid}"
        base, n = sid[:36], 2
        sid = base
        while sid in self.used or sid == "request":
            sid, n = f"{base}_{n}", n + 1
        self.used.add(sid)
        return sid

    def instruction(self, d: Deliverable) -> str:
        spec = self.spec
        if self.single and not d.operation:
            return spec.text
        phrase = d.phrase or d.label or d.kind
        topic = spec.topic or ""
        text = phrase if not topic or topic.lower() in phrase.lower() else f"{phrase} for {topic}"
        text = text[0].upper() + text[1:]
        if spec.tone and d.kind != "code":
            text += f" (tone: {spec.tone})"
        if d.seconds and d.kind in MEDIA:
            text += f" ({d.seconds:g} seconds)"
        return text

    def build(self) -> list[Step]:
        for i, d in enumerate(self.spec.deliverables):
            self.by_index[i] = self.step_for(d)
        for i, d in enumerate(self.spec.deliverables):
            self.link(i, d)
        self.add_scripts_and_headlines()
        self.block_dependents()
        return self.ordered()

    def step_for(self, d: Deliverable) -> Step:
        from genloom.brain.understand import text_role

        model, why = choose_model(d.kind)
        reason = f"{d.reason}; {why}" if d.reason else why
        step = Step(id=self.new_id(d.label or d.kind, d.kind), kind=d.kind, task=_slug(d.label or d.kind, d.kind),
                    instruction=self.instruction(d)[:4000], model=model, reason=reason, params=d.params(),
                    deliverable=d.deliverable)
        if d.operation:
            step.operation = d.operation
        if d.blocked:
            step.blocked = d.blocked
            if d.blocked not in self.notes:
                self.notes.append(d.blocked)
        if d.kind == "speech":
            self.pick_voice(step, d)
        if d.kind == "video" and self.spec.name and d.deliverable:
            step.params["name"] = self.spec.name  # the video's title and end cards carry the subject's name
        if d.kind == "text" and not self.single and not d.operation:
            step.prompt, extra = self.text_prompt(d, text_role(d.label), step.instruction)
            step.prompt_by = "template"
            step.params.update(extra)
        elif d.kind in ("text", "code") and self.single and not d.operation:
            step.prompt, step.prompt_by = self.spec.text, "request"
        elif d.kind == "speech" and d.verbatim:
            step.prompt, step.prompt_by = d.verbatim, "request"
        self.steps.append(step)
        return step

    def pick_voice(self, step: Step, d: Deliverable) -> None:
        """Asked traits or a language resolve to an installed voice, with the reason (or a note saying none can)."""
        from genloom.brain.notes import choose_voice

        traits = step.params.get("voice_traits") or {}
        language = d.language or self.spec.language
        if not traits and not language:
            return  # the default voice, nothing asked
        voice, model, why, note = choose_voice(traits, language)
        if voice is not None:
            step.params["voice"] = voice
            step.model = model or step.model  # the voice's own speech model ("joe" is Piper's, not hibari's)
        step.reason += f"; voice: {why}"
        if note and note not in self.notes:
            self.notes.append(note)

    def text_prompt(self, d: Deliverable, role: str, instruction: str) -> tuple[str, dict[str, Any]]:
        """A text step's prompt and params sized to what it is: headlines are short, scripts fit their duration."""
        instruction += _in_language(d.language or self.spec.language)
        if d.words and role != "short":
            return instruction, {}  # the stated length (params "words") is put in words by the executor
        if role == "short":
            return f"{instruction}\nReply with the {d.label} only: one line, under 12 words, no quotes.", {
                "max_tokens": 40}
        if role == "script":
            seconds, words = self.script_words(d)
            return (f"{instruction}\nWrite only the words to be spoken, about {words} words, no stage directions.",
                    {"max_tokens": int(words * 2) + 20})
        if role == "copy":
            return f"{instruction}\nTwo or three sentences, at most 45 words, persuasive, no headings.", {
                "max_tokens": 80}
        return instruction, {"max_tokens": 400}

    def spoken_seconds(self, d: Deliverable) -> float:
        """How long the words of ``d`` will take to say: the speech (or video) that reads them sets it."""
        idx = self.spec.deliverables.index(d)
        for other in self.spec.deliverables:
            if idx in other.made_from and other.kind in ("speech", "video"):
                return self.spoken_seconds(other) if other.kind == "speech" else self._video_seconds(other) or \
                    d.seconds or DEFAULT_SPEECH_SECONDS
        if d.kind == "speech" and d.with_music and d.seconds:
            from genloom.video.soundtrack import voice_seconds_over_bed

            return voice_seconds_over_bed(d.seconds)  # the track's length holds the bed's lead-in and tail
        return d.seconds or DEFAULT_SPEECH_SECONDS

    def _video_seconds(self, video: Deliverable) -> float | None:
        """A video's length: asked, else the user's clip's length when it is known."""
        if video.seconds:
            return video.seconds
        clips = [self.spec.input(i) for i in video.uses_inputs]
        return next((c.seconds for c in clips if c.kind == "video" and c.seconds), None)

    def script_words(self, d: Deliverable) -> tuple[float, int]:
        """Seconds and words for the script of ``d``; narration for a video leaves room (TTS runs long).

        Words the request stated ("a 60-word voiceover") win over a duration's words.
        """
        seconds = self.spoken_seconds(d)
        if d.words:
            return (d.seconds or d.words / WORDS_PER_SECOND), d.words
        idx = self.spec.deliverables.index(d)
        for_video = any(idx in o.made_from and o.kind == "video" for o in self.spec.deliverables)
        factor = NARRATION_FILL if for_video else 1.0
        return seconds, int(seconds * WORDS_PER_SECOND * factor)

    def beds(self, d: Deliverable) -> list[str]:
        """The music steps a speech is mixed over (a radio ad with background music is one track)."""
        if d.kind != "speech" or not d.with_music:
            return []
        return [self.by_index[j].id for j in d.carries if self.spec.deliverables[j].kind == "music"]

    def link(self, i: int, d: Deliverable) -> None:
        step = self.by_index[i]
        sources = [self.by_index[j].id for j in d.made_from if j in self.by_index and j != i]
        files = list(d.uses_inputs)
        beds = self.beds(d)
        sources = [s for s in sources if s not in beds]
        if d.kind == "image" and "headline" not in step.params:
            from genloom.brain.understand import text_role

            short = [self.by_index[j].id for j in d.made_from if self.spec.deliverables[j].kind == "text"
                     and text_role(self.spec.deliverables[j].label) == "short"]
            if short:  # the headline step's words are printed on the picture
                step.params["headline"] = "{" + short[0] + "}"
        if sources or files:
            step.inputs = [*sources, *files]
            if sources:
                step.reason += f"; made from step{'s' if len(sources) > 1 else ''} {', '.join(sources)}"
            if files:
                step.reason += f"; uses your file{'s' if len(files) > 1 else ''} " \
                               f"{', '.join(self.spec.input(f).named_as or f for f in files)}"
        if beds:  # listed last: the words come first, the bed is mixed in once the voice exists
            step.inputs = [*(i for i in step.inputs if i != "request"), *beds]
            step.reason += f"; one track: the voice over the music of step {beds[0]}, ducked under the words, " \
                           "cut and faded to the voice's length"

    def add_scripts_and_headlines(self) -> None:
        """Words that must exist before a product: the script a voice reads, the headline a poster prints."""
        for i, d in enumerate(self.spec.deliverables):
            step = self.by_index[i]
            beds = self.beds(d)
            fed = [s for s in step.inputs if s != "request" and s not in beds]
            if d.kind == "speech" and not d.verbatim and not fed and d.operation is None and not d.blocked:
                seconds, words = self.script_words(d)
                about = self.spec.topic or d.phrase
                script = Step(id=self.new_id(f"{d.label} script", "text"), kind="text", task="script",
                              instruction=f"Write the words of {d.label or 'a voiceover'} about {about}",
                              model=choose_model("text")[0], deliverable=False,
                              reason="a voice needs words: the language model writes a script about the subject, "
                                     f"sized to {seconds:g} seconds (~{words} words)",
                              prompt=(f"Write a {seconds:g}-second {d.label or 'voiceover'} script about {about}"
                                      f"{f' (tone: {self.spec.tone})' if self.spec.tone else ''}."
                                      f"{_in_language(d.language or self.spec.language)}\n"
                                      f"Write only the words to be spoken, about {words} words, in plain spoken "
                                      "sentences, no stage directions, no quotes."),
                              prompt_by="template", params={"max_tokens": int(words * 2) + 20, "words": words,
                                                            "words_bound": d.words_bound or "about"})
                self.steps.insert(self.steps.index(step), script)
                step.inputs = [script.id, *beds]
                step.reason += f"; it speaks the script of step {script.id!r}"
            if d.kind == "image" and d.headline_wanted and not d.headline and not fed:
                name = self.spec.name or self.spec.topic or d.phrase
                head = Step(id=self.new_id("headline", "text"), kind="text", task="headline",
                            instruction=f"Write a headline for {d.label or 'the image'}: {name}",
                            model=choose_model("text")[0], deliverable=False,
                            reason=f"a {d.label or 'picture'} of this format carries a headline and none was given",
                            prompt=f"Write one catchy headline for {name}. Reply with the headline only: under 8 words,"
                                   " no quotes.", prompt_by="template", params={"max_tokens": 24})
                self.steps.insert(self.steps.index(step), head)
                step.inputs = [head.id]
                step.params["headline"] = "{" + head.id + "}"

    def block_dependents(self) -> None:
        """A step that cannot be made blocks what needs it: the video its voice was for, and the
        intermediates made only for blocked steps, so the run generates nothing for them."""
        changed = True
        while changed:
            changed = False
            for s in self.steps:
                if s.blocked:
                    continue
                needs = [self.step(i).blocked for i in s.inputs if self._blocked(i)]
                readers = [r for r in self.steps if s.id in r.inputs]
                if needs and s.kind in ("video", "speech", "transcript"):
                    s.blocked = needs[0]
                elif not s.deliverable and readers and all(r.blocked for r in readers):
                    s.blocked = readers[0].blocked
                changed = changed or s.blocked is not None

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def _blocked(self, step_id: str) -> bool:
        return any(s.id == step_id and s.blocked for s in self.steps)

    def ordered(self) -> list[Step]:
        """Inputs must come first: move any step after the steps it depends on."""
        ids = {s.id for s in self.steps}
        out: list[Step] = []
        pending = list(self.steps)
        while pending:
            done = {s.id for s in out}
            for s in pending:
                if all(i not in ids or i in done for i in s.inputs):
                    out.append(s)
                    pending.remove(s)
                    break
            else:  # rules above never build a cycle; never loop forever if one appears
                out.extend(pending)
                pending = []
        return out


def _in_language(code: str | None) -> str:
    """" Write it in French." for a language other than English."""
    if not code or code == "en":
        return ""
    from genloom.brain.understand import language_name

    return f" Write it in {language_name(code)}."


def build_steps(spec: RequestSpec) -> list[Step]:
    """The steps of ``spec``; notes found on the way (no voice fits) are added to ``spec.notes``."""
    builder = _Builder(spec)
    steps = builder.build()
    spec.notes.extend(n for n in builder.notes if n not in spec.notes)
    return steps


def _recipe_carries(recipe: Any, spec: RequestSpec) -> bool:
    """A recipe's hand-tuned steps are used only when they can honour every setting the request states.

    A recipe takes settings only through its declared inputs (today: ``seconds``); a request
    that states anything else ("in a low male voice", "1080x1920") is planned step by step, so
    no stated detail is dropped for the sake of a template.
    """
    carried = {"seconds"} & set(recipe.inputs)
    # Settings the recipe's own steps fix to the same value are honoured too ("music": true, a bed).
    carried |= {key for d in spec.deliverables for key, value in d.params().items()
                if any(s.kind == d.kind and s.params.get(key) == value for s in recipe.steps)}
    stated = {key for d in spec.deliverables for key in d.params()}
    return stated <= carried


def plan(request: str | None = None, *, spec: RequestSpec | None = None, inputs: list[InputFile] | None = None,
         use_llm: bool = True, model: str | None = None, use_embeddings: bool = True,
         write_prompts: bool = False) -> Plan:
    """Understand the request (unless ``spec`` is given) and build its plan."""
    from genloom.brain.notes import honest_notes
    from genloom.brain.understand import read

    t0 = time.perf_counter()
    if spec is None:
        spec = read(request or "", inputs=inputs, use_llm=use_llm, model=model, use_embeddings=use_embeddings)
    timings = {f"understand_{k}": v for k, v in spec.timings_ms.items()}
    timings["understand"] = (time.perf_counter() - t0) * 1000
    spec.notes.extend(n for n in honest_notes(spec) if n not in spec.notes)
    from genloom.brain.recipes import load_recipe, plan_recipe

    if spec.recipe is not None:
        recipe = load_recipe(spec.recipe)
        if set(recipe.deliverables) == set(spec.kinds()) and recipe.main_input() and spec.topic \
                and _recipe_carries(recipe, spec):
            # A named workflow fits exactly: its hand-tuned steps beat generic ones.
            values = {recipe.main_input(): spec.topic}
            seconds = next((d.seconds for d in spec.deliverables if d.seconds), None)
            if seconds and "seconds" in recipe.inputs:
                values["seconds"] = f"{seconds:g}"
            result = plan_recipe(recipe.name, values, request=spec.text)
            share_one_look(result.steps, spec)
            for s in result.steps:
                if s.kind == "video" and spec.name:
                    s.params["name"] = spec.name
            result.routed_by, result.planned_by = spec.decided_by, f"recipe:{recipe.name}"
            result.notes = [*spec.notes, *spec.reasons, f"matches recipe {recipe.name!r}"]
            _attach(result, spec)
            timings["total"] = (time.perf_counter() - t0) * 1000
            result.timings_ms = timings
            return result
    steps = build_steps(spec)
    if sum(d.deliverable for d in spec.deliverables) > 1:
        share_one_look(steps, spec)
    planned_by = "llm" if spec.topic_by == "llm" else "rules"
    result = Plan(request=spec.text, deliverables=spec.kinds(), steps=steps, topic=spec.topic or "",
                  routed_by=spec.decided_by, planned_by=planned_by, notes=[*spec.notes, *spec.reasons],
                  timings_ms=timings, inputs=list(spec.inputs), spec=spec)
    if write_prompts:
        from genloom.brain.prompts import write_prompt

        for s in result.steps:
            if s.kind in MEDIA and all(i == "request" for i in s.inputs) and s.prompt is None:
                w = write_prompt(s.kind, s.instruction, {}, duration=s.params.get("seconds"), use_llm=use_llm,
                                 model=model)
                s.prompt, s.prompt_by = w.prompt, w.by  # type: ignore[assignment]
        timings["prompts"] = (time.perf_counter() - t0) * 1000 - sum(timings.values())
    timings["total"] = (time.perf_counter() - t0) * 1000
    return result


def _attach(result: Plan, spec: RequestSpec) -> None:
    result.inputs = list(spec.inputs)
    result.spec = spec
