"""The encrypted local store: schema, migrations and one repository per table family; every SQL
statement against the local database lives here (docs/architecture.md)."""
