"""Generation parameters and messages, validated with pydantic."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from genloom.errors import InvalidInput


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class GenerationParams(BaseModel):
    """Sampling options. Defaults are chosen so small models don't loop."""

    temperature: float = Field(0.7, ge=0.0, le=2.0)
    top_p: float = Field(0.9, gt=0.0, le=1.0)
    top_k: int = Field(40, ge=0)
    min_p: float = Field(0.05, ge=0.0, le=1.0)
    max_tokens: int = Field(512, ge=1, le=131072)
    stop: list[str] = Field(default_factory=list)
    seed: int | None = Field(None, ge=0, le=2**32 - 1)
    repeat_penalty: float = Field(1.1, ge=0.5, le=2.0)
    frequency_penalty: float = Field(0.0, ge=-2.0, le=2.0)
    presence_penalty: float = Field(0.0, ge=-2.0, le=2.0)
    # Constrained decoding: a JSON schema, or a GBNF grammar for llama.cpp.
    json_schema: dict[str, Any] | None = None
    json_object: bool = False
    grammar: str | None = None

    model_config = {"extra": "forbid"}

    @field_validator("stop")
    @classmethod
    def _stops(cls, value: list[str]) -> list[str]:
        if len(value) > 16:
            raise ValueError("at most 16 stop sequences")
        return [s for s in value if s]

    @classmethod
    def build(cls, **kwargs: Any) -> GenerationParams:
        """Validate, turning pydantic's error into a one-line :class:`InvalidInput`."""
        clean = {k: v for k, v in kwargs.items() if v is not None}
        try:
            return cls(**clean)
        except ValidationError as exc:
            err = exc.errors()[0]
            name = ".".join(str(p) for p in err["loc"]) or "parameters"
            value = err.get("input")
            raise InvalidInput(
                f"Invalid value for {name}: {value!r} ({err['msg']})", param=name
            ) from None

    def recorded(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude_defaults=False)


def as_messages(
    prompt: str | None = None,
    *,
    system: str | None = None,
    messages: list[Message] | list[dict[str, str]] | None = None,
) -> list[Message]:
    out: list[Message] = []
    if system:
        out.append(Message(role="system", content=system))
    for m in messages or []:
        out.append(m if isinstance(m, Message) else Message.model_validate(m))
    if prompt is not None:
        out.append(Message(role="user", content=prompt))
    if not out or not any(m.content.strip() for m in out if m.role != "system"):
        from genloom.errors import EmptyPrompt

        raise EmptyPrompt("The prompt is empty", hint="pass some text, or pipe it on stdin", param="prompt")
    return out
