"""Shared by the benchmark scripts: timing, arguments and the result line.

Every script prints exactly one line `taxsdk-bench {json}` on success, which
`cargo xtask bench` reads; errors go to stderr with a non-zero exit.
"""

import importlib.metadata
import json
import sys
import time

PREFIX = 'taxsdk-bench '


def timings(runs, fn):
    """Median, fastest and slowest of `runs` calls of `fn`, in ms.

    What `fn` returns is released after the clock stops (as the Rust side
    drops its result after timing), and the median is the upper median
    (`times[n // 2]`), as on the Rust side.
    """
    times = []
    for _ in range(max(1, runs)):
        start = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - start
        del out
        times.append(elapsed)
    times.sort()
    return {
        'median_ms': times[len(times) // 2] * 1e3,
        'min_ms': times[0] * 1e3,
        'max_ms': times[-1] * 1e3,
    }


def versions(*distributions):
    """Installed versions of the given distributions (and Python's)."""
    out = {'python': sys.version.split()[0]}
    for name in distributions:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def option(args, flag, default, convert=int):
    """The value after `flag` in `args`, converted, or `default`."""
    if flag not in args:
        return default
    index = args.index(flag)
    if index + 1 >= len(args):
        fail(f'{flag} needs a value')
    try:
        return convert(args[index + 1])
    except ValueError:
        fail(f'{flag}: bad value {args[index + 1]!r}')


def emit(result):
    """Print the result line."""
    print(PREFIX + json.dumps(result, ensure_ascii=False))


def fail(message):
    """Stop with `message` on stderr."""
    print(f'{sys.argv[0]}: {message}', file=sys.stderr)
    sys.exit(2)
