"""Pure domain code: no I/O, no Prefect, no Great Expectations, no docxtpl."""
