"""Convert a report .docx to PDF with LibreOffice headless, and inspect PDFs with poppler-utils."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from flows.domain.errors import ReportError

TEMP_PREFIX = "jixiao-pdf-"

# The report's font substitutions (仿宋 → Noto Serif SC, 黑体 → Noto Sans SC, 楷体 → LXGW WenKai …), which
# include the machine's own fontconfig configuration. soffice reads them through FONTCONFIG_FILE.
FONTS_CONF = Path(__file__).resolve().parents[2] / "deploy" / "fonts" / "fonts.conf"
# The PyPI package holding Noto Sans SC and Noto Serif SC (region-specific SC fonts, SIL OFL 1.1), a project
# dependency (the charts use it too). Its folder is added to the fonts LibreOffice sees.
SC_FONT_PACKAGE = "pylopdf_fonts_zh_cn"


class PdfConversionError(ReportError):
    """LibreOffice is missing, or could not turn the .docx into a PDF."""


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise PdfConversionError("未找到 LibreOffice（soffice），无法生成 PDF；请安装 libreoffice-writer-nogui")
    return found


def _sc_font_dir() -> Path:
    spec = importlib.util.find_spec(SC_FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PdfConversionError(f"缺少中文字体包 {SC_FONT_PACKAGE.replace('_', '-')}（请重新安装项目依赖），无法按公文字体生成 PDF")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def fontconfig_text() -> str:
    """The FONTCONFIG_FILE for soffice: the SC font package's folder, then deploy/fonts/fonts.conf.

    Without it LibreOffice draws 仿宋, 黑体 and 楷体 in fontconfig's default CJK face (the Japanese variant
    on Debian), so the same .docx would give different PDFs on different machines.
    """
    if not FONTS_CONF.is_file():
        raise PdfConversionError(f"缺少字体替换配置 {FONTS_CONF.name}（应在项目的 deploy/fonts/ 下），无法按公文字体生成 PDF")
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
            f"  <dir>{xml_escape(str(_sc_font_dir()))}</dir>\n  <include>{xml_escape(str(FONTS_CONF))}</include>\n</fontconfig>\n")


def _convert_once(soffice: str, docx: bytes, timeout_seconds: float, fonts: str) -> bytes:
    """One attempt in a fresh folder with a fresh profile: concurrent conversions sharing a profile fail.

    soffice forks (oosplash → soffice.bin), so it runs in its own session and a timeout kills the
    whole process group; killing only the child would leave soffice.bin holding the profile.
    """
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as work:
        source = Path(work) / "report.docx"
        source.write_bytes(docx)
        conf = Path(work) / "fonts.conf"
        conf.write_text(fonts, encoding="utf-8")
        command = [soffice, f"-env:UserInstallation={(Path(work) / 'profile').as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", work, str(source)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                   env={**os.environ, "FONTCONFIG_FILE": str(conf)})
        try:
            _, stderr = process.communicate(timeout=timeout_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfConversionError(f"LibreOffice 转换 PDF 超时（{timeout_seconds:g} 秒）") from None
        finally:
            try:  # whatever soffice left behind in its group (a daemonised soffice.bin) goes too
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        pdf = Path(work) / "report.pdf"
        if process.returncode != 0:
            detail = stderr.decode("utf-8", "replace").strip()[-300:]
            raise PdfConversionError(f"LibreOffice 转换 PDF 失败（退出码 {process.returncode}）：{detail}")
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise PdfConversionError("LibreOffice 退出正常，但没有生成 PDF 文件")
        return pdf.read_bytes()


def docx_to_pdf(docx: bytes, timeout_seconds: float = 180, retries: int = 1) -> bytes:
    """PDF bytes of `docx`; a failed attempt is retried `retries` times (LibreOffice occasionally hangs at start).

    Raises:
        PdfConversionError: soffice or the report's font configuration is missing, or the last attempt timed out, failed or produced no PDF.
    """
    soffice, fonts = _soffice(), fontconfig_text()
    for attempt in range(retries + 1):
        try:
            return _convert_once(soffice, docx, timeout_seconds, fonts)
        except PdfConversionError as error:
            if attempt == retries:
                raise PdfConversionError(f"{error}（共尝试 {retries + 1} 次）") from None
    raise AssertionError("unreachable")


def _poppler(tool: str, pdf: bytes, *args: str, after: tuple[str, ...] = ()) -> str:
    """Run a poppler tool on `pdf` (options, then the file, then `after`) and return what it prints."""
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as work:
        path = Path(work) / "in.pdf"
        path.write_bytes(pdf)
        return subprocess.run([tool, *args, str(path), *after], capture_output=True, text=True, check=True,
                              timeout=120).stdout


def pdf_page_count(pdf: bytes) -> int:
    """Number of pages, from `pdfinfo`."""
    match = re.search(r"^Pages:\s+(\d+)", _poppler("pdfinfo", pdf), re.MULTILINE)
    if match is None:
        raise PdfConversionError("pdfinfo 没有给出页数，PDF 可能已损坏")
    return int(match.group(1))


def pdf_fonts(pdf: bytes) -> list[str]:
    """One line per font from `pdffonts`: "name type encoding emb sub uni" (emb is "yes" when embedded)."""
    lines = _poppler("pdffonts", pdf).splitlines()
    return [line for line in lines[2:] if line.strip()]  # skip the header and the ---- rule


def pdf_image_pages(pdf: bytes) -> list[int]:
    """The page number of every picture in the PDF (`pdfimages -list`; soft masks not counted), in order."""
    lines = _poppler("pdfimages", pdf, "-list").splitlines()[2:]  # skip the header and the ---- rule
    return [int(fields[0]) for fields in (line.split() for line in lines) if len(fields) > 2 and fields[2] == "image"]


def pdf_pages_to_png(pdf: bytes, dpi: int = 60) -> list[bytes]:
    """Every page as PNG bytes, in page order (`pdftoppm`), for previews and visual checks."""
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as work:
        path = Path(work) / "in.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(path), str(Path(work) / "page")],
                       capture_output=True, check=True, timeout=300)
        pages = sorted(Path(work).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return [page.read_bytes() for page in pages]


@dataclass(frozen=True)
class PdfWord:
    """A word as `pdftotext -bbox` finds it: its text and box in points, from the page's top left corner."""

    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass(frozen=True)
class PdfPage:
    width: float
    height: float
    words: tuple[PdfWord, ...]


_BBOX_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.DOTALL)
_BBOX_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', re.DOTALL)


def pdf_words(pdf: bytes) -> list[PdfPage]:
    """Every page with its words and their boxes (`pdftotext -bbox`), in page order, for layout checks."""
    pages = []
    for width, height, body in _BBOX_PAGE.findall(_poppler("pdftotext", pdf, "-bbox", "-enc", "UTF-8", after=("-",))):
        words = tuple(PdfWord(unescape(text), float(x0), float(y0), float(x1), float(y1))
                      for x0, y0, x1, y1, text in _BBOX_WORD.findall(body))
        pages.append(PdfPage(float(width), float(height), words))
    return pages
