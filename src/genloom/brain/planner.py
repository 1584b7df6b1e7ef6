"""Planning: request -> route -> a graph of steps, each with a model and a reason.

The graph's *shape* comes from routing and fixed chaining rules (a narration
reads the script, an illustration follows the story, a promo video uses the
kit's image, voice and jingle), so it is valid by construction. The LLM adds
what rules cannot know, under a JSON schema and in a few tokens: the topic
and tone of a multi-part request, and the deliverables of requests the fast
stages could not decide. Whatever the LLM returns is validated; bad output
falls back to the rule-based values, never to an exception.
"""

from __future__ import annotations

import re
import time
from typing import Any

from pydantic import BaseModel, Field

from genloom.brain import routing
from genloom.brain.graph import Plan, Step
from genloom.brain.prompts import duration_of
from genloom.errors import EmptyPrompt

MEDIA = ("image", "speech", "music", "video")
SHORT_TEXT = re.compile(r"\b(?:headlines?|titles?|slogans?|taglines?|names?|mottos?|captions?)\b")
SCRIPT = re.compile(r"\b(?:script|lyrics|story|poem|haiku|toast|speech|message|greeting|welcome|intro)\b")


class Brief(BaseModel):
    """The LLM's part of a multi-part plan."""

    topic: str = Field(min_length=2, max_length=80)
    tone: str = Field("", max_length=40)


BRIEF_SCHEMA = {
    "type": "object",
    "properties": {"topic": {"type": "string", "maxLength": 48}, "tone": {"type": "string", "maxLength": 16}},
    "required": ["topic", "tone"],
}
BRIEF_SYSTEM = "You extract what a creative request is about. Reply with JSON only: the topic in a few words, and the tone."


# -- models ------------------------------------------------------------------

def choose_model(kind: str) -> tuple[str | None, str]:
    """The model a step of this kind runs on, and why (or why none can)."""
    from genloom.api import RUNNERS
    from genloom.models.registry import get_registry

    if kind not in RUNNERS:
        return None, f"no {kind} generator is installed in this genloom; this step will be reported as failed"
    try:
        card = get_registry().default_card(kind)
    except Exception:  # a generator without registry cards picks its own engine
        return None, f"the {kind} generator picks its built-in engine"
    what = card.name or card.id
    how = "the default" if kind in [k.value for k in card.default_for] else "the first installed"
    also = " (a language model: it writes words, it cannot draw, speak or compose)" if card.kind.value == "text" \
        and kind == "code" else ""
    return card.id, f"{how} {kind} model: {what}, {card.license}{also}"


# -- topic ---------------------------------------------------------------------

_TOPIC = re.compile(r"\b(?:about|for|of|on|called|named)\s+(.+)")
# A comma ends the topic, except before an appositive that says what the
# subject is ("GlowTrail, a solar-powered camping lantern"): that is the part
# the writers most need.
_TOPIC_STOP = re.compile(
    r"\s*(?:[:;]|,(?!\s+(?:a|an|the|our|my|your)\s)|\bwith\b|\bthat\b|\bwhich\b|\bin (?:a|an|the)\b).*$")
_AND = re.compile(r"\s+(?:and|then|plus)\s+")
# Names of steps a modifier adds ("an illustrated narrated story").
ADDED = {"image": "illustration", "speech": "narration", "video": "animation", "music": "music"}


def heuristic_topic(request: str) -> str:
    text = " ".join(request.strip().split())
    head = text.split(":", 1)[0]
    for pattern in (r"\babout\s+(.+)", r"\bfor\s+(.+)", _TOPIC.pattern):
        m = re.search(pattern, head, re.I)
        if m:
            topic = _TOPIC_STOP.sub("", m.group(1)).strip(" .!?")
            # "about a fox and a crow" keeps its "and"; "about remote work and a header image" does not.
            for sep in _AND.finditer(topic):
                if routing.route_rules(topic[sep.end():])[0]:
                    topic = topic[:sep.start()]
                    break
            if len(topic) >= 3:
                return topic
    return (head if ":" in text else text).strip(" .!?")


_STOP = frozenset("""a an the and or with for of to in on my our your me i we you it this that some short long
need want like please make create write design give generate produce compose draw record get do build plus then also
just quick nice good great little new one two three few second seconds minute minutes catchy cool""".split())


def _subject_words(request: str) -> set[str]:
    """Words left once cue words and function words are removed: is there a subject to extract at all?"""
    text = routing.normalize(request)
    for m in reversed(routing._matches(text)):
        text = text[:m.start] + " " + text[m.end:]
    return {w for w in re.findall(r"[a-z][a-z'-]+", text) if w not in _STOP and len(w) > 2}


def _plausible_topic(topic: str, request: str) -> bool:
    """A topic must come from the request and not just name the deliverables ("a launch kit")."""
    words = {w for w in re.findall(r"[a-z0-9]+", topic.lower()) if len(w) > 2}
    content = words - {"the", "and", "for", "with", "kit", "launch", "marketing", "headline", "image", "video",
                       "jingle", "voiceover", "copy", "audio", "script", "promo", "story", "post"}
    return bool(content) and bool(content & set(re.findall(r"[a-z0-9]+", request.lower())))


