#!/usr/bin/env python3
"""Writes the PyTorch reference values that dev.depth.optim's tests compare with.

Run from the repository root with a Python that has PyTorch:

    python3 depth-core/src/test/python/make_optim_fixtures.py

It overwrites depth-core/src/test/resources/dev/depth/optim/optim_fixtures.txt. CI does not run
this script: the tests read the committed file, so only the JVM is needed.

Format (one record per line, space separated; floats with 9 significant digits, which round-trip
float32 exactly; doubles with 17):

    case NAME                          an optimiser case
    optimizer CLASS key=value ...      hyperparameters, PyTorch's names (betas=0.9,0.999)
    group lr=.. weight_decay=.. params=0,1
    param INDEX SHAPE v v v ...        initial values; SHAPE like 2x3
    step                               one optimiser step with the gradients below
    grad INDEX v v v ... | grad INDEX none
    expect INDEX v v v ...             parameter values after the step
    end

    schedule NAME CLASS key=value ... lr=a,b    a scheduler over an SGD with one group per lr
    lrs T lr_group0 lr_group1 ...      the rates after T calls of step() (T = 0: at creation)
    end

    clip NAME max_norm=.. norm_type=.. (inf allowed)
    param / grad lines as above (grad on the same indices)
    total v                            the returned norm
    expect INDEX v v v ...             the gradients after clipping
    end
"""
import math
import os
import sys
import warnings

import torch

# SequentialLR calls step(0) on the cosine schedule at the milestone, which warns; the values are right.
warnings.filterwarnings("ignore", message="The epoch parameter")

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "dev", "depth", "optim",
                   "optim_fixtures.txt")

SHAPES = [(2, 3), (4,), (1,)]
STEPS = 6
SKIP = {(3, 1), (4, 2)}  # (step, param): gradient is None there (0-based step)


def f32(values):
    return " ".join("%.9g" % v for v in values)


def shape_str(shape):
    return "x".join(str(s) for s in shape)


def initial_params(gen):
    return [(torch.randn(s, generator=gen) * 0.5 + 0.1).float() for s in SHAPES]


def gradients(gen):
    seq = []
    for step in range(STEPS):
        gs = []
        for i, s in enumerate(SHAPES):
            if (step, i) in SKIP:
                gs.append(None)
                continue
            g = torch.randn(s, generator=gen) * (0.3 + 0.4 * step)
            if i == 0 and step == 2:
                g[0, 1] = 0.0  # an exact zero gradient element
            gs.append(g.float())
        seq.append(gs)
    return seq


def fmt_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (tuple, list)):
        return ",".join(repr(float(x)) for x in v)
    return repr(v)


def optimizer_case(lines, name, cls, options, groups, seed):
    """groups: list of (lr, weight_decay, param indices)."""
    gen = torch.Generator().manual_seed(seed)
    init = initial_params(gen)
    grads = gradients(gen)
    params = [p.clone().requires_grad_(True) for p in init]
    torch_groups = [dict(params=[params[i] for i in idx], lr=lr, weight_decay=wd) for lr, wd, idx in groups]
    opt = getattr(torch.optim, cls)(torch_groups, **options)

    lines.append("case " + name)
    lines.append("optimizer " + cls + "".join(" %s=%s" % (k, fmt_value(v)) for k, v in options.items()))
    for lr, wd, idx in groups:
        lines.append("group lr=%r weight_decay=%r params=%s" % (lr, wd, ",".join(str(i) for i in idx)))
    for i, p in enumerate(init):
        lines.append("param %d %s %s" % (i, shape_str(p.shape), f32(p.flatten().tolist())))
    for step in range(STEPS):
        lines.append("step")
        for i, p in enumerate(params):
            g = grads[step][i]
            p.grad = None if g is None else g.clone()
            lines.append("grad %d %s" % (i, "none" if g is None else f32(g.flatten().tolist())))
        opt.step()
        for i, p in enumerate(params):
            lines.append("expect %d %s" % (i, f32(p.detach().flatten().tolist())))
    lines.append("end")


