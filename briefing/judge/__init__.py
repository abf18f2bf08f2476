"""Judge: place, classify, fuse, and find whom to tell.

The third stage of the flow: collect → store → **judge** → render → deliver.
"""
