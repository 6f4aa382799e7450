"""Curation from spreadsheets: templates, rows to findings, name resolution, problems at their cells."""
