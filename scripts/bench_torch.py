"""Times the reference's DSC training loop (reference_dsc.py run_reference, beta=0, gamma=0)."""
import math, sys, time
import numpy as np
import torch
import torch.nn as nn

class SNN(nn.Sequential):
    def __init__(self, dims, out):
        layers = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b, bias=False), nn.SELU(), nn.AlphaDropout(0.1)]
        layers += [nn.Linear(dims[-1], out)]
        super().__init__(*layers)
        for l in self:
            if isinstance(l, nn.Linear):
                nn.init.normal_(l.weight, std=1 / math.sqrt(l.in_features))

class DSC(nn.Module):
    def __init__(self, inp, latent, enc_dim, enc, dec):
        super().__init__()
        self.enc = nn.Sequential(SNN(enc, enc_dim), nn.Tanh())
        self.mu = nn.Linear(enc_dim, latent)
        self.logvar = nn.Linear(enc_dim, latent)
        self.dec = nn.Sequential(SNN(dec, inp), nn.Sigmoid())
    def forward(self, x, vae):
        h = self.enc(x)
        mu, lv = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * lv) if (vae and self.training) else mu
        return self.dec(z), z, mu

which, rows, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 2)
inp, batch = 1024, 512
if which == "reference":
    enc = [1024, 512, 256, 128]; dec = [8, 64, 128, 256]
else:
    enc = [1024, 512, 256, 128, 64]; dec = [8, 64, 128, 256, 512]
g = np.random.default_rng(3)
c = g.integers(0, inp, rows)[:, None]; h = 0.3 + 0.7 * g.random((rows, 1))
j = np.arange(inp)[None, :]
X = torch.from_numpy(np.clip(h * np.exp(-(j - c) ** 2 / 800) + 0.05 * g.random((rows, inp)), 0, 1).astype(np.float32))
torch.manual_seed(0)
gen = torch.Generator().manual_seed(0)
model = DSC(inp, 8, 32, enc, dec)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
n = len(X); seen = 0
times = []
for epoch in range(epochs):
    t0 = time.perf_counter()
    model.train()
    perm = torch.randperm(n, generator=gen)
    for i in range(0, n - batch + 1, batch):
        xb = X[perm[i:i + batch]]
        xh, z, mu = model(xb, False)
        loss = ((xh - xb) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        seen += len(xb)
    times.append(time.perf_counter() - t0)
print(f"torch {torch.__version__} {torch.get_num_threads()} threads, {which}: enc {enc} dec {dec}: {seen} spectra in {sum(times):.2f} s = {seen / sum(times):.0f} spectra/s; epochs s {' '.join(f'{t:.2f}' for t in times)}")
