"""The book machinery: what turns the science into an executable, checked book.

Chapter parameters and their specs, the runner and CLI, results files and the scoreboard, the
cache, atomic writes, the source hash and repository paths. Science modules (one level up)
never import from here; this package imports the science freely.
"""
