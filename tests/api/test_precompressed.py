"""A cached answer is compressed once, on the middleware's terms."""

from __future__ import annotations

import gzip

from api.precompressed import MINIMUM_SIZE, EncodedAnswer


def test_an_answer_above_the_minimum_size_is_kept_gzipped_too() -> None:
    body = b'{"days":[' + b'{"slots":[]},' * 200 + b"{}]}"
    answer = EncodedAnswer.of(body)
    assert answer.gzipped is not None and gzip.decompress(answer.gzipped) == body


def test_an_answer_below_the_minimum_size_is_kept_plain_only() -> None:
    assert EncodedAnswer.of(b"x" * (MINIMUM_SIZE - 1)).gzipped is None
