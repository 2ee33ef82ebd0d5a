"""The clients bench_runtime.py compares, behind one interface: the generated client over HTTP and
over gRPC (`Client` / `AsyncClient` of the generated package) and Clarifai's SDK 12.5.0
(`clarifai.client.Model`, which always calls over gRPC).

Each driver holds a networked client (sync, and async once `open_async` ran on the benchmark's
event loop) and a tapped one for the in-memory encode+decode rows (see runtime_wire.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import httpx
from runtime_wire import HttpTap, Tap, grpc_taps

__all__ = ["PAT", "Driver", "GeneratedDriver", "SdkDriver"]

PAT = "bench-local"  # the local server accepts any token
MODEL_URL = "https://clarifai.com/bench/runtime/models/bench-echo"
ConceptSpec = tuple[str, str, float]  # (id, name, value)


class Driver:
    """One client under test. `name` heads its column; `cold_code` is the `python -c` program of
    the cold-start row (import, build the client, call `predict` once)."""

    name: str
    cold_code: str

    def __init__(self) -> None:
        self.tap = Tap()

    def predict(self, text: str) -> str:
        raise NotImplementedError

    def stream_count(self, n: int) -> int:
        """Call `generate(n)` and count the items received."""
        raise NotImplementedError

    async def open_async(self) -> None:
        """Build the async client (on the running event loop: its connections belong to it)."""

    async def apredict(self, text: str) -> str:
        raise NotImplementedError

    def make_image(self, data: bytes) -> Any:
        raise NotImplementedError

    def make_concepts(self, specs: Sequence[ConceptSpec]) -> list[Any]:
        raise NotImplementedError

    def wire_image(self, image: Any) -> bytes:
        """`predict_image` through the tapped client; the returned image's bytes."""
        raise NotImplementedError

    def wire_concepts(self, concepts: list[Any]) -> list[ConceptSpec]:
        """`concepts` through the tapped client; what came back."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def _concept_specs(concepts: list[Any]) -> list[ConceptSpec]:
    return [(c.id, c.name, c.value) for c in concepts]


class GeneratedDriver(Driver):
    """The generated package's `_runtime` (`rt`) and `bench_echo` module over `transport`."""

    def __init__(self, rt: ModuleType, module: ModuleType, transport: str, base_url: str) -> None:
        super().__init__()
        self.name = f"generated {'gRPC' if transport == 'grpc' else 'HTTP'}"
        self._rt, self._module = rt, module
        self._transport, self._base_url = transport, base_url
        self._client = rt.Client(pat=PAT, base_url=base_url, transport=transport)
        self._model = module.BenchEcho(self._client)
        self._http: httpx.Client | None = None
        if transport == "grpc":
            with grpc_taps(self.tap):
                self._wire_client = rt.Client(pat=PAT, base_url=base_url, transport="grpc")
        else:  # the same httpx.Client the runtime would build, with the tap as its transport
            self._http = httpx.Client(transport=HttpTap(self.tap), timeout=60.0)
            self._wire_client = rt.Client(
                pat=PAT, base_url=base_url, transport="http", http_client=self._http
            )
        self._wire = module.BenchEcho(self._wire_client)
        self._aclient: Any = None
        self._amodel: Any = None
        self.cold_code = (
            f"from {module.__package__} import Client\n"
            f"from {module.__name__} import BenchEcho\n"
            f"client = Client(pat={PAT!r}, base_url={base_url!r}, transport={transport!r})\n"
            "out = BenchEcho(client).predict('hello')\n"
            "if out != 'hello':\n"
            "    raise SystemExit(f'wrong answer {out!r}')\n"
        )

    def predict(self, text: str) -> str:
        return str(self._model.predict(text))

    def stream_count(self, n: int) -> int:
        return sum(1 for _ in self._model.generate(n))

    async def open_async(self) -> None:
        self._aclient = self._rt.AsyncClient(
            pat=PAT, base_url=self._base_url, transport=self._transport
        )
        self._amodel = self._module.AsyncBenchEcho(self._aclient)

    async def apredict(self, text: str) -> str:
        return str(await self._amodel.predict(text))

    def make_image(self, data: bytes) -> Any:
        return self._rt.Image.from_bytes(data)

    def make_concepts(self, specs: Sequence[ConceptSpec]) -> list[Any]:
        return [self._rt.Concept(name, value, id=cid) for cid, name, value in specs]

    def wire_image(self, image: Any) -> bytes:
        return bytes(self._wire.predict_image(image).bytes)

    def wire_concepts(self, concepts: list[Any]) -> list[ConceptSpec]:
        return _concept_specs(self._wire.concepts(concepts))

    def close(self) -> None:
        self._client.close()
        self._wire_client.close()
        if self._http is not None:
            self._http.close()

    async def aclose(self) -> None:
        if self._aclient is not None:
            await self._aclient.aclose()


class SdkDriver(Driver):
    """`clarifai.client.Model` pointed at the local gRPC server (`base_url="http://127.0.0.1:G"`
    makes the SDK open a plaintext gRPC channel to 127.0.0.1:G). `Model()` calls GetModel, and
    the first method call GetModelVersion (the signatures); both are served locally."""

    name = "SDK (gRPC)"

    def __init__(self, grpc_url: str) -> None:
        super().__init__()
        from clarifai.client import Model
        from clarifai.runners.utils.data_types import Concept, Image

        self._image_cls, self._concept_cls = Image, Concept
        self._model = Model(url=MODEL_URL, pat=PAT, base_url=grpc_url)
        with grpc_taps(self.tap):  # the SDK opens its sync channel in Model()
            self._wire = Model(url=MODEL_URL, pat=PAT, base_url=grpc_url)
        self.cold_code = (
            "from clarifai.client import Model\n"
            f"model = Model(url={MODEL_URL!r}, pat={PAT!r}, base_url={grpc_url!r})\n"
            "out = model.predict(text='hello')\n"
            "if out != 'hello':\n"
            "    raise SystemExit(f'wrong answer {out!r}')\n"
        )

    def predict(self, text: str) -> str:
        return str(self._model.predict(text=text))

    def stream_count(self, n: int) -> int:
        return sum(1 for _ in self._model.generate(n=n))

    async def apredict(self, text: str) -> str:
        # SDK 12.5.0 quirk: `async_predict` is a coroutine function whose result is itself a
        # coroutine (it awaits `async_client.predict(...)`, which returns the coroutine of the
        # call), so a call is awaited twice. Its async stub (a grpc.aio channel) is opened on
        # the first call, on the running loop.
        return str(await (await self._model.async_predict(text=text)))

    def make_image(self, data: bytes) -> Any:
        return self._image_cls(bytes=data)

    def make_concepts(self, specs: Sequence[ConceptSpec]) -> list[Any]:
        return [self._concept_cls(name, value, id=cid) for cid, name, value in specs]

    def wire_image(self, image: Any) -> bytes:
        return bytes(self._wire.predict_image(image=image).bytes)

    def wire_concepts(self, concepts: list[Any]) -> list[ConceptSpec]:
        return _concept_specs(self._wire.concepts(concepts=concepts))
