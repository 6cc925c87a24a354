"""Median time of one training step of the note's six models on Fashion-MNIST, one BLAS thread.

To compare two versions, run it with PYTHONPATH set to each checkout's src/, alternating:
``PYTHONPATH=A/src python benchmarks/step_overhead.py A; PYTHONPATH=B/src python benchmarks/step_overhead.py B``.
"""

import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from optimlab.data import load_dataset
from optimlab.optim import make_optimizer
from optimlab.train import NetConfig, TrainConfig, Trainer


def main(label: str) -> None:
    data = load_dataset("fashion-mnist")
    opts = [make_optimizer(n) for n in ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adam")]
    nets = [NetConfig()] * 5 + [NetConfig(batchnorm=True)]
    with threadpool_limits(1):
        trainer = Trainer(data, opts, net=nets, train=TrainConfig(iters=1000), test=False)
        for _ in range(50):                                   # warm up
            trainer.step()
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            for _ in range(100):
                trainer.step()
            times.append((time.perf_counter() - t0) / 100 * 1e3)
    print(f"{label}: median ms/step {np.median(times):.3f} (7 × 100 steps: {', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "optimlab")
