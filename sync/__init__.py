"""Cordon's Qt-free core: the encrypted store, the cryptography, the wire protocol, the sync
engine, the relay server and the command line. Nothing here imports Qt."""

__version__ = "0.2.0"
