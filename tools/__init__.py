"""Developer tools outside the product package: synthetic data for tests and benchmarks."""
