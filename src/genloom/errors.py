"""Exceptions raised by genloom.

Every error carries a message that names the problem and, where there is one,
the fix. The CLI prints ``str(err)`` as one line; the server maps ``status``
and ``code`` onto an OpenAI-style error body.

    GenloomError
    ├── InvalidInput          bad argument or parameter value (400)
    │   ├── EmptyPrompt
    │   └── ContextOverflow   prompt longer than the model's context window
    ├── ModelNotFound         unknown model id (404)
    ├── WeightsMissing        the model is known but its files are not there (409)
    ├── CorruptWeights        a weights file is truncated or not what it claims (422)
    ├── BackendUnavailable    the Python package a backend needs is missing (501)
    ├── NotFound              an asset, generation or job id that does not exist (404)
    └── GenerationFailed      the backend failed while generating (500)
"""

from __future__ import annotations


class GenloomError(Exception):
    status: int = 500
    code: str = "genloom_error"
    type: str = "server_error"

    def __init__(self, message: str, *, hint: str | None = None, param: str | None = None):
        self.message = message
        self.hint = hint
        self.param = param
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InvalidInput(GenloomError):
    status = 400
    code = "invalid_value"
    type = "invalid_request_error"


class EmptyPrompt(InvalidInput):
    code = "empty_prompt"


class ContextOverflow(InvalidInput):
    code = "context_length_exceeded"


class ModelNotFound(GenloomError):
    status = 404
    code = "model_not_found"
    type = "invalid_request_error"


class WeightsMissing(GenloomError):
    status = 409
    code = "weights_missing"
    type = "invalid_request_error"


class CorruptWeights(GenloomError):
    status = 422
    code = "corrupt_weights"
    type = "invalid_request_error"


class BackendUnavailable(GenloomError):
    status = 501
    code = "backend_unavailable"
    type = "server_error"


class NotFound(GenloomError):
    status = 404
    code = "not_found"
    type = "invalid_request_error"


class GenerationFailed(GenloomError):
    status = 500
    code = "generation_failed"
    type = "server_error"
