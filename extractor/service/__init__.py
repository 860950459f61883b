"""The HTTP face: the JSON API and the review page over the results store.

It sits above the store (it reads and writes reports and reviews there) and the
pipeline (an upload is extracted through it); only ``cli`` imports it.

    settings  host, token, upload limit; the rule that a non-loopback bind needs a token
    sources   the source file of a stored report (an upload's bytes from the store, else its path)
    view      what the page shows: highlighted source lines, the three tables, findings in words
    pageimage page images of a PDF source, rendered on the server
    api       the ``/v1`` routes
    web       the review pages (``/``, ``/reports/{id}``)
    app       the FastAPI application: both routers, auth, upload limit, errors as JSON
"""
