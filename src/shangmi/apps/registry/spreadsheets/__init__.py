"""The register (台账) as files: the Excel workbook layout, its template, reading an uploaded workbook into
checked rows, writing the register back out as .xlsx, and the printable Word register.

The workbook's sheet names and headers are a file format: they are fixed Chinese strings, not translated,
so that a workbook exported in any UI language re-imports anywhere.
"""
