"""Command modules: each ``<area>.py`` here defines ``register(app, train, evaluate)``
and adds its typer commands (``slant train X``, ``slant evaluate X``, ``slant serve``...).
Heavy imports belong inside the command functions, so ``slant --help`` stays fast.
"""
