"""libpdfium opened directly: the C functions the PDF reader calls, and nothing else.

pypdfium2 ships pdfium (inside its ``pypdfium2_raw`` package) and wraps it
in ctypes bindings that declare every one of pdfium's functions: importing it
costs ~30 ms, most of a PDF extraction's start-up, for a reader that calls
~25 of them. So the library file is found without importing that package,
and only the functions in :data:`SIGNATURES` are declared, through
``_cffi_backend`` (cffi's own backend: it reads these simple C types itself
and imports in under a millisecond). Every pointer is an ``intptr_t``, so a
handle or the address of a ctypes buffer passes as a plain int.

Both ways of calling pdfium share one library: the process maps the file
once whoever opens it first, and pdfium's ``FPDF_InitLibraryWithConfig``
returns at once when the library is initialised already (it tests its
``g_bLibraryInitialized`` flag first). The configuration here is
pypdfium2's own, so the OCR path and the review service, which render pages
with pypdfium2, work alike whichever of the two started pdfium.
"""

from __future__ import annotations

import ctypes
import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import _cffi_backend  # type: ignore[import-untyped]

#: What the document open reports through ``FPDF_GetLastError`` for a password-protected file.
FPDF_ERR_PASSWORD = 4
#: Page object kinds (``FPDFPageObj_GetType``).
FPDF_PAGEOBJ_PATH, FPDF_PAGEOBJ_IMAGE, FPDF_PAGEOBJ_FORM = 2, 3, 5
#: Path segment kinds (``FPDFPathSegment_GetType``).
FPDF_SEGMENT_BEZIERTO, FPDF_SEGMENT_MOVETO = 1, 2

#: Each function the reader calls, as its C function type with every pointer an ``intptr_t``.
SIGNATURES = {
    "FPDF_InitLibraryWithConfig": "void(*)(intptr_t)",
    "FPDF_LoadMemDocument64": "intptr_t(*)(intptr_t, size_t, intptr_t)",
    "FPDF_GetLastError": "unsigned long(*)(void)",
    "FPDF_CloseDocument": "void(*)(intptr_t)",
    "FPDF_GetPageCount": "int(*)(intptr_t)",
    "FPDF_GetMetaText": "unsigned long(*)(intptr_t, intptr_t, intptr_t, unsigned long)",
    "FPDF_LoadPage": "intptr_t(*)(intptr_t, int)",
    "FPDF_ClosePage": "void(*)(intptr_t)",
    "FPDF_GetPageWidthF": "float(*)(intptr_t)",
    "FPDF_GetPageHeightF": "float(*)(intptr_t)",
    "FPDFText_LoadPage": "intptr_t(*)(intptr_t)",
    "FPDFText_ClosePage": "void(*)(intptr_t)",
    "FPDFText_CountChars": "int(*)(intptr_t)",
    "FPDFText_GetText": "int(*)(intptr_t, int, int, intptr_t)",
    "FPDFText_GetUnicode": "unsigned int(*)(intptr_t, int)",
    "FPDFText_GetLooseCharBox": "int(*)(intptr_t, int, intptr_t)",
    "FPDFText_GetCharBox": "int(*)(intptr_t, int, intptr_t, intptr_t, intptr_t, intptr_t)",
    "FPDFPage_CountObjects": "int(*)(intptr_t)",
    "FPDFPage_GetObject": "intptr_t(*)(intptr_t, int)",
    "FPDFFormObj_CountObjects": "int(*)(intptr_t)",
    "FPDFFormObj_GetObject": "intptr_t(*)(intptr_t, unsigned long)",
    "FPDFPageObj_GetType": "int(*)(intptr_t)",
    "FPDFPageObj_GetMatrix": "int(*)(intptr_t, intptr_t)",
    "FPDFPath_GetDrawMode": "int(*)(intptr_t, intptr_t, intptr_t)",
    "FPDFPath_CountSegments": "int(*)(intptr_t)",
    "FPDFPath_GetPathSegment": "intptr_t(*)(intptr_t, int)",
    "FPDFPathSegment_GetPoint": "int(*)(intptr_t, intptr_t, intptr_t)",
    "FPDFPathSegment_GetType": "int(*)(intptr_t)",
    "FPDFPathSegment_GetClose": "int(*)(intptr_t)",
}

FFI = _cffi_backend.FFI()


class _Config(ctypes.Structure):
    """``FPDF_LIBRARY_CONFIG`` version 2, as pypdfium2 passes it: no font paths, no V8."""

    _fields_ = (
        ("version", ctypes.c_int),
        ("user_font_paths", ctypes.c_void_p),
        ("isolate", ctypes.c_void_p),
        ("v8_embedder_slot", ctypes.c_uint),
    )


def library_path() -> Path:
    """The pdfium shared library inside the installed ``pypdfium2_raw`` (not imported)."""
    spec = importlib.util.find_spec("pypdfium2_raw")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pypdfium2 is not installed")
    name = {"win32": "pdfium.dll", "darwin": "libpdfium.dylib"}.get(sys.platform, "libpdfium.so")
    path = Path(next(iter(spec.submodule_search_locations))) / name
    if not path.is_file():
        raise ImportError(f"pypdfium2 ships no {name}")
    return path


def _open() -> SimpleNamespace:
    """The library's functions, pdfium initialised; the library itself is held as ``library``:
    freeing it would unload pdfium from under its functions."""
    try:
        lib = _cffi_backend.load_library(str(library_path()))
        functions = {name: lib.load_function(FFI.typeof(ctype), name) for name, ctype in SIGNATURES.items()}
    except (OSError, AttributeError) as e:  # not loadable, or a symbol missing from an older pdfium
        raise ImportError(f"cannot use pdfium: {e}") from e
    config = _Config(version=2)
    functions["FPDF_InitLibraryWithConfig"](ctypes.addressof(config))
    return SimpleNamespace(library=lib, **functions)


#: The functions of :data:`SIGNATURES` by name, the library initialised.
pdfium = _open()
