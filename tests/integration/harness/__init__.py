# SPDX-License-Identifier: Apache-2.0
"""Test harness for the mod_auth_introspect integration suite."""
