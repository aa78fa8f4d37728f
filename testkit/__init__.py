"""Test doubles and data builders shared by tests/ and bench/.

A fake Google (``fake_google``), a recording SMTP server (``smtp_sink``), builders of real rows
(``factories``) and of ``BookingView`` values (``booking_views``), and the pytest plugins that
turn the servers into fixtures (``pytest_google``, ``pytest_smtp``). It imports the production
packages and never ``tests``, so that ``bench/`` can use it without importing the test suite.
"""
