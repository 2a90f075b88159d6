"""Adapters for other frameworks (Scrapy, Dask); each imports its framework lazily."""
