"""PyTorch modules with the architectures and state_dict names of the seed networks.

Written from the seeds' descriptions for interop tests of diffuse/nn: the C++ networks must
load these modules' weights and reproduce their outputs, and the other way round.
"""
import math

import torch


class LogSpacedSinusoid(torch.nn.Module):
    """[sin(w t), cos(w t)] with dim/2 frequencies log-spaced in [1, 40] (seed 000)."""

    def __init__(self, dim=32):
        super().__init__()
        self.dim = dim

    def forward(self, t):
        w = torch.exp(torch.linspace(math.log(1.0), math.log(40.0), self.dim // 2))
        a = t * w.view(1, -1)
        return torch.cat([torch.sin(a), torch.cos(a)], dim=-1)


class TinyDiffusionMLP(torch.nn.Module):
    """Seed 000: cat(x, embed(t)) -> 96 -> 96 -> 96 -> 2 with SiLU."""

    def __init__(self, hidden=96, time_dim=32):
        super().__init__()
        self.time_embed = LogSpacedSinusoid(time_dim)
        self.net = torch.nn.Sequential(
            torch.nn.Linear(2 + time_dim, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, 2))

    def forward(self, x, t):
        return self.net(torch.cat([x, self.time_embed(t)], dim=-1))


class ScoreNetwork(torch.nn.Module):
    """Seed 002: cat(x, mlp(log sigma)) -> 256 -> 256 -> 256 -> 2 with SiLU."""

    def __init__(self, input_dim=2, hidden_dim=256, sigma_emb_dim=32):
        super().__init__()
        self.sigma_emb = torch.nn.Sequential(
            torch.nn.Linear(1, sigma_emb_dim), torch.nn.SiLU(),
            torch.nn.Linear(sigma_emb_dim, sigma_emb_dim), torch.nn.SiLU())
        self.net = torch.nn.Sequential(
            torch.nn.Linear(input_dim + sigma_emb_dim, hidden_dim), torch.nn.SiLU(),
            torch.nn.Linear(hidden_dim, hidden_dim), torch.nn.SiLU(),
            torch.nn.Linear(hidden_dim, hidden_dim), torch.nn.SiLU(),
            torch.nn.Linear(hidden_dim, input_dim))

    def forward(self, x, log_sigma):
        return self.net(torch.cat([x, self.sigma_emb(log_sigma)], dim=-1))
