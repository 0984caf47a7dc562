"""topology.py: nats_bench's topology-search-space API (NATStopology) over the supernet table.

The calls, arguments and result keys are those of nats_bench for the values the table holds; every
number comes from the C library (_capi.py). A key nats_bench would return whose value the table does
not hold is left out of the result, and reading it raises MissingValueError naming it (Info); a call
that can only be answered with such values raises at once. README.md lists both.
"""
import operator
import random

from ._capi import MissingValueError, Table

DATASETS = ('cifar10-valid', 'cifar10', 'cifar100', 'ImageNet16-120')
# Each dataset's evaluation sets as nats_bench names them, in its order: (key prefix in get_more_info,
# set name, the table's quantity for its accuracy). cifar10-valid's ori-test is the test set after
# training on the 25k split, which the table does not hold (the C side says so).
_EVAL_SETS = {
    'cifar10-valid': (('valid', 'x-valid', 'valid'), ('test', 'ori-test', 'test')),
    'cifar10': (('test', 'ori-test', 'test'),),
    'cifar100': (('test', 'x-test', 'test'), ('valid', 'x-valid', 'valid'), ('valtest', 'ori-test', 'valtest')),
    'ImageNet16-120': (('test', 'x-test', 'test'), ('valid', 'x-valid', 'valid'), ('valtest', 'ori-test', 'valtest')),
}
# The schedules of the topology search space: hp -> epochs.
_SCHEDULES = {'12': 12, '200': 200}

_NO_LOSS = 'the supernet table holds no losses'
_NO_TRAIN_ACCURACY = 'the supernet table holds no train accuracy'
_NO_EVAL_TIME = 'the supernet table holds no evaluation times'
_NO_LATENCY = 'the supernet table holds no latency'
_NO_SEED_NUMBERS = 'the supernet table does not record seed numbers: pass is_random=True (one random run) or False (the mean)'


class Info(dict):
    """A result dict. Keys nats_bench would also return but the table does not hold are in `missing`
    (key -> reason): reading one with [] raises MissingValueError; `in` and get() see them as absent."""

    def __init__(self):
        super().__init__()
        self.missing = {}

    def __missing__(self, key):
        if key in self.missing:
            raise MissingValueError(self.missing[key], key)
        raise KeyError(key)

    def put(self, key, compute):
        """Stores compute(), or the reason it raised MissingValueError."""
        try:
            self[key] = compute()
        except MissingValueError as e:
            self.missing[key] = e.reason

    def lack(self, key, reason):
        self.missing[key] = reason


class _NotACell(ValueError):
    """An argument that names no cell: query_index_by_arch answers -1, every other call raises."""


def _check_dataset(dataset):
    if dataset not in DATASETS:
        raise ValueError(f'unknown dataset {dataset!r} ({", ".join(DATASETS)})')


def _epochs(hp):
    if str(hp) not in _SCHEDULES:
        raise ValueError(f"hp={hp!r}: the topology search space has hp '12' and '200'")
    return _SCHEDULES[str(hp)]


def _check_last_epoch(iepoch, epochs):
    """The table holds each schedule's last epoch: iepoch None or epochs - 1."""
    if iepoch is None or iepoch == epochs - 1:
        return
    if isinstance(iepoch, int) and 0 <= iepoch < epochs:
        raise MissingValueError(f'the supernet table holds the last epoch only (iepoch=None or {epochs - 1})', f'iepoch={iepoch}')
    raise ValueError(f'iepoch={iepoch!r} is out of range 0..{epochs - 1}')


def _eval_set(dataset, setname):
    for prefix, name, quantity in _EVAL_SETS[dataset]:
        if name == setname:
            return prefix, quantity
    names = ', '.join(['train'] + [name for _, name, _ in _EVAL_SETS[dataset]])
    raise ValueError(f'{dataset} has no set {setname!r} ({names})')


def _short_set_names(dataset, setname):
    """find_best's short names: cifar10's 'valid' is cifar10-valid's x-valid, its 'test' ori-test;
    elsewhere 'valid' and 'test' are x-valid and x-test."""
    if dataset == 'cifar10' and setname == 'valid':
        return 'cifar10-valid', 'x-valid'
    short = {'valid': 'x-valid', 'test': 'ori-test' if dataset == 'cifar10' else 'x-test'}
    return dataset, short.get(setname, setname)


