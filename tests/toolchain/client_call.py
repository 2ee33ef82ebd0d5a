"""Run by the fresh virtualenvs of test_ranges.py (cwd: the directory holding package `pkg`): a
generated client's unary and streaming calls against the local API ($CLARIFAI_API_BASE), then
`timeout` as a deadline against a server dripping a byte every 0.2 s (argv[1])."""

import sys
import time

import httpx
from pkg import Client
from pkg._runtime import TransportError
from pkg._runtime.deadline import install
from pkg.hello_world import HelloWorld

model = HelloWorld()
print("predict:", model.predict("hi", number_of_letters=2))
print("generate:", list(model.generate("hi", number_of_letters=1)))
assert install(httpx.Client()) and install(httpx.AsyncClient()), "httpcore's pools not reached"
slow = HelloWorld(Client(base_url=sys.argv[1], timeout=1, max_retries=0))
start = time.monotonic()
try:
    slow.predict("hi")
except TransportError as exc:
    print(f"deadline: {time.monotonic() - start:.1f} s: {exc}")
else:
    sys.exit("a dripping server kept the call alive")
