"""ecocluster: from field surveys of industrial clusters and craft villages to policy.

The public names are imported on first use, so that ``import ecocluster`` (and with it the
command line's ``--help``) does not pay for pandas, SQLAlchemy or statsmodels.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ecocluster.errors import (
    EcoclusterError,
    ImportRefused,
    InputError,
    InstrumentError,
    ReadError,
)

if TYPE_CHECKING:
    from ecocluster.instrument import (
        Instrument,
        Question,
        bundled_instruments,
        load_instrument,
        read_instrument,
    )

__version__ = "0.1.0"

_LAZY = {
    "Instrument": "ecocluster.instrument",
    "Question": "ecocluster.instrument",
    "bundled_instruments": "ecocluster.instrument",
    "load_instrument": "ecocluster.instrument",
    "read_instrument": "ecocluster.instrument",
}

__all__ = [
    "EcoclusterError",
    "ImportRefused",
    "InputError",
    "Instrument",
    "InstrumentError",
    "Question",
    "ReadError",
    "__version__",
    "bundled_instruments",
    "load_instrument",
    "read_instrument",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ecocluster' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
