"""CSV import and export in the formats a previous system hands over (see README)."""
