"""Verification: the rule catalogue of ``rules/`` evaluated over a parsed report.

It knows canonical paths, the template's relations and the narrative's
phrasings; it never reads a file format or parses tables, and imports only the
core types and ``parse`` (never ``llm``, ``pipeline`` or above).

    catalogue  ``rules/*.yaml`` read and validated: relations over canonical paths
    claims     narrative sentences → claims on canonical paths
    engine     relations and claims checked → findings
    crossyear  one agency's consecutive years against each other
    files      canonical JSON verified afresh; cross-year over several files
    compiled   the catalogues' validated forms and compiled patterns, kept on disk by content hash
    literals   the words a pattern needs: phrasings a narrative lacks them for are not run
"""
