"""The monthly bulletin as a Word file laid out like an official document (GB/T 9704-2012).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 方正小标宋简体 二号 (22 pt)
centred; body 仿宋_GB2312 三号 (16 pt) with a first-line indent of two characters and a fixed
28 pt line pitch; 一、 headings 黑体, （一） headings 楷体_GB2312. Chinese font names are set on
w:rFonts/@w:eastAsia (python-docx's `font.name` sets only the Latin ones).
"""

from __future__ import annotations

from pathlib import Path

from servicetui.reports.monthly import Bulletin

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
TITLE_PT = 22  # 二号
BODY_PT = 16  # 三号
LINE_PT = 28


def official_document(title: str, *, landscape: bool = False):
    """A new Word document with the official page, body style and centred title (GB/T 9704).

    Landscape turns the page and its margins with it (the binding edge stays on the long side)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    doc = Document()
    doc.core_properties.title = title
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)

    normal = doc.styles["Normal"]
    set_font(normal, BODY_FONT, BODY_PT)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.space_before = pf.space_after = Pt(0)

    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.line_spacing = Pt(36)
    set_font(heading.add_run(title), TITLE_FONT, TITLE_PT)
    return doc


def set_font(target, name: str, size: int, bold: bool = False) -> None:
    """Font of a run or a style, East-Asian name included."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    target.font.name = name
    target.font.size = Pt(size)
    target.font.bold = bold
    element = target.element if hasattr(target, "type") else target._element
    rpr = element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _indent_two_chars(paragraph) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    if ind is not None:
        ind.set(qn("w:firstLineChars"), "200")


def write_docx(b: Bulletin, path: Path) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = official_document(b.title)
    doc.add_paragraph()  # one blank line under the title

    for para in b.paras:
        p = doc.add_paragraph()
        _indent_two_chars(p)
        if para.lead:
            font = {1: H1_FONT, 2: H2_FONT}.get(para.level, BODY_FONT)
            set_font(p.add_run(para.lead), font, BODY_PT)
        if para.text:
            set_font(p.add_run(para.text), BODY_FONT, BODY_PT)

    doc.add_paragraph()
    for line in (b.signature, b.date_line):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(BODY_PT * 4)
        set_font(p.add_run(line), BODY_FONT, BODY_PT)
    doc.save(str(path))
