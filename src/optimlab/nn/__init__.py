"""The network: layers (forward beside backward), ``MultiLayerNet`` and a numerical gradient check."""

from .gradcheck import gradient_check, numerical_gradient
from .layers import Affine, BatchNormalization, ReLU, Sigmoid, SoftmaxWithLoss
from .network import ACTIVATIONS, INITS, MultiLayerNet, init_scale

__all__ = ["Affine", "BatchNormalization", "ReLU", "Sigmoid", "SoftmaxWithLoss", "MultiLayerNet", "ACTIVATIONS",
           "INITS", "init_scale", "gradient_check", "numerical_gradient"]
