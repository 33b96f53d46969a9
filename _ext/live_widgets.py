"""The shipped generators, live on the website: G runs in the reader's browser, no kernel.

A chapter asks for a live widget with a placeholder in a markdown cell,
``<div class="gan-live" data-model="mnist">...</div>`` (its text is what Jupyter shows).
At build time this Sphinx extension

1. exports each generator named in :data:`LIVE` from ``gan_src.pretrained.load(name)`` to
   ONNX (``torch.onnx.export``), with the weights stored as float16: the shipped weights *are*
   float16 (``pretrained.export``), so nothing is lost, and a Cast node hands G float32 weights;
   the files go to ``_static/live/models/`` of the built site, never into git (cached in
   ``_build/live_models/``, keyed by each G's architecture, weights and record, and torch's version);
2. writes ``_static/live/models.json``: each model's file, shapes, p_z and provenance
   (epochs, Parzen score), which the widgets print;
3. copies the widget module ``_ext/live_widgets.js`` to ``_static/live/gan_live.js`` and adds
   it, as a ``<script type="module">``, only to pages holding a placeholder;
4. serves onnxruntime-web (pinned in ``package-lock.json``; ``npm ci`` installs it) from
   ``_static/vendor/onnxruntime-web/``: the ES-module bundle and its WebAssembly binary, stored
   gzip-compressed (14.2 MB -> 3.7 MB; the page inflates it with the browser's own
   ``DecompressionStream``).

The module loads the runtime and a model only when a widget scrolls into view or is
clicked, so no page is heavier until a reader reaches a widget.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
MODULE = HERE / "live_widgets.js"  # the widgets' one JavaScript module
PLACEHOLDER = 'class="gan-live"'

# What the site serves from node_modules/onnxruntime-web/dist/: the wasm-only ES-module bundle
# (the Emscripten glue included) and the binary it instantiates (single-threaded: a static site is
# not cross-origin isolated, so no SharedArrayBuffer workers).
ORT_DIST = "onnxruntime-web/dist"
ORT_BUNDLE = "ort.wasm.bundle.min.mjs"
ORT_WASM = "ort-wasm-simd-threaded.wasm"
VENDOR = "vendor/onnxruntime-web"  # under _static/


@dataclass(frozen=True)
class LiveModel:
    """How the browser feeds one shipped G and draws its output."""

    side: int          # images are side x side
    channels: int = 1  # rows are channel-major (C, H, W) when > 1
    classes: int = 0   # a conditional G takes [z, one_hot(c)]
    z_dim: int = 100   # p_z = U(-half_width, half_width)^z_dim, gan_src.models.mnist_p_z
    half_width: float = math.sqrt(3)


LIVE: dict[str, LiveModel] = {
    "mnist": LiveModel(side=28),                           # Section 5, Figure 3
    "mnist_conditional": LiveModel(side=28, classes=10),   # Section 7, extension 1
    "faces": LiveModel(side=48),                           # Figure 2 (b), gan_src.figure2.FACES_SIDE
}


def _node_modules(app: Sphinx) -> Path:
    return Path(app.confdir) / "node_modules"


def check_runtime(app: Sphinx) -> None:
    """Fail at the start of a build, with the fix, when onnxruntime-web is not installed."""
    missing = [f for f in (ORT_BUNDLE, ORT_WASM) if not (_node_modules(app) / ORT_DIST / f).is_file()]
    if missing:
        raise ExtensionError(
            f"live_widgets: {ORT_DIST}/{missing[0]} missing from {_node_modules(app)}. Run `npm ci` in the "
            "repository root (`make book` does) to install the onnxruntime-web pinned in package-lock.json.")


def add_module(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Load the widget module on the pages that hold a placeholder, and only there."""
    if PLACEHOLDER in context.get("body", ""):
        app.add_js_file("live/gan_live.js", type="module")


