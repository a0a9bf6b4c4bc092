"""The clause library: schema, loading, release hashes and lint."""
