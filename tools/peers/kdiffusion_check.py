# Runs k-diffusion's own samplers (its k_diffusion/sampling.py, imported from a checkout) on the
# exact denoiser of the mixture in kdiffusion_runs.cpp, with the draws that program saved, and
# prints the largest relative difference to diffuse's result for every configuration.
#   usage: kdiffusion_check.py K_DIFFUSION_CHECKOUT RUN_FOLDER
# Its optional imports (torchsde, torchdiffeq: not in Debian) are replaced by empty modules; the
# samplers compared here do not use them.
import os, sys, types, numpy as np, torch
checkout, folder = sys.argv[1], sys.argv[2]
for name in ('torchsde', 'torchdiffeq'):
    sys.modules.setdefault(name, types.ModuleType(name))
sys.modules['torchdiffeq'].odeint = None
sys.modules['torchsde'].BrownianTree = None
utils = types.ModuleType('k_diffusion.utils')
utils.append_dims = lambda x, n: x[(...,) + (None,) * (n - x.ndim)]
package = types.ModuleType('k_diffusion')
package.__path__ = [os.path.join(checkout, 'k_diffusion')]
package.utils = utils
sys.modules['k_diffusion'], sys.modules['k_diffusion.utils'] = package, utils
torch.set_default_dtype(torch.float64)
from k_diffusion import sampling as K

means = torch.tensor([[-1.5, -1.0], [1.5, -0.5], [0.5, 1.8]])
var = torch.tensor([0.3, 0.5, 0.2]) ** 2
w = torch.tensor([0.5, 0.3, 0.2]); w = w / w.sum()
def model(x, sigma):
    s2 = sigma[0] ** 2
    v = var + s2                                    # (K,)
    diff = x[:, None, :] - means[None]              # (n, K, d)
    logits = torch.log(w)[None] - 0.5 * (diff ** 2).sum(-1) / v[None] - x.shape[1] / 2 * torch.log(v)[None]
    r = torch.softmax(logits, dim=1)                # (n, K)
    comp = means[None] + (var / v)[None, :, None] * diff
    return (r[:, :, None] * comp).sum(1)

draws = np.load(os.path.join(folder, 'draws.npy'))
start = torch.from_numpy(np.load(os.path.join(folder, 'start.npy')))
grid = torch.from_numpy(np.load(os.path.join(folder, 'grid.npy'))[:, 0].copy())
class Draws:
    def __init__(self): self.k = 0
    def __call__(self, *args):
        d = torch.from_numpy(draws[self.k].copy()); self.k += 1; return d
worst = 0
def run(name, f, **kw):
    global worst
    src = Draws()
    orig = torch.randn_like
    torch.randn_like = lambda x: src()
    try:
        out = f(src, **kw)
    finally:
        torch.randn_like = orig
    ours = np.load(os.path.join(folder, 'out_' + name + '.npy'))
    err = np.abs(out.numpy() - ours).max() / max(1.0, np.abs(ours).max())
    worst = max(worst, err)
    print(f'{name:24s} draws {src.k:3d}  max rel diff {err:.2e}')

x0 = start
g = grid
run('euler', lambda n: K.sample_euler(model, x0.clone(), g, disable=True))
run('euler_churn', lambda n: K.sample_euler(model, x0.clone(), g, disable=True, s_churn=5, s_tmin=0.05, s_tmax=10))
run('heun', lambda n: K.sample_heun(model, x0.clone(), g, disable=True))
run('heun_churn', lambda n: K.sample_heun(model, x0.clone(), g, disable=True, s_churn=5, s_tmin=0.05, s_tmax=10, s_noise=1.003))
run('dpm_2', lambda n: K.sample_dpm_2(model, x0.clone(), g, disable=True))
run('dpm_2_churn', lambda n: K.sample_dpm_2(model, x0.clone(), g, disable=True, s_churn=5, s_tmin=0.05, s_tmax=10))
run('euler_ancestral', lambda n: K.sample_euler_ancestral(model, x0.clone(), g, disable=True, noise_sampler=n))
run('euler_ancestral_eta05', lambda n: K.sample_euler_ancestral(model, x0.clone(), g, disable=True, eta=0.5, s_noise=1.01, noise_sampler=n))
run('dpm_2_ancestral', lambda n: K.sample_dpm_2_ancestral(model, x0.clone(), g, disable=True, noise_sampler=n))
run('lms', lambda n: K.sample_lms(model, x0.clone(), g, disable=True))
run('lms2', lambda n: K.sample_lms(model, x0.clone(), g, disable=True, order=2))
run('dpmpp_2s_ancestral', lambda n: K.sample_dpmpp_2s_ancestral(model, x0.clone(), g, disable=True, noise_sampler=n))
run('dpmpp_sde', lambda n: K.sample_dpmpp_sde(model, x0.clone(), g, disable=True, noise_sampler=n))
run('dpmpp_sde_eta05', lambda n: K.sample_dpmpp_sde(model, x0.clone(), g, disable=True, eta=0.5, r=0.4, noise_sampler=n))
run('dpmpp_2m', lambda n: K.sample_dpmpp_2m(model, x0.clone(), g, disable=True))
run('dpmpp_2m_sde', lambda n: K.sample_dpmpp_2m_sde(model, x0.clone(), g, disable=True, noise_sampler=n))
run('dpmpp_2m_sde_heun', lambda n: K.sample_dpmpp_2m_sde(model, x0.clone(), g, disable=True, eta=0.7, solver_type='heun', noise_sampler=n))
run('dpmpp_3m_sde', lambda n: K.sample_dpmpp_3m_sde(model, x0.clone(), g, disable=True, noise_sampler=n))
run('dpmpp_3m_sde_eta0', lambda n: K.sample_dpmpp_3m_sde(model, x0.clone(), g, disable=True, eta=0, noise_sampler=n))
run('dpm_fast', lambda n: K.sample_dpm_fast(model, x0.clone(), 0.01, 20.0, 10, disable=True, noise_sampler=n))
run('dpm_fast9', lambda n: K.sample_dpm_fast(model, x0.clone(), 0.01, 20.0, 9, disable=True, noise_sampler=n))
run('dpm_fast_eta', lambda n: K.sample_dpm_fast(model, x0.clone(), 0.01, 20.0, 11, eta=0.5, disable=True, noise_sampler=n))
run('dpm_adaptive', lambda n: K.sample_dpm_adaptive(model, x0.clone(), 0.01, 20.0, disable=True, noise_sampler=n))
run('dpm_adaptive2', lambda n: K.sample_dpm_adaptive(model, x0.clone(), 0.01, 20.0, order=2, rtol=0.01, atol=0.001, disable=True, noise_sampler=n))
run('dpm_adaptive_pid', lambda n: K.sample_dpm_adaptive(model, x0.clone(), 0.01, 20.0, pcoeff=0.2, icoeff=0.6, dcoeff=0.1, eta=0.3, disable=True, noise_sampler=n))
print('worst', worst)
sys.exit(0 if worst < 1e-9 else 1)
