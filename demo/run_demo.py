"""The whole loop, offline: serve a model directory, pull its client, run it.

1. `serve` the bundled model directory demo/pixel-words on free ports of 127.0.0.1 (REST + gRPC),
   with the clarifai SDK's own runner code;
2. generate its typed client by pulling the signatures over the local REST API, exactly as from
   Clarifai: `python -m codegen generate https://clarifai.com/demo/local/models/pixel-words -o ...`
   with `CLARIFAI_API_BASE` pointing at the local server;
3. run the generated example script (`python -m demo_client.examples.pixel_words`) against it;
4. call a few methods from Python with the typed client: real pixels over REST, and the
   bidirectional stream over gRPC.

Run: `.venv/bin/python demo/run_demo.py` (or `make demo`). Exits non-zero on any failure.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MODEL_DIR = HERE / "pixel-words"
MODEL_URL = "https://clarifai.com/demo/local/models/pixel-words"
PACKAGE = "demo_client"
MODULE = "pixel_words"

if str(REPO) not in sys.path:  # `codegen` from this checkout, installed or not
    sys.path.insert(0, str(REPO))


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


def run(cmd: list[str], cwd: Path, env: dict[str, str], what: str) -> str:
    """Run `cmd`; print and return its stdout; raise with its stderr if it fails."""
    shown = ["python", *cmd[1:]] if cmd[0] == sys.executable else cmd
    print("$ " + " ".join(shown), flush=True)
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if proc.stdout:
        print(proc.stdout, end="" if proc.stdout.endswith("\n") else "\n", flush=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return proc.stdout


def sample_image() -> Any:
    """A 160x96 picture: a sky-blue band over green grass, with an orange sun."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    img = PILImage.new("RGB", (160, 96), (120, 180, 240))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 60, 160, 96), fill=(40, 160, 60))
    draw.ellipse((110, 10, 140, 40), fill=(250, 160, 30))
    return img


def main() -> int:
    started = time.monotonic()
    from codegen.serve import banner, serve

    section(f"serve {MODEL_DIR.relative_to(REPO)}")
    with (
        serve([MODEL_DIR], port=0, grpc_port=0, quiet=True) as srv,
        tempfile.TemporaryDirectory(prefix="clarifai-codegen-demo-") as tmp,
    ):
        for line in banner(srv):
            print(line)
        work = Path(tmp)
        env = {
            **os.environ,
            "CLARIFAI_API_BASE": srv.rest_url,
            "CLARIFAI_PAT": "local",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
        env.pop("CLARIFAI_TRANSPORT", None)

        section("generate the typed client (pulled over the local REST API)")
        out = work / PACKAGE
        run(
            [sys.executable, "-m", "codegen", "generate", MODEL_URL, "-o", str(out)],
            work,
            env,
            "generate",
        )
        files = sorted(p.relative_to(work).as_posix() for p in out.rglob("*.py"))
        print("wrote " + ", ".join(f for f in files if "_runtime" not in f) + " and _runtime/")

        section(f"run the generated example: python -m {PACKAGE}.examples.{MODULE} (REST)")
        run([sys.executable, "-m", f"{PACKAGE}.examples.{MODULE}"], work, env, "the example")

        section("the typed client from Python")
        sys.path.insert(0, str(work))
        client_pkg = importlib.import_module(PACKAGE)
        module = importlib.import_module(f"{PACKAGE}.{MODULE}")
        Client, Image = client_pkg.Client, client_pkg.Image
        PixelWords = module.PixelWords

        with Client(pat="local", base_url=srv.rest_url) as rest:
            model = PixelWords(rest)
            text = "Rain, wind and cold rain. The forecast says more rain and snow tomorrow!"
            print(f">>> model.text_stats({text!r}, top_k=3)")
            print(model.text_stats(text, top_k=3))
            print(">>> model.predict(text, top_k=2)")
            print([(c.name, round(c.value, 3)) for c in model.predict(text, top_k=2)])
            picture = Image.from_pil(sample_image())
            print(">>> model.image_stats(Image.from_pil(picture), colors=3)   # 160x96 PNG")
            print(model.image_stats(picture, colors=3))
            thumb = model.thumbnail(picture, size=40, grayscale=True)
            pil = thumb.to_pil()
            print(">>> model.thumbnail(picture, size=40, grayscale=True).to_pil()")
            print(f"<PIL image {pil.size[0]}x{pil.size[1]} mode={pil.mode}>")

        assert srv.grpc_url is not None
        with Client(pat="local", base_url=srv.grpc_url, transport="grpc") as grpc_client:
            model = PixelWords(grpc_client)
            chunks = ["The team scored a goal", "then the coach cheered", "and rain began to fall"]
            print(f">>> model.stream(iter({chunks!r}), window=1)   # bidirectional, over gRPC")
            for stats in model.stream(iter(chunks), window=1):
                print(stats)
            print('>>> "".join(model.generate("hello local world", style="pig-latin"))   # gRPC')
            print(repr("".join(model.generate("hello local world", style="pig-latin"))))

    print(f"\ndemo OK in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:
        print(f"\ndemo FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
