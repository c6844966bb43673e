"""The customer domain of the API: the Customer node, its lists, queries and mutations."""
