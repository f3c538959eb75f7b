"""A unit's failure reaches the flow with its words, even from a Dask worker."""

from __future__ import annotations

import pickle

import pytest
import tblib.pickling_support

from flows.tasks import travelling


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle this error")


@pytest.fixture(autouse=True)
def _pickling_as_on_a_dask_worker():
    # `distributed` installs tblib's pickling, which takes an exception's __context__ along.
    tblib.pickling_support.install()


def _fails(error: Exception):
    raise error


def test_an_error_that_cannot_be_pickled_travels_as_its_text():
    with pytest.raises(RuntimeError) as raised:
        travelling(_fails, _Unpicklable("Undefined namespace prefix"))
    assert str(raised.value) == "_Unpicklable: Undefined namespace prefix"
    assert raised.value.__context__ is None
    pickle.loads(pickle.dumps(raised.value))


def test_an_ordinary_error_travels_unchanged():
    with pytest.raises(ValueError, match="金额"):
        travelling(_fails, ValueError("金额无法识别"))
