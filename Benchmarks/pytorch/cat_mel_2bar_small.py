"""The PyTorch side of the engine benchmark: a faithful cat-mel_2bar_small, timed as nn-bench times ours.

    python3 Benchmarks/pytorch/cat_mel_2bar_small.py [--threads 2] [--quick]

The model is Magenta's cat-mel_2bar_small as MusicVAE for Swift builds it (MusicVAEConfig.mel2barSmall):
  encoder  bidirectional LSTM [512] over 32 one-hot steps (depth 90); mu, sigma = dense(final states) -> z 256
  decoder  flat LSTM [256, 256]; initial (c, h) of every layer = tanh(dense(z)); input at step t = [one-hot of
           the token at t-1 (zeros at t=0), z]; output dense -> 90 logits
  loss     cross-entropy summed over the steps + beta * max(KL - free nats, 0); Adam, global-norm clip 1
Training is teacher-forced (the schedule's probability at the start of training); inference is encode (z = mu)
plus a greedy 32-step decode, one LSTM step at a time. Inputs are random tokens (speed does not depend on them).
Prints one line per figure in the same words as nn-bench, so Benchmarks/run-nn-vs-torch.sh can pair them.
"""
import argparse
import math
import statistics
import time

import torch
from torch import nn

DEPTH, STEPS, Z, ENC, DEC = 90, 32, 256, 512, [256, 256]
FREE_NATS = 48 * math.log(2)
BETA = 0.2


class CatMel2barSmall(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.LSTM(DEPTH, ENC, batch_first=True, bidirectional=True)
        self.mu = nn.Linear(2 * ENC, Z)
        self.sigma = nn.Linear(2 * ENC, Z)
        self.initial = nn.Linear(Z, 2 * sum(DEC))
        self.decoder = nn.LSTM(DEPTH + Z, DEC[0], num_layers=len(DEC), batch_first=True)
        self.out = nn.Linear(DEC[-1], DEPTH)

    def encode(self, x):  # x [B, T, D] one-hot
        _, (h, _) = self.encoder(x)  # h [2, B, ENC]: forward's last state, backward's first
        s = torch.cat([h[0], h[1]], dim=1)
        return self.mu(s), nn.functional.softplus(self.sigma(s))

    def initial_state(self, z):
        st = torch.tanh(self.initial(z)).view(z.shape[0], len(DEC), 2, DEC[0])
        return st[:, :, 1].transpose(0, 1).contiguous(), st[:, :, 0].transpose(0, 1).contiguous()  # (h, c)

    def forward_train(self, x):
        mu, sigma = self.encode(x)
        z = mu + sigma * torch.randn_like(mu)
        shifted = torch.cat([torch.zeros_like(x[:, :1]), x[:, :-1]], dim=1)
        inputs = torch.cat([shifted, z.unsqueeze(1).expand(-1, STEPS, -1)], dim=2)
        y, _ = self.decoder(inputs, self.initial_state(z))
        logits = self.out(y)
        recon = nn.functional.cross_entropy(logits.reshape(-1, DEPTH), x.argmax(2).reshape(-1), reduction="sum") / x.shape[0]
        kl = (0.5 * (mu ** 2 + sigma ** 2 - 1) - torch.log(sigma + 1e-8)).sum(1).mean()
        return recon + BETA * torch.clamp(kl - FREE_NATS, min=0)

    @torch.inference_mode()
    def reconstruct(self, x):
        mu, _ = self.encode(x)
        state = self.initial_state(mu)
        token = torch.zeros(x.shape[0], 1, DEPTH)
        out = []
        for _ in range(STEPS):
            y, state = self.decoder(torch.cat([token, mu.unsqueeze(1)], dim=2), state)
            best = self.out(y[:, 0]).argmax(1)
            out.append(best)
            token = nn.functional.one_hot(best, DEPTH).float().unsqueeze(1)
        return torch.stack(out, 1)


def times(reps, body):
    body()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        body()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), min(ts)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = CatMel2barSmall()
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{sum(t.numel() for t in model.parameters())} parameters")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def windows(b):
        g = torch.Generator().manual_seed(2)
        return nn.functional.one_hot(torch.randint(0, DEPTH, (b, STEPS), generator=g), DEPTH).float()

    for batch in [64, 512]:
        x = windows(batch)

        def step():
            opt.zero_grad(set_to_none=True)
            model.forward_train(x).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        reps = 3 if a.quick else (15 if batch == 64 else 5)
        t, best = times(reps, step)
        print(f"train step, batch {batch:3d}: median {t * 1e3:6.1f} ms = {batch / t:6.1f} examples/s "
              f"(best {best * 1e3:6.1f} ms = {batch / best:6.1f} examples/s)")
    model.eval()
    for batch in [1, 64]:
        x = windows(batch)
        reps = 5 if a.quick else (200 if batch == 1 else 20)
        t, best = times(reps, lambda: model.reconstruct(x))
        print(f"inference, batch {batch:2d}: together median {t * 1e3:.2f} ms (best {best * 1e3:.2f} ms)")
    # The same with CPU autocast to bfloat16: PyTorch's own reduced-precision inference, beside ours.
    for batch in [1, 64]:
        x = windows(batch)
        reps = 5 if a.quick else (200 if batch == 1 else 20)

        def bf16():
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return model.reconstruct(x)
        t, best = times(reps, bf16)
        print(f"inference bfloat16, batch {batch:2d}: together median {t * 1e3:.2f} ms (best {best * 1e3:.2f} ms)")


if __name__ == "__main__":
    main()
