"""Insurance paperwork: billing identity, policies, claims, 837P exports, superbills, files."""
