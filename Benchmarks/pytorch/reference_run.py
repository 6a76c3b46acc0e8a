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
