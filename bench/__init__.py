"""nexphys benchmarks (see /docs/benchmarks.md): each module is runnable alone, `run_all` runs them all."""
