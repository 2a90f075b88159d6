"""The shipped model: data files only (see card.json and corpus/README.md)."""
