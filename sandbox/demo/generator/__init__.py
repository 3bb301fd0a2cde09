"""The sandbox's data generator: realistic members and history at any scale (see ``generator``)."""

from .generator import Stats, generate

__all__ = ["Stats", "generate"]
