"""Lexical cues for output-first routing: which words name which output kind.

A cue is either a *noun* (an artifact: "poster", "jingle", "cover letter"),
a *verb* that fixes the output whatever its object ("describe", "narrate",
"draw"), or a *modifier* that adds a kind to its head noun ("illustrated",
"narrated"). Patterns are regular expressions matched on lower-cased text
with word boundaries; longer patterns win over shorter overlapping ones, so
"voiceover script" is one text cue, not speech + text.
"""

from __future__ import annotations

import re

# --- programming languages, listed once ------------------------------------
# These name a language wherever they stand: each is a code noun, and before another noun
# it makes that noun code ("a bash script", "a Kotlin data class").
LANGUAGES: list[str] = [
    r"python", r"javascript", r"typescript", r"java", r"c\+\+", r"c#", r"golang", r"kotlin", r"php", r"bash",
    r"shell", r"powershell", r"perl", r"lua", r"gdscript", r"applescript", r"js",
]
# These are also everyday words (rust, go, swift, ruby, R, node): they name a language only
# before a program noun ("a rust crate", "an R script") or after "in"/"using" ("in go").
WORD_LANGUAGES: list[str] = [r"rust", r"go", r"swift", r"ruby", r"r", r"node", r"sql"]
_PROGRAM_NOUN = r"(?:code|scripts?|programs?|functions?|class(?:es)?|crates?|gems?|modules?|packages?|snippets?)"

