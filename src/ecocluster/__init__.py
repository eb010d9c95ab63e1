"""ecocluster: from field surveys of industrial clusters and craft villages to policy."""

from ecocluster.errors import (
    EcoclusterError,
    ImportRefused,
    InputError,
    InstrumentError,
    ReadError,
)
from ecocluster.instrument import (
    Instrument,
    Question,
    bundled_instruments,
    load_instrument,
    read_instrument,
)

__version__ = "0.1.0"

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
