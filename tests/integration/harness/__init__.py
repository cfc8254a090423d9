"""Test harness for the mod_auth_introspect integration suite."""
