"""Request -> :class:`~genloom.brain.spec.RequestSpec`: the one place that reads the user's words.

    >>> spec = read("a 25-second voiceover in a low male voice about our hiking boots", use_llm=False)
    >>> d = spec.deliverables[0]
    >>> d.kind, d.seconds, d.voice.gender, d.voice.pitch, spec.topic
    ('speech', 25.0, 'male', 'low', 'our hiking boots')

How a request becomes a spec, in order:

1. **Files** named in the text ("standup.wav") are found (``_extract.file_mentions``)
   and replaced by placeholders, so "chapter1.txt" is no "chapter"; a list of them
   ("a.jpg, b.jpg and c.jpg") stays one object of one operation (``_inputs.join_file_lists``).
2. **Names**: the dependency parse marks the subject's names ("Loop Coffee") so
   their words are not read as cues ("for loop" is code) (``_parse``).
3. **Parts**: the request is split into the things it asks for; each part's head
   noun or deciding verb gives its kind (``_parts``, tables in ``_cues``). When no
   word names an output, the embedding vote and then the LLM decide (``_vote``).
   Quoted words a speaker says inside a video ('a video where a narrator says "…"')
   become a narration part the video carries (``_spoken``).
4. **Settings** of each part: seconds, size or named format, count, word count, style, exact
   words, voice traits, language, music and sound settings (``_extract``).
5. **Chains**: what feeds what ("narrate it"), what goes into a host ("a video with
   narration"), and which operation applies to which file; the user receives the
   last operation's product (``_inputs``).
6. **Topic, name, tone**: from "for X"/"about X", else from the LLM under a JSON
   schema with a constant, cacheable prompt prefix (``_topic``, ``_llm``).

Nothing after this module looks at the request text again.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path

from genloom.brain.spec import Deliverable, InputFile, MusicSettings, RequestSpec, VoiceTraits
from genloom.brain.understand import _extract, _inputs, _parse, _parts, _spoken, _topic
from genloom.brain.understand._parts import KINDS, ORDER, Part
from genloom.errors import EmptyPrompt

__all__ = ["read", "mentioned_files", "text_role", "language_name", "KINDS", "ORDER"]

TIMED = ("speech", "music", "sound", "video")
# Labels for a kind a modifier adds to the same phrase ("an illustrated narrated story").
ADDED = {"image": "illustration", "speech": "narration", "video": "animation", "music": "music"}
# Labels of text a voice can read, and of short texts an image or video can carry.
SPOKEN_TEXT = re.compile(r"\b(?:script|lyrics|story|stories|poem|haiku|toast|speech|message|greeting|welcome|intro|"
                         r"limerick|fable|tale|monologue|announcement|joke|riddle)\b")
SHORT_TEXT = re.compile(r"\b(?:headlines?|titles?|slogans?|taglines?|names?|mottos?|captions?)\b")
# Picture formats that are read at a glance: they carry a headline.
HEADLINE_LAYOUTS = ("poster", "banner", "thumbnail", "story", "flyer", "slide", "cover")
# Nouns for a stretch of audio whatever it holds: what is *of* them decides the kind.
_CONTAINERS = frozenset({"loop", "clip", "recording", "audio", "track", "sample", "file"})
_ASKS_LLM = re.compile(r"\b(?:write|chatgpt|gpt|llm|language model|chatbot|text model|type out|generate text)\b",
                       re.I)
_PLACEHOLDER = re.compile(r"\b(?:zfile(\d+)|zname|quoted)\b", re.I)


def text_role(label: str) -> str:
    """What a text deliverable is, from its label: "short" (headline), "script" (to be spoken), "copy" or "long"."""
    low = label.lower()
    if SHORT_TEXT.search(low):
        return "short"
    if "script" in low or "voiceover" in low or "narration" in low:
        return "script"
    if "copy" in low:
        return "copy"
    return "long"


def language_name(code: str) -> str:
    """"fr" -> "French" (the languages understanding recognises)."""
    return next((name.capitalize() for name, c in _extract.LANGUAGES.items() if c == code), code)


def mentioned_files(request: str) -> list[str]:
    """File names the request mentions, as written, in order. Text only: no file system access."""
    return _extract.file_mentions(request)


def read(request: str, *, inputs: list[InputFile] | None = None, use_llm: bool = True, model: str | None = None,
         use_embeddings: bool = True) -> RequestSpec:
    """Understand a request: its deliverables with their settings, its files, topic and name."""
    t0 = time.perf_counter()
    text = " ".join((request or "").split())
    if not text:
        raise EmptyPrompt("The request is empty", hint='say what you want, e.g. genloom "a poster for a jazz night"',
                          param="request")
    mentions = _extract.file_mentions(text)
    masked = _inputs.join_file_lists(_mask_files(text, mentions))
    masked, names = _parse.mask_names(masked)
    found = _parts.find_parts(masked)
    timings = {"rules": (time.perf_counter() - t0) * 1000}
    reader = _Reader(text, found, names, mentions, inputs or [])
    reader.with_appositives = _parts.normalize_pair(masked)[0]
    spec_kinds_by = "rules"
    confidence = 0.95
    notes: list[str] = []
    parts = [p for p in found.parts]
    llm_reading = None
    if not parts:
        asking = reader._restore(found.asking, 0) if found.asking and found.asking != found.lowered else text
        kinds, spec_kinds_by, confidence, reason = _vote_kinds(asking, use_embeddings, use_llm, model, notes)
        if spec_kinds_by == "llm":
            llm_reading = reason  # the Reading object
            reason = "chosen by the language model"
        parts = [Part(k, found.lowered, "", str(reason)) for k in kinds]
    parts = reader.files_beside(reader.spoken_lines(parts))
    timings["kinds"] = (time.perf_counter() - t0) * 1000
    spec = reader.build(parts, spec_kinds_by)
    spec.notes.extend(notes)
    # The parts' explanations quote the masked words: give the user's file names back.
    spec.reasons.extend(re.sub(r"\bzfile(\d+)\b", lambda m: reader.mentions[int(m.group(1)) - 1]
                               if int(m.group(1)) <= len(reader.mentions) else m.group(0), n) for n in found.notes)
    spec.confidence = confidence
    spec.recipe = _recipe(text)
    spec.addressed_to_text_model = bool(_ASKS_LLM.search(text))
    asked = set(spec.kinds())
    for m in _parts._matches(found.lowered):
        if m.role == "noun" and m.kind in ("image", "speech", "music", "sound", "video") and m.kind not in asked:
            spec.mentioned_not_asked.setdefault(m.kind, m.text)
    _read_topic(spec, reader, use_llm, model, llm_reading, timings, t0)
    _nothing_to_say(spec, reader)
    _cannot_see_pictures(spec, reader)
    timings["total"] = (time.perf_counter() - t0) * 1000
    spec.timings_ms = {k: round(v, 2) for k, v in timings.items()}
    return spec


def _recipe(text: str) -> str | None:
    """A named workflow whose ``match`` pattern the request fits (recipes/*.yaml)."""
    from genloom.brain.recipes import list_recipes

    for recipe in list_recipes():
        if recipe.match and re.search(recipe.match, text, re.I):
            return recipe.name
    return None


def _mask_files(text: str, mentions: list[str]) -> str:
    for i, name in enumerate(mentions, 1):
        text = re.sub(rf"(?<![\w/.@-]){re.escape(name)}(?![\w/])", f"zfile{i}", text)
    return text


def _vote_kinds(text: str, use_embeddings: bool, use_llm: bool, model: str | None,
                notes: list[str]) -> tuple[list[str], str, float, object]:
    """No word names the output: the embedding vote, then the LLM, then text."""
    from genloom.brain.understand import _vote

    if use_embeddings:
        kind, score, margin = _vote.route_embedding(text)
        if score >= _vote.EMBED_MIN_SIM and margin >= _vote.EMBED_MIN_MARGIN:
            return [kind], "embedding", min(0.9, score + margin), \
                f"closest to known {kind} requests (similarity {score:.2f})"
    if use_llm:
        from genloom.brain.understand._llm import llm_read

        try:
            reading = llm_read(text, model)
        except ValueError as exc:  # unparseable answer: say so, the default decides
            notes.append(f"LLM routing failed: {exc}")
        else:
            kinds = reading.ordered_kinds()
            if kinds:
                return kinds, "llm", 0.6, reading
    return ["text"], "default", 0.5, "no output kind is named, so the answer is text"


class _Reader:
    """Turns the rule stage's parts into deliverables with settings; keeps the request's pieces at hand."""

    def __init__(self, text: str, found: _parts.Found, names: list[str], mentions: list[str],
                 inputs: list[InputFile]) -> None:
        self.text, self.found, self.names, self.mentions, self.inputs = text, found, names, mentions, inputs
        self.low = text.lower()
        self.with_appositives = ""  # the masked request, normalized, appositives kept (set by read)
        self.notes: list[str] = []  # what the spec cannot carry, said to the user (plan notes)
        self.speakers: dict[int, str] = {}  # id(part) -> who says a spoken line ("an old man"), see spoken_lines

    # -- the words of one part, restored ------------------------------------------------
    def phrase(self, part: Part) -> str:
        low, cased = self.found.lowered, self.found.cased
        pos = low.find(part.text)
        if pos < 0 or len(cased) != len(low):
            return self._restore(part.text, 0)
        return self._restore(cased[pos:pos + len(part.text)], pos)

    def _restore(self, piece: str, pos: int, base: str | None = None) -> str:
        """``piece`` (found at ``pos`` of ``base``, default the normalized request) with placeholders undone."""
        before = (self.found.cased if base is None else base)[:pos].lower()
        q = before.count("quoted")
        n = len(re.findall(r"\bzname\b", before))

        def files(m: re.Match[str]) -> str:  # "zfile1 zfile2 zfile3" (a joined list) -> "a.jpg, b.jpg and c.jpg"
            nums = [int(i) for i in re.findall(r"zfile(\d+)", m.group(0))]
            return _inputs.list_text([self.mentions[i - 1] if i <= len(self.mentions) else f"zfile{i}" for i in nums])

        piece = _inputs.FILE_RUN.sub(files, piece)

        def sub(m: re.Match[str]) -> str:
            nonlocal q, n
            if m.group(1):
                i = int(m.group(1)) - 1
                return self.mentions[i] if i < len(self.mentions) else m.group(0)
            if m.group(0).lower() == "zname":
                n += 1
                return self.names[n - 1] if n - 1 < len(self.names) else m.group(0)
            q += 1
            return f'"{self.found.quotes[q - 1]}"' if q - 1 < len(self.found.quotes) else m.group(0)

        return _PLACEHOLDER.sub(sub, piece)

    def files_in(self, part: Part) -> dict[str, str | None]:
        """The files a part names, in its own words or in the settings words after it ("a.jpg, b.jpg")."""
        nums = [int(m) for m in re.findall(r"\bzfile(\d+)\b", " ".join([part.text, *part.settings]))]
        return {self.mentions[i - 1]: self.file_kind(self.mentions[i - 1]) for i in nums if i <= len(self.mentions)}

    def file_kind(self, mention: str) -> str | None:
        f = self.input_for(mention)
        return f.kind if f is not None else _extract.guess_kind(mention)

    def input_for(self, mention: str) -> InputFile | None:
        base = mention.rsplit("/", 1)[-1]
        return next((f for f in self.inputs if f.named_as == mention or f.named_as.rsplit("/", 1)[-1] == base or
                     f.path.rsplit("/", 1)[-1] == base), None)

    # -- spoken lines ----------------------------------------------------------------------
    def spoken_lines(self, parts: list[Part]) -> list[Part]:
        """'a video where a narrator says "…"': the quote is the video's narration, a speech part it carries.

        The clause is read over everything up to the next part ('says, "…"', 'says: "…"' and
        '...; a man says "…"' put the quote after a mark the splitter cut at). The video keeps the
        words before the clause ("a short video"); the clause becomes a carried speech part whose
        phrase holds the quote, so it is spoken verbatim and the video lasts as long as it (the
        executor's ``_fit_video``).
        """
        low = self.found.lowered
        out = list(parts)
        i = 0
        while i < len(out):
            part = out[i]
            at = low.find(part.text)
            voiced = any(p.carried_by == i and p.kind == "speech" for p in out)
            if part.kind != "video" or part.carried_by is not None or voiced or at < 0:
                i += 1
                continue
            later = [low.find(p.text, at + len(part.text)) for p in out[i + 1:]]
            reach = low[at:min([x for x in later if x >= 0], default=len(low))]
            line = _spoken.spoken_line(reach)
            host = line.host_text(reach) if line is not None else ""
            if line is None or not host:
                i += 1
                continue
            rest = part.text[line.end:].strip(" ,.") if line.end < len(part.text) else ""
            out[i] = replace(part, text=host, settings=[*([rest] if rest else []),
                                                        *(s for s in part.settings if low.find(s, at + line.end) >= 0)])
            who = line.speaker or "a voice"
            speech = Part("speech", reach[line.start:line.end], "narration",
                          f"{who} {line.verb} the quoted words in the video: its narration, spoken verbatim",
                          join="with", carried_by=i)
            self.speakers[id(speech)] = line.speaker
            out[i + 1:] = [replace(p, carried_by=p.carried_by + 1) if p.carried_by is not None and p.carried_by > i
                           else p for p in out[i + 1:]]
            out.insert(i + 1, speech)
            self.found.notes.append(f"{speech.text!r} goes into the video: its narration, spoken verbatim")
            i += 2
        return out

    def files_beside(self, parts: list[Part]) -> list[Part]:
        """Files in words that ask for nothing go to the operation after them (else the one before).

        "Using a.jpg and b.jpg, make a slideshow, and summarize notes.txt": the chunk "using a.jpg
        and b.jpg" names no deliverable, so the splitter set it aside and the slideshow had no
        photos. A file the user names is never dropped: it belongs to the next part in the
        sentence, as the settings words after a part belong to it.
        """
        low = self.found.lowered
        spans: list[tuple[int, int, int]] = []  # (start, end, part index) of every part's words
        pos = 0
        for i, part in enumerate(parts):
            at = low.find(part.text, pos)
            if at < 0:
                return parts  # words the parts do not come from (a vote over the whole request): nothing to place
            spans.append((at, at + len(part.text), i))
            pos = at
            for words in part.settings:
                s = low.find(words, at)
                if s >= 0:
                    spans.append((s, s + len(words), i))
        out = list(parts)
        for m in re.finditer(r"\bzfile\d+(?:\s+zfile\d+)*\b", low):
            if any(a <= m.start() < b for a, b, _ in spans):
                continue
            after = [i for a, _, i in sorted(spans) if a > m.start()]
            before = [i for a, _, i in sorted(spans) if a < m.start()]
            target = after[0] if after else before[-1] if before else None
            if target is None:
                continue
            part = out[target]
            out[target] = replace(part, settings=[*part.settings, m.group(0)])
            files = self._restore(m.group(0), m.start())
            verb = "goes" if len(re.findall(r"\bzfile\d+\b", m.group(0))) == 1 else "go"
            self.found.notes.append(f"{files} {verb} to {part.text!r}, the operation beside it")
        return out

    # -- deliverables ----------------------------------------------------------------------
    def build(self, parts: list[Part], decided_by: str) -> RequestSpec:
        ds: list[Deliverable] = []
        for i, part in enumerate(parts):
            phrase = self.phrase(part)
            if part.settings:  # "a photo of a car, 1080x1920": the trailing words are its settings
                phrase = ", ".join([phrase, *(self.phrase(Part("text", t, "", "")) for t in part.settings)])
            first_same = next((j for j, p in enumerate(parts[:i]) if p.text == part.text and p.kind != part.kind),
                              None)
            label = ADDED.get(part.kind, part.kind) if first_same is not None else (part.cue or part.kind)
            d = Deliverable(kind=part.kind, phrase=phrase, label=label, reason=part.reason,
                            decided_by=decided_by)  # type: ignore[arg-type]
            if first_same is not None and part.kind in ("image", "speech", "video") and \
                    parts[first_same].kind == "text":
                d.made_from = [first_same]  # "an illustrated story": the picture is made from the story
            if part.carried_by is not None:
                d.deliverable = False
            ds.append(d)
            self._settings(d, phrase, alone=len(parts) == 1, several=part.several,
                           speaker=self.speakers.get(id(part), ""))
        self._carry(parts, ds)
        self._shared_words(ds)
        self._chain(parts, ds)
        self._files(parts, ds)
        self._feed_clip_edits(ds)
        self._beds_into_videos(ds)
        self._name_pronouns(ds)
        self._request_wide(ds)
        self._durations(ds)
        spec = RequestSpec(text=self.text, deliverables=ds, decided_by=decided_by,  # type: ignore[arg-type]
                           mentioned_files=list(self.mentions), inputs=list(self.inputs),
                           language=_extract.language(self.text))
        spec.notes.extend(self.notes)
        return spec

    def _settings(self, d: Deliverable, phrase: str, *, alone: bool, several: bool = False,
                  speaker: str = "") -> None:
        """The settings the part's own words state (the whole request's, when it is the only part)."""
        words = self.text if alone else phrase
        spoken = self._words_to_speak(words) if d.kind == "speech" else None
        # Numbers, sizes and looks are read outside the exact words: a thumbnail that says "TOP 5 HIKES"
        # is one thumbnail, and 'say "back in 5 minutes"' asks for no 5 minutes.
        plain, plain_phrase = _stated(words, spoken), _stated(phrase, spoken)
        d.seconds = _extract.seconds(plain) if d.kind in TIMED else None
        d.language = _extract.language(plain)
        if d.kind in ("image", "video"):
            d.size = _extract.size(plain, d.kind)
            d.style = _extract.style(plain)
        if d.kind == "image":
            d.count = _extract.count(plain_phrase)
            said = _extract.verbatim(words)
            if said and _extract.quoted(words) or re.search(r"\b(?:says?|saying|reads|titled|headline|with the "
                                                             r"(?:text|words))\b", words, re.I):
                d.headline = said
            layout = d.size.format if d.size and d.size.format else ""
            if d.headline is None and (any(w in (layout + " " + d.label) for w in HEADLINE_LAYOUTS)):
                d.headline_wanted = True
        if d.kind == "text" and several:
            d.count = _extract.count(plain_phrase)  # "five video ideas": the list's length (the text runner reads words)
        asked = _extract.count(plain_phrase) if several and d.kind in ("speech", "music", "sound", "video") else None
        if asked:
            self.notes.append(f"{asked} {d.label} versions were asked; one is made: the {d.kind} generator makes "
                              "one per request")
        if d.kind == "text" and _extract.quoted(phrase):
            d.verbatim = _extract.quoted(phrase)[0]
        if d.kind == "speech":
            d.voice = _extract.voice(words)
            tone = _extract.tone(phrase)
            if tone and (d.voice is None or d.voice.tone is None):
                d.voice = (d.voice or VoiceTraits()).model_copy(update={"tone": tone})
            d.speed = _extract.speed(words)
            d.verbatim = spoken
            said_by = _extract.voice(f"{speaker} voice") if speaker else None
            if said_by is not None:  # "an old man tells us …": his voice, where the words say nothing else
                asked = d.voice.model_dump(exclude_none=True) if d.voice else {}
                d.voice = said_by.model_copy(update=asked)
        if d.kind in ("music", "speech") and self._recording_of_a_sound(phrase):
            d.kind, d.reason = "sound", d.reason + "; it is a recording of a sound, not music or a voice"
        if d.kind == "sound" and (_extract.music(words) or MusicSettings()).instruments:
            # "rain sounds with soft piano": played instruments make it music
            d.kind, d.reason = "music", d.reason + "; instruments make it music"
        if d.kind == "sound":
            d.sound = _extract.sound(words) or _extract.sound(phrase)
            d.loop = _extract.loops(words)
        if d.kind == "music":
            d.music = _extract.music(words)
        if d.kind == "video":
            d.captions = _extract.captions(words)
            if d.captions is None and d.size is not None and d.size.aspect == "9:16":
                d.captions = True  # vertical social clips are watched muted: captions on by default
        if d.kind in ("text", "speech") and d.verbatim is None:
            # "a 50-word description", "under 80 words"; a list's is per item ("three taglines, 6 words each")
            items = (d.count or _extract.count(plain_phrase) or 1) if d.kind == "text" else 1
            stated = _extract.list_words(words, items) if items > 1 else _extract.words(words)
            if stated:
                d.words, d.words_bound = stated  # type: ignore[assignment]
                if items > 1:
                    d.count = items  # params "n": the executor measures the list against n x words

    def _shared_words(self, ds: list[Deliverable]) -> None:
        """Words after the request's colon are what its parts say or print when they point at them.

        "read this recipe aloud and put it on a card: 2 eggs, 1 cup flour": the voice reads the
        words and the card prints them; "this"/"it" are those words, not a subject for the LLM.
        """
        at = self.found.payload_at
        if at is None or len(self.found.cased) != len(self.found.lowered):
            return
        words = self._restore(self.found.cased[at:], at).strip(" .")
        if not words:
            return
        for d in ds:
            if not _POINTS_AT.search(d.phrase):
                continue  # "a poster and a jingle for our bakery: fresh bread daily" names its own subject
            # "say this warmly": the words read from the phrase are the pointer itself, not quoted words.
            pointer = d.verbatim is not None and not _extract.quoted(d.phrase) and _POINTS_AT.search(d.verbatim)
            if d.kind == "speech" and (d.verbatim is None or pointer):
                d.verbatim = words
                d.words = d.words_bound = None
            elif d.kind == "image" and d.headline is None:
                d.headline, d.headline_wanted = words, False
            elif d.kind == "text" and d.verbatim is None:
                d.verbatim = words

    @staticmethod
    def _recording_of_a_sound(phrase: str) -> bool:
        """"a loop of rain on a tin roof", "an audio clip of waves": the parse's head is a container of a sound."""
        low = phrase.lower()
        if " of " not in low or not any(w in low for w in _CONTAINERS) or _extract.sound(low) is None:
            return False  # the parse is only worth its ~10 ms when the words could say so
        head = _parse.head(phrase)
        of = head.preps.get("of", "")
        return head.noun in _CONTAINERS and bool(of) and _extract.sound(of) is not None

    def _words_to_speak(self, words: str) -> str | None:
        """Exact words: quoted, after "read this aloud:" / "narrate my story: ...", or after a leading "say"."""
        said = _extract.verbatim(words)
        if said and (_extract.quoted(words) or ":" in words):
            return said
        head, colon, tail = words.partition(": ")
        if colon and tail.strip() and {p.kind for p in _parts.find_parts(head).parts} == {"speech"}:
            return tail.strip()  # "narrate my story: Once upon a time ...": a spoken request, then its text
        m = re.match(r"^(?:please\s+)?(?:say|speak|pronounce)\s+(.+?)(?:\s+in an?\s+[\w ,-]{1,30}voice)?[.!]?$",
                     words, re.I)
        return m.group(1).strip() if m else None

    def _carry(self, parts: list[Part], ds: list[Deliverable]) -> None:
        """A carried part goes into its host: narration and music into a video, words onto an image."""
        absorbed: list[int] = []
        for i, (part, d) in enumerate(zip(parts, ds, strict=True)):
            if part.carried_by is None:
                continue
            host = ds[part.carried_by]
            host.carries.append(i)
            if host.kind == "image" and d.kind == "text":
                if host.headline is None:
                    host.headline = _extract.verbatim(d.phrase)
                if host.headline is not None:
                    absorbed.append(i)  # the words are given: nothing to write
                    continue
                earlier = next((j for j, e in enumerate(ds[:part.carried_by]) if e.kind == "text" and
                                e.deliverable and SHORT_TEXT.search(e.label)), None)
                if earlier is not None:
                    host.made_from.append(earlier)
                    absorbed.append(i)
                else:
                    d.label = "headline"
                    host.made_from.append(i)
            elif host.kind == "video" and d.kind in ("text", "transcript") and _extract.captions(d.phrase):
                host.captions = True  # "with captions": the video burns them in from its narration
                absorbed.append(i)
            elif host.kind == "video":
                if d.kind == "music":
                    host.with_music = True
                if d.kind in ("speech", "music", "sound", "image"):
                    host.made_from.append(i)
                if d.kind == "speech" and d.voice is None:
                    d.voice = _extract.voice(d.phrase)
            elif host.kind == "music" and d.kind == "text":
                d.label = "lyrics"
                host.made_from.append(i)
            elif host.kind == "speech" and d.kind == "music":
                host.with_music = True  # one track: the voice over this music bed (made to the voice's length)
                d.label = "music bed"
                if host.verbatim is None:  # "a radio ad with piano music that says '...'": the voice says it
                    host.verbatim = self._words_to_speak(d.phrase)
        for i in reversed(absorbed):
            self._remove(ds, i)
            del parts[i]
    def _chain(self, parts: list[Part], ds: list[Deliverable]) -> None:
        """Who feeds whom: a voice reads the script, an image illustrates the story, a video uses the kit."""
        texts = [i for i, d in enumerate(ds) if d.kind == "text" and d.deliverable]
        for i, (part, d) in enumerate(zip(parts, ds, strict=True)):
            if d.made_from or part.carried_by is not None:
                continue
            earlier = [j for j in texts if j < i] or [j for j in texts if j != i]
            refers = bool(re.search(r"\b(?:it|them|this)\b", part.text))
            if d.kind == "speech" and earlier and d.verbatim is None:
                script = next((j for j in earlier if SPOKEN_TEXT.search(ds[j].label)), None)
                src = script if script is not None else (earlier[-1] if refers or
                                                         re.search(r"\b(?:narrat|read)", part.text) else None)
                if src is not None:
                    d.made_from = [src]
            elif d.kind == "image" and earlier:
                if refers or re.search(r"\b(?:illustrat|header|cover)", part.text):
                    d.made_from = [earlier[-1]]
            elif d.kind == "video" and len(ds) > 1:
                d.made_from = [j for j, e in enumerate(ds) if j != i and e.deliverable and
                               (e.kind in ("image", "speech", "music") or
                                (e.kind == "text" and SHORT_TEXT.search(e.label)))]

    @staticmethod
    def _name_pronouns(ds: list[Deliverable]) -> None:
        """"illustrate it" -> "illustrate the story": a part made from one other names it."""
        for d in ds:
            if len(d.made_from) == 1:
                src = ds[d.made_from[0]]
                d.phrase = re.sub(r"\b(?:it|them)\b", f"the {src.label or src.kind}", d.phrase, count=1)

    def _files(self, parts: list[Part], ds: list[Deliverable]) -> None:
        """Operations on the user's files; the last operation's product is what the user receives."""
        previous: int | None = None
        drop: list[int] = []
        for i, part in enumerate(parts):
            files = self.files_in(part)
            follows = _inputs.PRONOUN.search(part.text) or (ds[i].kind == "text" and
                                                             _inputs.text_operation(part.text) != "answer")
            if not files and previous is not None and follows and part.carried_by is None:
                # "... then summarize it": works on the previous operation's product.
                prev = ds[previous]
                d = ds[i]
                if prev.kind in ("transcript", "text") and d.kind in ("text", "speech"):
                    # A transcript, or a text turned into another text, is a step on the way; a text that is
                    # then read aloud is delivered too ("translate x.txt and read it out": both).
                    prev.deliverable = prev.deliverable and prev.kind == "text" and d.kind == "speech"
                    d.made_from = [previous]
                    if d.kind == "text":
                        d.operation = _inputs.text_operation(d.phrase)
                    else:
                        d.operation = "narrate"
                    previous = i
                continue
            if not files:
                continue
            if part.carried_by is not None and parts[part.carried_by].text == part.text:
                continue  # "a narrated slideshow of a.jpg and b.jpg": the files are the host's pictures
            if _inputs.is_extraction(part.text) and ds[i].kind in ("speech", "text"):
                drop.append(i)  # the clip itself is read by the next step
                nxt = i + 1
                if nxt < len(ds):
                    ds[nxt].uses_files = list(files)
                    if ds[nxt].kind == "transcript":
                        ds[nxt].operation = "transcribe"
                    previous = nxt
                continue
            added = _inputs.apply(ds, i, files)
            previous = i
            # "narrate my video demo.mp4": the clip's own edit makes the sound its words asked for; the part
            # the same words carried would be a second voice.
            carried = [j for j, q in enumerate(parts) if q.carried_by == i and q.text == part.text]
            twins = [j for j in carried if any(e.kind == ds[j].kind for e in added)]
            drop.extend(twins)
            sounds = {ds[j].kind for j in carried if j not in twins}
            if ds[i].kind == "video" and ds[i].operation == "edit" and sounds & {"speech", "music"}:
                # "a narrated video of demo.mp4": the clip gets the sound its own words carry
                ds[i].operation = "voiceover" if "speech" in sounds else "add-music"
            for extra in added:
                ds.append(extra)
                new = len(ds) - 1
                if extra.kind == "video":  # an edited clip made from the new audio
                    extra.made_from = [i]
                    previous = new
                else:  # a transcript, voiceover or music bed the part is made from
                    ds[i].made_from.append(new)
        for i in sorted(set(drop), reverse=True):
            self._remove(ds, i)
        # Files no part names (-i, uploads, or named in a sentence like "I have x.m4a"): the request's
        # first deliverable uses them.
        unnamed = {f.named_as or f.path: f.kind for f in self.inputs
                   if not any(self.input_for(m) is f for m in self.mentions)}
        used = {m for d in ds for m in d.uses_files}
        unnamed.update({m: self.file_kind(m) for m in self.mentions if m not in used})
        if unnamed and not any(d.uses_files for d in ds):
            target = next((j for j, d in enumerate(ds) if d.deliverable), 0)
            added = _inputs.apply(ds, target, unnamed)
            for extra in added:
                ds.append(extra)
                if extra.kind == "video":
                    extra.made_from = [target]
                else:
                    ds[target].made_from.append(len(ds) - 1)
        for d in ds:
            d.uses_inputs = [f.id for m in d.uses_files if (f := self._resolve(m)) is not None]

    @staticmethod
    def _feed_clip_edits(ds: list[Deliverable]) -> None:
        """"Add narration and music to tour.mp4": every new sound the request makes goes into the user's clip.

        When the request edits the user's own clip, a voice or music made from no file of its own
        is material for that clip, not a separate deliverable: the user receives the edited clip.
        """
        edits = [d for d in ds if d.kind == "video" and d.uses_files and d.operation in _CLIP_EDITS]
        if len(edits) != 1:
            return  # none, or several clips: which sound goes where is not for a rule to guess
        video = edits[0]
        vi = ds.index(video)
        for j, d in enumerate(ds):
            if j != vi and d.kind in ("speech", "music", "sound") and not d.uses_files and j not in video.made_from:
                video.made_from.append(j)
                d.deliverable = False

    @staticmethod
    def _beds_into_videos(ds: list[Deliverable]) -> None:
        """A voice that goes into a video brings its music bed along: the video mixes both, once."""
        for i, d in enumerate(ds):
            beds = [j for j in d.carries if ds[j].kind == "music"] if d.kind == "speech" and d.with_music else []
            video = next((v for v in ds if v.kind == "video" and i in v.made_from), None)
            if not beds or video is None:
                continue
            d.with_music, d.carries = None, [j for j in d.carries if j not in beds]
            video.with_music = True
            video.made_from.extend(j for j in beds if j not in video.made_from)

    def _resolve(self, mention: str) -> InputFile | None:
        return self.input_for(mention) or next((f for f in self.inputs if (f.named_as or f.path) == mention), None)

    @staticmethod
    def _remove(ds: list[Deliverable], i: int) -> None:
        ds.pop(i)
        for d in ds:
            d.made_from = [j - (j > i) for j in d.made_from if j != i]
            d.carries = [j - (j > i) for j in d.carries if j != i]

    def _request_wide(self, ds: list[Deliverable]) -> None:
        """Settings stated once for the whole request go to every part that can take them and lacks its own."""
        wide = _extract.seconds(_stated(self.text, *(d.verbatim or d.headline for d in ds)))
        timed = [d for d in ds if d.kind in TIMED]
        if wide is not None and not any(d.seconds for d in timed):
            for d in timed:
                if not d.operation or d.operation not in ("voiceover", "add-music", "edit"):
                    d.seconds = wide
        lang = _extract.language(self.text)
        for d in ds:
            if lang and d.language is None and d.kind in ("text", "speech"):
                d.language = lang  # not a transcript: it keeps the recording's language
        speech = [d for d in ds if d.kind == "speech"]
        if len(speech) == 1 and speech[0].voice is None:
            speech[0].voice = _extract.voice(self.text)
        if len(speech) == 1 and speech[0].voice is not None and speech[0].voice.is_empty():
            speech[0].voice = VoiceTraits()

    @staticmethod
    def _durations(ds: list[Deliverable]) -> None:
        """Durations come first: narration and music fit the video they go into; a bed fits its voice.

        A speech with a music bed is one track: a duration stated for either is the track's (the
        speech's), and the bed is made to whatever length the voice turns out to have.
        """
        for d in ds:
            if d.kind == "speech" and d.with_music:
                for j in d.carries:
                    if ds[j].kind == "music":
                        d.seconds = d.seconds or ds[j].seconds
                        ds[j].seconds = None
        for d in ds:
            if d.kind != "video":
                continue
            for j in d.made_from:
                part = ds[j]
                if part.kind in ("speech", "music", "sound") and d.seconds and part.seconds is None:
                    part.seconds = d.seconds


def _stated(words: str, *exact_words: str | None) -> str:
    """``words`` without the exact words to speak or print: 'say "back in 5 minutes"' asks for no 5 minutes."""
    for exact in [*_extract.quoted(words), _extract.verbatim(words), *exact_words]:
        if exact:
            words = words.replace(exact, " ")
    return words


# Operations that keep the user's clip and lay new sound over it.
_CLIP_EDITS = ("voiceover", "add-music", "edit")
# A part that points at words given elsewhere in the request ("put it on a card", "read this aloud").
_POINTS_AT = re.compile(r"\b(?:it|this|that|these|those|them|the following)\b", re.I)


def _read_topic(spec: RequestSpec, reader: _Reader, use_llm: bool, model: str | None, reading: object,
                timings: dict[str, float], t0: float) -> None:
    """Topic and name from "for X"/"about X"; the LLM only when those are missing and the request is multi-part."""
    from genloom.brain.understand._llm import Reading

    def names_parts(words: str) -> bool:
        return bool(_parts.find_parts(words).parts)

    # Placeholders stay in while the topic is cut ("about our cafe to zfile1" stops before the file);
    # appositives stay too ("GlowTrail, a solar lantern": what the writers most need).
    base = reader.with_appositives
    found_topic = _topic.heuristic_topic(base, names_parts)
    topic = reader._restore(found_topic, base.find(found_topic), base) if found_topic else None
    if isinstance(reading, Reading):
        _take_reading(spec, reading, reader.text, topic)
        return
    spec.topic = topic
    several = sum(d.deliverable for d in spec.deliverables) > 1 or len(spec.deliverables) > 2
    if use_llm and topic is None and several and _topic.subject_words(_strip_cues(reader.found.lowered)):
        from genloom.brain.understand._llm import llm_read

        t1 = time.perf_counter()
        try:
            reading = llm_read(reader.text, model, kinds=False)
        except ValueError as exc:
            spec.notes.append(f"the language model could not read the topic: {exc}")
            reading = None
        timings["llm"] = (time.perf_counter() - t1) * 1000
        if isinstance(reading, Reading):
            _take_reading(spec, reading, reader.text, topic)
            agree = reading.ordered_kinds() == spec.kinds()
            if reading.kinds:  # asked only for the topic, the LLM gives no kinds to agree with
                spec.confidence = 0.98 if agree else 0.8
            if reading.kinds and not agree:
                spec.reasons.append(f"the language model read the kinds as {', '.join(reading.ordered_kinds())}; "
                                    "the rules' reading is kept")
    spoken = None
    if spec.topic is None:
        spoken = _spoken_subject(spec)
        if spoken:  # 'a short video where a narrator says "…"': the video is about what it says
            spec.topic, spec.topic_by = spoken, "rules"
        else:
            spec.topic, spec.topic_by = _subject_fallback(reader), "default"
    names = reader.names
    if spoken:  # names inside the quoted words ("... at Crumb Bakery") are the subject's names too
        names = [*names, *(spoken[a:b] for a, b in _parse.name_spans(spoken))]
    spec.name = spec.name or _topic.name_from(spec.topic, names,
                                              starts_sentence=spec.topic_by == "default" or spec.topic == spoken)


def _nothing_to_say(spec: RequestSpec, reader: _Reader) -> None:
    """A voice for the user's clip or photos with no subject, no words and no text file is blocked.

    genloom cannot see what a clip or photo shows: a script "about" one would be made up. The
    speech is marked (``Deliverable.blocked``, a plan note) and the run fails it before generating.
    """
    ds = spec.deliverables
    for i, d in enumerate(ds):
        if d.kind != "speech" or d.verbatim or d.blocked:
            continue
        if any(ds[j].kind in ("text", "transcript") for j in d.made_from) or \
                any(reader.file_kind(m) in ("text", "code") for m in d.uses_files):
            continue  # it reads a script, a transcript or the user's text file
        shown = [m for v in ds if v.kind == "video" and i in v.made_from
                 for m in v.uses_files if reader.file_kind(m) in ("video", "image")]
        if not shown or _has_subject(spec, reader):
            continue
        what = shown[0] if len(shown) == 1 else f"{shown[0]} and the other files"
        d.blocked = (f"Nothing to say in the {d.label or 'voiceover'} for {what}: genloom cannot see what "
                     f"{'it shows' if len(shown) == 1 else 'they show'}; say what it should be about "
                     "(\"... about our cafe\"), or give the words in quotes or in a text file with -i")
        spec.notes.append(d.blocked)


def _cannot_see_pictures(spec: RequestSpec, reader: _Reader) -> None:
    """A text about the user's pictures is written from the request's words, never from the pixels.

    genloom has no image-understanding model: a caption or description "of" a photo would be made
    up. With a subject of its own ("a caption for beach.jpg about our summer sale") the text is
    written from that, and the picture is not its material; with none, the text is blocked
    (``Deliverable.blocked``, a plan note naming what to add) and the run makes nothing for it.
    """
    kinds = {f.id: f.kind for f in spec.inputs}
    for d in spec.deliverables:
        if d.kind != "text" or d.blocked or any(spec.deliverables[j].kind in ("text", "transcript")
                                                for j in d.made_from):
            continue
        pictures = [i for i in d.uses_inputs if kinds.get(i) == "image"]
        named = [m for m in d.uses_files if reader.file_kind(m) == "image"]
        reads_words = [i for i in d.uses_inputs if kinds.get(i) != "image"] or \
            [m for m in d.uses_files if reader.file_kind(m) not in ("image", None)]
        if not (pictures or named) or reads_words:
            continue  # no picture, or it also reads words (a text file, a recording)
        names = named or [f.named_as if f.named_as not in ("", "-i", "upload") else Path(f.path).name
                          for f in spec.inputs if f.id in pictures]
        one = len(names) == 1
        what = names[0] if one else f"{names[0]} and the other pictures"
        if _has_subject(spec, reader):
            d.uses_inputs = [i for i in d.uses_inputs if i not in pictures]
            d.uses_files = [m for m in d.uses_files if m not in named]
            if d.operation == "describe":
                d.operation = None
            spec.notes.append(f"genloom cannot see what {what} {'shows' if one else 'show'}: the text is "
                              "written from what the request says, not from the picture")
            continue
        d.blocked = (f"Nothing to write about {what}: genloom cannot see what {'it shows' if one else 'they show'} "
                     f"(it has no image-understanding model); say it in the request (\"... {names[0]}: our team "
                     "at the summer fair\"), or give the facts in a text file with -i")
        spec.notes.append(d.blocked)


def _has_subject(spec: RequestSpec, reader: _Reader) -> bool:
    """The request names a subject of its own: a topic in its words, not only a file's name."""
    if spec.topic is None or spec.topic_by == "default":
        return False
    # The request's own words, file names left out: a topic the LLM read into "demo.mp4" is no subject.
    own = reader.low
    for m in reader.mentions:
        own = own.replace(m.lower(), " ")
    return bool(_topic.subject_words(spec.topic) & _topic.subject_words(own))


def _take_reading(spec: RequestSpec, reading: object, text: str, topic: str | None) -> None:
    from genloom.brain.understand._llm import Reading

    assert isinstance(reading, Reading)
    if topic is None and reading.topic.strip() and _topic.plausible(reading.topic, text):
        spec.topic = reading.topic.strip()
        spec.topic_by = "llm"
    else:
        spec.topic = topic
    if reading.name.strip() and reading.name.lower() in text.lower():
        spec.name = reading.name.strip()
    if reading.tone.strip():
        spec.tone = reading.tone.strip().lower()
    style = reading.style.strip().lower()
    # Only a look or a genre the generators know: the LLM's free words are not settings.
    for d in spec.deliverables:
        if style in _extract.STYLES and d.kind in ("image", "video") and d.style is None:
            d.style = style
        if style in _extract.GENRES and d.kind == "music" and (d.music is None or d.music.genre is None):
            d.music = (d.music or MusicSettings()).model_copy(update={"genre": style})


def _spoken_subject(spec: RequestSpec) -> str | None:
    """The exact words a video's narration says, when the request names no other subject."""
    ds = spec.deliverables
    for i, d in enumerate(ds):
        if d.kind == "speech" and d.verbatim and not d.deliverable and \
                any(h.kind == "video" and i in h.made_from for h in ds):
            return d.verbatim.strip()
    return None


def _strip_cues(lowered: str) -> str:
    for m in reversed(_parts._matches(lowered)):
        lowered = lowered[:m.start] + " " + lowered[m.end:]
    return lowered


def _subject_fallback(reader: _Reader) -> str | None:
    """No "for"/"about": the request minus its polite opener is the subject (the prompt writers need something)."""
    head = reader._restore(reader.found.cased, 0).split(":", 1)[0].strip(" .!?")
    return head or None


def kinds_order(kinds: list[str]) -> list[str]:
    return sorted(set(kinds), key=ORDER.__getitem__)
