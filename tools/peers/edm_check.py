# Runs NVlabs' own ablation_sampler (from generate.py of an EDM checkout, taken out with ast so
# that its imports of dnnlib, PIL and click are not needed) on the exact denoiser of the mixture in
# edm_runs.cpp, with the draws that program saved, and prints the largest relative difference to
# diffuse's result for every configuration.
#   usage: edm_check.py EDM_CHECKOUT RUN_FOLDER
import ast, os, sys, numpy as np, torch
checkout, folder = sys.argv[1], sys.argv[2]
source = open(os.path.join(checkout, 'generate.py')).read()
node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == 'ablation_sampler')
namespace = {'np': np, 'torch': torch}
exec(compile(ast.Module(body=[node], type_ignores=[]), 'generate.py', 'exec'), namespace)
ablation_sampler = namespace['ablation_sampler']
torch.set_default_dtype(torch.float64)

means = torch.tensor([[-1.5, -1.0], [1.5, -0.5], [0.5, 1.8]])
var = torch.tensor([0.3, 0.5, 0.2]) ** 2
w = torch.tensor([0.5, 0.3, 0.2]); w = w / w.sum()
class Net:
    sigma_min, sigma_max = 0, float('inf')
    def round_sigma(self, sigma): return torch.as_tensor(sigma)
    def __call__(self, x, sigma, class_labels=None):
        v = var + torch.as_tensor(sigma) ** 2
        diff = x[:, None, :] - means[None]
        logits = torch.log(w)[None] - 0.5 * (diff ** 2).sum(-1) / v[None] - x.shape[1] / 2 * torch.log(v)[None]
        r = torch.softmax(logits, dim=1)
        return (r[:, :, None] * (means[None] + (var / v)[None, :, None] * diff)).sum(1)

latents = torch.from_numpy(np.load(os.path.join(folder, 'latents.npy')))
draws = np.load(os.path.join(folder, 'draws.npy'))
worst = 0
def run(name, **kw):
    global worst
    k = [0]
    def randn_like(x):
        d = torch.from_numpy(draws[k[0]].copy()); k[0] += 1; return d
    out = ablation_sampler(Net(), latents.clone(), randn_like=randn_like, **kw)
    ours = np.load(os.path.join(folder, 'out_' + name + '.npy'))
    err = np.abs(out.numpy() - ours).max() / max(1.0, np.abs(ours).max())
    worst = max(worst, err)
    print(f'{name:14s} draws {k[0]:3d}  max rel diff {err:.2e}')

run('edm')
run('edm_churn', num_steps=12, S_churn=8, S_min=0.05, S_max=20, S_noise=1.007)
run('edm_euler', num_steps=30, solver='euler')
run('edm_midpoint', num_steps=10, alpha=0.5)
run('vp', discretization='vp', schedule='vp', scaling='vp')
run('ve', discretization='ve', schedule='ve')
run('iddpm', discretization='iddpm')
run('vp_churn', num_steps=20, discretization='vp', schedule='vp', scaling='vp', S_churn=10, S_noise=1.003)
run('mixed', num_steps=15, sigma_min=0.01, sigma_max=30, rho=5, schedule='vp', alpha=0.8)
print('worst', worst)
sys.exit(0 if worst < 1e-9 else 1)
