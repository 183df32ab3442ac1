#!/usr/bin/python3
"""Sampling time against the number of samples (1,000 to 1,000,000) and the number of steps.

Runs DDPM with seed 000's network on one thread: at 50 steps for 1k ... 1M samples, and at 10,000
samples for 10 ... 1000 steps, in C++ (bench_compare's scale_* workloads) and, unless --no-torch,
in PyTorch at its best here. Prints the time per sample and step, which is flat when time is
linear in both, and draws both curves on log-log axes into an SVG.

Usage: benchmarks/compare/scaling.py --build build/native [--svg scaling.svg] [--json scaling.json]
"""
import argparse
import json
import math
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from compare import run_cpp, run_torch  # noqa: E402

NAME = re.compile(r"scale_ddpm_seed000_steps(\d+)_n(\d+)")
COLOURS = {"cpp": "#1f77b4", "torch_best": "#d62728"}
LABELS = {"cpp": "diffuse (C++)", "torch_best": "PyTorch, best configuration"}


def log_axis(lo, hi, size, margin):
    a, b = math.log10(lo), math.log10(hi)
    return lambda v: margin + (math.log10(v) - a) / (b - a) * size


def panel(points, xkey, xlabel, title, left, top, width=420, height=300):
    """SVG of one log-log panel: seconds against xkey for every system, with a slope-1 guide."""
    xs = sorted({p[xkey] for p in points})
    ts = [p["seconds"] for p in points]
    x_lo, x_hi = xs[0] / 1.5, xs[-1] * 1.5
    t_lo, t_hi = 10 ** math.floor(math.log10(min(ts))), 10 ** math.ceil(math.log10(max(ts)))
    fx = log_axis(x_lo, x_hi, width, left)
    fy_up = log_axis(t_lo, t_hi, height, 0)
    fy = lambda t: top + height - fy_up(t)
    out = [f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="#444"/>',
           f'<text x="{left + width / 2}" y="{top - 10}" text-anchor="middle" font-size="14">{title}</text>',
           f'<text x="{left + width / 2}" y="{top + height + 38}" text-anchor="middle" font-size="12">{xlabel}</text>',
           f'<text x="{left - 48}" y="{top + height / 2}" text-anchor="middle" font-size="12" '
           f'transform="rotate(-90 {left - 48} {top + height / 2})">seconds</text>']
    for x in xs:
        out.append(f'<text x="{fx(x):.1f}" y="{top + height + 16}" text-anchor="middle" font-size="10">{x:,}</text>')
    e = math.log10(t_lo)
    while 10 ** e <= t_hi * 1.001:
        y = fy(10 ** e)
        out.append(f'<line x1="{left}" x2="{left + width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10">1e{int(e)}</text>')
        e += 1
    for system in COLOURS:
        series = sorted((p[xkey], p["seconds"]) for p in points if p["system"] == system)
        if not series:
            continue
        path = " ".join(f"{fx(x):.1f},{fy(t):.1f}" for x, t in series)
        out.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS[system]}" stroke-width="2"/>')
        out += [f'<circle cx="{fx(x):.1f}" cy="{fy(t):.1f}" r="3" fill="{COLOURS[system]}"/>' for x, t in series]
        # time ∝ x through the largest point: what linear scaling predicts
        x_ref, t_ref = series[-1]
        guide = " ".join(f"{fx(x):.1f},{fy(t_ref * x / x_ref):.1f}" for x in (series[0][0], x_ref))
        out.append(f'<polyline points="{guide}" fill="none" stroke="{COLOURS[system]}" stroke-dasharray="4 3"/>')
    return out


def svg(points, path):
    by_n = [p for p in points if p["steps"] == 50]
    by_steps = [p for p in points if p["samples"] == 10000]
    body = panel(by_n, "samples", "samples (50 steps)", "DDPM, seed 000 network: time vs samples", 80, 50)
    body += panel(by_steps, "steps", "steps (10,000 samples)", "time vs steps", 590, 50)
    legend_y = 420
    for k, system in enumerate(COLOURS):
        x = 80 + 260 * k
        body.append(f'<line x1="{x}" x2="{x + 30}" y1="{legend_y}" y2="{legend_y}" stroke="{COLOURS[system]}" stroke-width="2"/>')
        body.append(f'<text x="{x + 36}" y="{legend_y + 4}" font-size="12">{LABELS[system]}</text>')
    body.append(f'<text x="600" y="{legend_y + 4}" font-size="12">dashed: time proportional to the x axis</text>')
    pathlib.Path(path).write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1040" height="440" '
                                  'font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>\n'
                                  + "\n".join(body) + "\n</svg>\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build/native", help="CMake build folder with benchmarks/bench_compare")
    parser.add_argument("--no-torch", action="store_true", help="C++ only")
    parser.add_argument("--svg", default="scaling.svg")
    parser.add_argument("--json")
    args = parser.parse_args()
    binary = pathlib.Path(args.build) / "benchmarks" / "bench_compare"
    if not binary.exists():
        sys.exit(f"scaling.py: {binary} not found; build the target bench_compare first")

    results = {"cpp": run_cpp(binary, 1, "0.3", "scale_.*")}
    if not args.no_torch:
        results["torch_best"] = run_torch("torch_best", 1, sorted(results["cpp"]))
    points = []
    for system, timings in results.items():
        for name, seconds in timings.items():
            steps, samples = map(int, NAME.fullmatch(name).groups())
            points.append({"system": system, "steps": steps, "samples": samples, "seconds": seconds,
                           "ns_per_sample_step": seconds / (steps * samples) * 1e9})
    print(f"{'system':11} {'steps':>6} {'samples':>9} {'seconds':>10} {'ns/(sample*step)':>17}")
    for p in sorted(points, key=lambda p: (p["system"], p["steps"] != 50, p["steps"], p["samples"])):
        print(f"{p['system']:11} {p['steps']:>6} {p['samples']:>9} {p['seconds']:>10.4f} {p['ns_per_sample_step']:>17.1f}")
    svg(points, args.svg)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(points, indent=1))


if __name__ == "__main__":
    main()
