"""What a recipient reads in a rendered report, as one digest: a new version is issued only
when this changes, not when a release or a rerun reproduces the same document."""

from __future__ import annotations

import hashlib
import io
import zipfile

from lxml import etree

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
# The parts a reader sees: the body, headers and footers, footnotes.
_READ_PARTS = ("word/document.xml", "word/header", "word/footer", "word/footnotes.xml", "word/endnotes.xml")


def readable_text(docx: bytes) -> str:
    """The report's text paragraph by paragraph (table cells included) and the charts' alt
    texts, in document order, part by part."""
    lines: list[str] = []
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        for name in sorted(package.namelist()):
            if not name.startswith(_READ_PARTS) or not name.endswith(".xml"):
                continue
            root = etree.fromstring(package.read(name))
            lines.append(f"[{name}]")
            for element in root.iter(f"{{{_W}}}p", f"{{{_WP}}}docPr"):
                if element.tag == f"{{{_WP}}}docPr":
                    lines.append(f"[图] {element.get('descr', '')}")
                else:
                    lines.append("".join(t.text or "" for t in element.iter(f"{{{_W}}}t", f"{{{_W}}}tab")))
    return "\n".join(lines)


def content_digest(docx: bytes, attachments: dict[str, bytes] | None = None) -> str:
    """sha256 of the report's readable text plus any attachments recipients receive with it."""
    digest = hashlib.sha256(readable_text(docx).encode())
    for name, data in sorted((attachments or {}).items()):
        digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()
