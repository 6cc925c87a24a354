"""The optimizers known by name: the five built in, and those registered (``OPTIMIZERS["nesterov"] = Nesterov``)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..errors import ConfigError
from .adagrad import AdaGrad
from .adam import Adam
from .base import Optimizer
from .momentum import Momentum
from .rmsprop import RMSProp
from .sgd import SGD

BUILT_IN = (SGD, Momentum, AdaGrad, RMSProp, Adam)
BUILT_IN_NAMES = tuple(c.name for c in BUILT_IN)
# an optimizer's name: a folder's name (on any system), one item of --optimizers' comma list, the NAME of --lr NAME=
NOT_IN_NAME = re.compile(r"[\s,/\\=:;'\"*?<>|\x00-\x1f\x7f]")
NAME = re.compile(r"(?![.-])[^\s,/\\=:;'\"*?<>|\x00-\x1f\x7f]+")


class _Registry(dict):
    """Optimizer classes by name. ``OPTIMIZERS["nesterov"] = Nesterov`` checks what would otherwise go wrong later
    or silently: the key is the class's own ``name`` (lower case, as ``--optimizers`` reads names), the class is an
    :class:`Optimizer`, and a built-in is not replaced (``OPTIMIZERS["adam"] = MyAdam`` changed every "adam" run).
    Registering a class again under its name (a notebook cell run twice) is fine."""

    def __setitem__(self, key: str, cls: type[Optimizer]) -> None:
        if not (isinstance(cls, type) and issubclass(cls, Optimizer)):
            raise ConfigError(f"invalid optimizer class for {key!r}: {cls!r} (accepted: a subclass of "
                              "optimlab.optim.Optimizer)")
        own = vars(cls).get("name")
        # the name a fix would use: the one written, in lower case and without what a name may not hold, else the
        # class's
        def usable(text: str) -> str:       # invisible characters out first: "\u200b-adam" is not "-adam"
            text = unicodedata.normalize("NFKC", text)
            text = "".join(c for c in text.lower() if unicodedata.category(c)[0] not in "CZ")
            return NOT_IN_NAME.sub("", text).lstrip(".-")

        fix = usable(str(own or "")) or usable(cls.__name__) or "myoptimizer"
        fix = f"my{fix}" if fix in BUILT_IN_NAMES else fix          # 'Adam' → not 'adam', optimlab's own
        if own is None or own != key or key != str(key).lower() or not NAME.fullmatch(str(key)) \
                or any(unicodedata.category(c)[0] in "CZ" for c in str(key)) \
                or unicodedata.normalize("NFKC", str(key)) != key:     # invisible (U+200B …), look-alike (ａｄａｍ)
            raise ConfigError(f"invalid optimizer name: {key!r} for {cls.__name__}, whose name is "
                              f"{own or cls.name!r}{'' if own else ' (inherited)'} (accepted: the class's own name, "
                              f"in lower case, without spaces or any of , / \\ = : ; ' \" * ? < > |, not starting with "
                              f"'.' or '-', nothing invisible or full-width: it names the runs' folders and is listed "
                              f"after --optimizers with commas; as "
                              f"name = {fix!r} in the class and OPTIMIZERS[{fix!r}])")
        old = self.get(key)
        if old is not None and old is not cls and old in BUILT_IN:
            raise ConfigError(f"optimizer name {key!r} is optimlab's {old.__name__} (accepted: a name of your own, "
                              f"e.g. name = 'my{key}' in {cls.__name__})")
        super().__setitem__(key, cls)

    def update(self, *args: Any, **kwargs: Any) -> None:          # OPTIMIZERS.update(adam=MyAdam) checked too
        for key, cls in dict(*args, **kwargs).items():
            self[key] = cls

    def setdefault(self, key: str, cls: type[Optimizer]) -> type[Optimizer]:
        if key not in self:
            self[key] = cls
        return self[key]

    def __ior__(self, other: Any) -> "_Registry":
        self.update(other)
        return self


OPTIMIZERS: dict[str, type[Optimizer]] = _Registry({c.name: c for c in BUILT_IN})
