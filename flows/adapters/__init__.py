"""Adapters: each module wraps exactly one outside thing (files, GX, docxtpl, output folders)."""
