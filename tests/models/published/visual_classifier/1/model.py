from typing import List, Iterator

from clarifai.runners.models.visual_classifier_class import VisualClassifierClass
from clarifai.runners.utils.data_types import Concept, Image, Video


class Classifier(VisualClassifierClass):
    """A custom runner that classifies images and outputs concepts."""

    def load_model(self):
        self.labels = ["normal", "nsfw"]

    @VisualClassifierClass.method
    def predict(self, image: Image) -> List[Concept]:
        """Predict concepts for a list of images."""
        return [Concept(name=self.labels[0], value=1.0)]

    @VisualClassifierClass.method
    def generate(self, video: Video) -> Iterator[List[Concept]]:
        """Generate concepts for frames extracted from a video."""
        yield [Concept(name=self.labels[0], value=1.0)]

    @VisualClassifierClass.method
    def stream_image(self, image_stream: Iterator[Image]) -> Iterator[List[Concept]]:
        """Stream process image inputs."""
        for image in image_stream:
            yield self.predict(image)

    @VisualClassifierClass.method
    def stream_video(self, video_stream: Iterator[Video]) -> Iterator[List[Concept]]:
        """Stream process video inputs."""
        for video in video_stream:
            yield from self.generate(video)
