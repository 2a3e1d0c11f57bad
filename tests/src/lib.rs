//! Shared fixtures for Imbolc's end-to-end tests.