def llm_brief(request: str, model: str | None = None) -> Brief | None:
    from genloom.brain.llm import ask, parse_json

    try:
        text, _ = ask(f"Request: {request}", system=BRIEF_SYSTEM, model=model, max_tokens=32, temperature=0.2,
                      json_schema=BRIEF_SCHEMA, task="plan", log=False)
    except Exception:
        return None
    brief = parse_json(text, Brief)
    if brief is None or not brief.topic.strip():
        return None
    return brief  # type: ignore[return-value]


# -- steps -------------------------------------------------------------------

_QUOTE = re.compile(r"(?:^|(?<=\s))[\"“‘']((?:(?![\"”’]).){2,2000}?)[\"”’'](?=[\s.,!?;:]|$)", re.S)
_SAY = re.compile(r"^(?:please\s+)?(?:say|speak|pronounce)\s+(.+?)(?:\s+in an?\s+[\w ,-]{1,30}voice)?[.!]?$", re.I)


def spoken_payload(request: str) -> str | None:
    """The exact words to speak, when the request gives them: quoted, after a colon, or after "say"."""
    text = " ".join(request.strip().split())
    quoted = _QUOTE.search(text)
    if quoted:
        return quoted.group(1).strip()
    head, sep, tail = text.partition(":")
    if sep and tail.strip() and routing.route_rules(head)[0] and not routing.route_rules(tail)[0]:
        return tail.strip()
    said = _SAY.match(text)
    if said:
        return said.group(1).strip()
    return None


