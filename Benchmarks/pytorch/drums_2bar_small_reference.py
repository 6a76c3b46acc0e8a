"""How far drums_2bar_small goes on unseen groove families with far more examples than two cores give, and what
the KL terms and the decoder's training inputs do to it: a PyTorch re-implementation of our drums_2bar_small,
trained on the windows `musicvae export` wrote, on a GPU where one is lent (not part of CI, and not how shipped
models are trained: those come from our Swift code).

    musicvae export ../shared/corpus/grooves --model Models/drums_2bar_small --out out/export-drums
    python3 Benchmarks/pytorch/drums_2bar_small_reference.py out/export-drums --free-bits 96 --minutes 8 --out fb96.json

The model follows MusicVAEConfig's drums_2bar_small (Magenta's cat-drums_2bar_small layout):
  encoder  bidirectional LSTM [512] over 32 one-hot steps (512 classes: the bit set of the 9 drums struck);
           mu, softplus sigma of dense(final states) -> z 256
  decoder  flat LSTM [256, 256]; initial (c, h) of every layer = tanh(dense(z)); input at step t = [one-hot of
           the token at t-1 (zeros at t=0), z]; output dense -> 512 logits
  loss     cross-entropy summed over the steps + beta * max(KL - free bits * ln 2, 0),
           beta = max_beta (1 - 0.9999^step); Adam, lr 1e-3 * 0.99995^step (at least 1e-5), global-norm clip 1
  inputs   --sampling ss: scheduled sampling as `train` does it (Magenta's inverse sigmoid, rate 1000: the
           decoder's input at t+1 is, with probability 1 - 1000 / (1000 + exp(step / 1000)), a draw from its
           own output at t instead of the true token); --sampling tf: teacher forcing throughout
  data     --recombination P: that share of each batch's windows gets the hi-hats and cymbals (closed and open
           hi-hat, crash, ride) of another window of the batch, kick, snare and toms staying, as
           `train --drum-recombination` does; no transposition (drums)
Measured on all held-out windows (the unseen groove families) and as many training windows (z = mu):
teacher-forced accuracy and sampling accuracy (greedy decoding from the model's own previous output), the
figures `musicvae eval` prints.
"""
import argparse
import math
import time

import torch
from torch import nn

from reference_run import Curve, FlatDecoding, evaluate, kl_nats, load_export, update

DEPTH, STEPS, Z, ENC, DEC = 512, 32, 256, 512, [256, 256]
CYMBALS = (1 << 2) | (1 << 3) | (1 << 7) | (1 << 8)


class Drums2barSmall(nn.Module, FlatDecoding):
    depth, steps = DEPTH, STEPS

    def __init__(self):
        super().__init__()
        self.encoder = nn.LSTM(DEPTH, ENC, batch_first=True, bidirectional=True)
        self.mu, self.sigma = nn.Linear(2 * ENC, Z), nn.Linear(2 * ENC, Z)
        self.initial = nn.Linear(Z, 2 * sum(DEC))
        self.decoder = nn.LSTM(DEPTH + Z, DEC[0], num_layers=len(DEC), batch_first=True)
        self.out = nn.Linear(DEC[-1], DEPTH)

    def encode(self, x):
        _, (h, _) = self.encoder(x)
        s = torch.cat([h[0], h[1]], 1)
        return self.mu(s), nn.functional.softplus(self.sigma(s))

    def initial_state(self, z):
        st = torch.tanh(self.initial(z)).view(z.shape[0], len(DEC), 2, DEC[0])
        return st[:, :, 1].transpose(0, 1).contiguous(), st[:, :, 0].transpose(0, 1).contiguous()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("export")
    p.add_argument("--minutes", type=float, default=8)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--free-bits", type=float, default=48)
    p.add_argument("--max-beta", type=float, default=0.2)
    p.add_argument("--sampling", choices=["ss", "tf"], default="ss")
    p.add_argument("--recombination", type=float, default=0.5)
    p.add_argument("--eval-seconds", type=float, default=30)
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--out", default="curve.json")
    a = p.parse_args()
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(a.seed)
    train, held, train_sample = load_export(a.export, dev)
    print(f"{dev}: {len(train)} training windows, {len(held)} held out; batch {a.batch}, free bits {a.free_bits}, "
          f"max beta {a.max_beta}, sampling {a.sampling}, recombination {a.recombination}", flush=True)
    model = Drums2barSmall().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    free_nats = a.free_bits * math.log(2)
    curve = Curve(lambda m, w: evaluate(m, w, DEPTH), held, train_sample, a.batch, a.out, vars(a))
    step, t0 = 0, time.time()
    while time.time() - t0 < a.minutes * 60:
        w = train[torch.randint(0, len(train), (a.batch,), device=dev)]
        if a.recombination > 0:
            mix = torch.rand(a.batch, device=dev) < a.recombination
            other = w[torch.randperm(a.batch, device=dev)]
            w = torch.where(mix.unsqueeze(1), (w & ~CYMBALS) | (other & CYMBALS), w)
        x = nn.functional.one_hot(w, DEPTH).float()
        mu, sigma = model.encode(x)
        z = mu + sigma * torch.randn_like(mu)
        ss = 1 - 1000 / (1000 + math.exp(min(step / 1000, 700))) if a.sampling == "ss" else 0.0
        logits = model.scheduled_logits(w, z, ss) if ss > 0 else model.teacher_forced_logits(x, z)
        recon = nn.functional.cross_entropy(logits.reshape(-1, DEPTH), w.reshape(-1), reduction="sum") / a.batch
        update(model, opt, recon, kl_nats(mu, sigma), a.max_beta * (1 - 0.9999 ** step), free_nats, max(1e-5, 1e-3 * 0.99995 ** step))
        step += 1
        curve.measure_every(a.eval_seconds, model, step)
    curve.measure(model, step)


if __name__ == "__main__":
    main()
