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
import json
import math
import time

import numpy as np
import torch
from torch import nn

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


def kl_nats(mu, sigma):
    """Mean KL(N(mu, sigma) || N(0, I)) over the batch, in nats."""
    return (0.5 * (mu ** 2 + sigma ** 2 - 1) - torch.log(sigma + 1e-8)).sum(1).mean()


def transpose(w, rng):
    t = torch.randint(-5, 6, (w.shape[0], 1), generator=rng, device="cpu").to(w.device)
    moved = torch.where(w >= 2, w + t, w)
    ok = ((moved >= 2) | (w < 2)).all(1) & (moved < DEPTH).all(1)
    return torch.where(ok.unsqueeze(1), moved, w)


def evaluate(model, held, dev):
    model.eval()
    with torch.no_grad():  # 557 windows at most: the greedy decode of 256 steps fits any GPU
        x = nn.functional.one_hot(held, DEPTH).float()
        mu, sigma = model.encode(x)
        tf = (model.teacher_forced_logits(x, mu).argmax(2) == held).float().mean().item()
        sa = (model.greedy(mu) == held).float().mean().item()
        kl = kl_nats(mu, sigma).item()
    model.train()
    return tf, sa, kl


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
    windows = torch.from_numpy(np.load(a.export + "/windows.npy").astype(np.int64))
    held_mask = torch.tensor([r["held_out"] for r in json.load(open(a.export + "/index.json"))])
    train, held = windows[~held_mask].to(dev), windows[held_mask].to(dev)
    print(f"{dev}: {len(train)} training windows, {len(held)} held out; batch {a.batch}", flush=True)
    # as many training windows as held-out ones, spread over the corpus (the export lists them folder by folder)
    train_sample = train[torch.linspace(0, len(train) - 1, len(held)).long().to(dev)]
    model = Hier16().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = torch.Generator().manual_seed(4)
    curve, step, t0 = [], 0, time.time()
    last = t0

    def measure():
        tf, sa, kl = evaluate(model, held, dev)
        ttf, tsa, _ = evaluate(model, train_sample, dev)
        curve.append({"step": step, "examples": step * a.batch, "teacher_forced": tf, "sampling": sa, "kl": kl,
                      "train_teacher_forced": ttf, "train_sampling": tsa, "seconds": time.time() - t0})
        print(json.dumps(curve[-1]), flush=True)
        json.dump(curve, open(a.out, "w"), indent=1)
    while step < a.max_steps and time.time() - t0 < a.minutes * 60:
        idx = torch.randint(0, len(train), (a.batch,), generator=rng).to(dev)
        w = transpose(train[idx], rng)
        x = nn.functional.one_hot(w, DEPTH).float()
        mu, sigma = model.encode(x)
        z = mu + sigma * torch.randn_like(mu)
        logits = model.teacher_forced_logits(x, z)
        recon = nn.functional.cross_entropy(logits.reshape(-1, DEPTH), w.reshape(-1), reduction="sum") / a.batch
        kl = kl_nats(mu, sigma)
        beta = 0.2 * (1 - 0.99999 ** step)
        loss = recon + beta * torch.clamp(kl - FREE_NATS, min=0)
        for g in opt.param_groups:
            g["lr"] = max(1e-5, 1e-3 * 0.9999 ** step)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if time.time() - last >= a.eval_seconds:
            last = time.time()
            measure()
    measure()


if __name__ == "__main__":
    main()
