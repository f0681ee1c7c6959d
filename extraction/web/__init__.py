"""The HTMX pages: views, forms, the job page's view-model, page previews."""
