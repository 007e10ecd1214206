"""Input-series lines plain enough to skip the port of promtool's series parser are lines
that parser accepts: on random lines built from plain and awkward pieces, every line the
shortcut lets through parses without an error in the port."""

from __future__ import annotations

import random

from gameday.rules.seriesdesc import _Parser, _plainly_valid

NAMES = ["requests_total", "a:b", "x_y", "by_x", "count_values", "group_left", "nan", "up",
         "Inf_total", "job:errors:rate5m", "_x", "a__b", "x"]  # fmt: skip
LABELS = ['service="checkout"', 'a="1"', 'by="x"', 'le="0.5"', '__name__="x"', 'a="x y"',
          'path="/a/b"', 'on="1"', 'n_2="v-1:2.3"']  # fmt: skip
PLAIN = ["0", "1", "-1", "0+100x359", "1-2x4", "3x5", "_", "_x3", "stale", "0.5", "10.25",
         "123456789012345+0.000000000000001x999999999"]  # fmt: skip
AWKWARD = ["08", "1e3", "0x1F", "+1", "1x0", "x3", "_x0", "99999999999999999999", "1.", ".5",
           "1+1x9999999999", "stalex2", "Inf", "1+-1"]  # fmt: skip


def test_the_plain_shortcut_only_passes_lines_the_parser_accepts() -> None:
    gen = random.Random(3)
    passed = 0
    for _ in range(4000):
        line = gen.choice(NAMES)
        if gen.random() < 0.6:
            sep = gen.choice([",", ", "])
            line += "{" + sep.join(gen.sample(LABELS, gen.randint(1, 3))) + "}"
            if gen.random() < 0.1:
                line = line[:-1] + ',a="2",a="3"}'
        line += "".join(
            gen.choice([" ", " ", " ", "  "]) + gen.choice(PLAIN if gen.random() < 0.9 else AWKWARD)
            for _ in range(gen.randint(1, 4))
        )
        if not _plainly_valid(line):
            continue
        passed += 1
        parser = _Parser(line)
        parser.parse()
        assert not parser.errors, (line, parser.errors)
    assert passed > 300
