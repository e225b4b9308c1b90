"""The browser tests' shared fixtures: the run's chromium (`browser`) and the seeded demo office
copied for each test (`seeded_template`)."""

from tests.browser.console_fixtures import (
    browser_fixture,  # noqa: F401  (fixture)
    seeded_template_fixture,  # noqa: F401  (fixture)
)
