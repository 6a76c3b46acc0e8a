"""Where mel_2bar_small's KL weight trades reconstruction against prior samples in key, with far more examples than
two cores give: a PyTorch re-implementation of our mel_2bar_small, trained on the windows `musicvae export` wrote,
on a GPU where one is lent (not part of CI, and not how shipped models are trained: those come from our Swift code).

    musicvae export ../shared/corpus/folk/essenFolksong ../shared/corpus/folk/ryansMammoth \
        ../shared/corpus/folk/miscFolk ../shared/corpus/bach-chorales ../shared/corpus/folk/airdsAirs \
        --model Models/mel_2bar_small --out out/export-mel
    python3 Benchmarks/pytorch/mel_2bar_small_reference.py out/export-mel --minutes 8 --switch-minutes 5 \
        --switch-beta 0.8 --out b08.json

The model is cat_mel_2bar_small.py's (MusicVAEConfig's mel_2bar_small), trained as `train` trains it:
  data     the export's training windows except those of --unseen (Aird's Airs: the collection left out), drawn
           folder by folder with probability proportional to the square root of the folder's windows
           (`--balance sqrt`), each transposed by -5...+5 semitones (kept as it is where a note would leave 21-108)
  loss     cross-entropy summed over the steps + beta * max(KL - free bits * ln 2, 0),
           beta = max_beta (1 - 0.9999^step); Adam, lr 1e-3 * 0.99995^step (at least 1e-5), global-norm clip 1
  stages   until --switch-minutes: the mel_2bar_small preset (free bits 64, max beta 0.2, Magenta's scheduled
           sampling); after: --switch-free-bits, --switch-beta and teacher forcing (the campaign's second stage)
Measured (z = mu): teacher-forced and sampling accuracy on the held-out windows of the training folders and on
every window of the unseen collection, KL; then 1,000 codes from N(0, I) decoded at temperature 0.5, against the
held-out Essen windows: histogram intersection (20 equal bins) of note density, average interval, pitch range and
the diatonic share in each window's best major key, and the share of samples spanning more than two octaves: the
figures `latent-eval --samples-only` prints.
"""
import argparse
import json
import math
import time

import numpy as np
import torch
from torch import nn

from cat_mel_2bar_small import DEPTH, STEPS, CatMel2barSmall
from reference_run import FlatDecoding, evaluate, kl_nats, update

MAJOR = {0, 2, 4, 5, 7, 9, 11}


class Reference(CatMel2barSmall, FlatDecoding):
    depth, steps = DEPTH, STEPS


def transpose(w, shifts):
    """Each row moved by its shift, where every note stays within classes 2...89 (else the row as it is)."""
    notes = w >= 2
    moved = torch.where(notes, w + shifts.unsqueeze(1), w)
    fits = ((moved >= 2) & (moved < DEPTH) | ~notes).all(1, keepdim=True)
    return torch.where(fits, moved, w)


def attributes(w):
    """(note density, average interval, pitch range, diatonic share in the best major key, pitches) of a window."""
    pitches = [c - 2 + 21 for c in w if c >= 2]
    interval = np.mean(np.abs(np.diff(pitches))) if len(pitches) > 1 else 0.0
    span = max(pitches) - min(pitches) if pitches else 0
    best = max(sum((p - t) % 12 in MAJOR for p in pitches) / len(pitches) for t in range(12)) if pitches else 0.0
    return [len(pitches) / len(w), interval, span, best]


def overlap(a, b):
    lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
    def hist(x):
        idx = np.zeros(len(x), int) if hi <= lo else np.minimum(19, ((x - lo) / (hi - lo) * 20).astype(int))
        return np.bincount(idx, minlength=20) / len(x)
    return float(np.minimum(hist(a), hist(b)).sum())


