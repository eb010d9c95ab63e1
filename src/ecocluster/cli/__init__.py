"""The ``ecocluster`` command: a thin layer over the library.

Exit codes: 0 success (warnings may have been reported), 1 problems found in the input
(the file was refused or the check failed; nothing was written), 2 usage error.

One module per family of commands; each registers its groups on `main`.
"""

from ecocluster.cli import benchmark as _benchmark
from ecocluster.cli import eic as _eic
from ecocluster.cli import eip as _eip
from ecocluster.cli import monitor as _monitor
from ecocluster.cli import network as _network
from ecocluster.cli import symbiosis as _symbiosis
from ecocluster.cli import zone as _zone
from ecocluster.cli.main import main

main.add_command(_network.network)
main.add_command(_eic.eic)
main.add_command(_eic.policy)
main.add_command(_monitor.monitor)
main.add_command(_eip.eip)
main.add_command(_zone.recp)
main.add_command(_zone.zone)
main.add_command(_symbiosis.symbiosis)
main.add_command(_benchmark.benchmark)

__all__ = ["main"]
