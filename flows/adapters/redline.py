"""The redline (修订对照.docx): the new report with Word tracked changes (w:ins / w:del) against the previous one.

The paragraphs of the body and of its table cells are aligned in document order (difflib on
their texts). Inside a changed paragraph the texts are compared token by token, a number with
its separators being one token, so a changed amount reads as one deletion and one insertion
rather than scattered digits. Inserted text keeps the new run's formatting, deleted text the
old run's. Everything else (styles, tables, images, unchanged paragraphs) is the new
document's own, so accepting every change in Word gives the new report.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import docx
from lxml import etree

AUTHOR = "Jixiao"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# A number with its sign, separators and percent sign is one token (as a figure prints:
# +56.60%); a Latin word one; any other character (a Chinese character, a bracket) its own.
_TOKEN = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?|[A-Za-z]+|\s+|.", re.DOTALL)
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")

# Changed blocks of more paragraphs than this on both sides pair by position: pairing by
# likeness compares every paragraph with every other.
_PAIR_BY_LIKENESS_UP_TO = 10_000

# What a paragraph copied from the old document may not bring along: relationship ids and
# bookmarks of the old package, a section break.
_FOREIGN = ("w:drawing", "w:pict", "w:object", "w:bookmarkStart", "w:bookmarkEnd", "w:commentRangeStart",
            "w:commentRangeEnd", "w:commentReference", "w:footnoteReference", "w:endnoteReference", "w:sectPr",
            "w:proofErr")


def _w(name: str) -> str:
    return f"{{{_W}}}{name}"


def _xpath(element: etree._Element, expression: str) -> list:
    # python-docx's elements take no namespaces in their own xpath(); lxml's XPath works on any.
    return etree.XPath(expression, namespaces=_NS)(element)


def redline_docx(old: bytes, new: bytes, at: dt.datetime) -> bytes:
    """The `new` report with every difference from `old` marked as a tracked change by Jixiao at `at`."""
    old_document, new_document = docx.Document(io.BytesIO(old)), docx.Document(io.BytesIO(new))
    old_paragraphs = _paragraphs(old_document.element.body)
    new_paragraphs = _paragraphs(new_document.element.body)
    marks = _Marks(at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), _highest_id(new_document.element) + 1)
    old_texts = [_text(p) for p in old_paragraphs]
    new_texts = [_text(p) for p in new_paragraphs]
    plan = _plan(old_texts, new_texts)
    rows_gone = _rows_gone(old_document.element.body, old_paragraphs, {i for i, j, _ in plan if j is None})
    inserted: set[int] = set()
    placed_rows: set[etree._Element] = set()
    previous = None                                        # the new-document paragraph last passed
    for i, j, following in plan:
        if j is not None:
            if i is None:
                _mark_inserted(new_paragraphs[j], marks)
                inserted.add(j)
            elif old_texts[i] != new_texts[j] and _alike(old_texts[i], new_texts[j]):
                _mark_changes(old_paragraphs[i], new_paragraphs[j], marks)
            elif old_texts[i] != new_texts[j]:             # rewritten: the old paragraph struck out just before the new
                new_paragraphs[j].addprevious(_deleted_copy(old_paragraphs[i], marks))
                _mark_inserted(new_paragraphs[j], marks)
            previous = new_paragraphs[j]
            continue
        after = new_paragraphs[following] if following < len(new_paragraphs) else None
        row = rows_gone.get(i)
        if row is None:
            previous = _place_deleted(old_paragraphs[i], previous, after, marks)
        elif row not in placed_rows:
            if (placed := _place_deleted_row(row, previous, after, marks)) is not None:
                placed_rows.add(row)
                previous = placed
            else:                                          # its table is gone too: paragraph by paragraph
                rows_gone = {n: r for n, r in rows_gone.items() if r is not row}
                previous = _place_deleted(old_paragraphs[i], previous, after, marks)
    _mark_inserted_rows(new_document.element.body, new_paragraphs, inserted, marks)
    buffer = io.BytesIO()
    new_document.save(buffer)
    return buffer.getvalue()


@dataclass(slots=True)
class _Marks:
    """Author, date and the next free id of the tracked changes being written."""

    date: str
    next_id: int

    def mark(self, kind: str) -> etree._Element:
        element = etree.Element(_w(kind))
        element.set(_w("id"), str(self.next_id))
        element.set(_w("author"), AUTHOR)
        element.set(_w("date"), self.date)
        self.next_id += 1
        return element


def _highest_id(root: etree._Element) -> int:
    ids = [int(value) for value in _xpath(root, "//@w:id") if str(value).isdigit()]
    return max(ids, default=0)


def _paragraphs(body: etree._Element) -> list[etree._Element]:
    """Body and table-cell paragraphs in document order (not those of text boxes inside a run)."""
    return _xpath(body, ".//w:p[not(ancestor::w:r)]")


def _runs(paragraph: etree._Element) -> list[etree._Element]:
    return _xpath(paragraph, "./w:r | ./w:hyperlink/w:r | ./w:smartTag/w:r")


def _atom_text(element: etree._Element) -> str:
    if element.tag == _w("t"):
        return element.text or ""
    if element.tag == _w("tab"):
        return "\t"
    if element.tag in (_w("br"), _w("cr")):
        return "\n"
    return ""


def _atoms(run: etree._Element) -> list[etree._Element]:
    return [child for child in run if child.tag != _w("rPr")]


def _text(paragraph: etree._Element) -> str:
    return "".join(_atom_text(atom) for run in _runs(paragraph) for atom in _atoms(run))


def _likeness(old: str, new: str) -> float:
    """How alike two paragraphs read with every number as 0: 1.0 for a table cell whose amount
    changed, near 0 for a sentence rewritten."""
    return difflib.SequenceMatcher(None, _DIGITS.sub("0", old), _DIGITS.sub("0", new), autojunk=False).ratio()


def _alike(old: str, new: str) -> bool:
    """One paragraph edited (marked word by word) rather than one replaced by another (marked whole)."""
    return _likeness(old, new) >= 0.5


def _pair(old: Sequence[str], new: Sequence[str], olds: range, news: range) -> list[tuple[int | None, int | None]]:
    """Paragraphs of a changed block that are one paragraph edited, and those only one side has.

    Blocks of equal length pair by position (a table whose cells changed); otherwise the most
    alike paragraphs pair first, as difflib pairs the lines of a changed block.
    """
    if not olds or not news:
        return [*((i, None) for i in olds), *((None, j) for j in news)]
    if len(olds) == len(news) or len(olds) * len(news) > _PAIR_BY_LIKENESS_UP_TO:
        pairs: list[tuple[int | None, int | None]] = list(zip(olds, news, strict=False))
        pairs += [(i, None) for i in olds[len(news):]] + [(None, j) for j in news[len(olds):]]
        return pairs
    best, best_ratio = None, 0.0
    for i in olds:
        for j in news:
            ratio = _likeness(old[i], new[j])
            if ratio > best_ratio and _alike(old[i], new[j]):
                best, best_ratio = (i, j), ratio
    if best is None:
        return [*((i, None) for i in olds), *((None, j) for j in news)]
    i, j = best
    return [*_pair(old, new, range(olds.start, i), range(news.start, j)), (i, j),
            *_pair(old, new, range(i + 1, olds.stop), range(j + 1, news.stop))]


def _plan(old: Sequence[str], new: Sequence[str]) -> list[tuple[int | None, int | None, int]]:
    """Every paragraph of both documents in order: (old index, new index) when one paragraph
    stands in both (edited or not), one side None when only one has it; with the index of the
    new paragraph that follows the block, where a deletion that fits nowhere earlier goes."""
    plan: list[tuple[int | None, int | None, int]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = zip(range(i1, i2), range(j1, j2), strict=True) if tag == "equal" else _pair(old, new, range(i1, i2), range(j1, j2))
        plan += [(i, j, j2) for i, j in pairs]
    return plan


def _rows_gone(body: etree._Element, paragraphs: Sequence[etree._Element], gone: set[int]) -> dict[int, etree._Element]:
    """Old paragraph index -> the old table row it lies in, for rows whose every paragraph is
    gone: such a row is shown as a deleted row rather than as text moved into a neighbour."""
    index = {id(p): n for n, p in enumerate(paragraphs)}
    rows: dict[int, etree._Element] = {}
    for row in _xpath(body, ".//w:tr"):                   # outer rows come before the rows nested in them
        inside = [index[id(p)] for p in _xpath(row, ".//w:p[not(ancestor::w:r)]") if id(p) in index]
        if inside and all(n in gone for n in inside):
            for n in inside:
                rows.setdefault(n, row)
    return rows


# --- one paragraph edited --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Span:
    """A stretch of the new paragraph's text, unchanged or inserted."""

    start: int
    end: int
    inserted: bool


