"""The GraphQL surface (Strawberry): types, queries, mutations, loaders, limits. No SQL, no HTTP."""
