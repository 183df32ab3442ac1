#!/usr/bin/python3
"""Runs the C++ and PyTorch versions of the same workloads back to back and prints ratios.

Every repeat runs, in turn: bench_compare (Google Benchmark, C++), PyTorch as Debian ships it
(reference BLAS) and PyTorch at its best here (OpenBLAS pthread build, OPENBLAS_CORETYPE=SkylakeX,
one BLAS thread, glibc trimming off). Alternating the three spreads the noise of a shared machine
over all of them; the table reports medians over repeats. Reference-BLAS sampling runs on 2% of
the samples (its Langevin run would take 20 minutes) and its time is scaled up: sampling time is
linear in the sample count (scaling.py).

With --default-build, the bench_compare of a second build (the `release` preset, compiled without
-march as a user's project is) runs in every repeat too, and the table adds its time and its speed
relative to --build's (native time / default time; the issue's target is >= 0.9).

Usage: benchmarks/compare/compare.py --build build/native [--default-build build/release]
       [--repeats 5] [--threads 1 2] [--workloads 'train_step.*|sample_ddpm.*']
       [--torch torch_best] [--json out.json]
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
LIBDIR = pathlib.Path("/usr/lib/x86_64-linux-gnu")
# Reference BLAS is slow enough that sampling runs on this fraction of the samples, time scaled.
SAMPLE_FRACTION = {"torch_debian": 0.02, "torch_best": 1.0}
TORCH_CONFIGS = {
    "torch_debian": {"LD_LIBRARY_PATH": str(LIBDIR / "blas")},
    "torch_best": {"LD_LIBRARY_PATH": str(LIBDIR / "openblas-pthread"), "OPENBLAS_CORETYPE": "SkylakeX",
                   "OPENBLAS_NUM_THREADS": "1", "MALLOC_TRIM_THRESHOLD_": "-1",
                   "MALLOC_MMAP_THRESHOLD_": "1073741824", "MALLOC_TOP_PAD_": "268435456"},
}
# workload -> its target, as the issue states it (training targets are single-thread)
TARGETS = {
    "train_step_seed000_b384": "<= 0.40 ms",
    "train_step_seed002_b512": "<= 2.8 ms",
    "train_step_seed000_b32": ">= 10x PyTorch",
    "sample_ddpm50_seed000_n100000": ">= 75k/s (1 thr), 140k/s (2 thr)",
    "sample_langevin12x100_seed002_n10000": ">= 500/s (1 thr), 950/s (2 thr)",
}


def run_cpp(binary, threads, min_time, workloads):
    out = subprocess.run([str(binary), "--benchmark_format=json", f"--benchmark_min_time={min_time}",
                          f"--benchmark_filter=^({workloads})/threads:{threads}$"],
                         check=True, capture_output=True, text=True).stdout
    result = {}
    for b in json.loads(out)["benchmarks"]:
        name = b["name"].split("/")[0]
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        result[name] = b["real_time"] * scale
    return result


def run_torch(config, threads, workloads):
    env = dict(os.environ, **TORCH_CONFIGS[config])
    out = subprocess.run(["/usr/bin/python3", str(HERE / "torch_workloads.py"), "--threads", str(threads),
                          "--repeats", "3", "--sample-fraction", str(SAMPLE_FRACTION[config]),
                          "--workloads", *workloads],
                         check=True, capture_output=True, text=True, env=env).stdout
    return {k: v["seconds"] for k, v in json.loads(out)["workloads"].items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build/release", help="CMake build folder with benchmarks/bench_compare")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--min-time", default="0.3")
    parser.add_argument("--workloads", default="train_step.*|sample_.*",
                        help="regular expression selecting workloads by name (default: the targets' workloads)")
    parser.add_argument("--torch", nargs="+", default=list(TORCH_CONFIGS), choices=list(TORCH_CONFIGS),
                        help="PyTorch configurations to run (torch_debian takes minutes per sampling run)")
    parser.add_argument("--default-build", help="a second build (no -march) whose bench_compare runs alongside")
    parser.add_argument("--json", help="write all measurements here")
    args = parser.parse_args()
    binaries = {"cpp": pathlib.Path(args.build) / "benchmarks" / "bench_compare"}
    if args.default_build:
        binaries["cpp_default"] = pathlib.Path(args.default_build) / "benchmarks" / "bench_compare"
    for binary in binaries.values():
        if not binary.exists():
            sys.exit(f"compare.py: {binary} not found; build the target bench_compare first")

    samples = {}  # (threads, workload, system) -> [seconds]
    for threads in args.threads:
        for rep in range(args.repeats):
            cpp = {}
            for system, binary in binaries.items():
                cpp = run_cpp(binary, threads, args.min_time, args.workloads)
                for name, seconds in cpp.items():
                    samples.setdefault((threads, name, system), []).append(seconds)
            if not cpp:
                continue
            for config in args.torch:
                for name, seconds in run_torch(config, threads, list(cpp)).items():
                    samples.setdefault((threads, name, config), []).append(seconds)
            print(f"threads {threads}: repeat {rep + 1}/{args.repeats} done", file=sys.stderr)

    median = {k: statistics.median(v) for k, v in samples.items()}
    default = f" {'default ms':>10} {'dflt/C++':>8}" if args.default_build else ""
    print(f"{'workload':40} {'thr':>3} {'C++ ms':>10}{default} {'torch debian':>13} {'torch best':>11} "
          f"{'best/C++':>9}  target")
    rows = []
    for (threads, name, system) in sorted(k for k in median if k[2] == "cpp"):
        c, d, b, u = (median.get((threads, name, s)) for s in ("cpp", "torch_debian", "torch_best", "cpp_default"))
        ratio = lambda t: t / c if t is not None else None
        ms = lambda t, width: f"{t * 1e3:>{width}.3f}" if t is not None else f"{'-':>{width}}"
        rows.append({"workload": name, "threads": threads, "cpp_s": c, "cpp_default_s": u, "torch_debian_s": d,
                     "torch_best_s": b, "speedup_vs_best": ratio(b), "speedup_vs_debian": ratio(d),
                     "default_speed_vs_cpp": c / u if u else None})
        best = f"{b / c:>8.2f}x" if b is not None else f"{'-':>9}"
        # speed of the default build relative to --build's: native time / default time
        default = (f" {ms(u, 10)} {c / u:>8.2f}" if u else f" {'-':>10} {'-':>8}") if args.default_build else ""
        # The training targets are single-thread; sampling has a target for each thread count.
        target = TARGETS.get(name, "") if threads == 1 or name.startswith("sample") else ""
        print(f"{name:40} {threads:>3} {c * 1e3:>10.3f}{default} {ms(d, 13)} {ms(b, 11)} {best}  {target}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"rows": rows, "samples": {
            f"{t}/{n}/{s}": v for (t, n, s), v in samples.items()}}, indent=1))


if __name__ == "__main__":
    main()