# --- nouns: the artifact the user receives ---------------------------------
# Multiword entries are names of artifacts, not sentence fixes: they hold a word that alone
# means something else ("score", "art", "loop", "card" of a kind) or they keep the whole name
# as the deliverable's label ("birthday card", "landing page copy", "radio script").
NOUNS: dict[str, list[str]] = {
    "code": [
        *LANGUAGES, rf"(?:{'|'.join(WORD_LANGUAGES)}) {_PROGRAM_NOUN}",
        r"code", r"source code", r"snippet", r"function", r"method", r"program", r"algorithm",
        r"regex(?:es)?", r"regular expression", r"sql(?: query)?", r"(?:database )?schema", r"html", r"css",
        r"one-?liner", r"dockerfile",
        r"makefile", r"docker compose file", r"yaml", r"json", r"api", r"endpoint", r"unit tests?",
        r"test cases?", r"(?:react|vue|angular|svelte) component", r"component", r"cli(?: tool)?",
        r"library", r"module", r"svg", r"web ?page", r"website",
        r"landing page", r"web app", r"app", r"game", r"bot", r"plugin", r"browser extension",
        r"(?:for|while) loop",  # programming terms: "loop" alone is music
        r"github actions? workflow", r"workflow file", r"stack ?trace", r"(?:type|value|key|syntax|index|"
        r"attribute|name)error", r"bug", r"compiler error", r"pygame", r"linked list", r"binary search tree",
        r"data structure", r"server", r"http server", r"mermaid diagram", r"latex", r"config(?:uration)? file",
        r"crontab", r"cron job", r"query", r"spreadsheet formula", r"excel formula", r"macro",
    ],
    "image": [
        r"images?", r"pictures?", r"pics?", r"photos?", r"photographs?", r"photo-?realistic", r"illustrations?",
        r"drawings?", r"paintings?", r"sketch(?:es)?", r"artworks?", r"(?:pixel|concept|fan|clip|line|digital|"
        r"wall|album|cover|vector) art", r"logos?", r"icons?", r"posters?", r"flyers?", r"banners?",
        r"wallpapers?", r"thumbnails?", r"portraits?", r"headshots?", r"avatars?", r"profile pic(?:ture)?",
        r"pfp", r"stickers?", r"memes?", r"comic(?: strip)?", r"cartoons?", r"(?:birthday|greeting|"
        r"christmas|holiday|wedding|thank you|invitation|recipe|business) card", r"card", r"infographics?",
        r"diagram", r"mock-?ups?", r"renders?", r"album cover", r"book cover", r"cover image", r"emblem",
        r"mascot", r"badge", r"tattoo(?: design)?", r"t-?shirt design", r"seamless pattern", r"hero image",
        r"header image", r"background image", r"product (?:photo|shot)", r"selfie", r"emoji",
        r"watercolou?r", r"oil painting", r"visual", r"graphic",
        # Named picture formats (understand/_formats.py gives their sizes).
        r"(?:instagram|insta|ig) (?:(?:portrait |square |feed )?posts?|stor(?:y|ies))", r"favicons?", r"app icons?",
        r"slides?(?! ?shows?| decks?)", r"(?:facebook|fb) covers?", r"link banners?", r"og images?",
    ],
    "speech": [
        r"voice-?overs?", r"voice over", r"narrations?", r"narrator",
        r"audio ?books?", r"podcasts?", r"voicemail", r"audio(?: file)?", r"recording",
        r"text[- ]to[- ]speech", r"tts", r"(?:to|into) speech", r"pronunciation", r"voice",
    ],
    "music": [
        r"music", r"songs?", r"jingles?", r"melod(?:y|ies)", r"tunes?", r"soundtracks?",
        r"(?:film|movie|game|orchestral|synth|piano|tense|epic) score", r"beats?", r"tracks?", r"(?:drum|music|audio) loop",
        r"loop", r"chiptunes?", r"lullab(?:y|ies)", r"instrumental", r"theme(?: song| music| tune)?",
        r"ringtones?", r"symphony", r"sonata", r"waltz", r"anthem", r"piano piece", r"(?:piano|guitar|violin) "
        r"(?:piece|solo)", r"ambient (?:track|music)", r"lo-?fi", r"chord progression", r"fanfare", r"bgm",
    ],
    # Recorded or synthesised sounds that are not music: effects, ambiences, noise.
    "sound": [
        r"sound ?effects?", r"sfx", r"sounds?", r"sounds? of", r"ambien(?:ce|ces|t sounds?)", r"ambiance",
        r"(?:white|pink|brown(?:ian)?) noise", r"noise", r"beeps?", r"whoosh(?:es)?", r"swoosh", r"chimes?",
        r"doorbell", r"applause", r"foley",
    ],
    # The words of a recording, written out.
    "transcript": [
        # A transcript is the words of a recording: only one of the user's files is transcribed.
        r"transcripts?(?= (?:of|for) zfile)", r"transcriptions?", r"subtitles?", r"srt(?: file)?",
        r"closed captions?",
    ],
    "video": [
        r"videos?", r"clips?", r"animations?", r"movies?", r"films?", r"trailers?", r"teasers?", r"reels?",
        r"tiktoks?", r"youtube shorts?", r"time-?lapses?", r"slideshows?", r"gifs?", r"motion graphics",
        r"cinemagraph", r"commercials?", r"screencast", r"footage", r"music video", r"vlog", r"explainer",
        r"promo", r"cartoon (?:short|episode)", r"short film", r"video loops?", r"looping (?:video|clip|animation)",
        r"(?:gif|animation|animated) loops?",
    ],
    "text": [
        r"emails?", r"e-mails?", r"letters?(?! [a-z0-9]\b)", r"cover letter", r"essays?", r"poems?", r"poetry", r"haikus?",
        r"limericks?", r"sonnets?", r"stor(?:y|ies)", r"short story", r"fairy tale", r"fable", r"novel",
        r"chapter", r"book", r"articles?", r"blog(?: post)?", r"posts?", r"tweets?", r"threads?", r"captions?",
        r"headlines?", r"slogans?", r"taglines?", r"(?:ad|marketing|sales|web|website|landing page|product|"
        r"email) copy", r"copy", r"copywriting", r"descriptions?", r"summar(?:y|ies)", r"outlines?",
        r"lists?", r"lyrics", r"bio", r"biography", r"resume", r"cv", r"reports?", r"speech", r"toast",
        r"eulogy", r"jokes?", r"riddles?", r"recipes?", r"plans?", r"itinerar(?:y|ies)", r"press release",
        r"newsletter", r"reviews?", r"messages?", r"greetings?", r"announcements?", r"invitations?",
        r"names?", r"titles?", r"prompts?", r"tips", r"advice", r"answers?", r"translations?",
        r"paragraphs?", r"sentences?", r"quotes?", r"proposal", r"agenda", r"faq", r"dialogue", r"screenplay",
        r"(?:video|voice-?over|podcast|radio|youtube|ad|film|movie|commercial|narration) script",
        r"script", r"shot list", r"brief", r"alt text", r"text", r"notes", r"meeting minutes", r"memo", r"tagline",
        r"motto", r"mission statement", r"bullet points?", r"checklist", r"guide", r"tutorial",
        r"explanation", r"definition", r"comparison", r"pros and cons", r"analysis", r"critique",
        r"feedback", r"rhyme", r"verse", r"monologue", r"dialog", r"instructions", r"message",
    ],
}