class ArchResults:
    """One cell under one schedule (query_meta_info_by_index): nats_bench's get_metrics and
    get_compute_costs for the values the table holds."""

    def __init__(self, table, index, epochs):
        self._table, self.arch_index, self.epochs = table, index, epochs
        self.arch_str = table.arch_str(index)

    def get_dataset_names(self):
        return list(DATASETS)

    def get_total_epoch(self, dataset=None):
        return self.epochs

    def get_dataset_seeds(self, dataset):
        raise MissingValueError(_NO_SEED_NUMBERS, 'seeds')

    def resolve_run(self, is_random):
        """True: one of the cell's runs, drawn with the random module as nats_bench does; False: the mean (-1)."""
        if is_random is True:
            return random.randrange(self._table.runs(self.arch_index, self.epochs))
        if is_random is False:
            return -1
        if isinstance(is_random, int):
            raise MissingValueError(_NO_SEED_NUMBERS, f'is_random={is_random}')
        raise ValueError(f'is_random={is_random!r}: pass True, False or a seed number')

    def _value(self, dataset, quantity, run):
        return self._table.value(self.arch_index, dataset, quantity, self.epochs, run)

    def metrics(self, dataset, setname, run):
        """get_metrics for a resolved run: iepoch, loss, accuracy, cur_time, all_time."""
        _check_dataset(dataset)
        info = Info()
        info['iepoch'] = self.epochs - 1
        info.lack('loss', _NO_LOSS)
        if setname == 'train':
            info.lack('accuracy', _NO_TRAIN_ACCURACY)
            info.put('all_time', lambda: self._value(dataset, 'train-time', run))
            info.put('cur_time', lambda: info['all_time'] / self.epochs)
            return info
        quantity = _eval_set(dataset, setname)[1]
        info.put('accuracy', lambda: self._value(dataset, quantity, run))
        info.lack('cur_time', _NO_EVAL_TIME)
        info.lack('all_time', _NO_EVAL_TIME)
        return info

    def get_metrics(self, dataset, setname, iepoch=None, is_random=False):
        _check_last_epoch(iepoch, self.epochs)
        return self.metrics(dataset, setname, self.resolve_run(is_random))

    def get_compute_costs(self, dataset):
        """flops, params, latency and the T-<set>@epoch / T-<set>@total times."""
        _check_dataset(dataset)
        info = Info()
        info.put('flops', lambda: self._value(dataset, 'flops', -1))
        info.put('params', lambda: self._value(dataset, 'params', -1))
        info.lack('latency', _NO_LATENCY)
        info.put('T-train@total', lambda: self._value(dataset, 'train-time', -1))
        info.put('T-train@epoch', lambda: info['T-train@total'] / self.epochs)
        for _, name, _ in _EVAL_SETS[dataset]:
            info.lack(f'T-{name}@epoch', _NO_EVAL_TIME)
            info.lack(f'T-{name}@total', _NO_EVAL_TIME)
        return info


