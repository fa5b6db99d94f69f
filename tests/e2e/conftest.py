"""``any_stack``: a test parametrised with ``indirect=True`` over ``EITHER_STACK`` runs once against
the embedded stack (``stack``: one Rasa server, SQLite) and once against the production shape
(``scaled_stack``: two Rasa and two action servers behind nginx, PostgreSQL, Redis). Both are
session fixtures, each started once however many tests use it."""

import pytest

EITHER_STACK = ["stack", "scaled_stack"]


@pytest.fixture
def any_stack(request):
    return request.getfixturevalue(request.param)