# --- nouns that name alternatives of another artifact, not a kind of their own ---
# "three app icon IDEAS", "four logo OPTIONS", "two email DRAFTS": in a noun compound the
# modifier names the artifact and these nouns say the user wants several to choose from
# (the count). The policy (``_parts._alternatives``):
# * proposals of a visual are shown as pictures ("app icon ideas" -> images); proposals of
#   anything else are a text list of ideas: five "video ideas" are five ideas, not five videos;
# * variants are more of the modifier's own kind ("tagline options" -> text, "logo versions"
#   -> images), and designs of a page or app are pictures of it ("website designs").
# Alone, a proposal is a text list ("some ideas for my party") and a variant names nothing.
# Plural only where the singular is a verb ("draft an email", "take a photo", "design a logo").
PROPOSALS: list[str] = [r"ideas?", r"concepts?", r"suggestions?"]
VARIANTS: list[str] = [r"options?", r"variations?", r"versions?", r"variants?", r"alternatives?", r"drafts",
                       r"takes", r"designs"]

# --- nouns that name a piece or a format of content in any medium ----------
# In a compound the medium right before them decides: "a radio ad", "a podcast trailer", "an
# audiobook sample" are audio, "a song excerpt" is music, "a banner ad" is a picture
# (``_parts._medium_of``). A text or code modifier names what is advertised or excerpted, not
# the medium ("a game trailer" is a video), and a picture modifier only decides for a noun with
# no medium of its own ("a photo clip" is still a clip). Alone, each keeps its NOUNS entry, if
# it has one ("a trailer" is a video, "an ad" names no medium).
MEDIUM_NEUTRAL: list[str] = [
    r"ads?", r"adverts?", r"advertisements?", r"commercials?", r"spots?", r"promos?", r"trailers?", r"teasers?",
    r"clips?", r"snippets?", r"excerpts?", r"samples?", r"chapters?", r"episodes?", r"messages?", r"notes?",
    r"memos?", r"greetings?", r"announcements?", r"guides?", r"tours?", r"intros?", r"outros?", r"segments?",
    r"recordings?",
]
# Words that name only a medium, never an artifact: they qualify a medium-neutral noun ("a radio spot").
MEDIA: dict[str, list[str]] = {"speech": [r"radio"], "video": [r"tv", r"television"]}

# --- nouns that are a program when the request says what they do -----------
# "a script that renames files", "a class to parse csv rows": a relative clause whose verb acts
# on an object of its own makes these code (``_parse.what_it_does``); "a script to read at my
# wedding" (the script is what is read) stays a text script, and a class nobody says anything
# about is no artifact ("a yoga class for beginners").
PROGRAM_NOUNS: list[str] = [r"scripts?", r"class(?:es)?"]
# ...unless the verb is one a spoken or written text does to its audience ("a script that explains our app").
ADDRESSING_VERBS = frozenset("""explain explains welcome welcomes introduce introduces describe describes tell tells
thank thanks announce announces present presents pitch pitches promote promotes sell sells invite invites teach
teaches greet greets convince convinces persuade persuades inform informs remind reminds encourage encourages
motivate motivates celebrate celebrates honor honors honour honours congratulate congratulates
apologize apologizes apologise apologises summarize summarizes summarise summarises""".split())

# --- verbs that fix the output kind whatever their object -----------------
# ``dominant``: override the head noun ("describe a logo" is text).
DOMINANT_VERBS: dict[str, list[str]] = {
    "text": [
        r"describe", r"explain", r"summari[sz]e", r"translate", r"brainstorm", r"suggest", r"list",
        r"rewrite", r"proofread", r"paraphrase", r"critique", r"analy[sz]e", r"outline", r"tell me",
        r"define", r"compare", r"recommend", r"understand", r"learn", r"teach me",
    ],
    # "read/record" + a pronoun: the object is words already there (an earlier part), so it is spoken.
    "speech": [
        r"narrate", r"read (?:[\w'-]+ ){0,3}(?:aloud|out loud|out)", r"read (?:it|this|that|them) "
        r"(?:to me|back)", r"out loud", r"aloud", r"speak", r"pronounce", r"say",
        r"in an? [\w ,-]{0,30}(?:voice|accent|whisper)", r"record (?:it|this|that|them)",
        # "read it slowly", "whisper it": how the words are performed, so they are spoken.
        r"read (?:it|this|that|them) (?:slowly|softly|quietly|gently|calmly|loudly|cheerfully|warmly|"
        r"dramatically|clearly|happily|sadly|playfully|tenderly|proudly)\b", r"whisper(?:ed)? (?:it|this|that|them)",
    ],
    "image": [r"draw", r"paint", r"sketch", r"illustrate", r"photograph", r"doodle"],
    "video": [r"animate", r"film"],
    "music": [r"sing", r"hum"],
    "code": [r"implement", r"refactor", r"debug", r"code", r"program", r"compile"],
    "transcript": [r"transcribe", r"subtitle"],
}