class TopologyAPI:
    """nats_bench's NATStopology over the supernet table; create(path, 'tss') builds one.

    fast_mode and verbose are accepted for compatibility and change nothing: the whole table loads in
    milliseconds and nothing is printed."""

    def __init__(self, file_path_or_dict=None, fast_mode=False, verbose=True):
        if isinstance(file_path_or_dict, dict):
            raise ValueError('a nats_bench benchmark dict cannot be read here: pass None or the path of a .sntab table file')
        self._table = Table(file_path_or_dict)
        self.fast_mode, self.verbose = fast_mode, verbose
        self._used_time = 0.0

    def __len__(self):
        return len(self._table)

    def __repr__(self):
        return f'{type(self).__name__}({len(self)} architectures, table={self._table.path})'

    def __getitem__(self, index):
        index = operator.index(index)
        if not 0 <= index < len(self):
            raise IndexError(f'architecture index {index} is out of range 0..{len(self) - 1}')
        return self._table.arch_str(index)

    def _index(self, arch):
        """The index of an index, an arch string or an object with tostr(); raises ValueError."""
        if hasattr(arch, 'tostr'):
            arch = arch.tostr()
        if isinstance(arch, str):
            try:
                return self._table.index_of_arch(arch)
            except ValueError as e:
                raise _NotACell(str(e)) from None
        try:
            index = operator.index(arch)
        except TypeError:
            raise _NotACell(f'not an architecture: {arch!r} (pass an index, an arch string or an object with tostr())') from None
        if not 0 <= index < len(self):
            raise ValueError(f'architecture index {index} is out of range 0..{len(self) - 1}')
        return index

    def query_index_by_arch(self, arch):
        """The index of arch; -1 for a string or object that is no cell of the space (as nats_bench)."""
        try:
            return self._index(arch)
        except _NotACell:
            return -1

    def arch(self, index):
        return self._table.arch_str(self._index(operator.index(index)))

    def get_unique_str(self, arch):
        """The cell's form up to isomorphism (none edges and dead nodes folded): 6,466 distinct strings."""
        return self._table.unique_str(self._index(arch))

    def query_meta_info_by_index(self, arch_index, hp='12'):
        return ArchResults(self._table, self._index(arch_index), _epochs(hp))

    def get_more_info(self, index, dataset, iepoch=None, hp='12', is_random=True):
        """train-*, and valid-* / test-* / valtest-* for the dataset's sets, as nats_bench's dict."""
        results = self.query_meta_info_by_index(index, hp)
        _check_dataset(dataset)
        _check_last_epoch(iepoch, results.epochs)
        run = results.resolve_run(is_random)
        info = Info()
        _put_metrics(info, 'train', results.metrics(dataset, 'train', run), results.epochs)
        for prefix, name, _ in _EVAL_SETS[dataset]:
            _put_metrics(info, prefix, results.metrics(dataset, name, run), results.epochs)
        return info

    def get_cost_info(self, index, dataset, hp='12'):
        return self.query_meta_info_by_index(index, hp).get_compute_costs(dataset)

    def get_latency(self, index, dataset, hp='12'):
        return self.get_cost_info(index, dataset, hp)['latency']

    def find_best(self, dataset, metric_on_set, FLOP_max=None, Param_max=None, hp='12'):
        """(index, accuracy) of the first cell with the highest mean accuracy on the set, within the
        FLOPs and params limits (millions); (-1, None) if no cell is within them."""
        dataset, setname = _short_set_names(dataset, metric_on_set)
        _check_dataset(dataset)
        if setname == 'train':
            raise MissingValueError(_NO_TRAIN_ACCURACY, 'find_best on train')
        quantity = _eval_set(dataset, setname)[1]
        return self._table.find_best(dataset, quantity, _epochs(hp), FLOP_max, Param_max)

    def simulate_train_eval(self, arch, dataset, iepoch=None, hp='12', account_time=True, train_time_only=False):
        """nats_bench charges train-all-time + valid-per-time and returns the latency; the table holds
        neither of the last two, so this raises unless train_time_only=True, which charges the training
        time alone and returns None as the latency. Returns (valid accuracy of one random run, latency,
        time cost, total time charged so far)."""
        if dataset not in ('cifar10', 'cifar100', 'ImageNet16-120'):
            raise ValueError(f'unknown dataset {dataset!r} for simulate_train_eval (cifar10, cifar100, ImageNet16-120)')
        info = self.get_more_info(arch, 'cifar10-valid' if dataset == 'cifar10' else dataset, iepoch, hp, is_random=True)
        if not train_time_only:
            raise MissingValueError('the supernet table holds no valid-per-time and no latency; pass train_time_only=True to charge the training time alone',
                                    'simulate_train_eval')
        valid_accuracy, time_cost = info['valid-accuracy'], info['train-all-time']
        if account_time:
            self._used_time += time_cost
        return valid_accuracy, None, time_cost, self._used_time

    @property
    def used_time(self):
        return self._used_time

    def reset_time(self):
        self._used_time = 0.0


def _put_metrics(info, prefix, metrics, epochs):
    """A set's loss, accuracy, per-epoch and total time under nats_bench's <prefix>-* keys."""
    info.put(f'{prefix}-loss', lambda: metrics['loss'])
    info.put(f'{prefix}-accuracy', lambda: metrics['accuracy'])
    info.put(f'{prefix}-per-time', lambda: metrics['all_time'] / epochs)
    info.put(f'{prefix}-all-time', lambda: metrics['all_time'])
