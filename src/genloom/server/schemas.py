"""Request bodies of the OpenAI-compatible endpoints (they also shape /openapi.json).

Every value genloom uses is range-checked here, so bad input is a 400 before
any model is touched. Fields outside these models are kept (``extra="allow"``)
only so the endpoint can answer them precisely: OpenAI fields genloom cannot
honour (``logit_bias``, chat ``audio`` output, ...) and unknown ones get a 400
naming the field (``server/openai_text.py``), never silence.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

Seed = Field(None, ge=-(2**63), le=2**64 - 1, description="Any integer; reduced modulo 2**32.")


class ContentPart(BaseModel):
    type: Literal["text", "input_text"] = "text"
    text: str
    model_config = {"extra": "allow"}


class FunctionCall(BaseModel):
    name: str = Field(..., max_length=64)
    arguments: str = Field("{}", description="The arguments as a JSON object, in a string.")


class ToolCallIn(BaseModel):
    id: str = Field(..., max_length=200)
    type: Literal["function"] = "function"
    function: FunctionCall


class ChatMessage(BaseModel):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCallIn] | None = Field(None, description="An assistant turn's earlier tool calls.")
    tool_call_id: str | None = Field(None, description="The call a role 'tool' message answers.")
    model_config = {"extra": "allow"}


class FunctionDef(BaseModel):
    name: str = Field(..., max_length=64)
    description: str | None = None
    parameters: dict[str, Any] | None = Field(None, description="JSON schema of the arguments (type object).")
    strict: bool | None = None


class ToolDef(BaseModel):
    type: Literal["function"] = "function"
    function: FunctionDef


class NamedFunction(BaseModel):
    name: str = Field(..., max_length=64)


class NamedToolChoice(BaseModel):
    type: Literal["function"] = "function"
    function: NamedFunction


class JSONSchemaFormat(BaseModel):
    name: str = "response"
    schema_: dict[str, Any] | None = Field(None, alias="schema")
    strict: bool | None = None
    description: str | None = None
    model_config = {"extra": "allow", "populate_by_name": True}


class ResponseFormat(BaseModel):
    type: Literal["text", "json_object", "json_schema"] = "text"
    json_schema: JSONSchemaFormat | None = None


class StreamOptions(BaseModel):
    include_usage: bool = False
    model_config = {"extra": "allow"}


class _Sampling(BaseModel):
    model: str | None = Field(None, max_length=200, description="A model id, alias or kind (see GET /v1/models).")
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(None, ge=1, le=131072)
    stop: str | list[str] | None = Field(None, max_length=16)
    seed: int | None = Seed
    n: int = Field(1, ge=1, le=8)
    stream: bool = False
    stream_options: StreamOptions | None = None
    presence_penalty: float | None = Field(None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(None, ge=-2.0, le=2.0)
    user: str | None = None
    model_config = {"extra": "allow"}


class ChatRequest(_Sampling):
    messages: list[ChatMessage] = Field(..., min_length=1)
    max_completion_tokens: int | None = Field(None, ge=1, le=131072)
    response_format: ResponseFormat | None = None
    tools: list[ToolDef] | None = Field(None, max_length=128, description="Functions the model may call.")
    tool_choice: Literal["auto", "none", "required"] | NamedToolChoice | None = None
    parallel_tool_calls: bool | None = Field(None, description="false: at most one call per reply.")


class CompletionRequest(_Sampling):
    prompt: str | list[str] = Field(..., description="Text to continue (or a list, one choice set each).")
    echo: bool = False
    suffix: str | None = None


class EmbeddingRequest(BaseModel):
    input: str | list[str] | list[int] | list[list[int]]
    model: str | None = Field(None, max_length=200)
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(None, ge=1, le=65536)
    user: str | None = None
    model_config = {"extra": "allow"}


class ImageRequest(BaseModel):
    prompt: str = Field(..., max_length=32000)
    model: str | None = Field(None, max_length=200)
    n: int = Field(1, ge=1, le=10)
    size: str | None = Field(None, pattern=r"^(auto|\d{1,5}x\d{1,5})$", description="WIDTHxHEIGHT or auto")
    response_format: Literal["url", "b64_json"] | None = None
    quality: str | None = None
    style: str | None = None
    seed: int | None = Seed
    user: str | None = None
    model_config = {"extra": "allow"}


class SpeechRequest(BaseModel):
    input: str = Field(..., max_length=4096)
    model: str | None = Field(None, max_length=200)
    voice: str | dict[str, Any] | None = None
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = "wav"
    speed: float = Field(1.0, ge=0.25, le=4.0)
    seconds: float | None = Field(None, gt=0, le=3600, description="genloom: fit the clip to this length "
                                  "(speaking rate within 0.75x-1.35x, then trailing silence).")
    instructions: str | None = None
    stream_format: Literal["audio", "sse"] | None = None
    model_config = {"extra": "allow"}


class PlanRequest(BaseModel):
    request: str | None = Field(None, max_length=20000, description="What to make, in plain words.")
    recipe: str | None = Field(None, max_length=200, description="A recipe name instead of a request.")
    values: dict[str, Any] = Field(default_factory=dict, description="Recipe inputs.")
    inputs: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]] = Field(
        default_factory=list, max_length=16,
        description="Asset ids of the user's files the request works on (upload them with POST /v1/assets, "
                    "or send them as multipart 'files' on POST /v1/jobs). Never server paths.")


class JobRequest(PlanRequest):
    plan: dict[str, Any] | None = Field(None, description="A plan returned by POST /v1/plans, to run as is.")
    kind: Literal["text", "code", "image", "speech", "music", "sound", "video"] | None = Field(
        None, description="Run one generator directly (with prompt) instead of the planner.")
    prompt: str | None = Field(None, max_length=20000)
    model: str | None = Field(None, max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)
