"""Loads a checkpoint written by diffuse into the PyTorch seed module and compares outputs.

Usage: check_checkpoint.py {tiny_diffusion_mlp|score_network} CHECKPOINT IO_FILE
IO_FILE holds the inputs ("x" and "t" or "log_sigma") and diffuse's "output". Exits 0 when
load_state_dict(strict=True) succeeds and the outputs agree to 1e-5, 1 otherwise.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import seed_modules  # noqa: E402


def main():
    kind, checkpoint, io_file = sys.argv[1:4]
    model = {"tiny_diffusion_mlp": seed_modules.TinyDiffusionMLP,
             "score_network": seed_modules.ScoreNetwork}[kind]()
    state = {k: torch.from_numpy(v) for k, v in safetensors_io.load(checkpoint).items()}
    model.load_state_dict(state, strict=True)
    io = safetensors_io.load(io_file)
    extra = io["t"] if "t" in io else io["log_sigma"]
    with torch.no_grad():
        y = model(torch.from_numpy(io["x"]), torch.from_numpy(extra)).numpy()
    err = float(np.max(np.abs(y - io["output"])))
    print(f"max |torch - diffuse| = {err:.3g}")
    return 0 if err < 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
