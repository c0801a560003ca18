"""The ground floor: tools every app may use (QR, PDF fonts, formula-safe xlsx, spreadsheet
reading, Vietnamese text folding, cache counters). It imports no app of this project."""