def _token_bounds(text: str) -> list[int]:
    bounds = [0]
    for match in _TOKEN.finditer(text):
        bounds.append(match.end())
    return bounds


def _diff(old: str, new: str) -> tuple[list[_Span], dict[int, list[tuple[int, int]]]]:
    """The new text as unchanged and inserted spans, and the old text's deleted stretches by
    the new-text position where they stood."""
    old_bounds, new_bounds = _token_bounds(old), _token_bounds(new)
    old_tokens = [old[a:b] for a, b in itertools.pairwise(old_bounds)]
    new_tokens = [new[a:b] for a, b in itertools.pairwise(new_bounds)]
    spans: list[_Span] = []
    deleted: dict[int, list[tuple[int, int]]] = {}
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        start, end = new_bounds[j1], new_bounds[j2]
        if tag in ("delete", "replace"):
            deleted.setdefault(start, []).append((old_bounds[i1], old_bounds[i2]))
        if end > start:
            spans.append(_Span(start, end, tag != "equal"))
    return spans, deleted


def _mark_changes(old_paragraph: etree._Element, paragraph: etree._Element, marks: _Marks) -> None:
    old_text, new_text = _text(old_paragraph), _text(paragraph)
    spans, deleted = _diff(old_text, new_text)
    old_formats = _formats(old_paragraph)
    runs = _runs(paragraph)
    pending = sorted(deleted)

    def deletions_up_to(position: int) -> Iterator[etree._Element]:
        while pending and pending[0] <= position:
            for start, end in deleted[pending.pop(0)]:
                yield _deleted_text(old_text, start, end, old_formats, marks)

    position = 0
    for run in runs:
        made: list[etree._Element] = []
        properties = run.find(_w("rPr"))
        for atom in _atoms(run):
            text = _atom_text(atom)
            if not text:                                   # a drawing, a field character: kept as it is
                made.append(_run(properties, [atom]))
                continue
            for start, end, inserted in _cut(spans, position, position + len(text)):
                made += deletions_up_to(start)
                piece = [_t(text[start - position:end - position])] if atom.tag == _w("t") else [atom]
                made.append(_inserted(_run(properties, piece), marks) if inserted else _run(properties, piece))
            position += len(text)
        for element in made:
            run.addprevious(element)
        run.getparent().remove(run)
    _append_after_runs(paragraph, list(deletions_up_to(len(new_text))))


