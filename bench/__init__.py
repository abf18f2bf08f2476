"""Benchmarks for `briefing`: `python bench/run.py` prints every figure against a floor.

Absolute times vary between machines, so every figure is compared with a floor
measured in the same run (a typer "hello world", the slowest single source,
json.load of the same data). The benchmarks stay out of the normal test run;
tests/test_bench_smoke.py only checks that they still work at a tiny scale.
"""