def _slug(text: str, fallback: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    words = [w for w in words if w not in {"a", "an", "the", "some", "short", "my", "our", "me"}]
    return "_".join(words[:3]) or fallback


def text_instruction(label: str, instruction: str, duration: float | None) -> tuple[str, dict[str, Any]]:
    """A text step's prompt and params sized to what it is: headlines are short, scripts fit their duration."""
    low = label.lower()
    if SHORT_TEXT.search(low):
        return f"{instruction}\nReply with the {label} only: one line, under 12 words, no quotes.", {
            "max_tokens": 40}
    if "script" in low or "voiceover" in low or "narration" in low:
        words = int((duration or 15) * 2.5)
        return (f"{instruction}\nWrite only the words to be spoken, about {words} words, no stage directions.",
                {"max_tokens": int(words * 2) + 20})
    if "copy" in low:
        return f"{instruction}\nTwo or three sentences, at most 45 words, persuasive, no headings.", {
            "max_tokens": 80}
    return instruction, {"max_tokens": 400}


def build_steps(request: str, route: routing.Route, topic: str, tone: str = "") -> list[Step]:
    parts = route.parts
    # One phrase ("an illustrated narrated story about X"): every step works from the whole request.
    single = len({p.text for p in parts}) == 1
    duration_all = duration_of(request, 0) or None
    steps: list[Step] = []
    by_part: list[Step] = []
    used: set[str] = set()
    for i, part in enumerate(parts):
        label = part.cue or part.kind
        added = any(p.text == part.text and p.kind != part.kind for p in parts[:i])
        if added:
            label = ADDED[part.kind] if part.kind in ADDED else part.kind
        sid = _slug(label, part.kind)
        base, n = sid, 2
        while sid in used:
            sid, n = f"{base}_{n}", n + 1
        used.add(sid)
        seg = part.text.strip()
        if added:
            instruction = f"{label.capitalize()} for: {request.strip() if single else seg}"
        elif single:
            instruction = request.strip()
        else:
            instruction = seg if topic.lower() in seg.lower() else f"{seg} for {topic}"
            instruction = instruction[0].upper() + instruction[1:]
            if tone and part.kind != "code":
                instruction += f" (tone: {tone})"
        duration = duration_of(seg, 0) or (duration_all if part.kind in ("video", "speech", "music") else None)
        model, reason = choose_model(part.kind)
        reason = f"{part.reason}; {reason}" if part.reason else reason
        step = Step(id=sid, kind=part.kind, task=_slug(label, part.kind), instruction=instruction, model=model,
                    reason=reason)
        if part.kind == "text" and not single:
            step.prompt, step.params = text_instruction(label, instruction, duration)
            step.prompt_by = "template"
        elif part.kind in ("text", "code"):
            step.prompt, step.prompt_by = request.strip(), "request"
        elif part.kind == "speech" and (single or len(parts) == 1):
            words = spoken_payload(request)
            if words:  # "read this aloud: ..." / "say 'happy birthday'": speak exactly these words
                step.prompt, step.prompt_by = words, "request"
        if duration and part.kind in MEDIA:
            step.instruction += "" if re.search(r"\d+\s*-?\s*(?:s|sec|second|min)", step.instruction) else \
                f" ({duration:.0f} seconds)"
        steps.append(step)
        by_part.append(step)

    # Chaining: who feeds whom.
    texts = [s for s in steps if s.kind == "text"]
    for part, step in zip(parts, by_part, strict=True):
        if step.kind == "speech" and texts:
            script = next((t for t in texts if SCRIPT.search(t.task.replace("_", " "))), None)
            same = next((t for t, p in zip(by_part, parts, strict=True) if t.kind == "text" and p.text == part.text),
                        None)
            refers = re.search(r"\b(?:it|them|this|narrat\w*|read)\b", part.text)
            src = same or (script if script is not None else (texts[0] if refers else None))
            if src is not None:
                step.inputs = [src.id]
                step.reason += f"; it speaks the text of step {src.id!r}"
        elif step.kind == "image" and texts:
            headline = next((t for t in texts if SHORT_TEXT.search(t.task.replace("_", " "))), None)
            same = next((t for t, p in zip(by_part, parts, strict=True) if t.kind == "text" and p.text == part.text),
                        None)
            wants_headline = re.search(r"\bwith (?:the|our|a) (?:headline|slogan|tagline|title)", request, re.I)
            refers = re.search(r"\b(?:it|them|this|illustrat\w*|header|cover|for the post)\b", part.text)
            src = same or (headline if wants_headline and headline else (texts[0] if refers else None))
            if src is not None:
                step.inputs = [src.id]
                step.reason += f"; its prompt is written from step {src.id!r}"
        elif step.kind == "video":
            feeds = [s.id for s in steps if s.kind in ("image", "speech", "music") or
                     (s.kind == "text" and SHORT_TEXT.search(s.task.replace("_", " ")))]
            if feeds:
                step.inputs = feeds
                step.reason += f"; it is cut from {', '.join(feeds)}"
    # "illustrate it": name what "it" is.
    for step in steps:
        srcs = [i for i in step.inputs if i != "request"]
        if len(srcs) == 1 and re.search(r"\b(?:it|them)\b", step.instruction):
            src = next(s for s in steps if s.id == srcs[0])
            step.instruction = re.sub(r"\b(?:it|them)\b", f"the {src.task.replace('_', ' ')}", step.instruction,
                                      count=1)
    # Inputs must come first: move any step after the steps it depends on.
    ordered: list[Step] = []
    pending = list(steps)
    while pending:
        done = {s.id for s in ordered}
        for s in pending:
            if all(i == "request" or i in done for i in s.inputs):
                ordered.append(s)
                pending.remove(s)
                break
        else:  # a cycle cannot be built by the rules above, but never loop forever
            for s in pending:
                s.inputs = ["request"]
            ordered.extend(pending)
            pending = []
    return ordered


def plan(request: str, *, use_llm: bool = True, model: str | None = None, use_embeddings: bool = True,
         write_prompts: bool = False) -> Plan:
    """Route the request and build its plan. The LLM is used only for hard and multi-part cases."""
    if not request or not request.strip():
        raise EmptyPrompt("The request is empty", hint='say what you want, e.g. genloom "a poster for a jazz night"',
                          param="request")
    t0 = time.perf_counter()
    route = routing.route(request, use_embeddings=use_embeddings, use_llm=use_llm, model=model)
    timings = {"route": (time.perf_counter() - t0) * 1000}
    topic, tone, planned_by = heuristic_topic(request), "", "rules"
    found = topic != request.strip(" .!?")
    if use_llm and len(route.parts) > 1 and not found and _subject_words(request):
        # Only when "for X"/"about X" did not name the subject: the LLM is slower and, small, less exact.
        t1 = time.perf_counter()
        brief = llm_brief(request, model)
        timings["llm_brief"] = (time.perf_counter() - t1) * 1000
        if brief is not None and _plausible_topic(brief.topic, request):
            topic, tone, planned_by = brief.topic.strip(), brief.tone.strip(), "llm"
    from genloom.brain.recipes import match_recipe, plan_recipe

    recipe = match_recipe(request)
    if recipe is not None and set(recipe.deliverables) == set(route.deliverables) and recipe.main_input():
        # A named workflow fits exactly: its hand-tuned steps beat generic ones.
        result = plan_recipe(recipe.name, {recipe.main_input(): topic}, request=request.strip())
        result.routed_by, result.planned_by = route.stage, f"recipe:{recipe.name}"
        result.notes = [*route.notes, f"matches recipe {recipe.name!r}"]
        timings["total"] = (time.perf_counter() - t0) * 1000
        result.timings_ms = timings
        return result
    steps = build_steps(request, route, topic, tone)
    result = Plan(request=request.strip(), deliverables=route.deliverables, steps=steps, topic=topic,
                  routed_by=route.stage, planned_by=planned_by, notes=route.notes, timings_ms=timings)
    if write_prompts:
        from genloom.brain.prompts import write_prompt

        for s in result.steps:
            if s.kind in MEDIA and s.inputs == ["request"] and s.prompt is None:
                w = write_prompt(s.kind, s.instruction, {}, duration=duration_of(s.instruction, 0) or None,
                                 use_llm=use_llm, model=model)
                s.prompt, s.prompt_by = w.prompt, w.by  # type: ignore[assignment]
        timings["prompts"] = (time.perf_counter() - t0) * 1000 - sum(timings.values())
    timings["total"] = (time.perf_counter() - t0) * 1000
    return result