def _append_after_runs(paragraph: etree._Element, elements: list[etree._Element]) -> None:
    last = _xpath(paragraph, "./w:r | ./w:ins | ./w:del | ./w:hyperlink | ./w:smartTag")
    anchor = last[-1] if last else None
    for element in elements:
        if anchor is None:
            paragraph.append(element)
        else:
            anchor.addnext(element)
        anchor = element


def _cut(spans: Sequence[_Span], start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    """The parts of [start, end) of the new text, each unchanged or inserted."""
    for span in spans:
        low, high = max(span.start, start), min(span.end, end)
        if low < high:
            yield low, high, span.inserted


def _formats(paragraph: etree._Element) -> list[tuple[int, int, etree._Element | None]]:
    """(start, end, run properties) of every run of a paragraph's text."""
    found, position = [], 0
    for run in _runs(paragraph):
        length = sum(len(_atom_text(atom)) for atom in _atoms(run))
        found.append((position, position + length, run.find(_w("rPr"))))
        position += length
    return found


def _deleted_text(text: str, start: int, end: int, formats, marks: _Marks) -> etree._Element:
    """A w:del holding old text [start, end), each part in the formatting of the old run it was in."""
    deletion = marks.mark("del")
    for low, high, properties in formats:
        low, high = max(low, start), min(high, end)
        if low >= high:
            continue
        run = _run(_without_changes(properties), [])
        for part in re.split(r"([\t\n])", text[low:high]):
            if part == "\t":
                run.append(etree.Element(_w("tab")))
            elif part == "\n":
                run.append(etree.Element(_w("br")))
            elif part:
                run.append(_t(part, deleted=True))
        deletion.append(run)
    return deletion


def _without_changes(properties: etree._Element | None) -> etree._Element | None:
    if properties is None:
        return None
    properties = copy.deepcopy(properties)
    for change in properties.findall(_w("rPrChange")):
        properties.remove(change)
    return properties


def _run(properties: etree._Element | None, children: Sequence[etree._Element]) -> etree._Element:
    run = etree.Element(_w("r"))
    if properties is not None:
        run.append(copy.deepcopy(properties))
    for child in children:
        run.append(child)
    return run


def _t(text: str, deleted: bool = False) -> etree._Element:
    element = etree.Element(_w("delText" if deleted else "t"))
    element.text = text
    element.set(_XML_SPACE, "preserve")
    return element


def _inserted(run: etree._Element, marks: _Marks) -> etree._Element:
    insertion = marks.mark("ins")
    insertion.append(run)
    return insertion


# --- whole paragraphs --------------------------------------------------------------------------

def _mark_paragraph(paragraph: etree._Element, kind: str, marks: _Marks) -> None:
    """Mark the paragraph mark itself inserted or deleted, so the paragraph comes or goes whole."""
    properties = paragraph.find(_w("pPr"))
    if properties is None:
        properties = etree.Element(_w("pPr"))
        paragraph.insert(0, properties)
    mark_properties = properties.find(_w("rPr"))
    if mark_properties is None:
        mark_properties = etree.Element(_w("rPr"))
        after = properties.find(_w("sectPr"))
        after = after if after is not None else properties.find(_w("pPrChange"))
        if after is not None:
            after.addprevious(mark_properties)
        else:
            properties.append(mark_properties)
    mark_properties.insert(0, marks.mark(kind))


def _mark_inserted(paragraph: etree._Element, marks: _Marks) -> None:
    for run in _runs(paragraph):
        insertion = marks.mark("ins")
        run.addprevious(insertion)
        insertion.append(run)
    _mark_paragraph(paragraph, "ins", marks)


def _place_deleted(old_paragraph: etree._Element, previous: etree._Element | None,
                   following: etree._Element | None, marks: _Marks) -> etree._Element:
    """Put a struck-through copy of a paragraph the new report no longer has where it stood:
    after the paragraph before it when both lie in the same kind of place (body or table
    cell), else before the one after it."""
    deleted = _deleted_copy(old_paragraph, marks)
    where = old_paragraph.getparent().tag
    if previous is not None and (previous.getparent().tag == where or following is None):
        previous.addnext(deleted)
    elif following is not None:
        following.addprevious(deleted)
    else:
        raise ValueError("a report without paragraphs cannot carry a deletion")
    return deleted


def _place_deleted_row(row: etree._Element, previous: etree._Element | None, following: etree._Element | None,
                       marks: _Marks) -> etree._Element | None:
    """Put a deleted copy of a table row after the row of the paragraph before it, or before the
    row of the one after it; None when neither lies in a table (the whole table is gone)."""
    deleted = copy.deepcopy(row)
    for paragraph in _xpath(deleted, ".//w:p"):
        _strike(paragraph, marks)
    _mark_row(deleted, "del", marks)
    before = _row_of(previous)
    if before is not None:
        before.addnext(deleted)
    elif (after := _row_of(following)) is not None:
        after.addprevious(deleted)
    else:
        return None
    return _xpath(deleted, ".//w:p")[-1]


def _row_of(paragraph: etree._Element | None) -> etree._Element | None:
    rows = _xpath(paragraph, "ancestor::w:tr") if paragraph is not None else []
    return rows[-1] if rows else None


def _mark_row(row: etree._Element, kind: str, marks: _Marks) -> None:
    properties = row.find(_w("trPr"))
    if properties is None:
        properties = etree.Element(_w("trPr"))
        exceptions = row.find(_w("tblPrEx"))
        if exceptions is not None:
            exceptions.addnext(properties)
        else:
            row.insert(0, properties)
    change = properties.find(_w("trPrChange"))
    if change is not None:
        change.addprevious(marks.mark(kind))
    else:
        properties.append(marks.mark(kind))


def _mark_inserted_rows(body: etree._Element, paragraphs: Sequence[etree._Element], inserted: set[int],
                        marks: _Marks) -> None:
    """A table row all of whose paragraphs are new is an inserted row."""
    index = {id(p): n for n, p in enumerate(paragraphs)}
    for row in _xpath(body, ".//w:tr"):
        inside = [index[id(p)] for p in _xpath(row, ".//w:p[not(ancestor::w:r)]") if id(p) in index]
        if inside and all(n in inserted for n in inside):
            _mark_row(row, "ins", marks)


def _deleted_copy(old_paragraph: etree._Element, marks: _Marks) -> etree._Element:
    paragraph = copy.deepcopy(old_paragraph)
    _strike(paragraph, marks)
    return paragraph


def _strike(paragraph: etree._Element, marks: _Marks) -> None:
    """Turn a copy of an old paragraph into a deleted one: its text as w:delText in w:del runs,
    its mark deleted, nothing that points into the old document's package."""
    for name in _FOREIGN:
        for element in _xpath(paragraph, f".//{name}"):
            element.getparent().remove(element)
    for wrapper in _xpath(paragraph, "./w:hyperlink | ./w:smartTag"):
        for child in list(wrapper):
            wrapper.addprevious(child)
        paragraph.remove(wrapper)
    for attribute in [a for a in paragraph.attrib if "w14" in a]:
        del paragraph.attrib[attribute]
    for run in _xpath(paragraph, "./w:r"):
        for text in run.findall(_w("t")):
            text.tag = _w("delText")
        for instruction in run.findall(_w("instrText")):
            instruction.tag = _w("delInstrText")
        deletion = marks.mark("del")
        run.addprevious(deletion)
        deletion.append(run)
    _mark_paragraph(paragraph, "del", marks)
