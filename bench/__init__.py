"""Benchmarks of Saduak, not tests: run one with `python -m bench.NAME`, all with bench.run_all."""
