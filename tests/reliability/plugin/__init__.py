"""A package, so that its conftest is not imported as the top-level `conftest`: under `make
test-plugin` tests/plugin runs in the same session and its modules do `from conftest import`."""
