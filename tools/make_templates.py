"""Regenerate the shipped Word shells in msa_builder/data/templates/: agreement, review-memo, redline and amendment.docx.

These .docx files are the source a provider edits in Word to rebrand (fonts, colours, cover,
header and footer text); this script only recreates our defaults. They are deliberately lean:
python-docx's default template carries ~800 KB of unused style XML that every build would
otherwise re-compress. Fonts are Calibri and Cambria, which LibreOffice replaces with the
metric-compatible Carlito and Caladea, so page counts agree between Word and the PDF.

Run: python tools/make_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from msa_builder.ooxml.package import write_package  # noqa: E402
from msa_builder.ooxml.xml import DECL  # noqa: E402

W = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
HERE = Path(__file__).resolve().parents[1] / "msa_builder" / "data" / "templates"
TEXT_WIDTH = 9360  # 6.5 in between 1 in margins on US Letter


def _style(kind: str, sid: str, name: str, *, based: str | None = "Normal", next_: str | None = None,
           ppr: str = "", rpr: str = "", default: bool = False, extra: str = "") -> str:
    attrs = f'w:type="{kind}" w:styleId="{sid}"' + (' w:default="1"' if default else "")
    out = f'<w:style {attrs}><w:name w:val="{name}"/>'
    if based:
        out += f'<w:basedOn w:val="{based}"/>'
    if next_:
        out += f'<w:next w:val="{next_}"/>'
    out += '<w:qFormat/>' + extra
    if ppr:
        out += f"<w:pPr>{ppr}</w:pPr>"
    if rpr:
        out += f"<w:rPr>{rpr}</w:rPr>"
    return out + "</w:style>"


CAMBRIA = '<w:rFonts w:ascii="Cambria" w:hAnsi="Cambria" w:cs="Cambria"/>'
TABS = f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_WIDTH // 2}"/><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'


def styles_xml(extra: tuple[str, ...] = ()) -> str:
    styles = [
        _style("paragraph", "Normal", "Normal", based=None, default=True),
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>',
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
        '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
        '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:semiHidden/></w:style>',
        _style("paragraph", "Title", "Title", next_="Normal",
               ppr='<w:spacing w:before="2400" w:after="480"/><w:jc w:val="center"/>',
               rpr=CAMBRIA + '<w:b/><w:caps/><w:sz w:val="44"/><w:szCs w:val="44"/>'),
        _style("paragraph", "Subtitle", "Subtitle", next_="Normal",
               ppr='<w:spacing w:before="120" w:after="120"/><w:jc w:val="center"/>',
               rpr='<w:i/><w:sz w:val="24"/>'),
        _style("paragraph", "CoverParty", "Cover Party", ppr='<w:spacing w:after="120"/><w:jc w:val="center"/>',
               rpr=CAMBRIA + '<w:b/><w:sz w:val="30"/><w:szCs w:val="30"/>'),
        _style("paragraph", "CoverDetail", "Cover Detail", ppr='<w:spacing w:after="60"/><w:jc w:val="center"/>',
               rpr='<w:sz w:val="20"/><w:szCs w:val="20"/>'),
        _style("paragraph", "CoverMark", "Cover Mark",
               ppr='<w:spacing w:before="960" w:after="240"/><w:jc w:val="center"/>',
               rpr='<w:b/><w:color w:val="C00000"/><w:sz w:val="32"/><w:szCs w:val="32"/>'),
        _style("paragraph", "CoverNote", "Cover Note",
               ppr='<w:spacing w:before="240" w:after="0"/><w:ind w:left="1080" w:right="1080"/><w:jc w:val="center"/>',
               rpr='<w:i/><w:sz w:val="18"/><w:szCs w:val="18"/>'),
        _style("paragraph", "Heading1", "heading 1", next_="BodyText",
               ppr='<w:keepNext/><w:keepLines/><w:numPr><w:numId w:val="1"/></w:numPr>'
                   '<w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/>',
               rpr=CAMBRIA + '<w:b/><w:caps/><w:sz w:val="24"/><w:szCs w:val="24"/>'),
        _style("paragraph", "Heading2", "heading 2", next_="BodyText",
               ppr='<w:keepNext/><w:keepLines/><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr>'
                   '<w:spacing w:before="200" w:after="80"/><w:outlineLvl w:val="1"/>',
               rpr='<w:b/>'),
        _style("paragraph", "Heading3", "heading 3", next_="BodyText",
               ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="80"/><w:outlineLvl w:val="2"/>',
               rpr='<w:b/><w:i/>'),
        _style("paragraph", "ScheduleHeading", "Schedule Heading", next_="BodyText",
               ppr='<w:keepNext/><w:pageBreakBefore/><w:spacing w:before="0" w:after="240"/>'
                   '<w:jc w:val="center"/><w:outlineLvl w:val="0"/>',
               rpr=CAMBRIA + '<w:b/><w:caps/><w:sz w:val="26"/><w:szCs w:val="26"/>'),
        _style("paragraph", "BodyText", "Body Text", ppr='<w:spacing w:after="120"/><w:ind w:left="720"/><w:jc w:val="both"/>'),
        _style("paragraph", "ClauseList", "Clause List", based="BodyText",
               ppr='<w:spacing w:after="80"/><w:ind w:left="1440" w:hanging="720"/>'),
        _style("paragraph", "ListBullet", "List Bullet", based="BodyText",
               ppr='<w:numPr><w:numId w:val="3"/></w:numPr><w:spacing w:after="60"/><w:ind w:left="1080" w:hanging="360"/>'),
        _style("paragraph", "TableText", "Table Text", ppr='<w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/>',
               rpr='<w:sz w:val="18"/><w:szCs w:val="18"/>'),
        _style("paragraph", "TOCHeading", "TOC Heading", next_="Normal",
               ppr='<w:spacing w:before="0" w:after="240"/><w:jc w:val="center"/>',
               rpr=CAMBRIA + '<w:b/><w:caps/><w:sz w:val="26"/><w:szCs w:val="26"/>'),
        _style("paragraph", "TOC1", "toc 1", next_="Normal",
               ppr=f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs><w:spacing w:before="80" w:after="20"/>',
               rpr='<w:b/>'),
        _style("paragraph", "TOC2", "toc 2", next_="Normal",
               ppr=f'<w:tabs><w:tab w:val="left" w:pos="1200"/><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs><w:spacing w:after="0"/><w:ind w:left="440"/>'),
        _style("paragraph", "Header", "header", ppr=TABS + '<w:spacing w:after="0"/>',
               rpr='<w:sz w:val="16"/><w:szCs w:val="16"/>'),
        _style("paragraph", "Footer", "footer", ppr=TABS + '<w:spacing w:after="0"/>',
               rpr='<w:sz w:val="16"/><w:szCs w:val="16"/>'),
        _style("paragraph", "MemoHeading", "Memo Heading", next_="BodyText",
               ppr='<w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/>',
               rpr=CAMBRIA + '<w:b/><w:caps/><w:color w:val="1F3864"/><w:sz w:val="24"/><w:szCs w:val="24"/>'),
        _style("paragraph", "SignatureText", "Signature Text", ppr='<w:spacing w:before="240" w:after="0"/>'),
        '<w:style w:type="table" w:styleId="MsaTable"><w:name w:val="MSA Table"/><w:basedOn w:val="TableNormal"/>'
        '<w:qFormat/><w:pPr><w:spacing w:after="0"/></w:pPr><w:tblPr><w:tblBorders>'
        + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
                  for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + '</w:tblBorders><w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>'
          '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
        '<w:style w:type="table" w:styleId="SignatureTable"><w:name w:val="Signature Table"/>'
        '<w:basedOn w:val="TableNormal"/><w:qFormat/></w:style>',
        *extra,
    ]
    defaults = (
        '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" '
        'w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/>'
        '<w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
        '</w:docDefaults>'
    )
    return DECL + f"<w:styles {W}>{defaults}{''.join(styles)}</w:styles>"


def _lvl(ilvl: int, fmt: str, text: str, *, left: int, hanging: int, style: str | None = None,
         suffix: str = "tab", rpr: str = "") -> str:
    out = (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
           + (f'<w:pStyle w:val="{style}"/>' if style else "")
           + f'<w:suff w:val="{suffix}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
           f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr>')
    if rpr:
        out += f"<w:rPr>{rpr}</w:rPr>"
    return out + "</w:lvl>"


def numbering_xml() -> str:
    headings = (
        '<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="multilevel"/>'
        + _lvl(0, "decimal", "Article %1.", left=0, hanging=0, style="Heading1", suffix="space")
        + _lvl(1, "decimal", "%1.%2", left=720, hanging=720, style="Heading2")
        + "</w:abstractNum>"
    )
    clause_list = (
        '<w:abstractNum w:abstractNumId="2"><w:multiLevelType w:val="multilevel"/>'
        + _lvl(0, "lowerLetter", "(%1)", left=1440, hanging=720)
        + _lvl(1, "lowerRoman", "(%2)", left=2160, hanging=720)
        + _lvl(2, "upperLetter", "(%3)", left=2880, hanging=720)
        + "</w:abstractNum>"
    )
    bullets = (
        '<w:abstractNum w:abstractNumId="3"><w:multiLevelType w:val="multilevel"/>'
        + _lvl(0, "bullet", "\u2022", left=1080, hanging=360, rpr='<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"/>')
        + _lvl(1, "bullet", "\u2013", left=1440, hanging=360, rpr='<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"/>')
        + _lvl(2, "bullet", "\u2022", left=1800, hanging=360, rpr='<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"/>')
        + "</w:abstractNum>"
    )
    nums = ''.join(f'<w:num w:numId="{n}"><w:abstractNumId w:val="{n}"/></w:num>' for n in (1, 2, 3))
    return DECL + f"<w:numbering {W}>{headings}{clause_list}{bullets}{nums}</w:numbering>"


# CT_Settings is a sequence: defaultTabStop, characterSpacingControl, updateFields, compat, ...,
# decimalSymbol, listSeparator. Word "repairs" a file whose settings are out of that order.
SETTINGS = DECL + (
    f'<w:settings {W}><w:defaultTabStop w:val="720"/>'
    '<w:characterSpacingControl w:val="doNotCompress"/><w:updateFields w:val="true"/>'
    '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
    '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>'
)
FONTS = DECL + (
    f'<w:fonts {W}><w:font w:name="Calibri"><w:panose1 w:val="020F0502020204030204"/><w:charset w:val="00"/>'
    '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
    '<w:font w:name="Cambria"><w:panose1 w:val="02040503050406030204"/><w:charset w:val="00"/>'
    '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font></w:fonts>'
)

_A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
_ACCENTS = ("1F3864", "C00000", "2E75B6", "70AD47", "FFC000", "7030A0")
# Word expects a theme part (its theme fonts and colours back every style); the smallest valid one:
# Cambria headings, Calibri body, as the styles name them, and three plain fills, lines and effects.
THEME = DECL + (
    f'<a:theme {_A} name="msa-builder"><a:themeElements>'
    '<a:clrScheme name="msa-builder">'
    '<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>'
    '<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>'
    '<a:dk2><a:srgbClr val="1F3864"/></a:dk2><a:lt2><a:srgbClr val="E7E6E6"/></a:lt2>'
    + "".join(f'<a:accent{i}><a:srgbClr val="{c}"/></a:accent{i}>' for i, c in enumerate(_ACCENTS, 1))
    + '<a:hlink><a:srgbClr val="0563C1"/></a:hlink><a:folHlink><a:srgbClr val="954F72"/></a:folHlink>'
    '</a:clrScheme>'
    '<a:fontScheme name="msa-builder">'
    '<a:majorFont><a:latin typeface="Cambria"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>'
    '<a:minorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont>'
    '</a:fontScheme>'
    '<a:fmtScheme name="msa-builder">'
    '<a:fillStyleLst>' + '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>' * 3 + '</a:fillStyleLst>'
    '<a:lnStyleLst>' + '<a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>' * 3
    + '</a:lnStyleLst>'
    '<a:effectStyleLst>' + '<a:effectStyle><a:effectLst/></a:effectStyle>' * 3 + '</a:effectStyleLst>'
    '<a:bgFillStyleLst>' + '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>' * 3 + '</a:bgFillStyleLst>'
    '</a:fmtScheme></a:themeElements></a:theme>'
)


def _p(text: str, style: str) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def _field_runs(instr: str, cached: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t>{cached}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


def header_xml() -> str:
    body = ('<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>'
            '<w:r><w:t xml:space="preserve">{{ client_name }} · {{ agreement_id }}</w:t></w:r>'
            '<w:r><w:tab/><w:tab/></w:r><w:r><w:rPr><w:b/><w:color w:val="C00000"/></w:rPr>'
            '<w:t xml:space="preserve">{{ mark }}</w:t></w:r></w:p>')
    return DECL + f"<w:hdr {W}>{body}</w:hdr>"


def footer_xml() -> str:
    body = ('<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>'
            '<w:r><w:t xml:space="preserve">{{ footer_left }}</w:t></w:r><w:r><w:tab/><w:tab/></w:r>'
            '<w:r><w:t xml:space="preserve">Page </w:t></w:r>' + _field_runs("PAGE", "1")
            + '<w:r><w:t xml:space="preserve"> of </w:t></w:r>' + _field_runs("NUMPAGES", "1") + "</w:p>")
    return DECL + f"<w:ftr {W}>{body}</w:ftr>"


def body_footer_xml() -> str:
    """The agreement body's footer: its page number restarts at 1 after the contents.

    "of N" is left out: NUMPAGES counts the cover and contents, and LibreOffice has no count of a
    section's own pages (it prints SECTIONPAGES as its cached value).
    """
    body = ('<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>'
            '<w:r><w:t xml:space="preserve">{{ footer_left }}</w:t></w:r><w:r><w:tab/><w:tab/></w:r>'
            '<w:r><w:t xml:space="preserve">Page </w:t></w:r>' + _field_runs("PAGE", "1") + "</w:p>")
    return DECL + f"<w:ftr {W}>{body}</w:ftr>"


def front_footer_xml() -> str:
    """The cover's and contents' footer: no page number (the PDF labels them Cover and Contents i)."""
    body = ('<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>'
            '<w:r><w:t xml:space="preserve">{{ footer_left }}</w:t></w:r></w:p>')
    return DECL + f"<w:ftr {W}>{body}</w:ftr>"


def _sect(footer: str = "rIdFooter1", extra: str = "") -> str:
    return (f'<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader1"/>'
            f'<w:footerReference w:type="default" r:id="{footer}"/>'
            '<w:pgSz w:w="12240" w:h="15840"/>'
            '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" '
            f'w:gutter="0"/>{extra}</w:sectPr>')


SECT = _sect()
# The agreement has two sections: cover and contents, then the body, whose page numbers start at 1.
FRONT_SECT = f"<w:p><w:pPr>{_sect('rIdFooter2')}</w:pPr></w:p>"
BODY_SECT = _sect(extra='<w:pgNumType w:start="1"/>')


def _signature_table() -> str:
    def cell(text: str) -> str:
        return (f'<w:tc><w:tcPr><w:tcW w:w="{TEXT_WIDTH // 2}" w:type="dxa"/></w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="SignatureText"/></w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:tc>')

    rows = [
        ("{{ provider_name_caps }}", "{{ client_name_caps }}"),
        ("By: ______________________________", "By: ______________________________"),
        ("Name: {{ provider_signatory_name }}", "Name: {{ client_signatory_name }}"),
        ("Title: {{ provider_signatory_title }}", "Title: {{ client_signatory_title }}"),
        ("Date: ____________________________", "Date: ____________________________"),
    ]
    out = (f'<w:tbl><w:tblPr><w:tblStyle w:val="SignatureTable"/><w:tblW w:w="{TEXT_WIDTH}" w:type="dxa"/>'
           '<w:tblLayout w:type="fixed"/></w:tblPr>'
           f'<w:tblGrid><w:gridCol w:w="{TEXT_WIDTH // 2}"/><w:gridCol w:w="{TEXT_WIDTH // 2}"/></w:tblGrid>')
    for left, right in rows:
        out += f'<w:tr><w:trPr><w:cantSplit/></w:trPr>{cell(left)}{cell(right)}</w:tr>'
    return out + "</w:tbl>"


def agreement_document() -> str:
    body = "".join([
        _p("{{ title }}", "Title"),
        _p("between", "Subtitle"),
        _p("{{ provider_name }}", "CoverParty"),
        _p("and", "Subtitle"),
        _p("{{ client_name }}", "CoverParty"),
        _p("Effective {{ effective_date }}", "CoverDetail"),
        _p("Agreement {{ agreement_id }} · {{ tier_name }} · {{ industry_name }}", "CoverDetail"),
        _p("Clause library {{ library_name }} {{ library_version }}", "CoverDetail"),
        _p("{{ mark }}", "CoverMark"),
        _p("{{ cover_note }}", "CoverNote"),
        '<w:p><w:r><w:br w:type="page"/></w:r></w:p>',
        _p("Contents", "TOCHeading"),
        "<w:p><w:r><w:t>{{p toc }}</w:t></w:r></w:p>",
        FRONT_SECT,
        "<w:p><w:r><w:t>{{p body }}</w:t></w:r></w:p>",
        _p("Signatures", "ScheduleHeading"),
        "<w:p><w:r><w:t>{{p signature_leadin }}</w:t></w:r></w:p>",
        _signature_table(),
        "<w:p><w:r><w:t>{{p schedules }}</w:t></w:r></w:p>",
        BODY_SECT,
    ])
    return DECL + f"<w:document {W}><w:body>{body}</w:body></w:document>"


AMENDMENT_STYLES = (
    _style("paragraph", "AmendmentItem", "Amendment Item", next_="BodyText",
           ppr='<w:keepNext/><w:spacing w:before="240" w:after="120"/><w:ind w:left="720" w:hanging="720"/>'
               '<w:jc w:val="both"/>'),
    _style("paragraph", "AmendmentClauseTitle", "Amendment Clause Title", based="BodyText", next_="BodyText",
           ppr='<w:keepNext/>', rpr='<w:b/>'),
)


def amendment_document() -> str:
    """An amendment: title, parties and recitals, numbered changes, closing terms, signatures."""
    body = "".join([
        _p("{{ title }}", "TOCHeading"),
        _p("{{ client_name }} \u00b7 effective {{ effective_date }}", "CoverDetail"),
        "<w:p><w:r><w:t>{{p body }}</w:t></w:r></w:p>",
        _p("Signatures", "ScheduleHeading"),
        "<w:p><w:r><w:t>{{p signature_leadin }}</w:t></w:r></w:p>",
        _signature_table(),
        SECT,
    ])
    return DECL + f"<w:document {W}><w:body>{body}</w:body></w:document>"


def memo_document() -> str:
    body = "".join([
        _p("Attorney Review Memo", "TOCHeading"),
        _p("{{ title }}: {{ client_name }}", "CoverParty"),
        _p("Agreement {{ agreement_id }} · effective {{ effective_date }} · {{ tier_name }} · {{ industry_name }}", "CoverDetail"),
        _p("Clause library {{ library_name }} {{ library_version }} · clauses as of {{ as_of }}", "CoverDetail"),
        _p("{{ mark }}", "CoverMark"),
        "<w:p><w:r><w:t>{{p body }}</w:t></w:r></w:p>",
        SECT,
    ])
    return DECL + f"<w:document {W}><w:body>{body}</w:body></w:document>"


CONTENT_TYPES = DECL + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'
    '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>'
    '<Override PartName="/word/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
    '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>'
    '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
    '{front_footer}'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
    "</Types>"
)
ROOT_RELS = DECL + (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
    '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
    "</Relationships>"
)
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
DOC_RELS = DECL + (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rIdStyles" Type="{_R}styles" Target="styles.xml"/>'
    f'<Relationship Id="rIdNumbering" Type="{_R}numbering" Target="numbering.xml"/>'
    f'<Relationship Id="rIdSettings" Type="{_R}settings" Target="settings.xml"/>'
    f'<Relationship Id="rIdFonts" Type="{_R}fontTable" Target="fontTable.xml"/>'
    f'<Relationship Id="rIdTheme" Type="{_R}theme" Target="theme/theme1.xml"/>'
    f'<Relationship Id="rIdHeader1" Type="{_R}header" Target="header1.xml"/>'
    f'<Relationship Id="rIdFooter1" Type="{_R}footer" Target="footer1.xml"/>'
    '{front_footer}'
    "</Relationships>"
)
APP = DECL + (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>msa-builder</Application><DocSecurity>0</DocSecurity></Properties>"
)
CORE = DECL + (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>msa-builder template</dc:title></cp:coreProperties>'
)
CUSTOM = DECL + (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)


def package(document: str, header_mark: bool = True, *, styles: str | None = None, settings: str = SETTINGS,
            header: str | None = None, footer: str | None = None, front_footer: str | None = None) -> bytes:
    front_type = ('<Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-'
                  'officedocument.wordprocessingml.footer+xml"/>') if front_footer else ""
    front_rel = f'<Relationship Id="rIdFooter2" Type="{_R}footer" Target="footer2.xml"/>' if front_footer else ""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES.replace("{front_footer}", front_type),
        "_rels/.rels": ROOT_RELS,
        "word/_rels/document.xml.rels": DOC_RELS.replace("{front_footer}", front_rel),
        "word/document.xml": document,
        "word/styles.xml": styles or styles_xml(),
        "word/numbering.xml": numbering_xml(),
        "word/settings.xml": settings,
        "word/fontTable.xml": FONTS,
        "word/theme/theme1.xml": THEME,
        "word/header1.xml": header or header_xml(),
        "word/footer1.xml": footer or footer_xml(),
        "docProps/app.xml": APP,
        "docProps/core.xml": CORE,
        "docProps/custom.xml": CUSTOM,
    }
    if front_footer:
        parts["word/footer2.xml"] = front_footer
    return write_package({k: v.encode("utf-8") for k, v in parts.items()})


# --- The redline shell (`msa diff`, `msa compare`): the agreement's styles and numbering, so a
# full-agreement redline looks like the agreement, plus a few styles of its own. Its settings turn
# on Track Changes, so an attorney's own edits to the redline are tracked too, and do not ask Word
# to update fields on opening.

REDLINE_STYLES = (
    _style("paragraph", "RedlineHeading", "Redline Heading", next_="BodyText",
           ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="1"/>',
           rpr=CAMBRIA + '<w:b/><w:sz w:val="24"/><w:szCs w:val="24"/>'),
    _style("paragraph", "RedlineNote", "Redline Note", based="BodyText",
           ppr='<w:spacing w:after="60"/>', rpr='<w:i/><w:color w:val="404040"/><w:sz w:val="20"/><w:szCs w:val="20"/>'),
    _style("paragraph", "RedlineSummary", "Redline Summary", based="BodyText",
           ppr='<w:spacing w:after="40"/><w:ind w:left="720" w:hanging="0"/><w:jc w:val="left"/>',
           rpr='<w:sz w:val="20"/><w:szCs w:val="20"/>'),
)
REDLINE_SETTINGS = DECL + (
    f'<w:settings {W}><w:trackRevisions/><w:defaultTabStop w:val="720"/>'
    '<w:characterSpacingControl w:val="doNotCompress"/>'
    '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
    '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>'
)


def redline_header_xml() -> str:
    body = ('<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>'
            '<w:r><w:t xml:space="preserve">{{ header_left }}</w:t></w:r>'
            '<w:r><w:tab/><w:tab/></w:r><w:r><w:rPr><w:b/><w:color w:val="C00000"/></w:rPr>'
            '<w:t xml:space="preserve">{{ mark }}</w:t></w:r></w:p>')
    return DECL + f"<w:hdr {W}>{body}</w:hdr>"


def redline_document() -> str:
    body = "".join([
        _p("{{ title }}", "TOCHeading"),
        _p("{{ subtitle }}", "CoverParty"),
        "<w:p><w:r><w:t>{{p cover }}</w:t></w:r></w:p>",
        "<w:p><w:r><w:t>{{p body }}</w:t></w:r></w:p>",
        SECT,
    ])
    return DECL + f"<w:document {W}><w:body>{body}</w:body></w:document>"


def main() -> None:
    (HERE / "agreement.docx").write_bytes(package(agreement_document(), footer=body_footer_xml(),
                                                  front_footer=front_footer_xml()))
    (HERE / "review-memo.docx").write_bytes(package(memo_document()))
    (HERE / "amendment.docx").write_bytes(package(amendment_document(), styles=styles_xml(AMENDMENT_STYLES)))
    (HERE / "redline.docx").write_bytes(package(redline_document(), styles=styles_xml(REDLINE_STYLES),
                                                settings=REDLINE_SETTINGS, header=redline_header_xml()))
    print(f"wrote agreement.docx, review-memo.docx, redline.docx and amendment.docx in {HERE}")


if __name__ == "__main__":
    main()
