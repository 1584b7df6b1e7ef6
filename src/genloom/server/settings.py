"""Server settings, read from the environment when the app is created.

* ``GENLOOM_API_KEYS``: comma-separated bearer keys; ``GENLOOM_API_KEYS_FILE``:
  a file with one key a line (``#`` comments). With neither, no auth.
* ``GENLOOM_MAX_BODY_MB`` (default 16) and ``GENLOOM_MAX_UPLOAD_MB`` (default 25).
* ``GENLOOM_QUEUE_SIZE``: requests that may wait per model (default 32).
* ``GENLOOM_IDLE_UNLOAD_S``: unload a model idle this long (default 900, 0 = never).
* ``GENLOOM_MEMORY_BUDGET_MB``: total size of loaded models before the least
  recently used idle ones are unloaded (default: 60% of RAM).
* ``GENLOOM_MODEL_ALIASES``: JSON object ``{"alias": "model id or kind"}``,
  merged over the built-in OpenAI names.
* ``GENLOOM_JOBS_ON_RESTART``: what a restarted server does with the jobs its
  predecessor left unfinished: ``resume`` (default, from the last finished
  step) or ``fail`` (marked failed with the reason).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from genloom.errors import InvalidInput

# Well-known OpenAI model names map to the default model of a kind, so apps
# written for OpenAI run unchanged.
OPENAI_ALIASES: dict[str, str] = {
    **{n: "text" for n in ("gpt-3.5-turbo", "gpt-4", "gpt-4-turbo", "gpt-4o", "gpt-4o-mini", "gpt-4.1",
                           "gpt-4.1-mini", "gpt-4.1-nano", "gpt-5", "gpt-5-mini", "o1", "o3-mini", "o4-mini",
                           "gpt-3.5-turbo-instruct", "davinci-002", "babbage-002")},
    **{n: "embedding" for n in ("text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002")},
    **{n: "image" for n in ("dall-e-2", "dall-e-3", "gpt-image-1")},
    **{n: "speech" for n in ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")},
    **{n: "transcript" for n in ("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")},
}


def _float_env(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"{name}={value!r} is not a number", hint=f"e.g. {name}={default:g}") from None


def _total_ram_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 * 2**30


def load_keys() -> set[str]:
    keys = {k.strip() for k in os.environ.get("GENLOOM_API_KEYS", "").split(",") if k.strip()}
    path = os.environ.get("GENLOOM_API_KEYS_FILE")
    if path:
        p = Path(path).expanduser()
        try:
            lines = p.read_text().splitlines()
        except OSError as exc:
            raise InvalidInput(f"Cannot read API keys file {p}: {exc.strerror}",
                               hint="fix GENLOOM_API_KEYS_FILE") from None
        keys |= {ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")}
    return keys


@dataclass
class Settings:
    api_keys: set[str] = field(default_factory=set)
    max_body_bytes: int = 16 * 2**20
    max_upload_bytes: int = 25 * 2**20
    queue_size: int = 32
    idle_unload_s: float = 900.0
    memory_budget_bytes: int = 0
    aliases: dict[str, str] = field(default_factory=lambda: dict(OPENAI_ALIASES))
    # Ray cluster for jobs ('local', 'auto', HOST:PORT); None runs them in-process.
    ray_address: str | None = None
    jobs_on_restart: str = "resume"

    @classmethod
    def from_env(cls) -> Settings:
        aliases = dict(OPENAI_ALIASES)
        raw = os.environ.get("GENLOOM_MODEL_ALIASES")
        if raw:
            try:
                extra = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"GENLOOM_MODEL_ALIASES is not valid JSON: {exc}",
                                   hint='e.g. {"my-gpt": "qwen2.5-coder-0.5b"}') from None
            if not isinstance(extra, dict) or not all(isinstance(v, str) for v in extra.values()):
                raise InvalidInput("GENLOOM_MODEL_ALIASES must be a JSON object of strings")
            aliases.update(extra)
        budget_mb = _float_env("GENLOOM_MEMORY_BUDGET_MB", 0)
        on_restart = os.environ.get("GENLOOM_JOBS_ON_RESTART", "").strip().lower() or "resume"
        if on_restart not in ("resume", "fail"):
            raise InvalidInput(f"GENLOOM_JOBS_ON_RESTART={on_restart!r} is not 'resume' or 'fail'",
                               hint="GENLOOM_JOBS_ON_RESTART=resume (the default) or fail")
        return cls(
            api_keys=load_keys(),
            max_body_bytes=int(_float_env("GENLOOM_MAX_BODY_MB", 16) * 2**20),
            max_upload_bytes=int(_float_env("GENLOOM_MAX_UPLOAD_MB", 25) * 2**20),
            queue_size=max(0, int(_float_env("GENLOOM_QUEUE_SIZE", 32))),
            idle_unload_s=_float_env("GENLOOM_IDLE_UNLOAD_S", 900),
            memory_budget_bytes=int(budget_mb * 2**20) if budget_mb > 0 else int(_total_ram_bytes() * 0.6),
            aliases=aliases,
            jobs_on_restart=on_restart,
        )