# Verbs that only decide when no artifact noun does ("compose" a melody or an email).
WEAK_VERBS: dict[str, list[str]] = {
    "speech": [r"record"],
    "music": [r"compose"],
    "text": [r"write", r"draft", r"answer", r"reply"],
    "image": [r"design"],
}

# Adjectives that add a kind to the artifact they qualify ("an illustrated story").
MODIFIERS: dict[str, list[str]] = {
    "image": [r"illustrated", r"with (?:pictures|illustrations|images)"],
    "speech": [r"narrated", r"read-aloud"],
    "video": [r"animated"],
}

# Adjectives that turn a text artifact into another kind ("a spoken message" is audio).
CONVERTERS: dict[str, list[str]] = {
    "speech": [r"spoken", r"recorded", r"voiced"],
}

# Opening words of a question: the user wants an answer, i.e. text.
QUESTION_OPENERS = (
    r"how", r"what", r"what's", r"whats", r"why", r"which", r"who", r"when", r"where", r"is", r"are",
    r"does", r"should", r"can i", r"could i", r"is there", r"are there",
)

# Words that end the head phrase: what follows qualifies the artifact, it is
# not another deliverable ("a caption FOR my photo", "the SVG FOR an icon").
BOUNDARY_WORDS = frozenset(
    "for of about on in to that which who whose where when from showing explaining describing featuring like "
    "as into by using at saying says called named titled where while whom so because if than via inspired "
    "based explains describes shows".split()
)

# Splitters between parts of a multi-part request. "with"-like joins attach
# an attribute to the previous part instead of adding a deliverable when the
# previous kind can carry it (text on an image, music in a video).
AND_SPLIT = r"\s*(?:,|;|(?<![\w-])(?:and then|then|plus|as well as|along with|and also|also|and)(?![\w-])|&|\+)\s*"
# The "with" of a phrasal verb ("come up with", "help me out with") joins the verb to its object: no split.
WITH_SPLIT = r"\s*(?<![\w-])(?<!\bup )(?<!\bout )(?:with|featuring|including|that includes|set to|accompanied by)(?![\w-])\s*"

# (host, attribute): a host of this kind can contain an attribute of that kind. A speech carries
# music as its bed ("a radio ad with background music"): the user receives one mixed track.
CONTAINS = {
    ("image", "text"), ("video", "text"), ("video", "music"), ("video", "speech"), ("video", "image"),
    ("video", "sound"), ("music", "text"), ("code", "text"), ("code", "image"), ("video", "transcript"),
    ("speech", "music"),
}

# Polite prefixes that carry no routing information.
POLITE = (
    r"(?:hey|hi|hello|ok|okay|please|pls|plz|genloom)[,!]?", r"(?:can|could|would|will) (?:you|u)(?: please| pls)?",
    r"i (?:want|need|would like|'d like|d like) (?:you )?to", r"i want", r"i need", r"i'd like", r"i would like",
    r"help me(?: to)?", r"let's", r"lets", r"go ahead and", r"quickly", r"just",
)

# Requests whose artifact is a bundle of several kinds when no parts are listed. A later kind the
# first one CONTAINS goes into it: a podcast intro is one track, the spoken intro over its music bed.
BUNDLES: dict[str, list[str]] = {
    r"podcast intro": ["speech", "music"],
    r"(?:marketing |product )?launch kit": ["text", "image", "speech", "music", "video"],
}


# "our website needs a new logo", "these photos a.jpg need a caption each": a thing that needs, lacks or
# could use something asks for that something. The wanted object decides the kind; the thing is its
# subject or the user's file. A person who needs ("i need", "we need") is a polite opener, read elsewhere.
NEEDS = re.compile(r"^(?!(?:i|we|you|they|he|she|it|i'd|we'd)\b)(?P<thing>.+?)\s+"
                   r"(?:needs?|requires?|could (?:really )?use|lacks?|(?:is|are) (?:missing|lacking))\s+"
                   r"(?!to\b)(?P<wanted>\S.*)$")
