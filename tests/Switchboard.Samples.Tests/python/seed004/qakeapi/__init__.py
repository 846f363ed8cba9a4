"""Stands in for the QakeAPI package that seed 004's tests import: only its qakeapi.testing.TestClient, over real sockets."""
