"""feedpub: turn a folder of news-article files into per-topic RSS 2.0 and Atom 1.0 feeds."""

__version__ = "0.1.0"
#: Where feedpub is described: each feed names it, beside its generator.
GENERATOR_URI = "https://pypi.org/project/feedpub/"
