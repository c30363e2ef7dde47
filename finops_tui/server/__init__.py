"""`finops-tui serve`: the read contract over HTTP (FastAPI), with tokens, roles, account scoping and pushes.

Only `app.create_app` and `serve_command` import FastAPI/uvicorn (the `server` extra); nothing here imports
Textual. The route table (`routes.ROUTES`) is data: one line per reader method served.
"""
