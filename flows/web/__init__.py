"""The office's web page (`kaohe web DIR…`): a quarter end to end in a browser.

`app.create_app` builds the FastAPI application over one or more workspaces; `accounts`
keeps accounts, sessions, slowed logins and the audit log; `jobs` runs `kaohe run` and
`kaohe send` as child processes; `data` reads what the pages show and writes uploads.
Pages are Jinja2 templates (`templates/`), styled by one CSS file and a few lines of
vanilla JavaScript (`static/`): nothing is fetched from the internet, nothing is built.
"""
