"""Recording benchmark figures: one JSON object per figure, one per line.

Every figure has at least `bench`, `metric`, `value`, `unit` and `runs` (how many samples
the value summarizes). Extra fields (p90, min, max, machine, timestamp, commit, host) are
added where known. Figures are appended to build/bench/results.jsonl as they are made, so a
crash in a later benchmark keeps the earlier figures.
"""

import datetime
import json
import os
import platform
import statistics
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(REPO, "build", "bench")
RESULTS = os.path.join(BUILD, "results.jsonl")


def git_commit():
    try:
        out = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def percentile(values, p):
    """Nearest-rank percentile, p in [0, 100]."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


class Recorder:
    """Collects the figures of one benchmark and appends each to the results file."""

    def __init__(self, bench, path=RESULTS):
        self.bench = bench
        self.path = path
        self.figures = []
        self.common = {
            "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "commit": git_commit(),
            "host": platform.node(),
        }

    def add(self, metric, value, unit, runs, **extra):
        fig = {"bench": self.bench, "metric": metric, "value": value, "unit": unit,
               "runs": runs, **extra, **self.common}
        self.figures.append(fig)
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.path, "a") as f:
            f.write(json.dumps(fig) + "\n")
        return fig

    def samples(self, metric, values, unit, digits=1, **extra):
        """Records the median of `values`, with min/p90/max alongside."""
        r = lambda x: round(x, digits)
        return self.add(metric, r(statistics.median(values)), unit, len(values),
                        min=r(min(values)), p90=r(percentile(values, 90)), max=r(max(values)),
                        **extra)

    def ratio(self, metric, num, den, digits=2, **extra):
        """Records num/den of two recorded figures (by metric name); runs = fewest of the two."""
        a, b = self.get(num), self.get(den)
        return self.add(metric, round(a["value"] / b["value"], digits), "x",
                        min(a["runs"], b["runs"]), of=f"{num}/{den}", **extra)

    def get(self, metric):
        return next(f for f in self.figures if f["metric"] == metric)

    def table(self):
        return format_table(self.figures)


def format_table(figures):
    cols = [("bench", "bench"), ("metric", "metric"), ("value", "value"), ("unit", "unit"),
            ("runs", "runs"), ("min", "min"), ("p90", "p90"), ("max", "max")]
    rows = [[h for _, h in cols]]
    rows += [["" if f.get(k) is None else str(f.get(k)) for k, _ in cols] for f in figures]
    width = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    left = {0, 1, 3}
    fmt = lambda r: "  ".join(c.ljust(w) if i in left else c.rjust(w)
                              for i, (c, w) in enumerate(zip(r, width)))
    lines = [fmt(rows[0]), "  ".join("-" * w for w in width)]
    return "\n".join(lines + [fmt(r) for r in rows[1:]])
