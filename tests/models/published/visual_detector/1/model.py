import signal
from typing import List, Iterator

from clarifai.runners.models.visual_detector_class import VisualDetectorClass
from clarifai.runners.utils.data_types import Image, Video, Region, Frame
from clarifai.runners.utils.data_utils import Param

try:
    import tensorrt as trt
    TENSORRT_AVAILABLE = True
except ImportError:
    TENSORRT_AVAILABLE = False
    trt = None


class Detector(VisualDetectorClass):
    """A custom runner for an object detector that processes images and videos."""

    def load_model(self):
        self.ready = True

    @VisualDetectorClass.method
    def predict(
        self,
        image: Image,
        threshold: float = Param(
            default=0.25,
            min_value=0.,
            max_value=1.,
            description="Minimum confidence score required for a detection.",
        ),
        use_nms: bool = Param(
            default=False,
            description="Enable non-maximum suppression.",
        ),
    ) -> List[Region]:
        """Process a single image and return detected objects."""
        return []

    @VisualDetectorClass.method
    def generate(
        self,
        video: Video,
        threshold: float = Param(default=0.25, min_value=0., max_value=1., description="Minimum confidence."),
    ) -> Iterator[Frame]:
        """Process video frames and yield detected objects for each frame."""
        yield Frame(image=Image(bytes=b""))

    @VisualDetectorClass.method
    def stream_image(
        self,
        image_stream: Iterator[Image],
        threshold: float = Param(default=0.25, min_value=0., max_value=1., description="Minimum confidence."),
        batch_size: int = Param(
            default=1,
            min_value=1,
            max_value=32,
            description="Number of images to batch together.",
        )
    ) -> Iterator[List[Region]]:
        """Stream process image inputs.

        Use batch_size=1 for lowest latency.
        """
        for _ in image_stream:
            yield []
