"""Writes the PyTorch reference numbers for tests/nn into tests/data/nn/.

Run once with Debian's python3 (numpy + torch):  /usr/bin/python3 tests/nn/python/make_fixtures.py
Outputs (committed):
  optimizers.safetensors      SGD/Adam/AdamW trajectories for fixed parameters and gradients,
                              LR schedule values and clip_grad_norm_ results (float64)
  tiny_diffusion_mlp.safetensors     seed 000 TinyDiffusionMLP state_dict (float32, torch.manual_seed(0))
  tiny_diffusion_mlp_io.safetensors  fixed inputs x (16x2), t (16x1) and the module's output (float32)
  score_network.safetensors / score_network_io.safetensors   the same for seed 002 (x, log_sigma)
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import seed_modules  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "nn")
STEPS, SIZE = 6, 7


def trajectory(make_optimizer, init, grads, schedule=None, clip=None):
    p = torch.nn.Parameter(torch.tensor(init, dtype=torch.float64))
    opt = make_optimizer([p])
    sched = schedule(opt) if schedule else None
    rows = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        if clip is not None:
            torch.nn.utils.clip_grad_norm_([p], clip)
        opt.step()
        if sched:
            sched.step()
        rows.append(p.detach().numpy().copy())
    return np.stack(rows)


def optimizers():
    rng = np.random.default_rng(7)
    init = rng.normal(size=SIZE)
    grads = rng.normal(size=(STEPS, SIZE)) * np.array([1, 0.1, 10, 1e-3, 1, 3, 0.5])
    out = {"init": init, "grads": grads}
    out["sgd"] = trajectory(lambda p: torch.optim.SGD(p, lr=0.1), init, grads)
    out["sgd_momentum"] = trajectory(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), init, grads)
    out["sgd_momentum_wd"] = trajectory(
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.1), init, grads)
    out["adam"] = trajectory(lambda p: torch.optim.Adam(p, lr=0.01), init, grads)
    out["adam_betas"] = trajectory(
        lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.5, 0.9), eps=1e-3), init, grads)
    out["adam_wd"] = trajectory(lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1), init, grads)
    out["adamw"] = trajectory(lambda p: torch.optim.AdamW(p, lr=0.01), init, grads)
    out["adamw_wd"] = trajectory(lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.3), init, grads)
    out["adam_cosine_clip"] = trajectory(
        lambda p: torch.optim.Adam(p, lr=0.01),
        init, grads,
        schedule=lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=1e-3),
        clip=1.0)
    # Learning rates the schedulers report at steps 0..9.
    p = torch.nn.Parameter(torch.zeros(1))
    for name, make in {
        "cosine_lr": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=1e-3),
        "warmup_lr": lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=4),
    }.items():
        opt = torch.optim.SGD([p], lr=0.1)
        sched = make(opt)
        lrs = []
        for _ in range(10):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        out[name] = np.array(lrs)
    # clip_grad_norm_ with max_norm 1.0 on each gradient row.
    clipped, norms = [], []
    for g in grads:
        q = torch.nn.Parameter(torch.zeros(SIZE, dtype=torch.float64))
        q.grad = torch.tensor(g)
        norms.append(float(torch.nn.utils.clip_grad_norm_([q], 1.0)))
        clipped.append(q.grad.numpy().copy())
    out["clipped"] = np.stack(clipped)
    out["norms"] = np.array(norms)
    safetensors_io.save(os.path.join(OUT, "optimizers.safetensors"), out)


def network(name, model, extra_name, extra):
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    safetensors_io.save(os.path.join(OUT, name + ".safetensors"), state, {"format": "pt"})
    x = torch.linspace(-3, 3, 32, dtype=torch.float32).reshape(16, 2) * torch.tensor([1.0, -0.7])
    with torch.no_grad():
        y = model(x, extra)
    safetensors_io.save(os.path.join(OUT, name + "_io.safetensors"),
                        {"x": x.numpy(), extra_name: extra.numpy(), "output": y.numpy()})


def main():
    os.makedirs(OUT, exist_ok=True)
    optimizers()
    torch.manual_seed(0)
    network("tiny_diffusion_mlp", seed_modules.TinyDiffusionMLP(), "t",
            torch.linspace(0, 1, 16, dtype=torch.float32).reshape(16, 1))
    torch.manual_seed(1)
    network("score_network", seed_modules.ScoreNetwork(), "log_sigma",
            torch.log(torch.logspace(-2, 1, 16, dtype=torch.float32).reshape(16, 1) + 1e-8))
    print("wrote fixtures to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
