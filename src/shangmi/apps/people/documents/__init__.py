"""Documents the people side generates (agreements, the departure reminder letter) as DOCX bytes."""
