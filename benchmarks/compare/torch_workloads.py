#!/usr/bin/python3
"""PyTorch side of the speed comparison: the same workloads as bench_compare, timed the same way.

Each workload is run `--repeats` times after a warm-up; the median wall time per unit of work is
reported as JSON on stdout. The networks are the seed 000 TinyDiffusionMLP (34-96-96-96-2, SiLU,
log-spaced sinusoidal time embedding) and the seed 002 ScoreNetwork (log-sigma MLP embedding
1-32-32, body 34-256-256-256-2, SiLU), written here from their definitions.
"""
import argparse
import json
import math
import re
import statistics
import time

import torch


class SinusoidalEmbedding(torch.nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.register_buffer("freqs", torch.exp(torch.linspace(0.0, math.log(40.0), dim // 2)))

    def forward(self, t):
        angles = t * self.freqs.view(1, -1)
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)


class TinyDiffusionMlp(torch.nn.Module):
    def __init__(self, hidden=96, time_dim=32):
        super().__init__()
        self.time_embed = SinusoidalEmbedding(time_dim)
        self.net = torch.nn.Sequential(
            torch.nn.Linear(2 + time_dim, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, 2))

    def forward(self, x, t):
        return self.net(torch.cat([x, self.time_embed(t)], dim=-1))


class ScoreNetwork(torch.nn.Module):
    def __init__(self, hidden=256, emb=32):
        super().__init__()
        self.sigma_emb = torch.nn.Sequential(
            torch.nn.Linear(1, emb), torch.nn.SiLU(), torch.nn.Linear(emb, emb), torch.nn.SiLU())
        self.net = torch.nn.Sequential(
            torch.nn.Linear(2 + emb, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, 2))

    def forward(self, x, sigma):
        return self.net(torch.cat([x, self.sigma_emb(torch.log(sigma + 1e-8).unsqueeze(-1))], dim=-1))


CROSS = torch.tensor([[0.0, 0.0], [2.0, 0.0], [-2.0, 0.0], [0.0, 2.0], [0.0, -2.0]])
T = 50
BETAS = torch.linspace(1e-4, 0.035, T)
ALPHA_BAR = torch.cumprod(1.0 - BETAS, dim=0)
RING_SIGMAS = torch.exp(torch.linspace(math.log(10.0), math.log(0.01), 12))


def ddpm_train_step(batch):
    model = TinyDiffusionMlp()
    opt = torch.optim.Adam(model.parameters(), lr=1.5e-3)

    def step():
        x0 = CROSS[torch.randint(0, 5, (batch,))] + 0.25 * torch.randn(batch, 2)
        t_idx = torch.randint(0, T, (batch,))
        noise = torch.randn_like(x0)
        ab = ALPHA_BAR[t_idx].unsqueeze(1)
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * noise
        loss = torch.mean((model(xt, t_idx.float().unsqueeze(1) / (T - 1)) - noise) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def ncsn_train_step(batch):
    model = ScoreNetwork()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    angles = torch.arange(8) * (2 * math.pi / 8)
    centres = torch.stack([5 * angles.cos(), 5 * angles.sin()], dim=1)
    data = centres[torch.randint(0, 8, (60000,))] + 0.4 * torch.randn(60000, 2)
    offset = [0]

    def step():
        x = data[offset[0]:offset[0] + batch]
        offset[0] = (offset[0] + batch) % (60000 - batch)
        sigma = RING_SIGMAS[torch.randint(0, 12, (batch,))]
        eps = torch.randn_like(x)
        pred = model(x + sigma.unsqueeze(-1) * eps, sigma)
        loss = (0.5 * sigma.unsqueeze(-1) ** 2 * (pred + eps / sigma.unsqueeze(-1)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return step


def ddpm_sampling(n, steps=T):
    model = TinyDiffusionMlp()
    betas = torch.linspace(1e-4, 0.035, steps)
    alpha_bar = torch.cumprod(1.0 - betas, dim=0)

    @torch.no_grad()
    def run():
        x = torch.randn(n, 2)
        for k in reversed(range(steps)):
            t = torch.full((n, 1), k / (steps - 1))
            ab = alpha_bar[k]
            eps = model(x, t)
            x0 = (x - (1 - ab).sqrt() * eps) / ab.sqrt()
            if k == 0:
                x = x0
            else:
                ab_prev = alpha_bar[k - 1]
                s = ((1 - ab_prev) / (1 - ab) * betas[k]).sqrt()
                x = ab_prev.sqrt() * x0 + (1 - ab_prev - s * s).clamp(min=1e-8).sqrt() * eps + s * torch.randn_like(x)
    return run


def langevin_sampling(n):
    model = ScoreNetwork()

    @torch.no_grad()
    def run():
        x = torch.randn(n, 2) * RING_SIGMAS[0]
        for sigma in RING_SIGMAS:
            s = torch.full((n,), float(sigma))
            a = 2e-5 * float(sigma / RING_SIGMAS[-1]) ** 2
            for _ in range(100):
                x = x + 0.5 * a * model(x, s) + math.sqrt(a) * torch.randn_like(x)
    return run


# name -> (factory, argument, items per call)
WORKLOADS = {
    "train_step_seed000_b384": (ddpm_train_step, 384, 384),
    "train_step_seed000_b32": (ddpm_train_step, 32, 32),
    "train_step_seed002_b512": (ncsn_train_step, 512, 512),
    "sample_ddpm50_seed000_n100000": (ddpm_sampling, 100000, 100000),
    "sample_langevin12x100_seed002_n10000": (langevin_sampling, 10000, 10000),
}
SCALING = re.compile(r"scale_ddpm_seed000_steps(\d+)_n(\d+)")


def make_workload(name, sample_fraction):
    """Returns (run, items per run, factor from a run's time to the named workload's time).

    Sampling workloads run on sample_fraction of their samples when it is below 1 (for the slow
    reference-BLAS build); their time grows linearly with the sample count, as scaling.py shows,
    so the measured time is divided by the fraction."""
    scaling = SCALING.fullmatch(name)
    if scaling:
        steps, n = int(scaling[1]), int(scaling[2])
        factory, arg, items = (lambda count: ddpm_sampling(count, steps)), n, n
    else:
        factory, arg, items = WORKLOADS[name]
    if not name.startswith("train_step") and sample_fraction < 1:
        measured = max(1, round(arg * sample_fraction))
        return factory(measured), measured, arg / measured
    return factory(arg), items, 1.0


def time_workload(name, repeats, min_seconds, sample_fraction):
    fn, items, factor = make_workload(name, sample_fraction)
    start = time.perf_counter()
    fn()  # warm-up, timed to size the inner loop
    once = time.perf_counter() - start
    inner = max(1, int(min_seconds / max(once, 1e-9)))
    if once > 5.0:
        repeats = 1  # runs this long are repeated by compare.py, alternating with C++
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - start) / inner)
    median = statistics.median(times)
    return {"seconds": median * factor, "items_per_second": items / median, "repeats": repeats, "inner": inner,
            "measured_items": items, "scaled_by": factor}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=0.3)
    parser.add_argument("--workloads", nargs="*", default=list(WORKLOADS),
                        help="names from WORKLOADS, or scale_ddpm_seed000_steps<S>_n<N>")
    parser.add_argument("--sample-fraction", type=float, default=1.0,
                        help="run sampling workloads on this fraction of their samples and scale the time")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    result = {"torch": torch.__version__, "threads": args.threads,
              "blas": torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0].strip()
              if "BLAS_INFO=" in torch.__config__.show() else "unknown",
              "workloads": {name: time_workload(name, args.repeats, args.min_seconds, args.sample_fraction)
                            for name in args.workloads}}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
