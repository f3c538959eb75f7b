"""A unit's failure reaches the flow with its words, even from a Dask worker."""

from __future__ import annotations

import pickle

import pytest

from flows.tasks import _failure_that_travels


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle this error")


def test_an_error_that_cannot_be_pickled_travels_as_its_text():
    with pytest.raises(RuntimeError) as raised, _failure_that_travels():
        raise _Unpicklable("Undefined namespace prefix")
    assert str(raised.value) == "_Unpicklable: Undefined namespace prefix"
    pickle.dumps(raised.value)


def test_an_ordinary_error_travels_unchanged():
    with pytest.raises(ValueError, match="金额"), _failure_that_travels():
        raise ValueError("金额无法识别")
