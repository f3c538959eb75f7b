"""The sample report converts to a PDF that embeds a CJK font and shows the figures without missing glyphs."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from flows.adapters import pdf as pdf_adapter
from flows.adapters.pdf import PdfConversionError, docx_to_pdf, pdf_fonts, pdf_page_count, pdf_pages_to_png

pytestmark = pytest.mark.slow

# Family names of CJK fonts as pdffonts prints them (subset prefix "ABCDEF+" stripped).
CJK_FONT = re.compile(r"CJK|SC-|Hei|Song|Fang|Kai|SimSun|SimHei|Ming|Gothic|Mincho|WenQuanYi|Droid Sans Fallback|方正|宋|黑|楷",
                      re.IGNORECASE)
# A Japanese or Korean variant of a CJK face (NotoSansCJKjp-Regular, NotoSerifCJKkr-Bold, …).
JP_OR_KR = re.compile(r"jp|kr", re.IGNORECASE)


@pytest.fixture(scope="module")
def report_docx(sample_report_docx: bytes) -> bytes:
    return sample_report_docx


@pytest.fixture(scope="module")
def report_pdf(sample_report_pdf: bytes) -> bytes:
    return sample_report_pdf


def _font_rows(pdf: bytes) -> list[tuple[str, str]]:
    """(name, emb) per font; columns are right-aligned "emb sub uni object-ID" at the end of each line."""
    rows = []
    for line in pdf_fonts(pdf):
        match = re.match(r"^(?P<name>\S.*?)\s{2,}.*\s(?P<emb>yes|no)\s+(?:yes|no)\s+(?:yes|no)\s+\d+\s+\d+\s*$", line)
        assert match, f"unexpected pdffonts line: {line!r}"
        rows.append((match["name"].split("+", 1)[-1], match["emb"]))
    return rows


def test_pdf_has_a_sensible_number_of_pages(report_pdf: bytes) -> None:
    assert report_pdf.startswith(b"%PDF-")
    assert 3 <= pdf_page_count(report_pdf) <= 30


def test_every_page_renders_to_png(report_pdf: bytes) -> None:
    pages = pdf_pages_to_png(report_pdf, dpi=30)
    assert len(pages) == pdf_page_count(report_pdf)
    assert all(page.startswith(b"\x89PNG\r\n\x1a\n") for page in pages)


def test_fonts_are_embedded_and_include_a_cjk_font(report_pdf: bytes) -> None:
    rows = _font_rows(report_pdf)
    assert rows, "the PDF lists no fonts at all"
    not_embedded = [name for name, emb in rows if emb != "yes"]
    assert not not_embedded, f"fonts not embedded: {not_embedded}"
    assert any(CJK_FONT.search(name) for name, _ in rows), f"no CJK font among {[name for name, _ in rows]}"


def test_chinese_text_is_set_in_simplified_chinese_faces_never_japanese_or_korean(report_pdf: bytes) -> None:
    """仿宋 (body) → Noto Serif SC, 黑体 (一级 headings) → Noto Sans SC, 楷体 (二级 headings) → LXGW WenKai.

    The Debian Noto CJK collections embed under a "jp" name whatever face is used, so the SC faces come from
    the SC-only fonts of the font package (deploy/fonts/fonts.conf).
    """
    names = [name for name, _ in _font_rows(report_pdf)]
    assert not [name for name in names if JP_OR_KR.search(name)], names
    assert any(name.startswith("NotoSerifSC-") for name in names), names
    assert any(name.startswith("NotoSansSC-") for name in names), names
    assert any(name.startswith("LXGWWenKai") for name in names), names


def test_pdf_text_shows_the_title_and_the_total(report_pdf: bytes) -> None:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "report.pdf"
        path.write_bytes(report_pdf)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              check=True, timeout=120).stdout
    # Justified lines come out with spaces between characters, and the title wraps: compare without whitespace.
    compact = re.sub(r"\s+", "", text)
    assert "648.31" in compact
    assert "部门整体支出绩效自评报告" in compact
    assert "\ufffd" not in text, "the PDF text has replacement characters (glyphs without a Unicode mapping)"


def _our_soffice_processes() -> set[int]:
    """Processes whose command line points at a profile inside one of our temporary folders."""
    marker = f"{Path(tempfile.gettempdir()) / pdf_adapter.TEMP_PREFIX}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes():
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


def _our_temp_dirs() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith(pdf_adapter.TEMP_PREFIX)}


@pytest.mark.parametrize("timeout", [0.01, 0.5], ids=["before-start", "mid-conversion"])
def test_timeout_raises_quickly_and_leaves_nothing_behind(report_docx: bytes, timeout: float) -> None:
    """0.01 s kills the launcher at once; 0.5 s usually catches soffice.bin (forked by it) while it works."""
    dirs_before, processes_before = _our_temp_dirs(), _our_soffice_processes()
    started = time.monotonic()
    try:
        docx_to_pdf(report_docx, timeout_seconds=timeout, retries=1)
    except PdfConversionError as error:
        assert "超时" in str(error) and "2 次" in str(error)
    else:
        assert timeout > 0.1, "a 0.01 s conversion cannot succeed"  # a very fast machine beat 0.5 s: fine
    assert time.monotonic() - started < 10
    assert _our_temp_dirs() - dirs_before == set()
    assert _our_soffice_processes() - processes_before == set()


def test_missing_libreoffice_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_adapter.shutil, "which", lambda name: None)
    with pytest.raises(PdfConversionError, match="libreoffice-writer-nogui"):
        docx_to_pdf(b"PK")


def test_missing_font_configuration_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf_adapter, "FONTS_CONF", tmp_path / "fonts.conf")
    with pytest.raises(PdfConversionError, match="fonts.conf"):
        docx_to_pdf(b"PK")
