"""Small helpers shared by components."""


def testid(name: str) -> dict[str, str]:
    """A stable `data-testid` for the e2e tests (pass as `custom_attrs=`)."""
    return {"data-testid": name}
