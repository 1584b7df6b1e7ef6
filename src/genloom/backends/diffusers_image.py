"""Real diffusion models through Hugging Face ``diffusers``.

Any text-to-image pipeline ``DiffusionPipeline.from_pretrained`` can load
works: a local directory written by ``save_pretrained`` (``genloom models add
DIR`` registers it) or a hub id such as ``stabilityai/sd-turbo`` (downloaded
into the Hugging Face cache when the machine is online). CPU in float32 by
default; CUDA in float16 when a GPU is present.
"""

from __future__ import annotations

import inspect
import json
import os
import threading
from pathlib import Path
from typing import Any

from genloom.errors import BackendUnavailable, CorruptWeights, InvalidInput, WeightsMissing
from genloom.image.base import GeneratedImage, ImageModel, Progress
from genloom.image.request import ImageRequest
from genloom.models.card import Kind, ModelCard

SCHEDULERS = {
    "euler": "EulerDiscreteScheduler",
    "euler-a": "EulerAncestralDiscreteScheduler",
    "ddim": "DDIMScheduler",
    "dpm++": "DPMSolverMultistepScheduler",
    "dpm": "DPMSolverMultistepScheduler",
    "unipc": "UniPCMultistepScheduler",
    "pndm": "PNDMScheduler",
    "lms": "LMSDiscreteScheduler",
    "heun": "HeunDiscreteScheduler",
    "lcm": "LCMScheduler",
}


def _hub(id_: str, repo: str, desc: str, steps: int, guidance: float, size: int, lic: str,
         aliases: list[str]) -> ModelCard:
    return ModelCard(id=id_, name=repo, kind=Kind.image, tasks=["text-to-image"], backend="diffusers",
                     license=lic, source=f"hub: {repo}", description=desc, aliases=aliases,
                     options={"repo": repo, "steps": steps, "guidance": guidance, "size": size})


# Well-known hub pipelines: usable once they are in the Hugging Face cache.
HUB_CARDS = [
    _hub("sd-turbo", "stabilityai/sd-turbo", "SD 2.1 distilled: 1-4 steps, no guidance, 512².", 1, 0.0, 512,
         "stabilityai-nc-research-community", ["stabilityai/sd-turbo"]),
    _hub("sdxl-turbo", "stabilityai/sdxl-turbo", "SDXL distilled: 1-4 steps, no guidance, 512².", 1, 0.0, 512,
         "stabilityai-nc-research-community", ["stabilityai/sdxl-turbo"]),
    _hub("sdxs-512", "IDKiro/sdxs-512-0.9", "SDXS: one-step 512² generation.", 1, 0.0, 512, "openrail++",
         ["IDKiro/sdxs-512-0.9"]),
    _hub("sd-1.5", "stable-diffusion-v1-5/stable-diffusion-v1-5", "Stable Diffusion 1.5, 25 steps.", 25, 7.5,
         512, "creativeml-openrail-m", ["stable-diffusion-v1-5/stable-diffusion-v1-5"]),
    _hub("lcm-dreamshaper-v7", "SimianLuo/LCM_Dreamshaper_v7", "Latent consistency model: 4 steps.", 4, 8.0,
         512, "mit", ["SimianLuo/LCM_Dreamshaper_v7"]),
]


def _require_diffusers() -> Any:
    try:
        import diffusers
    except ImportError as exc:
        raise BackendUnavailable("Diffusion models need the diffusers package",
                                 hint="pip install 'genloom[image]'") from exc
    return diffusers


def _looks_like_path(source: str) -> bool:
    return source.startswith((".", "/", "~")) or Path(source).expanduser().exists()


