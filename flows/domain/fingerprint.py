"""Fingerprints of inputs, so an unchanged department is not reported twice."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def combine_fingerprints(parts: Mapping[str, str]) -> str:
    """One fingerprint of named parts (file → sha256, plus code and rule versions), order-independent."""
    digest = hashlib.sha256()
    for name in sorted(parts):
        digest.update(f"{name}\0{parts[name]}\n".encode())
    return digest.hexdigest()
