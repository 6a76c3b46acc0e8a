"""How far the mel_16bar_hier sizes go with far more examples than two cores give: a PyTorch re-implementation of
our mel_16bar_hier, trained on the windows `musicvae export` wrote, on a GPU where one is lent (not part of CI,
and not how shipped models are trained: those come from our Swift code).

    musicvae export ../shared/corpus/folk ../shared/corpus/bach-chorales --model Models/mel_16bar_hier --out out/export16
    python3 Benchmarks/pytorch/mel_16bar_hier_reference.py out/export16 --minutes 8 --out curve.json

The model follows MusicVAEConfig.mel16barHier (the Magenta layout):
  encoder    bidirectional 2-layer LSTM [128, 128] over 256 one-hot steps (90 classes); mu, softplus sigma of
             dense(final states of the top layer) -> z 128
  conductor  2-layer LSTM [128, 128], initial (c, h) = tanh(dense(z)), zero input, 16 steps: one embedding per bar
  bar decoder 2-layer LSTM [128, 128] per bar, initial (c, h) = tanh(dense(embedding)), input = [one-hot of the
             previous token (the last bar's last token at a bar's start; zeros at step 0), embedding]
  loss       cross-entropy summed over 256 steps + beta * max(KL - 256 bits, 0), beta = 0.2 (1 - 0.99999^step);
             Adam, lr 1e-3 * 0.9999^step (at least 1e-5), global-norm clip 1; teacher forcing throughout
             (the preset's constant schedule); each training window transposed by -5...+5 (left as it is when a
             pitch would leave the range), as `train` does
Measured on all held-out windows and as many training windows (z = mu): teacher-forced accuracy and sampling accuracy (greedy decoding of
every step from the model's own previous output), the figures `musicvae eval` prints.
"""
import argparse
import math
import time

import torch
from torch import nn

from reference_run import Curve, evaluate, kl_nats, load_export, update

DEPTH, STEPS, BARS, Z, H = 90, 256, 16, 128, 128  # H: every LSTM's width (--width)
BAR = STEPS // BARS
FREE_NATS = 256 * math.log(2)


def state_from(dense, x, layers):
    """tanh(dense(x)) split into the (h, c) of each layer, shaped as nn.LSTM wants: [layers, B, H]."""
    s = torch.tanh(dense(x)).view(x.shape[0], layers, 2, H)
    return s[:, :, 1].transpose(0, 1).contiguous(), s[:, :, 0].transpose(0, 1).contiguous()


class Hier16(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.LSTM(DEPTH, H, num_layers=2, batch_first=True, bidirectional=True)
        self.mu, self.sigma = nn.Linear(2 * H, Z), nn.Linear(2 * H, Z)
        self.conductor_init = nn.Linear(Z, 2 * 2 * H)
        self.conductor = nn.LSTM(1, H, num_layers=2, batch_first=True)
        self.bar_init = nn.Linear(H, 2 * 2 * H)
        self.bar = nn.LSTM(DEPTH + H, H, num_layers=2, batch_first=True)
        self.out = nn.Linear(H, DEPTH)

    def encode(self, x):
        _, (h, _) = self.encoder(x)  # h [4, B, H]: layer 2's forward and backward are the last two
        s = torch.cat([h[-2], h[-1]], 1)
        return self.mu(s), nn.functional.softplus(self.sigma(s))

    def embeddings(self, z):  # [B, BARS, H]
        y, _ = self.conductor(torch.zeros(z.shape[0], BARS, 1, device=z.device), state_from(self.conductor_init, z, 2))
        return y

    def teacher_forced_logits(self, x, z):
        B = x.shape[0]
        e = self.embeddings(z).reshape(B * BARS, H)
        prev = torch.cat([torch.zeros_like(x[:, :1]), x[:, :-1]], 1).reshape(B * BARS, BAR, DEPTH)
        inp = torch.cat([prev, e.unsqueeze(1).expand(-1, BAR, -1)], 2)
        y, _ = self.bar(inp, state_from(self.bar_init, e, 2))
        return self.out(y).reshape(B, STEPS, DEPTH)

    @torch.no_grad()
    def greedy(self, z):
        B = z.shape[0]
        e = self.embeddings(z)
        token = torch.zeros(B, 1, DEPTH, device=z.device)
        out = []
        for b in range(BARS):
            state = state_from(self.bar_init, e[:, b], 2)
            for _ in range(BAR):
                y, state = self.bar(torch.cat([token, e[:, b:b + 1]], 2), state)
                best = self.out(y[:, 0]).argmax(1)
                out.append(best)
                token = nn.functional.one_hot(best, DEPTH).float().unsqueeze(1)
        return torch.stack(out, 1)


def transpose(w, rng):
    t = torch.randint(-5, 6, (w.shape[0], 1), generator=rng, device="cpu").to(w.device)
    moved = torch.where(w >= 2, w + t, w)
    ok = ((moved >= 2) | (w < 2)).all(1) & (moved < DEPTH).all(1)
    return torch.where(ok.unsqueeze(1), moved, w)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("export")
    p.add_argument("--minutes", type=float, default=8)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--eval-seconds", type=float, default=30, help="seconds between held-out measurements")
    p.add_argument("--max-steps", type=int, default=10 ** 9)
    p.add_argument("--out", default="curve.json")
    p.add_argument("--width", type=int, default=128, help="every LSTM's units (the preset: 128)")
    a = p.parse_args()
    global H
    H = a.width
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(3)
    train, held, train_sample = load_export(a.export, dev)
    print(f"{dev}: {len(train)} training windows, {len(held)} held out; batch {a.batch}", flush=True)
    model = Hier16().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = torch.Generator().manual_seed(4)
    curve = Curve(lambda m, w: evaluate(m, w, DEPTH), held, train_sample, a.batch, a.out)
    step, t0 = 0, time.time()
    while step < a.max_steps and time.time() - t0 < a.minutes * 60:
        idx = torch.randint(0, len(train), (a.batch,), generator=rng).to(dev)
        w = transpose(train[idx], rng)
        x = nn.functional.one_hot(w, DEPTH).float()
        mu, sigma = model.encode(x)
        z = mu + sigma * torch.randn_like(mu)
        logits = model.teacher_forced_logits(x, z)
        recon = nn.functional.cross_entropy(logits.reshape(-1, DEPTH), w.reshape(-1), reduction="sum") / a.batch
        update(model, opt, recon, kl_nats(mu, sigma), 0.2 * (1 - 0.99999 ** step), FREE_NATS, max(1e-5, 1e-3 * 0.9999 ** step))
        step += 1
        curve.measure_every(a.eval_seconds, model, step)
    curve.measure(model, step)


if __name__ == "__main__":
    main()