def sample_figures(model, reference, dev, seed):
    torch.manual_seed(seed)
    model.eval()
    samples = model.decode(torch.randn(1000, 256, device=dev), 0.5).cpu().numpy()
    model.train()
    sa, ra = np.array([attributes(w) for w in samples]), np.array([attributes(w) for w in reference])
    names = ["density", "interval", "range", "best_key_diatonic"]
    out = {n: round(overlap(sa[:, k], ra[:, k]), 3) for k, n in enumerate(names)}
    out["over_two_octaves_pct"] = round(100 * float((sa[:, 2] > 24).mean()), 2)
    out["fewer_than_4_notes_pct"] = round(100 * float((sa[:, 0] * STEPS < 4).mean()), 2)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("export")
    p.add_argument("--minutes", type=float, default=8)
    p.add_argument("--switch-minutes", type=float, default=None)
    p.add_argument("--switch-beta", type=float, default=0.5)
    p.add_argument("--switch-free-bits", type=float, default=32)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--unseen", default="airdsAirs")
    p.add_argument("--eval-seconds", type=float, default=60)
    p.add_argument("--seed", type=int, default=21)
    p.add_argument("--out", default="curve.json")
    a = p.parse_args()
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(a.seed)
    windows = torch.from_numpy(np.load(a.export + "/windows.npy").astype(np.int64))
    rows = json.load(open(a.export + "/index.json"))
    unseen = torch.tensor([r["folder"].rstrip("/").endswith(a.unseen) for r in rows])
    held = torch.tensor([r["held_out"] for r in rows]) & ~unseen
    essen_held = np.array([r["held_out"] and "essen" in r["folder"] for r in rows])
    train_mask = ~held & ~unseen
    folders = sorted({r["folder"] for r, t in zip(rows, train_mask.tolist()) if t})
    by_folder = [windows[train_mask & torch.tensor([r["folder"] == f for r in rows])] for f in folders]
    sizes = torch.tensor([len(f) for f in by_folder], device=dev)
    offsets = torch.cumsum(sizes, 0) - sizes
    train_w = torch.cat(by_folder).to(dev)
    shares = sizes.double().sqrt()
    held_w, unseen_w, reference = windows[held].to(dev), windows[unseen].to(dev), windows.numpy()[essen_held][:4000]
    print(f"{dev}: training folders {[(f.split('/')[-1], len(w)) for f, w in zip(folders, by_folder)]}, "
          f"{len(held_w)} held out, {len(unseen_w)} unseen ({a.unseen}); {vars(a)}", flush=True)
    model = Reference().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    points, step, t0, last = [], 0, time.time(), time.time()

    def measure(final=False):
        tf, sa, kl = evaluate(model, held_w, DEPTH)
        point = {"step": step, "examples": step * a.batch, "minutes": round((time.time() - t0) / 60, 2),
                 "teacher_forced": round(tf, 4), "sampling": round(sa, 4), "kl": round(kl, 2)}
        if final or len(points) % 3 == 2:
            utf, usa, ukl = evaluate(model, unseen_w, DEPTH)
            point.update(unseen_teacher_forced=round(utf, 4), unseen_sampling=round(usa, 4), unseen_kl=round(ukl, 2))
            point.update(sample_figures(model, reference, dev, seed=len(points)))
        points.append(point)
        print(json.dumps(point), flush=True)
        json.dump({"args": vars(a), "curve": points}, open(a.out, "w"), indent=1)

    while time.time() - t0 < a.minutes * 60:
        second = a.switch_minutes is not None and time.time() - t0 >= a.switch_minutes * 60
        free_bits, max_beta = (a.switch_free_bits, a.switch_beta) if second else (64, 0.2)
        src = torch.multinomial(shares, a.batch, replacement=True)
        w = train_w[offsets[src] + (torch.rand(a.batch, device=dev) * sizes[src]).long()]
        w = transpose(w, torch.randint(-5, 6, (a.batch,), device=dev))
        x = nn.functional.one_hot(w, DEPTH).float()
        mu, sigma = model.encode(x)
        z = mu + sigma * torch.randn_like(mu)
        ss = 0.0 if second else 1 - 1000 / (1000 + math.exp(min(step / 1000, 700)))
        logits = model.scheduled_logits(w, z, ss) if ss > 0 else model.teacher_forced_logits(x, z)
        recon = nn.functional.cross_entropy(logits.reshape(-1, DEPTH), w.reshape(-1), reduction="sum") / a.batch
        update(model, opt, recon, kl_nats(mu, sigma), max_beta * (1 - 0.9999 ** step), free_bits * math.log(2),
               max(1e-5, 1e-3 * 0.99995 ** step))
        step += 1
        if time.time() - last >= a.eval_seconds:
            last = time.time()
            measure()
    measure(final=True)


if __name__ == "__main__":
    main()
