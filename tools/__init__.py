"""Developer tools, not part of the backplan package: handout proofs, serving the app for
tests and benchmarks, printing HTML with Chromium. Run from the repository root."""
