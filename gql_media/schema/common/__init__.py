"""What every domain's contract shares: errors, pages, scalars, context, links."""
