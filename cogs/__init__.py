"""Thin Discord adapters: parse the interaction, call the domain, render, reply."""
