-- Facts about the file itself, e.g. which PII cipher it was written with.
CREATE TABLE store_meta (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