def check_pipeline_dir(path: Path) -> dict[str, Any]:
    """The parsed ``model_index.json`` of a pipeline dir, or a clear error."""
    if not path.exists():
        raise WeightsMissing(f"No diffusers pipeline at {path}: the directory does not exist",
                             hint="check the path, or save one with pipeline.save_pretrained(DIR)", param="model")
    if not path.is_dir():
        raise InvalidInput(f"{path} is a file, not a diffusers pipeline directory",
                           hint="pass the directory that holds model_index.json", param="model")
    index = path / "model_index.json"
    if not index.exists():
        raise InvalidInput(f"{path} is not a diffusers pipeline (no model_index.json)",
                           hint="pass a directory written by DiffusionPipeline.save_pretrained", param="model")
    try:
        data = json.loads(index.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise CorruptWeights(f"{index} is not valid JSON: {exc}", hint="re-save the pipeline") from exc
    if not isinstance(data, dict) or "_class_name" not in data:
        raise CorruptWeights(f"{index} does not name a pipeline class", hint="re-save the pipeline")
    return data


def _quiet_loading(diffusers: Any) -> None:
    # Library progress bars would garble genloom's own (and JSON output).
    diffusers.utils.logging.disable_progress_bar()
    diffusers.utils.logging.set_verbosity_error()
    try:
        import transformers

        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
    except ImportError:  # pragma: no cover - diffusers without transformers loads no text encoder
        pass


def default_device() -> tuple[str, Any]:
    import torch

    if torch.cuda.is_available() and os.environ.get("GENLOOM_DEVICE", "cuda") != "cpu":
        return "cuda", torch.float16
    return "cpu", torch.float32


def load_pipeline(source: str, *, device: str | None = None, dtype: Any = None) -> Any:
    """``DiffusionPipeline.from_pretrained(source)`` with genloom's errors and device choice."""
    diffusers = _require_diffusers()
    local = _looks_like_path(source)
    pipeline_cls = diffusers.DiffusionPipeline
    if local:
        index = check_pipeline_dir(Path(source).expanduser())
        # The concrete class skips DiffusionPipeline's generic dispatch (same result, less work).
        pipeline_cls = getattr(diffusers, str(index["_class_name"]), None) or diffusers.DiffusionPipeline
    dev, dt = default_device()
    device, dtype = device or dev, dtype or dt
    kwargs: dict[str, Any] = {"dtype": dtype}
    if local:
        kwargs["local_files_only"] = True
    elif os.environ.get("HF_HUB_OFFLINE") == "1":
        kwargs["local_files_only"] = True
    _quiet_loading(diffusers)
    try:
        pipe = pipeline_cls.from_pretrained(str(Path(source).expanduser()) if local else source, **kwargs)
    except OSError as exc:
        if local:
            raise CorruptWeights(f"Could not load the pipeline in {source}: {exc}",
                                 hint="a component's weights are missing or damaged; re-save it") from exc
        raise WeightsMissing(f"Could not load {source!r} from the Hugging Face hub or its cache: {exc}",
                             hint="download it on a connected machine (huggingface-cli download) "
                                  "or pass a local pipeline directory", param="model") from exc
    except ValueError as exc:
        raise CorruptWeights(f"{source} is not a loadable diffusers pipeline: {exc}") from exc
    if not callable(pipe) or "prompt" not in inspect.signature(pipe.__call__).parameters:
        raise InvalidInput(f"{source} is a {type(pipe).__name__}, not a text-to-image pipeline", param="model")
    pipe.set_progress_bar_config(disable=True)
    if device != "cpu":
        pipe = pipe.to(device)  # loading already put every component on the CPU in the right dtype
    return pipe


class DiffusersModel(ImageModel):
    neural = True

    def __init__(self, card: ModelCard, pipeline: Any | None = None):
        super().__init__(card)
        source = card.path or card.options.get("repo") or card.id
        self.pipe = pipeline if pipeline is not None else load_pipeline(source)
        self.device = str(getattr(self.pipe, "device", "cpu"))
        self._lock = threading.Lock()
        params = inspect.signature(self.pipe.__call__).parameters
        self._accepts = set(params)

    @property
    def multiple(self) -> int:
        # The VAE downsamples by 2**(levels-1); the UNet needs latents divisible by its own stride too.
        return int(getattr(self.pipe, "vae_scale_factor", 8))

    def target_size(self, request: ImageRequest) -> tuple[int, int]:
        """The size delivered: the asked one, else the model's native square."""
        if request.size_given:
            return request.width, request.height
        native = int(self.card.options.get("size", 512))
        return native, native

    def render_size(self, request: ImageRequest) -> tuple[int, int]:
        """The size the pipeline runs at: the asked aspect, about the model's native area, on its grid.

        Asked sizes the model cannot run at directly (1080x1920, 1200x628) are drawn at this size
        and resized, so every asked size and aspect comes out exact.
        """
        w, h = self.target_size(request)
        m = self.multiple
        native = self.card.options.get("size")
        scale = 1.0
        if native and w * h > 1.5 * int(native) ** 2:
            scale = (int(native) ** 2 / (w * h)) ** 0.5
        return (max(m, int(round(w * scale / m)) * m), max(m, int(round(h * scale / m)) * m))

    def validate(self, request: ImageRequest) -> None:
        if request.scheduler is not None and request.scheduler.lower() not in SCHEDULERS:
            raise InvalidInput(f"Unknown scheduler {request.scheduler!r}", hint=f"one of {', '.join(SCHEDULERS)}",
                               param="scheduler")

    def _set_scheduler(self, name: str | None) -> None:
        if not name:
            return
        diffusers = _require_diffusers()
        cls = getattr(diffusers, SCHEDULERS[name.lower()])
        if type(self.pipe.scheduler) is not cls:
            self.pipe.scheduler = cls.from_config(self.pipe.scheduler.config)

    def generate(self, request: ImageRequest, progress: Progress | None = None) -> list[GeneratedImage]:
        import torch

        self.validate(request)
        steps = request.steps or int(self.card.options.get("steps", 25))
        guidance = request.guidance if request.guidance is not None else float(self.card.options.get("guidance", 7.5))
        seeds = request.seeds()
        gen_device = "cpu" if self.device.startswith("mps") else self.device.split(":")[0]
        generators = [torch.Generator(gen_device).manual_seed(s) for s in seeds]
        width, height = self.render_size(request)
        kwargs: dict[str, Any] = dict(prompt=request.prompt, width=width, height=height,
                                      num_inference_steps=steps, guidance_scale=guidance,
                                      num_images_per_prompt=len(seeds), generator=generators, output_type="pil")
        if request.negative_prompt and "negative_prompt" in self._accepts:
            kwargs["negative_prompt"] = request.negative_prompt
        if progress and "callback_on_step_end" in self._accepts:
            def on_step(pipe: Any, step: int, timestep: Any, cb_kwargs: dict[str, Any]) -> dict[str, Any]:
                progress((step + 1) / steps, f"denoising step {step + 1}/{steps}")
                return cb_kwargs

            kwargs["callback_on_step_end"] = on_step
        with self._lock, torch.inference_mode():
            self._set_scheduler(request.scheduler)
            out = self.pipe(**kwargs)
        target = self.target_size(request)
        images = [_fit(img, target) for img in out.images]
        meta = {"steps": steps, "guidance": guidance, "scheduler": type(self.pipe.scheduler).__name__,
                "device": self.device, "style": "diffusion"}
        return [GeneratedImage(image=img, seed=s, meta=dict(meta)) for img, s in zip(images, seeds, strict=True)]


def _fit(img: Any, size: tuple[int, int]) -> Any:
    """``img`` scaled to cover ``size`` and centre-cropped to it exactly."""
    if img.size == size:
        return img
    from PIL import Image

    w, h = size
    scale = max(w / img.width, h / img.height)
    big = img.resize((max(w, round(img.width * scale)), max(h, round(img.height * scale))), Image.Resampling.LANCZOS)
    left, top = (big.width - w) // 2, (big.height - h) // 2
    return big.crop((left, top, left + w, top + h))


def factory(card: ModelCard) -> DiffusersModel:
    return DiffusersModel(card)


def card_for_dir(path: Path, data: dict[str, Any] | None = None) -> ModelCard:
    data = data or check_pipeline_dir(path)
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return ModelCard(id=path.name, name=f"{data['_class_name']} ({path.name})", kind=Kind.image,
                     tasks=["text-to-image"], backend="diffusers", size_bytes=size, path=str(path),
                     source=f"local: {path}", description=f"diffusers {data['_class_name']} from {path}",
                     options={"class": data["_class_name"]})


def detect(path: Path) -> ModelCard | None:
    if not (path.is_dir() and (path / "model_index.json").exists()):
        return None
    return card_for_dir(path)


def card_for_source(source: str) -> ModelCard:
    """An ad-hoc card for ``-m DIR`` or ``-m org/name`` that is not registered."""
    if _looks_like_path(source):
        path = Path(source).expanduser().resolve()
        return card_for_dir(path)
    if source.count("/") == 1 and not source.startswith("/"):
        return ModelCard(id=source, name=source, kind=Kind.image, tasks=["text-to-image"], backend="diffusers",
                         source=f"hub: {source}", options={"repo": source})
    raise WeightsMissing(f"No diffusers pipeline at {source}", hint="pass a pipeline directory or a hub id",
                         param="model")


def status(card: ModelCard) -> str:
    if card.path:
        return "installed" if (Path(card.path) / "model_index.json").exists() else "missing"
    repo = card.options.get("repo")
    if not repo:
        return "missing"
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return "missing"
    found = try_to_load_from_cache(repo, "model_index.json")
    return "installed" if isinstance(found, str) else "missing"


def register(register_model: Any) -> None:
    for card in HUB_CARDS:
        register_model(card)
