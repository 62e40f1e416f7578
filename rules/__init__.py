"""Brand-safety rules engine. Pure: text, URLs and facts in; tiers, scores and reasons out.
No database, no network, no file writes (reading the shipped rule packs is the only I/O)."""
