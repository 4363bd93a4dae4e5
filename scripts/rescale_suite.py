"""Write a suite of photon-count cubes stored in other units: each cube of the given suites
multiplied by a factor (the factors taken in turn), as float32, with a manifest that
`cubeseg-bench quality --suite OUTDIR/suite.json` reads. A factor that is not a whole
number stands for counts times a calibration or live-time factor; a whole one for counts
per second at a fixed dwell time (100: 10 ms). The labels are the source cube's.

    python3 scripts/rescale_suite.py OUTDIR FACTOR[,FACTOR...] SUITE.json[:NAME,NAME...] ...

Example (README, "Know the data"):
    python3 scripts/rescale_suite.py /tmp/rescaled 0.731,100,0.05,3.7 \
        quality-out/cubes/grid/suite.json:maxrf_c120,maxrf_c400,maxrf_dark,maxrf_gradient \
        quality-out/cubes/pysim/suite.json:xrf_c400,xrf_k3,xrf_dark,xrf_rare
"""
import json
import os
import sys

import numpy as np


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    out, factors, specs = argv[0], [float(f) for f in argv[1].split(',')], argv[2:]
    os.makedirs(out, exist_ok=True)
    entries = []
    for spec in specs:
        path, _, names = spec.partition(':')
        root = os.path.dirname(os.path.abspath(path))
        with open(path) as f:
            suite = json.load(f)
        wanted = set(names.split(',')) if names else None
        for c in suite['cubes']:
            if wanted is not None and c['name'] not in wanted:
                continue
            factor = factors[len(entries) % len(factors)]
            name = f"{c['name']}_x{factor:g}"
            cube = np.load(os.path.join(root, c['cube']))
            np.save(os.path.join(out, f'{name}.npy'), (cube * np.float32(factor)).astype(np.float32))
            labels = os.path.join(root, c['labels'])
            entries.append(dict(name=name, cube=f'{name}.npy', labels=os.path.abspath(labels),
                                true_k=c['true_k'], kind=c.get('kind', 'maxrf')))
    with open(os.path.join(out, 'suite.json'), 'w') as f:
        json.dump(dict(generator='rescaled', cubes=entries), f, indent=1)
    print(f'wrote {len(entries)} cubes to {out}')


if __name__ == '__main__':
    main(sys.argv[1:])
