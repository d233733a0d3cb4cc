-- Version 2 → 3: kept scores. Each respondent's tally per subdomain, and their sum per
-- round, kept up to date in the transaction that changes an answer (and in an import), so
-- that an overview of many rounds reads a few rows per round instead of every answer.
-- The store fills both tables from the answers in the same transaction as this step
-- (store::kept::rebuild): the scales and the items of a subdomain live in the instrument.
-- schema.sql holds the same tables for a new database; a test checks the two agree.

-- A respondent's answers in one subdomain (`section.subdomain`): how many have a score, the
-- sum of their fractions of the scale's maximum, and the "vet ikke" and "ikke relevant".
-- Only subdomains with an answer have a row. The slots (items × respondents) follow from the
-- instrument and are not kept.
CREATE TABLE respondent_score (
    respondent_id  TEXT NOT NULL REFERENCES respondent (id),
    subdomain_key  TEXT NOT NULL,
    scored         INTEGER NOT NULL CHECK (scored >= 0),
    fraction_sum   REAL NOT NULL CHECK (fraction_sum >= 0),
    dont_know      INTEGER NOT NULL CHECK (dont_know >= 0),
    not_applicable INTEGER NOT NULL CHECK (not_applicable >= 0),
    PRIMARY KEY (respondent_id, subdomain_key)
) STRICT, WITHOUT ROWID;

-- The sum of respondent_score over the respondents of a round, per subdomain: the round's
-- scores in about twenty rows, together on disk.
CREATE TABLE round_score (
    round_id       TEXT NOT NULL REFERENCES round (id),
    subdomain_key  TEXT NOT NULL,
    scored         INTEGER NOT NULL CHECK (scored >= 0),
    fraction_sum   REAL NOT NULL CHECK (fraction_sum >= 0),
    dont_know      INTEGER NOT NULL CHECK (dont_know >= 0),
    not_applicable INTEGER NOT NULL CHECK (not_applicable >= 0),
    PRIMARY KEY (round_id, subdomain_key)
) STRICT, WITHOUT ROWID;
