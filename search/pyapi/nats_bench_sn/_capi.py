"""_capi.py: the ctypes binding of libsupernet_table.so (search/pyapi/table_capi.h).

Finds the library ($SUPERNET_TABLE_LIB, else build/libsupernet_table.so of this source tree), declares
the signatures of the sntab_* functions, and turns their statuses into exceptions: a malformed
question raises ValueError, a value the table does not hold MissingValueError, each with the C side's
one-line message.
"""
import ctypes
import math
import os

# Statuses of table_capi.h (SNTAB_BAD_INPUT, SNTAB_NOT_HELD).
_BAD_INPUT, _NOT_HELD = -1, -2
# Room for any message or string the library writes (it refuses a buffer that is too small).
_TEXT_BYTES = 4096

_C_ERR = (ctypes.c_char_p, ctypes.c_size_t)
_SIGNATURES = {
    'sntab_open': (ctypes.c_void_p, (ctypes.c_char_p,) + _C_ERR),
    'sntab_close': (None, (ctypes.c_void_p,)),
    'sntab_path': (ctypes.c_char_p, (ctypes.c_void_p,)),
    'sntab_count': (ctypes.c_int, ()),
    'sntab_index_of_arch': (ctypes.c_int, (ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)) + _C_ERR),
    'sntab_arch_str': (ctypes.c_int, (ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t) + _C_ERR),
    'sntab_unique_str': (ctypes.c_int, (ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t) + _C_ERR),
    'sntab_runs': (ctypes.c_int, (ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_int)) + _C_ERR),
    'sntab_value': (ctypes.c_int, (ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int,
                                   ctypes.c_int, ctypes.POINTER(ctypes.c_double)) + _C_ERR),
    'sntab_find_best': (ctypes.c_int, (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_double,
                                       ctypes.c_double, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_double)) + _C_ERR),
}


class MissingValueError(LookupError):
    """A value nats_bench would give that the supernet table does not hold (losses, latency, ...)."""

    def __init__(self, reason, key=None):
        super().__init__(f'{key}: {reason}' if key else reason)
        self.reason, self.key = reason, key


def library_path():
    """Where the shared library is looked for: $SUPERNET_TABLE_LIB, else build/ of this source tree."""
    if os.environ.get('SUPERNET_TABLE_LIB'):
        return os.environ['SUPERNET_TABLE_LIB']
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    return os.path.join(root, 'build', 'libsupernet_table.so')


_loaded = None


def _library():
    global _loaded
    if _loaded is None:
        path = library_path()
        if not os.path.isfile(path):
            raise ImportError(f'{path} not found: build it (cmake --build build --target supernet_table) or set SUPERNET_TABLE_LIB')
        lib = ctypes.CDLL(path)
        for name, (restype, argtypes) in _SIGNATURES.items():
            getattr(lib, name).restype, getattr(lib, name).argtypes = restype, argtypes
        _loaded = lib
    return _loaded


def _call(function, *args):
    """Calls an sntab_* function that reports through (err, err_len); raises on a negative status."""
    err = ctypes.create_string_buffer(_TEXT_BYTES)
    status = function(*args, err, len(err))
    if status == _NOT_HELD:
        raise MissingValueError(err.value.decode())
    if status != 0:
        raise ValueError(err.value.decode())


class Table:
    """One loaded table file: lookups by index, arch string and (dataset, quantity, epochs, run)."""

    def __init__(self, path=None):
        self._lib = _library()
        err = ctypes.create_string_buffer(_TEXT_BYTES)
        handle = self._lib.sntab_open(os.fsencode(path) if path is not None else None, err, len(err))
        if not handle:
            raise ValueError(err.value.decode())
        self._handle = handle

    def __del__(self):
        if getattr(self, '_handle', None):
            self._lib.sntab_close(self._handle)

    @property
    def path(self):
        return os.fsdecode(self._lib.sntab_path(self._handle))

    def __len__(self):
        return self._lib.sntab_count()

    def index_of_arch(self, text):
        index = ctypes.c_int()
        _call(self._lib.sntab_index_of_arch, self._handle, text.encode(), ctypes.byref(index))
        return index.value

    def _text(self, function, index):
        out = ctypes.create_string_buffer(_TEXT_BYTES)
        _call(function, self._handle, index, out, len(out))
        return out.value.decode()

    def arch_str(self, index):
        return self._text(self._lib.sntab_arch_str, index)

    def unique_str(self, index):
        return self._text(self._lib.sntab_unique_str, index)

    def runs(self, index, epochs):
        runs = ctypes.c_int()
        _call(self._lib.sntab_runs, self._handle, index, epochs, ctypes.byref(runs))
        return runs.value

    def value(self, index, dataset, quantity, epochs, run=-1):
        """One value; run -1 is the mean over the cell's runs."""
        out = ctypes.c_double()
        _call(self._lib.sntab_value, self._handle, index, dataset.encode(), quantity.encode(), epochs, run, ctypes.byref(out))
        return out.value

    def find_best(self, dataset, quantity, epochs, flops_max=None, params_max=None):
        """(index, mean value) of the best cell within the limits, or (-1, None) if no cell is."""
        index, best = ctypes.c_int(), ctypes.c_double()
        limits = [math.inf if x is None else float(x) for x in (flops_max, params_max)]
        _call(self._lib.sntab_find_best, self._handle, dataset.encode(), quantity.encode(), epochs, *limits,
              ctypes.byref(index), ctypes.byref(best))
        return (index.value, best.value) if index.value >= 0 else (-1, None)