def optimizer_cases(lines):
    one = lambda lr, wd=0.0: [(lr, wd, [0, 1, 2])]
    two = lambda lr0, wd0, lr1, wd1: [(lr0, wd0, [0, 1]), (lr1, wd1, [2])]
    cases = [
        ("sgd_plain", "SGD", {}, one(0.1)),
        ("sgd_momentum", "SGD", dict(momentum=0.9), one(0.1)),
        ("sgd_nesterov", "SGD", dict(momentum=0.9, nesterov=True), one(0.05)),
        ("sgd_weight_decay", "SGD", dict(momentum=0.8), one(0.1, 0.1)),
        ("sgd_plain_weight_decay", "SGD", {}, one(0.1, 0.2)),
        ("sgd_nesterov_weight_decay", "SGD", dict(momentum=0.7, nesterov=True), one(0.05, 0.05)),
        ("sgd_dampening", "SGD", dict(momentum=0.9, dampening=0.5), one(0.1)),
        ("sgd_maximize", "SGD", dict(momentum=0.5, maximize=True), one(0.1, 0.01)),
        ("sgd_two_groups", "SGD", dict(momentum=0.9), two(0.1, 0.0, 0.01, 0.05)),
        ("adam_plain", "Adam", dict(betas=(0.9, 0.999), eps=1e-8), one(0.01)),
        ("adam_weight_decay", "Adam", dict(betas=(0.9, 0.999), eps=1e-8), one(0.01, 0.1)),
        ("adam_amsgrad", "Adam", dict(betas=(0.9, 0.999), eps=1e-8, amsgrad=True), one(0.01)),
        ("adam_betas_eps", "Adam", dict(betas=(0.8, 0.99), eps=1e-3), one(0.05)),
        ("adam_maximize", "Adam", dict(betas=(0.9, 0.999), eps=1e-8, maximize=True), one(0.01, 0.05)),
        ("adam_two_groups", "Adam", dict(betas=(0.9, 0.999), eps=1e-8), two(0.01, 0.0, 0.001, 0.1)),
        ("adamw_plain", "AdamW", dict(betas=(0.9, 0.999), eps=1e-8), one(0.01, 0.01)),
        ("adamw_decay_amsgrad", "AdamW", dict(betas=(0.9, 0.99), eps=1e-8, amsgrad=True), one(0.02, 0.1)),
        ("adamw_maximize", "AdamW", dict(betas=(0.9, 0.999), eps=1e-8, maximize=True), one(0.01, 0.02)),
        ("adamw_two_groups", "AdamW", dict(betas=(0.9, 0.999), eps=1e-8), two(0.01, 0.1, 0.01, 0.0)),
        ("rmsprop_plain", "RMSprop", dict(alpha=0.99, eps=1e-8), one(0.01)),
        ("rmsprop_centered", "RMSprop", dict(alpha=0.9, eps=1e-8, centered=True), one(0.01)),
        ("rmsprop_momentum", "RMSprop", dict(alpha=0.99, eps=1e-8, momentum=0.9), one(0.01)),
        ("rmsprop_centered_momentum_decay", "RMSprop", dict(alpha=0.95, eps=1e-6, momentum=0.5, centered=True), one(0.005, 0.1)),
        ("rmsprop_centered_decay", "RMSprop", dict(alpha=0.9, eps=1e-8, centered=True), one(0.01, 0.05)),
        ("rmsprop_maximize", "RMSprop", dict(alpha=0.99, eps=1e-8, maximize=True), one(0.01)),
        ("adagrad_plain", "Adagrad", dict(eps=1e-10), one(0.1)),
        ("adagrad_lr_decay", "Adagrad", dict(lr_decay=0.1, eps=1e-10), one(0.1)),
        ("adagrad_accumulator_decay", "Adagrad", dict(initial_accumulator_value=0.5, eps=1e-10), one(0.1, 0.1)),
        ("adagrad_maximize", "Adagrad", dict(lr_decay=0.05, eps=1e-10, maximize=True), one(0.1)),
    ]
    for seed, (name, cls, options, groups) in enumerate(cases):
        optimizer_case(lines, name, cls, options, groups, 1000 + seed)


