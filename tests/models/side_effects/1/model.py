# ruff: noqa  -- test input in the style of real Clarifai models (Param(...) / mutable defaults on purpose)
"""Importing this module has side effects: it writes a file and needs torch (not installed)."""

import pathlib

import torch  # not installed: the SDK mocks it at upload time; static analysis never imports it

from clarifai.runners.models.model_class import ModelClass

pathlib.Path("side_effect_marker.txt").write_text("model.py was executed\n")
DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


class Heavy(ModelClass):
    def load_model(self):
        self.model = torch.load("weights.pt", map_location=DEVICE)

    @ModelClass.method
    def predict(self, text: str, temperature: float = 0.2) -> str:
        """Runs a heavy model."""
        return text
