import functools

import pytest

from tests.support.barcode_corpus import make_sample


@pytest.fixture(scope="session")
def corpus_sample():
    """make_sample(condition, index), each image generated once per test session."""
    return functools.cache(make_sample)