def schedule_case(lines, name, cls, options, lrs, steps, make):
    params = [torch.zeros(1, requires_grad=True) for _ in lrs]
    opt = torch.optim.SGD([dict(params=[p], lr=lr) for p, lr in zip(params, lrs)], lr=lrs[0])
    sched = make(opt)
    lines.append("schedule %s %s%s lr=%s" % (name, cls, "".join(" %s=%r" % kv for kv in options.items()),
                                             ",".join(repr(lr) for lr in lrs)))
    for t in range(steps + 1):
        if t > 0:
            opt.step()
            sched.step()
        lines.append("lrs %d %s" % (t, " ".join("%.17g" % g["lr"] for g in opt.param_groups)))
    lines.append("end")


def schedule_cases(lines):
    S = torch.optim.lr_scheduler
    lrs = [0.1, 0.02]
    schedule_case(lines, "step_lr", "StepLR", dict(step_size=3, gamma=0.5), lrs, 12,
                  lambda o: S.StepLR(o, step_size=3, gamma=0.5))
    schedule_case(lines, "exponential_lr", "ExponentialLR", dict(gamma=0.9), lrs, 12,
                  lambda o: S.ExponentialLR(o, gamma=0.9))
    schedule_case(lines, "cosine_lr", "CosineAnnealingLR", dict(t_max=10, eta_min=0.001), lrs, 25,
                  lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001))
    schedule_case(lines, "cosine_lr_zero_min", "CosineAnnealingLR", dict(t_max=7, eta_min=0.0), lrs, 7,
                  lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.0))

    def warmup_cosine(o, warmup, total, start, eta_min):
        return S.SequentialLR(o, [S.LinearLR(o, start_factor=start, end_factor=1.0, total_iters=warmup),
                                  S.CosineAnnealingLR(o, T_max=total - warmup, eta_min=eta_min)], milestones=[warmup])

    schedule_case(lines, "warmup_cosine", "WarmupCosine", dict(warmup_steps=4, total_steps=14, start_factor=0.1, min_lr=0.001),
                  lrs, 14, lambda o: warmup_cosine(o, 4, 14, 0.1, 0.001))
    schedule_case(lines, "warmup_cosine_half", "WarmupCosine", dict(warmup_steps=5, total_steps=8, start_factor=0.5, min_lr=0.0),
                  lrs, 8, lambda o: warmup_cosine(o, 5, 8, 0.5, 0.0))


def clip_case(lines, name, max_norm, norm_type, seed, scale, none_index=None):
    gen = torch.Generator().manual_seed(seed)
    params = [torch.zeros(s, requires_grad=True) for s in SHAPES]
    for i, p in enumerate(params):
        p.grad = None if i == none_index else (torch.randn(p.shape, generator=gen) * scale).float()
    lines.append("clip %s max_norm=%r norm_type=%s" % (name, max_norm, "inf" if math.isinf(norm_type) else repr(norm_type)))
    for i, p in enumerate(params):
        lines.append("param %d %s %s" % (i, shape_str(p.shape), f32([0.0] * p.numel())))
        lines.append("grad %d %s" % (i, "none" if p.grad is None else f32(p.grad.flatten().tolist())))
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    lines.append("total %.9g" % float(total))
    for i, p in enumerate(params):
        if p.grad is not None:
            lines.append("expect %d %s" % (i, f32(p.grad.flatten().tolist())))
    lines.append("end")


def clip_cases(lines):
    clip_case(lines, "l2_clipped", 1.0, 2.0, 7, 1.0)
    clip_case(lines, "l2_unclipped", 100.0, 2.0, 8, 1.0)
    clip_case(lines, "l2_with_none", 0.5, 2.0, 9, 1.0, none_index=1)
    clip_case(lines, "inf_clipped", 0.25, math.inf, 10, 1.0)
    clip_case(lines, "inf_unclipped", 10.0, math.inf, 11, 1.0)
    clip_case(lines, "l1_clipped", 1.0, 1.0, 12, 1.0)
    clip_case(lines, "l3_clipped", 0.5, 3.0, 13, 2.0)


def main():
    lines = ["# generated by depth-core/src/test/python/make_optim_fixtures.py with torch %s; do not edit" % torch.__version__]
    optimizer_cases(lines)
    schedule_cases(lines)
    clip_cases(lines)
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d lines to %s" % (len(lines), os.path.normpath(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
