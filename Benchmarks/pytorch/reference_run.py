"""What the PyTorch reference runs share: the windows `musicvae export` wrote, split as training splits them, the KL
term, and the held-out curve they print and write (the figures `musicvae eval` prints)."""
import json
import time

import numpy as np
import torch
from torch import nn


def kl_nats(mu, sigma):
    """Mean KL(N(mu, sigma) || N(0, I)) over the batch, in nats."""
    return (0.5 * (mu ** 2 + sigma ** 2 - 1) - torch.log(sigma + 1e-8)).sum(1).mean()


def load_export(folder, dev):
    """(training windows, held-out windows, as many training windows spread over the corpus) as int64 tensors."""
    windows = torch.from_numpy(np.load(folder + "/windows.npy").astype(np.int64))
    held_mask = torch.tensor([r["held_out"] for r in json.load(open(folder + "/index.json"))])
    train, held = windows[~held_mask].to(dev), windows[held_mask].to(dev)
    # the export lists windows folder by folder: take the training sample evenly over all of them
    return train, held, train[torch.linspace(0, len(train) - 1, len(held)).long().to(dev)]


def evaluate(model, windows, depth):
    """(teacher-forced accuracy, sampling accuracy, KL) of the windows at z = mu: the figures `musicvae eval`
    prints. The model has encode(one-hot), teacher_forced_logits(one-hot, z) and greedy(z)."""
    model.eval()
    with torch.no_grad():  # a few hundred windows: the greedy decode fits any GPU
        x = nn.functional.one_hot(windows, depth).float()
        mu, sigma = model.encode(x)
        tf = (model.teacher_forced_logits(x, mu).argmax(2) == windows).float().mean().item()
        sa = (model.greedy(mu) == windows).float().mean().item()
        kl = kl_nats(mu, sigma).item()
    model.train()
    return tf, sa, kl


def update(model, opt, recon, kl, beta, free_nats, lr):
    """One Adam step on recon + beta * max(KL - free nats, 0) at learning rate lr, gradients clipped to global norm 1."""
    loss = recon + beta * torch.clamp(kl - free_nats, min=0)
    for g in opt.param_groups:
        g["lr"] = lr
    opt.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()


class FlatDecoding:
    """The flat decoder's three ways to run, for a model with `depth`, `steps`, `decoder` (an LSTM over [previous
    token one-hot, z]), `out` (dense to logits) and `initial_state(z)`."""

    def teacher_forced_logits(self, x, z):  # x: one-hot [B, T, depth]
        prev = torch.cat([torch.zeros_like(x[:, :1]), x[:, :-1]], 1)
        y, _ = self.decoder(torch.cat([prev, z.unsqueeze(1).expand(-1, self.steps, -1)], 2), self.initial_state(z))
        return self.out(y)

    def scheduled_logits(self, w, z, p):
        """Step by step: each row's input at t+1 is its own draw from step t's output with probability p."""
        state, token, out = self.initial_state(z), torch.zeros(w.shape[0], 1, self.depth, device=w.device), []
        for t in range(self.steps):
            y, state = self.decoder(torch.cat([token, z.unsqueeze(1)], 2), state)
            logits = self.out(y[:, 0])
            out.append(logits)
            with torch.no_grad():
                drawn = torch.multinomial(torch.softmax(logits, 1), 1)[:, 0]
                nxt = torch.where(torch.rand(w.shape[0], device=w.device) < p, drawn, w[:, t])
            token = nn.functional.one_hot(nxt, self.depth).float().unsqueeze(1)
        return torch.stack(out, 1)

    @torch.no_grad()
    def decode(self, z, temperature=0.0):
        """Greedy (temperature 0) or drawn at `temperature`, one step at a time: [B, steps] token ids."""
        state, token, out = self.initial_state(z), torch.zeros(z.shape[0], 1, self.depth, device=z.device), []
        for _ in range(self.steps):
            y, state = self.decoder(torch.cat([token, z.unsqueeze(1)], 2), state)
            logits = self.out(y[:, 0])
            best = logits.argmax(1) if temperature == 0 else torch.multinomial(torch.softmax(logits / temperature, 1), 1)[:, 0]
            out.append(best)
            token = nn.functional.one_hot(best, self.depth).float().unsqueeze(1)
        return torch.stack(out, 1)

    def greedy(self, z):
        return self.decode(z, 0.0)


class Curve:
    """Held-out and training-sample accuracies against examples seen, printed and rewritten to `out` each time."""

    def __init__(self, evaluate, held, train_sample, batch, out, args=None):
        self.evaluate, self.held, self.train_sample, self.batch, self.out, self.args = evaluate, held, train_sample, batch, out, args
        self.points, self.t0 = [], time.time()

    def measure_every(self, seconds, model, step):
        """Measures when `seconds` have passed since the last measurement."""
        if time.time() - getattr(self, "last", self.t0) >= seconds:
            self.last = time.time()
            self.measure(model, step)

    def measure(self, model, step):
        tf, sa, kl = self.evaluate(model, self.held)
        ttf, tsa, _ = self.evaluate(model, self.train_sample)
        self.points.append({"step": step, "examples": step * self.batch, "teacher_forced": tf, "sampling": sa, "kl": kl,
                            "train_teacher_forced": ttf, "train_sampling": tsa, "seconds": round(time.time() - self.t0, 1)})
        print(json.dumps(self.points[-1]), flush=True)
        json.dump(self.points if self.args is None else {"args": self.args, "curve": self.points}, open(self.out, "w"), indent=1)
