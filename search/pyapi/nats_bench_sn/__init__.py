"""nats_bench_sn: the calls of nats_bench (topology search space) and nas_201_api over the supernet
table, through the engine's C code (libsupernet_table.so). Usage and the list of what raises:
search/pyapi/README.md.

    from nats_bench_sn import create
    api = create(None, 'tss')
    api.get_more_info(1462, 'cifar100', hp='200', is_random=False)['test-accuracy']
"""
from ._capi import MissingValueError
from .topology import DATASETS, ArchResults, Info, TopologyAPI

__all__ = ['create', 'NASBench201API', 'NATStopology', 'TopologyAPI', 'ArchResults', 'Info', 'MissingValueError', 'DATASETS']
NATStopology = TopologyAPI


def create(file_path_or_dict, search_space, fast_mode=False, verbose=True):
    """nats_bench.create: file_path_or_dict is None (the default table) or a .sntab path."""
    if search_space in ('tss', 'topology'):
        return TopologyAPI(file_path_or_dict, fast_mode, verbose)
    if search_space in ('sss', 'size'):
        raise ValueError('the size search space (sss) is not in the supernet table, only the topology one (tss)')
    raise ValueError(f'unknown search space {search_space!r} (tss)')


class NASBench201API(TopologyAPI):
    """nas_201_api.NASBench201API: the same calls (NAS-Bench-201 v1.1 = NATS-Bench tss)."""

    def __init__(self, file_path_or_dict=None, verbose=True):
        super().__init__(file_path_or_dict, False, verbose)