def _source_key() -> str:
    """A digest of everything the exported files depend on: each G's architecture and weights as
    ``gan_src.pretrained.load`` gives them, its provenance record, the torch version and this file."""
    import torch

    from gan_src import pretrained

    digest = hashlib.sha256(f"torch {torch.__version__}".encode())
    digest.update(Path(__file__).read_bytes())
    for name in LIVE:
        G = pretrained.load(name)
        digest.update(f"{name} {G!r} {json.dumps(pretrained.provenance(name), sort_keys=True)}".encode())
        for key, tensor in G.state_dict().items():
            digest.update(key.encode())
            digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def _halve_weights(path: Path) -> None:
    """Store the float32 weights of an ONNX file as float16 behind Cast nodes, where that is exact."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(path)
    graph, casts = model.graph, []
    for init in list(graph.initializer):
        if init.data_type != onnx.TensorProto.FLOAT:
            continue
        w = numpy_helper.to_array(init)
        half = w.astype(np.float16)
        if not np.array_equal(half.astype(np.float32), w):
            continue  # not float16 weights after all: keep float32
        name = init.name
        init.CopyFrom(numpy_helper.from_array(half, f"{name}.float16"))
        casts.append(helper.make_node("Cast", [init.name], [name], to=onnx.TensorProto.FLOAT))
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def export_onnx(name: str, path: Path) -> None:
    """``gan_src.pretrained.load(name)`` as ONNX: input ``z`` (n, z_dim [+ classes]), output ``x``
    (n, pixels) in [0, 1]; a conditional G's one-hot pass-through is dropped from its output."""
    import torch
    from torch import nn

    from gan_src import pretrained

    spec = LIVE[name]
    G = pretrained.load(name)
    if spec.classes:
        net = G.net  # ConditionalGenerator: G(zc) = [net(zc), c]; the browser wants the image alone
        G = nn.Sequential(*net) if isinstance(net, nn.Sequential) else net
    G.eval()
    example = torch.zeros(2, spec.z_dim + spec.classes)
    pixels = G(example).shape[1]
    if pixels != spec.channels * spec.side ** 2:
        raise ExtensionError(f"live_widgets: G {name!r} draws {pixels} values, not {spec.channels} x "
                             f"{spec.side} x {spec.side}; update LIVE in {__file__}")
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(G, (example,), str(path), input_names=["z"], output_names=["x"],
                      dynamic_shapes=({0: torch.export.Dim("n")},), external_data=False,
                      dynamo=True, verbose=False)
    _halve_weights(path)


def _record(name: str, spec: LiveModel, file: str) -> dict:
    """What a widget says about the generator it runs, from the model's provenance record."""
    from gan_src import pretrained

    r = pretrained.provenance(name)
    parzen = r.get("parzen")
    return {
        **asdict(spec), "name": name, "file": file, "epochs": r.get("epochs"), "seed": r.get("seed"),
        "model": r.get("model", ""),
        "parzen": {"mean": parzen["test_mean"], "se": parzen["test_se"]} if parzen else None,
        "class_agreement": (r.get("nearest_neighbour_class_agreement") or {}).get("value"),
    }


def export_models(cache: Path) -> dict:
    """Export every model of :data:`LIVE` into ``cache`` unless it holds this version already;
    returns the manifest."""
    key = _source_key()
    manifest_path = cache / "models.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("key") == key and all((cache / m["file"]).is_file() for m in manifest["models"].values()):
            return manifest
    start = time.perf_counter()
    models = {}
    for name, spec in LIVE.items():
        file = f"models/{name}.onnx"
        export_onnx(name, cache / file)
        models[name] = _record(name, spec, file)
    manifest = {"key": key, "models": models}
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    logger.info(f"live_widgets: exported {', '.join(LIVE)} to ONNX in {time.perf_counter() - start:.1f} s")
    return manifest


def _gzip(source: Path, cache: Path) -> Path:
    """gzip(``source``) in ``cache``, compressed again only when the source's bytes change (npm
    stamps every file it installs with the same date, so dates cannot tell)."""
    target, stamp = cache / f"{source.name}.gz", cache / f"{source.name}.sha256"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if not (target.is_file() and stamp.is_file() and stamp.read_text() == digest):
        cache.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as src, gzip.GzipFile(target, "wb", compresslevel=9, mtime=0) as dst:
            shutil.copyfileobj(src, dst)
        stamp.write_text(digest)
    return target


def copy_module(app: Sphinx) -> None:
    """The widget module goes in before pages are written, so Sphinx stamps its checksum on them."""
    if app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "live" / "gan_live.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(MODULE, target)


def copy_live_assets(app: Sphinx, exception: Exception | None) -> None:
    """Export the generators and copy them, the manifest and the runtime into the built site."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    cache = Path(app.outdir).parent / "live_models"
    manifest = export_models(cache)
    live = static / "live"
    for model in manifest["models"].values():
        (live / model["file"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(cache / model["file"], live / model["file"])
    (live / "models.json").write_text(json.dumps({"models": manifest["models"]}, indent=1) + "\n")
    dist, vendor = _node_modules(app) / ORT_DIST, static / VENDOR
    vendor.mkdir(parents=True, exist_ok=True)
    shutil.copy2(dist / ORT_BUNDLE, vendor / ORT_BUNDLE)
    shutil.copy2(_gzip(dist / ORT_WASM, cache), vendor / f"{ORT_WASM}.gz")


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", check_runtime)
    app.connect("builder-inited", copy_module)
    app.connect("html-page-context", add_module)
    app.connect("build-finished", copy_live_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
