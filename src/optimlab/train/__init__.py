"""Training: the cohort loop, minibatch sampling, histories, checkpoints."""

from .history import History, read_metrics, write_metrics_csv
from .loop import BatchSampler, NetConfig, TrainConfig, Trainer, seed_streams, train

__all__ = ["History", "read_metrics", "write_metrics_csv", "BatchSampler", "NetConfig", "TrainConfig", "Trainer",
           "seed_streams", "train"]
