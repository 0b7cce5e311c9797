"""Services tests share the in-process trio (coordinator C, participants A and B)."""

from tests.sync.client.conftest import Device, trio

__all__ = ["Device", "trio"]
