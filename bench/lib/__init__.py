"""Helpers of the benchmarks in `bench/` (a package, so that `make bench`, which runs
every `bench/*.py`, does not run them as benchmarks of their own)."""
