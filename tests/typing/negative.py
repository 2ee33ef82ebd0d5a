# Lines marked `# E: <code>` must fail `mypy --strict` with that error code; every other line must pass.
# Checked by tests/generator/test_types.py against the golden `generated` package.
from __future__ import annotations

from collections.abc import Iterator

from generated import Concept, Image, Region, Text
from generated.all_types import AllTypes, ContainersResult
from generated.hello_world import HelloWorld, PredictItem
from generated.dfine_small_obj2coco import DfineSmallObj2coco

hello = HelloWorld()
text: str = hello.predict("hi", number_of_letters=2)
chunks: Iterator[str] = hello.generate("hi")
hello.predict(prompt=1)  # E: arg-type
hello.predict("hi", numbr_of_letters=3)  # E: call-arg
hello.predict("hi", 3)  # E: call-arg
wrong: int = hello.predict("hi")  # E: assignment
hello.predict()  # E: call-arg
hello.nope("hi")  # E: attr-defined
texts: list[str] = hello.predict_batch([{"prompt": "a"}, {"prompt": "b", "number_of_letters": 2}])
item: PredictItem = {"prompt": "c"}
hello.predict_batch((item, item))
hello.predict_batch([{"prompt": "a", "numbr_of_letters": 2}])  # E: typeddict-unknown-key
hello.predict_batch([{"number_of_letters": 2}])  # E: typeddict-item
hello.predict_batch([{"prompt": 1}])  # E: typeddict-item
hello.predict_batch([{"prompt": "a", "number_of_letters": "2"}])  # E: typeddict-item
hello.predict_batch({"prompt": "a"})  # E: arg-type
numbers: list[int] = hello.predict_batch([])  # E: assignment

types = AllTypes()
tuned: Text = types.tuned("p", effort="high", top_k=5)
types.tuned("p", effort="extreme")  # E: arg-type
tuned_all: list[Text] = types.tuned_batch([{"prompt": "p", "effort": "high", "top_k": 5}])
types.tuned_batch([{"prompt": "p", "effort": "extreme"}])  # E: typeddict-item
result: ContainersResult = types.containers(["a"], [[1]], (1, "x"), [Concept("c")], [Region()])
label: str = result["label"]
result["nope"]  # E: typeddict-item
types.containers(["a"], [[1]], ("x", 1), [], [])  # E: arg-type
types.scalars("s", b"b", 1, 1.0, True, none_s=None)
types.scalars("s", "not bytes", 1, 1.0, True)  # E: arg-type
types.media("t", "not an image", None, None, None, None, None, None)  # E: arg-type

detector = DfineSmallObj2coco()
regions: list[Region] = detector.predict(Image.from_url("https://x/y.jpg"), threshold=0.5)
detector.predict("https://x/y.jpg")  # E: arg-type
for frame in detector.generate(Image.from_url("u")):  # E: arg-type
    pass
