from typing import List

from PIL import Image
from clarifai.runners.models.model_class import ModelClass
from clarifai.runners.utils.data_types import Image, Text


class TextToImage(ModelClass):
    """Draws pictures; `Image` here is the data type, not PIL's (imported first, then rebound)."""

    def load_model(self):
        self.ready = True

    @ModelClass.method
    def predict(
        self,
        prompt: List[str],
        prompt_2: List[str] = None,
        negative_prompt: List[str] = None,
        true_cfg_scale: float = 1.0,
        height: int = None,
        width: int = None,
        max_sequence_length: int = 256,
        num_inference_steps: int = 28,
        guidance_scale: float = 3.5,
        seed: int = None,
        sigmas: List[float] = None,
    ) -> List[Image]:
        """
        Generate images for the prompts.
        Args:
          * prompt (`List[str]`): what to draw.
          * seed (`int`, *optional*, defaults to None): makes the result repeatable.
        """
        return [Image(bytes=p.encode()) for p in prompt]
