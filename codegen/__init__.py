"""clarifai-codegen: typed Python clients generated from Clarifai model method signatures."""

__version__ = "0.1.0"
