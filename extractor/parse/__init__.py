"""The template parser: a :class:`~extractor.document.Document` → report, evidence, parse findings.

It knows the national template (sections 二/三/四, row labels, column headers,
meta in the title and signature), not file formats. It imports the core types
and ``load``'s helpers only; never ``llm``, ``verify``, ``pipeline`` or above.

    sections    where 二, 三 and 四 stand in the text
    tokens      a section cut into label text and value cells
    labels      the row-label vocabulary and the segments a label is cut into
    parser      runs of values assigned to the rows their labels name
    meta        agency, year, template and published date
    extraction  what a backend returns, and the parser as a backend
    ocr_notes   findings for values read by OCR (low scores, numbers left unread)
"""
