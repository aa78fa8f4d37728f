"""The embeddable booking widget: one script (web components in Shadow DOM), the demo page, the
visitor's manage page and the privacy text. Pages only serve files; the browser calls the JSON API.

Mount with ``create_widget_router(settings)`` from ``api.widget.routes``.
"""
