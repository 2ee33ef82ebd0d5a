"""Runnable examples, one per model."""
