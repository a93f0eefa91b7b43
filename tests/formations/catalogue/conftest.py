"""The campus whose formations the catalogue tests list."""

import pytest

from tests.campus.factories import CampusPageFactory


@pytest.fixture
def campus(home_page):
    return CampusPageFactory(title="Campus numérique d'Aubervilliers")
