"""A second, deliberately naive implementation of docs/indicators.md, to check Tremplin's figures against.

`rows` holds the plain rows of a world, `indicators.compute()` (and `esf`) the figures the document defines,
`cohorts` the Hypothesis strategy that draws worlds, and `writing` the one place that puts a world into the
database for Tremplin to count. Only `writing` knows about Django.
"""
