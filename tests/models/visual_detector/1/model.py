# ruff: noqa  -- test input in the style of real Clarifai models (Param(...) / mutable defaults on purpose)
"""VisualDetectorClass subclass (its module imports cv2/torch, mocked at upload time)."""

import os
from typing import Iterator, List

import torch
from transformers import AutoModelForObjectDetection

from clarifai.runners.models.visual_detector_class import VisualDetectorClass
from clarifai.runners.utils.data_types import Concept, Image, Region, Video
from clarifai.runners.utils.data_utils import Param

CHECKPOINT = os.path.join(os.path.dirname(__file__), "checkpoints")
DEFAULT_THRESHOLD = 0.5


class Detector(VisualDetectorClass):
    def load_model(self):
        self.model = AutoModelForObjectDetection.from_pretrained(CHECKPOINT)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"

    @VisualDetectorClass.method
    def predict(
        self,
        image: Image,
        threshold: float = Param(
            default=DEFAULT_THRESHOLD, description="Score cut-off.", min_value=0, max_value=1
        ),
    ) -> List[Region]:
        """Detect objects in one image."""
        return []

    @VisualDetectorClass.method
    def generate(
        self, video: Video, threshold: float = DEFAULT_THRESHOLD
    ) -> Iterator[List[Region]]:
        """Detect objects frame by frame."""
        yield []

    @VisualDetectorClass.method
    def stream_image(self, image_stream: Iterator[Image]) -> Iterator[List[Region]]:
        for _ in image_stream:
            yield []

    @VisualDetectorClass.method
    def labels(self) -> List[Concept]:
        return []
