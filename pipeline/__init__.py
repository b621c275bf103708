"""The pipeline engine: stage tables, fingerprinted resume, locks, parallel jobs. Knows nothing of speech."""
